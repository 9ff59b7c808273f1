"""The matter 用编计划: its process, forms, rules and manifest."""
