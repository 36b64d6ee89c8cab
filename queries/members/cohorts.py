"""Member cohorts: retention by first-purchase month, read from the member rollups and live.

A member's cohort is the local month of their first paid order with the scope ever (for
the mall: in the mall). The whole months before the member rollups' cut are read from
`queries.rolled.members`' cohort rows, the rest live over the orders.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_month
from queries.core.periods import TimeRange, add_months, local_midnight
from queries.figures import as_date, scope_paid_in
from queries.reports import ratio
from queries.rolled.members import cohort_rows, cohort_rows_through_cut, firsts_cut

__all__ = ["cohorts"]

ORD = s.orders


def cohorts(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, months: int = 12
) -> pd.DataFrame:
    """Retention by first-purchase month: cohort × months since → share of the cohort buying.

    Cohorts are the `months` local months ending with the period's last month; a member's
    cohort is the month of their first paid order with the scope ever. Month k ≥ 1 counts
    the cohort members with a paid order in the k-th month after, up to the period end.
    One row per (cohort, months_since) with at least one buyer; months_since 0 is the
    cohort itself (size).
    """
    zone_info = ZoneInfo(tz)
    last_month = period.last_day(zone_info).replace(day=1)
    first_month = add_months(last_month, -(months - 1))
    window_start = local_midnight(first_month, zone_info)
    zone = sa.bindparam("tz", tz)
    cut = firsts_cut(conn, scope=scope, tz=tz)
    if cut is None or cut[0] < first_month:
        # Without rollups, or with a cut before the window: a member missing from the
        # first orders may have paid between the cut and the window.
        query = _live_cohort_rows(scope, window_start, period.end, zone)
    elif last_month == cut[0].replace(day=1) and period.end >= cut[1]:
        # The window ends in the cut's month, at or after the cut: rollup rows, and the
        # buyers since the cut who had not paid earlier that month.
        query = cohort_rows_through_cut(
            scope,
            first_month=first_month,
            cut_month=last_month,
            month_start=local_midnight(last_month, zone_info),
            cut_at=cut[1],
            window_end=period.end,
            month_of=lambda column: local_month(column, zone),
        )
    else:
        # Rollup rows for the whole months before the cut's month (and before the
        # period's last month unless it is whole); the rest is read live.
        after_last = add_months(last_month, 1)
        whole_last = period.end >= local_midnight(after_last, zone_info)
        stop = min(cut[0].replace(day=1), after_last if whole_last else last_month)
        query = cohort_rows(
            scope,
            first_month=first_month,
            stop_month=stop,
            live_start=local_midnight(stop, zone_info),
            window_end=period.end,
            month_of=lambda column: local_month(column, zone),
        )
    counted: dict[tuple[date, date], int] = {}
    for r in conn.execute(query):  # a cut month's rollup row and its live rest add up
        key = (as_date(r.cohort), as_date(r.month))
        counted[key] = counted.get(key, 0) + int(r.buyers)
    rows = sorted((cohort, month, buyers) for (cohort, month), buyers in counted.items())
    sizes = {c: n for c, m, n in rows if c == m}
    out = []
    for cohort, month, buyers in rows:
        since = (month.year - cohort.year) * 12 + month.month - cohort.month
        out.append(
            {
                "cohort": cohort,
                "months_since": since,
                "cohort_size": sizes.get(cohort, 0),
                "buyers": buyers,
                "retention": ratio(buyers, sizes.get(cohort, 0)),
            }
        )
    frame = pd.DataFrame(
        out, columns=["cohort", "months_since", "cohort_size", "buyers", "retention"]
    )
    frame["retention"] = pd.Series([r["retention"] for r in out], dtype=object, index=frame.index)
    return frame


def _live_cohort_rows(scope: Scope, window_start: datetime, end: datetime, zone) -> sa.Select:
    """(cohort, month, buyers) read live: each window buyer's first paid order ever."""
    window = TimeRange(window_start, end)
    window_buyers = sa.select(ORD.c.member_id).where(scope_paid_in(scope, window))
    first_paid = sa.func.min(ORD.c.paid_at)
    first = (
        # The cohort month is bucketed once per member, not once per order.
        sa.select(ORD.c.member_id, local_month(first_paid, zone).label("cohort"))
        .where(
            ORD.c.member_id.in_(window_buyers),
            ORD.c.paid_at.is_not(None),
            scope.owns(ORD.c.vendor_id),
        )
        .group_by(ORD.c.member_id)
        .having(first_paid >= window_start)
        .subquery("first")
    )
    active = (
        sa.select(
            first.c.cohort,
            local_month(ORD.c.paid_at, zone).label("month"),
            ORD.c.member_id,
        )
        .join(first, first.c.member_id == ORD.c.member_id)
        .where(scope_paid_in(scope, window))
        .distinct()
        .subquery("active")
    )
    return sa.select(active.c.cohort, active.c.month, sa.func.count().label("buyers")).group_by(
        active.c.cohort, active.c.month
    )
