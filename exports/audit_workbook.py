"""The audit log as an Excel workbook: the page's readable table, cell for cell.

The dashboard turns the trail into words (`dashboard.ui.audit_words.readable`); this
writes those words as they are. Every cell is text, written as text — a name or
a note that begins with "=" stays a string, never a formula.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from exports.xlsx import Column, frame_to_xlsx

__all__ = ["audit_workbook_bytes"]

# Widths in characters by column position: when, actor, role, action, entity, shop, reason, changes.
_WIDTHS = (18, 14, 10, 22, 40, 24, 30, 80)


def audit_workbook_bytes(frame: pd.DataFrame, *, sheet: str) -> bytes:
    """One sheet named `sheet` with `frame`'s headers and text cells."""
    columns = [
        Column(str(name), "text", _WIDTHS[i] if i < len(_WIDTHS) else None)
        for i, name in enumerate(frame.columns)
    ]
    cells = frame.astype(object).where(frame.notna(), None)
    return frame_to_xlsx({sheet[:31]: (cells, columns)}, tz=ZoneInfo("UTC"))
