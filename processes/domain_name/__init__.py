"""The matter 政务和公益机构域名注册: its process, forms and manifest."""
