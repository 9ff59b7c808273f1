"""The matter 跨部门联办演示: its process, forms and manifest."""
