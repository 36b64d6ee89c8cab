"""Shared UI pieces: formatting, widgets, charts, form submission."""
