"""Result rows to DataFrames, column by column.

`pd.DataFrame(rows)` with SQLAlchemy `Row`s probes each row for array and
mapping attributes (each miss raises and catches an exception inside
SQLAlchemy) and infers every cell's type: ≈ 1 ms for a 50-row page of 18
columns. Transposing first hands pandas one list per column: ≈ 0.5 ms.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def rows_frame(rows: Sequence[Sequence], columns: Sequence[str]) -> pd.DataFrame:
    """A frame of `rows` (tuples or `Row`s, in `columns` order); no rows: an empty frame."""
    if not rows:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))
