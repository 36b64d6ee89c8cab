"""The foundations of every query module: engine, schema, periods, money, errors, settings."""
