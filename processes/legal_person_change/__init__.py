"""The matter 事业单位法人变更、注销登记: its process, forms, rules and manifest."""
