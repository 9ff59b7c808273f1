"""The archive: signed records of finished matters, their integrity checks,
search and retrieval (see ``storage.archive`` for where the bytes live)."""
