"""Sealed official documents (render, seal, sign, verify). Filled by the documents issue."""
