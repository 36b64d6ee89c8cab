"""Optional settlement day rows (proposal P5, the Settlements part): read when present.

A statement's lines add up over its days: gross, subsidy and commission (rounded
per order item) belong to the local day the order was paid, refunds and the
commission returned (rounded per refund) to the day the refund completed. The
platform keeps them per shop and local day in `rollup_settlement_days`, built by
`rollups.build` up to `rollup_state.complete_before` of `settlements/1`, so
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

from queries.core import schema as s
from queries.core.db import local_day
from queries.finance.lines import (
    Totals,
    compute_totals,
    half_up_bps,
    payment_fees,
    period_range,
)
from queries.rolled.coverage import Coverage, complete_before, covered_days, rollup_metadata

__all__ = ["SETTLEMENTS", "insert_settlement_days", "settlement_days", "statement_totals"]

# The rollup_state row of this table, with its layout's version.
SETTLEMENTS = "settlements/1"
# The statement's lines that a closed day fixes (payment fees are read live, above).
_DAY_LINES = (
    "gross_cents",
    "platform_subsidy_cents",
    "commission_cents",
    "refund_cents",
    "commission_refund_cents",
)

settlement_days = Table(
    "rollup_settlement_days",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("local_day", Date, primary_key=True),
    *(Column(line, BigInteger, nullable=False) for line in _DAY_LINES),
)


def insert_settlement_days(conn: sa.Connection, zone, cutoff) -> None:
    """Every shop's statement lines per local day, for the orders paid and refunds
    completed before `cutoff` (the platform's build; `zone` is the bound timezone)."""
    o, i, r = s.orders, s.order_items, s.refunds
    paid_day = local_day(o.c.paid_at, zone).label("day")
    paid = o.c.paid_at < cutoff  # NULL (never paid) is not before anything

    def branch(day, **sums) -> sa.Select:
        zero = sa.literal(0, BigInteger)
        figures = [sums.get(line, zero).label(line) for line in _DAY_LINES]
        return sa.select(o.c.vendor_id, day, *figures).group_by(o.c.vendor_id, day)

    order_sums = branch(
        paid_day,
        gross_cents=sa.func.sum(o.c.paid_cents),
        platform_subsidy_cents=sa.func.sum(o.c.platform_discount_cents),
    ).where(paid)
    commission = (
        branch(
            paid_day,
            commission_cents=sa.func.sum(half_up_bps(i.c.amount_cents, i.c.commission_bps)),
        )
        .select_from(i.join(o, i.c.order_id == o.c.order_id))
        .where(paid)
    )
    back_day = local_day(r.c.completed_at, zone).label("day")
    refunded = (
        branch(
            back_day,
            refund_cents=sa.func.sum(r.c.amount_cents),
            commission_refund_cents=sa.func.sum(half_up_bps(r.c.amount_cents, i.c.commission_bps)),
        )
        .select_from(
            r.join(i, r.c.order_item_id == i.c.order_item_id).join(o, r.c.order_id == o.c.order_id)
        )
        .where(r.c.status == "completed", r.c.completed_at < cutoff)
    )
    every = sa.union_all(order_sums, commission, refunded).subquery("day_lines")
    rows = (
        sa.select(
            every.c.vendor_id,
            every.c.day,
            *(sa.cast(sa.func.sum(every.c[line]), BigInteger) for line in _DAY_LINES),
        )
        .group_by(every.c.vendor_id, every.c.day)
        .order_by(every.c.vendor_id, every.c.day)  # a shop's days together on disk
    )
    names = ["vendor_id", "local_day", *_DAY_LINES]
    conn.execute(settlement_days.insert().from_select(names, rows))


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
    covered = None if cut is None else covered_days(period, tz=tz, before=cut)
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
            d.c.vendor_id, *(sa.cast(sa.func.sum(d.c[line]), BigInteger) for line in _DAY_LINES)
        )
        .where(covered.holds(d.c.local_day))
        .group_by(d.c.vendor_id)
    )
    if vendor_ids is not None:
        stmt = stmt.where(d.c.vendor_id.in_(list(vendor_ids)))
    return {
        int(row[0]): Totals(**{line: int(x) for line, x in zip(_DAY_LINES, row[1:], strict=True)})
        for row in conn.execute(stmt)
    }


def _plus(a: Totals, b: Totals) -> Totals:
    lines = (*_DAY_LINES, "payment_fee_cents")
    return Totals(**{line: getattr(a, line) + getattr(b, line) for line in lines})
