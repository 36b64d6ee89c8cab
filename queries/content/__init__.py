"""Community content (notes, tags) and the sales it drives."""
