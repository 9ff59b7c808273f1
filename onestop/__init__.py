"""OneStop composition root: settings, wiring, CLI, worker and migrations."""
