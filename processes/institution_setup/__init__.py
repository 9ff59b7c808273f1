"""The matter 新设机构一件事: its process, forms and manifest."""
