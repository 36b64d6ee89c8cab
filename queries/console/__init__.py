"""The console's own state: accounts, sessions, login attempts, lockouts, the demo mark.

Declared once in `tables.py` and created by Alembic (`migrations/`), never among
the contract's tables: in the `mallboard` schema on PostgreSQL, as
`mallboard_`-prefixed tables in the same file on SQLite.
"""
