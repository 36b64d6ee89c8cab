"""`make bench`: page data, plain SQL, renders and workbooks at mall scale (docs/performance.md)."""
