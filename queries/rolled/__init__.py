"""The read side of the rollup tables: coverage (the cut) and rolled + live reads."""
