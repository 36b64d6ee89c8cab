"""Order search and order detail."""
