"""Cached reads per area: thin `dashboard.caching.cached` wrappers around `queries/` functions."""
