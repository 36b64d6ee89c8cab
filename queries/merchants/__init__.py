"""Shops and supplier onboarding: applications, decisions, shop status."""
