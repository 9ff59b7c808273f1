"""The matter 事业单位法人年度报告: its process, forms and manifest."""
