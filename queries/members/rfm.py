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
day the rollup holds, under the default rules (`RFM_RULES`). As of an instant after
such a midnight (today's pages end now), the same reasoning moves only the members
with an order entering, leaving or ceasing to be recent since that midnight
(`_with_moves`); any other case reads live (`tests/test_rfm_rollup.py` compares them).
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
from queries.rolled.coverage import (
    MALL,
    complete_before,
    one_of,
    rollup_metadata,
    rollup_vendor_id,
)
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
# Past the rollup's last as-of day, its segments plus the moves since are read up to this
# long after it (a late refresh); further on, the moved buyers are most buyers: live.
MOVES_READ_UP_TO = timedelta(days=7)

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
    """The latest local day, at or before `end`, whose midnight the rollup answers RFM as
    of; None where it cannot help (read live).

    That is `end`'s own day, or the cut when `end` lies past it; `rfm_segments` adds the
    moves from that midnight to `end` (today, live). It needs the default rules and
    that day's window and recency edges at local midnights too (always, without daylight
    saving).
    """
    if tz is None or rules != RFM_RULES or scope.vendor_id == MALL:
        return None
    before = complete_before(conn, rollup=MEMBERS, tz=tz)
    if before is None:
        return None
    zone = ZoneInfo(tz)
    as_of = min(end.astimezone(zone).date(), before)
    at = local_midnight(as_of, zone)
    if end - at > MOVES_READ_UP_TO:
        return None
    for days in (rules.window_days, rules.recent_days):
        edge = as_of - timedelta(days=days)
        if local_midnight(edge, zone) != at - timedelta(days=days):
            return None
    return as_of


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
    if as_of is None:
        query = _live_segments(scope, period, rules)
    else:
        at = local_midnight(as_of, ZoneInfo(tz))
        query = rolled_segments(scope, as_of)
        if at < period.end:
            query = _with_moves(query, scope=scope, since=at, end=period.end, rules=rules)
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


def _with_moves(
    rolled: sa.Select, *, scope: Scope, since: datetime, end: datetime, rules: RfmRules
) -> sa.Select:
    """(segment, buyers, gmv_cents) as of `end`: the rollup's as of `since` (a local
    midnight), with each buyer whose segment may have moved since taken out of their old
    segment and counted in their new one.

    A buyer's segment as of an instant depends on their paid orders in the window before
    it; from `since` to `end` it can move only for a member with an order that entered the
    window ([since, end)), left it ([since − window, end − window)) or stopped being recent
    ([since − recent, end − recent)): a day's orders or so each, found through the paid_at
    index, and those members' orders through the member index (one group per moved buyer,
    not one per buyer of the year).
    """
    window, recent = timedelta(days=rules.window_days), timedelta(days=rules.recent_days)
    spans = ((since - window, end - window), (since - recent, end - recent), (since, end))
    moved = sa.union(
        *(sa.select(ORD.c.member_id).where(scope_paid_in(scope, TimeRange(a, b))) for a, b in spans)
    )

    def count_in(start: datetime, stop: datetime, value=1):
        inside = sa.and_(ORD.c.paid_at >= start, ORD.c.paid_at < stop)
        return sa.func.sum(sa.case((inside, value), else_=0))

    per_buyer = (
        sa.select(
            ORD.c.member_id,
            count_in(since - window, since).label("old_orders"),
            count_in(since - window, since, ORD.c.paid_cents).label("old_gmv"),
            count_in(since - recent, since).label("old_recent"),
            count_in(end - window, end).label("new_orders"),
            count_in(end - window, end, ORD.c.paid_cents).label("new_gmv"),
            count_in(end - recent, end).label("new_recent"),
        )
        .where(
            one_of(ORD.c.member_id, moved),
            scope_paid_in(scope, TimeRange(since - window, end)),
        )
        .group_by(ORD.c.member_id)
        .cte("moved_buyers")
    )

    def side(when: str, sign: int) -> sa.Select:
        orders, gmv_cents, recent_orders = (
            per_buyer.c[f"{when}_{name}"] for name in ("orders", "gmv", "recent")
        )
        segment = segment_of(
            recent_orders > 0, orders >= rules.frequent_orders, gmv_cents >= rules.monetary_cents
        )
        return sa.select(
            segment.label("segment"),
            sa.literal(sign, sa.BigInteger).label("buyers"),
            (gmv_cents * sign).label("gmv_cents"),
        ).where(orders > 0)

    moves = sa.union_all(rolled, side("old", -1), side("new", 1)).subquery("moves")
    return sa.select(
        moves.c.segment,
        sa.func.sum(moves.c.buyers).label("buyers"),
        sa.func.sum(moves.c.gmv_cents).label("gmv_cents"),
    ).group_by(moves.c.segment)
