"""The matter 统一社会信用代码赋码: its process, forms and manifest."""
