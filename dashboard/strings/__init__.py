"""Translation tables, one module per area, each `STRINGS = {"area.key": ("中文", "English")}`.

`dashboard.i18n` merges every module of this package into one table.
"""
