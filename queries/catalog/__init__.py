"""Products: listing, checking and editing price, stock and shelf state."""
