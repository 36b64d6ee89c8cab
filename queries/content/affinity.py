"""Tag affinity of the Content page: what the scope's buyers read, against the mall's buyers.

Per tag: among the scope's buyers in P, the share who viewed at least one note
tagged X in P, divided by the same share among all the mall's buyers in P. 1 means
the shop's buyers read X as much as the mall's; above 1, more. None when a share's
denominator is zero. Only the tags the scope's own buyers read are listed: other
shops' niches stay theirs.

For whole rolled days the buyers come from the sales rollups' buyer days and the
readers from the content rollups' (`queries.rolled.content`); the rest is live. A
period of rolled days that runs to the cut (the last N days after a build) reads both
counts from the content build's per-day nets instead, and so does one with a live tail
after the cut (the last N days with today), corrected by the tail's members alone.
The mall's baseline is the same for every shop: the dashboard caches it per period.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, local_midnight
from queries.core.rls import mall_wide
from queries.figures import buyers as count_buyers
from queries.figures import scope_paid_in
from queries.reports import ratio
from queries.rolled.content import (
    content_coverage,
    mall_buyers_per_tag,
    readers_in_covered_days,
    tag_buyers_to_cut_counts,
    tag_readers,
    tail_counts,
)
from queries.rolled.coverage import Coverage, buyers_in_covered_days, coverage

__all__ = ["affinity", "mall_tag_viewers"]

ORD = s.orders
NT = s.note_tags
NV = s.note_views

COLUMNS = [
    "tag", "shop_viewers", "shop_buyers", "shop_share",
    "mall_viewers", "mall_buyers", "mall_share", "affinity",
]  # fmt: skip


def _readers_in(period: TimeRange) -> sa.Select:
    """(tag, member_id) of every view in the period of a note with the tag (repeats kept)."""
    return (
        sa.select(NT.c.tag, NV.c.member_id)
        .join(NT, NT.c.note_id == NV.c.note_id)
        .where(NV.c.viewed_at >= period.start, NV.c.viewed_at < period.end)
    )


def _tag_viewers(
    conn: sa.Connection, scope: Scope, period: TimeRange, tz: str | None
) -> tuple[int, dict[str, int]]:
    """The scope's buyers in P, and per tag how many of them viewed a note with it in P."""
    sales_days = coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    rolled_buyers = sales_days is not None and not sales_days.live
    covered = content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if covered is not None and _tail_after_cut(covered, tz):
        # The last N days with today live: the nets to the cut, and what today's buyers
        # and readers change of them (a few thousand members, not the period's rows).
        tail_buyers = sa.union_all(
            *(sa.select(ORD.c.member_id).where(scope_paid_in(scope, part)) for part in covered.live)
        )
        tail_readers = sa.union_all(*(_readers_in(part) for part in covered.live))
        buyers_query, per_tag = tail_counts(
            covered,
            vendor_id=scope.vendor_id,
            tail_buyers=tail_buyers,
            tail_readers=tail_readers,
        )
        total = int(conn.execute(buyers_query).scalar_one())
        return total, {r.tag: int(r.viewers) for r in conn.execute(per_tag)}
    if rolled_buyers and covered is not None and covered.runs_to_cut():
        # Both counts from the build's nets, no scan of the period's rows; only when the
        # buyers are rolled too (an order written after the build is in neither).
        buyers_query, per_tag = tag_buyers_to_cut_counts(covered, vendor_id=scope.vendor_id)
        total = int(conn.execute(buyers_query).scalar_one())
        return total, {r.tag: int(r.viewers) for r in conn.execute(per_tag)}
    if rolled_buyers:
        buyers = buyers_in_covered_days(sales_days, vendor_id=scope.vendor_id)
        count = sa.select(sa.func.count()).select_from(buyers.subquery())
    else:
        # For IN, the plain member list: the planner then picks a semi-join itself.
        buyers = sa.select(ORD.c.member_id).where(scope_paid_in(scope, period))
        count = sa.select(count_buyers(ORD)).where(scope_paid_in(scope, period))
    total = int(conn.execute(count).scalar_one())
    if covered is None:
        readers = _readers_in(period).where(NV.c.member_id.in_(buyers)).distinct()
    elif covered.live:
        parts = [readers_in_covered_days(covered, once=False)]
        parts += [_readers_in(rest) for rest in covered.live]
        both = sa.union(*parts).subquery("readers")  # UNION: each (tag, member) once
        readers = sa.select(both).where(both.c.member_id.in_(buyers))
    elif scope.is_mall:
        # The mall's reader rows: their paid days say who bought in P.
        rows = conn.execute(mall_buyers_per_tag(covered))
        return total, {r.tag: int(r.viewers) for r in rows}
    else:  # each (tag, member) is one row already
        readers = readers_in_covered_days(covered, once=True).where(
            tag_readers.c.member_id.in_(buyers)
        )
    viewed = readers.subquery("viewed")
    query = sa.select(viewed.c.tag, sa.func.count().label("viewers")).group_by(viewed.c.tag)
    return total, {r.tag: int(r.viewers) for r in conn.execute(query)}


def _tail_after_cut(covered: Coverage, tz: str | None) -> bool:
    """The covered days run to the cut and every live part of the period comes after it."""
    if not covered.live or covered.end != covered.cut or tz is None:
        return False
    cut_at = local_midnight(covered.cut, ZoneInfo(tz))
    return all(part.start >= cut_at for part in covered.live)


def mall_tag_viewers(
    conn: sa.Connection, *, period: TimeRange, tz: str | None = None
) -> tuple[int, dict[str, int]]:
    """The mall's buyers in P and, per tag, how many of them read it in P (affinity's baseline).

    The same for every shop: the dashboard caches it once per period, so a shop's
    page does not recompute the whole mall's note views.
    """
    with mall_wide(conn):  # the mall's counts, read mall-wide under row-level security too
        return _tag_viewers(conn, Scope.mall(), period, tz)


def affinity(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    mall_baseline: tuple[int, dict[str, int]] | None = None,
    tz: str | None = None,
) -> pd.DataFrame:
    """Per tag: share of the scope's buyers who read it in P ÷ that share of the mall's buyers.

    `mall_baseline` is `mall_tag_viewers(...)` of the same period when the caller has it;
    with `tz`, whole days may come from the content rollups.
    """
    shop_total, shop = _tag_viewers(conn, scope, period, tz)
    if scope.is_mall:
        mall_total, mall = shop_total, shop
    else:
        mall_total, mall = mall_baseline or mall_tag_viewers(conn, period=period, tz=tz)
    return _frame(shop_total, shop, mall_total, mall)


def _frame(
    shop_total: int, shop: dict[str, int], mall_total: int, mall: dict[str, int]
) -> pd.DataFrame:
    """The affinity table: one row per tag the shop's buyers read, highest affinity first."""
    rows = [
        {
            "tag": tag,
            "shop_viewers": shop[tag],
            "shop_buyers": shop_total,
            "shop_share": ratio(shop[tag], shop_total),
            "mall_viewers": mall[tag],
            "mall_buyers": mall_total,
            "mall_share": ratio(mall[tag], mall_total),
            # (a ÷ A) ÷ (m ÷ M) as one division, so equal shares give exactly 1.
            "affinity": ratio(shop[tag] * mall_total, shop_total * mall[tag]),
        }
        for tag in sorted(shop)
    ]
    rows.sort(key=lambda r: (-(r["affinity"] or 0), r["tag"]))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for name in ("shop_share", "mall_share", "affinity"):
        frame[name] = pd.Series([r[name] for r in rows], dtype=object, index=frame.index)
    return frame
