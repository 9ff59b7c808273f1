"""The matter 领导职务任免: its process, forms, rules and manifest."""
