"""The matter 出编: its process, forms and manifest."""
