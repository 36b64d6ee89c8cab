"""The shape every analytics report shares, for pages, workbooks and `python -m exports report`.

`totals` maps the contract's figure names (`gmv_cents`, `paid_orders`, `buyers`,
…) to integers in minor units, or to unrounded ratios (`None` where the
denominator is zero). `breakdowns` are small aggregated tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

__all__ = ["Figure", "Report", "ratio"]

Figure = int | float | Decimal | None


@dataclass(frozen=True)
class Report:
    """One report for one scope and period: headline figures and breakdown tables."""

    totals: dict[str, Figure]
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, or None when the denominator is zero (or missing)."""
    if not denominator:
        return None
    return (numerator or 0) / denominator
