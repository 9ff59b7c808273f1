"""Use cases of the establishment register: reading it (who sees what), setting approved
establishment, importing files. Each opens one transaction and returns plain data."""
