"""Promotions, coupons and campaigns: reading, editing and their results."""
