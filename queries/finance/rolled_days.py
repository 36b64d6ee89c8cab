"""Settlement day rows, the Settlements family of the rollups: read when present.

A statement's lines add up over its days: gross, subsidy and commission (rounded
per order item) belong to the local day the order was paid, refunds and the
commission returned (rounded per refund) to the day the refund completed. The
platform keeps them per shop and local day in `rollup_settlement_days`, built by
`rollups.settlements` up to `rollup_state.complete_before` of `settlements/1`, so
that a period's figures are a sum of day rows (238,000 rows hold the large demo's 20
months of 1,000 shops) plus the days from the cut on, computed live.

Payment fees are not in the rows: the contract counts every payment of the
period's orders "whatever each payment's own time", so a payment recorded after a
build would change a closed day. They are always summed live.

Who reads them: the Settlements page's period table and a statement's detail
(`queries.finance.settlements`, "today's figures" beside an issued statement). Issuing a
statement, reconciliation and every workbook compute live: what is frozen,
checked or handed over is read from the orders themselves. A closed day's lines
never change (a paid order keeps its `paid_at` and lines; a completed refund its
`completed_at`: the platform's rules, as for the sales rollups), so the day rows
and the live lines agree; a correction made against those rules shows in
the page after the next build and in reconciliation at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Table

from queries.finance.lines import Totals, compute_totals, payment_fees, period_range
from queries.rolled.coverage import Coverage, complete_before, covered_days, rollup_metadata

__all__ = ["DAY_LINES", "SETTLEMENTS", "settlement_days", "statement_totals"]

# The rollup_state row of this table, with its layout's version.
SETTLEMENTS = "settlements/1"
# The statement's lines that a closed day fixes (payment fees are read live, above).
DAY_LINES = (
    "gross_cents",
    "platform_subsidy_cents",
    "commission_cents",
    "refund_cents",
    "commission_refund_cents",
)

settlement_days = Table(
    "mallboard_rollup_settlement_days",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("local_day", Date, primary_key=True),
    *(Column(line, BigInteger, nullable=False) for line in DAY_LINES),
)


def statement_totals(
    conn: sa.Connection,
    *,
    period_start: date,
    period_end: date,
    tz: str,
    vendor_ids: Sequence[int] | None = None,
) -> dict[int, Totals]:
    """Today's lines of `[period_start, period_end)` (local dates) per vendor: the day
    rows for the days before the cut, the rest live; `compute_totals`'s figures.

    Without the day rows (or built in another zone) the whole period is live. Vendors
    with nothing in the period may be missing (all zeros).
    """
    period = period_range(period_start, period_end, tz)
    cut = complete_before(conn, tz=tz, rollup=SETTLEMENTS)
    covered = None if cut is None else covered_days(period, tz=tz, cut=cut)
    if covered is None:
        return compute_totals(conn, period=period, vendor_ids=vendor_ids)
    found = _summed_days(conn, covered=covered, vendor_ids=vendor_ids)
    rolled = period_range(covered.first, covered.end, tz)
    for vendor_id, fee in payment_fees(conn, period=rolled, vendor_ids=vendor_ids).items():
        found[vendor_id] = replace(found.get(vendor_id, Totals()), payment_fee_cents=fee)
    for rest in covered.live:  # the days from the cut on
        for vendor_id, today in compute_totals(conn, period=rest, vendor_ids=vendor_ids).items():
            found[vendor_id] = _plus(found.get(vendor_id, Totals()), today)
    return found


def _summed_days(
    conn: sa.Connection, *, covered: Coverage, vendor_ids: Sequence[int] | None
) -> dict[int, Totals]:
    d = settlement_days
    stmt = (
        sa.select(
            d.c.vendor_id, *(sa.cast(sa.func.sum(d.c[line]), BigInteger) for line in DAY_LINES)
        )
        .where(covered.holds(d.c.local_day))
        .group_by(d.c.vendor_id)
    )
    if vendor_ids is not None:
        stmt = stmt.where(d.c.vendor_id.in_(list(vendor_ids)))
    return {
        int(row[0]): Totals(**{line: int(x) for line, x in zip(DAY_LINES, row[1:], strict=True)})
        for row in conn.execute(stmt)
    }


def _plus(a: Totals, b: Totals) -> Totals:
    lines = (*DAY_LINES, "payment_fee_cents")
    return Totals(**{line: getattr(a, line) + getattr(b, line) for line in lines})
