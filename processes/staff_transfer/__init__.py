"""The matter 人员调动 (人编同调): its process, forms, rules and manifest."""
