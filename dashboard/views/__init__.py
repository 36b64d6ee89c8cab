"""Helpers of the pages: the panels, forms and tables a page draws, one module per page part."""
