"""The matter 入编: its process, forms and manifest."""
