"""The RFM model of Members, and its optional rollup (the RFM family of the rollups).

A buyer's RFM segment as of a period's end needs that buyer's paid orders of the
last 365 days: read live, one group per buyer of the year (255,000 for the
largest demo shop, the whole mall's 570,000), whatever the period picked.

The platform can keep `rollup_rfm_changes` instead (built with the other member
rollups, `members/2`): per shop (and the mall, `vendor_id` −1), as-of day and
segment, how the segment's buyers and their window GMV *changed* on that day.
A member's segment as of a local midnight D depends on the days of their paid
orders in [D − 365, D): it can change only when an order enters the window
(D = its day + 1), leaves it (its day + 366) or stops being recent (its day + 91).
So the build (`rollups.members`) evaluates each member at those days only and keeps the moves; the
counts as of D are the sums of the moves of the days up to D. Exact for an as-of
day the rollup holds, under the default rules (`RFM_RULES`); any other case reads
live (`tests/test_rfm_rollup.py` compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Table, Text

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, local_midnight
from queries.figures import gmv, paid_orders, scope_paid_in
from queries.rolled.coverage import MALL, complete_before, rollup_metadata, rollup_vendor_id
from queries.rolled.members import MEMBERS

ORD = s.orders

__all__ = [
    "RFM_RULES",
    "RFM_SEGMENTS",
    "RfmRules",
    "rfm_segments",
    "rfm_changes",
    "rolled_as_of",
    "rolled_segments",
    "segment_of",
]


@dataclass(frozen=True)
class RfmRules:
    """Thresholds of the RFM model, measured as of the period's end over a look-back window.

    R is *recent* when the last paid order is less than `recent_days` days before the
    period end; F is *high* with at least `frequent_orders` paid orders in the window;
    M is *high* with GMV of at least `monetary_cents` in the window.
    """

    window_days: int = 365
    recent_days: int = 90
    frequent_orders: int = 2
    monetary_cents: int = 50_000


RFM_RULES = RfmRules()

# (segment code, R recent, F high, M high): the classic eight-segment RFM grid.
RFM_SEGMENTS: tuple[tuple[str, bool, bool, bool], ...] = (
    ("important_value", True, True, True),  # 重要价值客户
    ("important_develop", True, False, True),  # 重要发展客户
    ("important_keep", False, True, True),  # 重要保持客户
    ("important_winback", False, False, True),  # 重要挽留客户
    ("general_value", True, True, False),  # 一般价值客户
    ("general_develop", True, False, False),  # 一般发展客户
    ("general_keep", False, True, False),  # 一般保持客户
    ("general_winback", False, False, False),  # 一般挽留客户
)

rfm_changes = Table(
    "mallboard_rollup_rfm_changes",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("as_of", Date, primary_key=True),  # the local midnight the change takes effect
    Column("segment", Text, primary_key=True),
    Column("buyers", BigInteger, nullable=False),  # buyers joining (+) or leaving (−)
    Column("gmv_cents", BigInteger, nullable=False),  # the change of the segment's window GMV
)


def segment_of(recent, frequent, monetary) -> sa.Case:
    """CASE giving the RFM_SEGMENTS code of three SQL conditions."""
    return sa.case(
        *[
            (
                sa.and_(
                    recent if r else sa.not_(recent),
                    frequent if f else sa.not_(frequent),
                    monetary if m else sa.not_(monetary),
                ),
                code,
            )
            for code, r, f, m in RFM_SEGMENTS
        ],
        else_="general_winback",
    )


def rolled_as_of(
    conn: sa.Connection, *, scope: Scope, end: datetime, tz: str | None, rules: RfmRules
) -> date | None:
    """The local day of `end` when the rollup answers RFM as of it, else None (read live).

    It does for the default rules, an `end` at a local midnight the rollup holds, and a
    window and recency edge that are local midnights too (always, without daylight saving).
    """
    if tz is None or rules != RFM_RULES or scope.vendor_id == MALL:
        return None
    zone = ZoneInfo(tz)
    as_of = end.astimezone(zone).date()
    for days in (0, rules.window_days, rules.recent_days):
        edge = as_of - timedelta(days=days)
        if local_midnight(edge, zone) != end - timedelta(days=days):
            return None
    before = complete_before(conn, rollup=MEMBERS, tz=tz)
    return as_of if before is not None and as_of <= before else None


def rolled_segments(scope: Scope, as_of: date) -> sa.Select:
    """(segment, buyers, gmv_cents) as of the local midnight `as_of`, from the rollup."""
    c = rfm_changes
    return (
        sa.select(
            c.c.segment,
            sa.func.sum(c.c.buyers).label("buyers"),
            sa.func.sum(c.c.gmv_cents).label("gmv_cents"),
        )
        .where(c.c.vendor_id == rollup_vendor_id(scope.vendor_id), c.c.as_of <= as_of)
        .group_by(c.c.segment)
    )


def rfm_segments(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    rules: RfmRules = RFM_RULES,
    tz: str | None = None,
) -> pd.DataFrame:
    """Counts of the scope's buyers per RFM segment, as of the period end (see RfmRules).

    The buyers are the members with a paid order of the scope in the look-back window
    [end − window_days, end). Bucketing is a CASE over per-buyer aggregates, in SQL;
    with `tz` (the platform's) an as-of day the RFM rollup holds is read from it.
    """
    as_of = rolled_as_of(conn, scope=scope, end=period.end, tz=tz, rules=rules)
    query = rolled_segments(scope, as_of) if as_of else _live_segments(scope, period, rules)
    found = {r.segment: (int(r.buyers), int(r.gmv_cents)) for r in conn.execute(query)}
    rows = [
        {
            "segment": code,
            "recent": r,
            "frequent": f,
            "high_value": m,
            "buyers": found.get(code, (0, 0))[0],
            "gmv_cents": found.get(code, (0, 0))[1],
        }
        for code, r, f, m in RFM_SEGMENTS
    ]
    return pd.DataFrame(
        rows, columns=["segment", "recent", "frequent", "high_value", "buyers", "gmv_cents"]
    )


def _live_segments(scope: Scope, period: TimeRange, rules: RfmRules) -> sa.Select:
    """(segment, buyers, gmv_cents) from the window's paid orders, one group per buyer."""
    window_start = period.end - timedelta(days=rules.window_days)
    recent_since = period.end - timedelta(days=rules.recent_days)
    segment = segment_of(
        sa.func.max(ORD.c.paid_at) >= recent_since,
        paid_orders() >= rules.frequent_orders,
        gmv(ORD) >= rules.monetary_cents,
    )
    per_buyer = (
        sa.select(
            ORD.c.member_id,
            segment.label("segment"),
            gmv(ORD).label("gmv_cents"),
        )
        .where(scope_paid_in(scope, TimeRange(window_start, period.end)))
        .group_by(ORD.c.member_id)
        .subquery("per_buyer")
    )
    return sa.select(
        per_buyer.c.segment,
        sa.func.count().label("buyers"),
        sa.func.sum(per_buyer.c.gmv_cents).label("gmv_cents"),
    ).group_by(per_buyer.c.segment)
