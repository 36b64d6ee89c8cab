"""Content (种草) analytics: notes on the scope's products, tags read before buying, affinity.

Definitions (also on the Content page and in docs/analytics-members-campaigns-content.md):
- *Notes*: notes that mention (note_products) at least one of the scope's products.
  Their *views in P*: note_views rows with viewed_at in P; *viewers*: distinct members.
- *Tag read before buying* (7-day attribution): an order item of a paid order of the
  scope in P is attributed to tag X when the buyer viewed a note tagged X that mentions
  the item's product, with view_at ≤ paid_at < view_at + 7 days. Per tag: attributed
  buyers (distinct members), orders (distinct orders), item sales (Σ amount_cents of
  the attributed items, each item once per tag).
- *Tag affinity*: among the scope's buyers in P, the share who viewed at least one note
  tagged X in P, divided by the same share among all the mall's buyers in P. 1 means
  the shop's buyers read X as much as the mall's; above 1, more. None when a share's
  denominator is zero.

Tags read before buying are `queries.content_attribution` (re-exported here).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries import schema as s
from queries.actors import Scope
from queries.content_attribution import ATTRIBUTION_WINDOW, paid_in, tag_attribution
from queries.content_rollups import (
    content_coverage,
    mall_buyers_per_tag,
    readers_in_covered_days,
    rolled_note_views,
    rolled_view_rows,
    rolled_view_totals,
    tag_readers,
)
from queries.periods import TimeRange
from queries.rollups import buyers_in_covered_days, coverage

__all__ = [
    "ATTRIBUTION_WINDOW",
    "affinity",
    "mall_tag_viewers",
    "notes",
    "summary",
    "tag_attribution",
]

ORD = s.orders
PROD = s.products
NOTE = s.notes
NT = s.note_tags
NP = s.note_products
NV = s.note_views


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, or None when the denominator is zero."""
    if not denominator:
        return None
    return (numerator or 0) / denominator


def _mentions_of_scope(query: sa.Select, scope: Scope) -> sa.Select:
    """`query` over note_products limited to the scope's products (all of them for the mall).

    For the mall no product filter at all: every note_products row names a product,
    and joining products only to keep them all cost a hash join of every mention.
    """
    if scope.is_mall:
        return query
    products = sa.select(PROD.c.product_id).where(PROD.c.vendor_id == scope.vendor_id)
    return query.where(NP.c.product_id.in_(products))


def _scope_notes(scope: Scope) -> sa.Select:
    """Ids of notes mentioning at least one of the scope's products (note_products (product_id)).

    For `IN` only: no DISTINCT, which leaves the planner free to choose a semi-join.
    """
    return _mentions_of_scope(sa.select(NP.c.note_id), scope)


def _live_view_rows(scope: Scope, period: TimeRange) -> sa.Select:
    """(note_id, member_id, views = 1) of each view in P of a note on the scope's products."""
    return sa.select(
        NV.c.note_id, NV.c.member_id, sa.literal(1, sa.BigInteger).label("views")
    ).where(
        NV.c.note_id.in_(_scope_notes(scope)),
        NV.c.viewed_at >= period.start,
        NV.c.viewed_at < period.end,
    )


def _view_rows(covered, scope: Scope, period: TimeRange) -> sa.Select | sa.CompoundSelect:
    """(note_id, member_id, views) of P: the covered days' rollup rows and the live rest,
    or every view read live without covered days."""
    if covered is None:
        return _live_view_rows(scope, period)
    parts = [rolled_view_rows(covered, vendor_id=scope.vendor_id)]
    parts += [_live_view_rows(scope, rest) for rest in covered.live]
    return sa.union_all(*parts)


def _note_views(
    conn: sa.Connection, scope: Scope, period: TimeRange, tz: str | None
) -> sa.Subquery:
    """(note_id, views, viewers) in P of each viewed note on the scope's products."""
    covered = content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if covered is not None and not covered.live:
        return rolled_note_views(covered, vendor_id=scope.vendor_id).subquery("views")
    rows = _view_rows(covered, scope, period).subquery("view_rows")
    return (
        sa.select(
            rows.c.note_id,
            sa.func.sum(rows.c.views).label("views"),
            sa.func.count(sa.distinct(rows.c.member_id)).label("viewers"),
        )
        .group_by(rows.c.note_id)
        .subquery("views")
    )


def notes(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    limit: int = 100,
    tz: str | None = None,
) -> pd.DataFrame:
    """Notes mentioning the scope's products viewed or posted in P, most viewed first.

    With `tz`, the views of whole days may come from the content rollups.
    """
    views = _note_views(conn, scope, period, tz)
    ranked = conn.execute(
        sa.select(views.c.note_id, views.c.views, views.c.viewers)
        .order_by(views.c.views.desc(), views.c.note_id)
        .limit(limit)
    ).all()
    shown = {note_id: (int(v), int(viewers)) for note_id, v, viewers in ranked}
    if len(shown) < limit:  # then every viewed note is shown: add the unviewed new ones
        unviewed = conn.execute(
            sa.select(NOTE.c.note_id)
            .where(
                NOTE.c.note_id.in_(_scope_notes(scope)),
                NOTE.c.posted_at >= period.start,
                NOTE.c.posted_at < period.end,
                NOTE.c.note_id.not_in(list(shown)),
            )
            .order_by(NOTE.c.note_id)
            .limit(limit - len(shown))
        ).scalars()
        shown.update((note_id, (0, 0)) for note_id in unviewed)
    columns = ["note_id", "title", "posted_at", "products", "views", "viewers", "tags"]
    if not shown:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(_note_rows(conn, scope, shown), columns=columns)


def _note_rows(conn: sa.Connection, scope: Scope, shown: dict) -> list[dict]:
    """The listed notes' rows, in `shown`'s order: title, products of the scope's, tags."""
    ids = list(shown)
    about = {
        r.note_id: r
        for r in conn.execute(
            sa.select(NOTE.c.note_id, NOTE.c.title, NOTE.c.posted_at).where(NOTE.c.note_id.in_(ids))
        )
    }
    products = dict(
        conn.execute(
            _mentions_of_scope(sa.select(NP.c.note_id, sa.func.count()), scope)
            .where(NP.c.note_id.in_(ids))
            .group_by(NP.c.note_id)
        ).all()
    )
    tags: dict[int, list[str]] = {}
    for note_id, tag in conn.execute(
        sa.select(NT.c.note_id, NT.c.tag)
        .where(NT.c.note_id.in_(ids))
        .order_by(NT.c.note_id, NT.c.tag)
    ):
        tags.setdefault(note_id, []).append(tag)
    return [
        {
            "note_id": note_id,
            "title": about[note_id].title,
            "posted_at": about[note_id].posted_at,
            "products": int(products[note_id]),
            "views": views,
            "viewers": viewers,
            "tags": " · ".join(tags.get(note_id, [])),
        }
        for note_id, (views, viewers) in shown.items()
    ]


def _view_totals(conn: sa.Connection, scope: Scope, period: TimeRange, tz: str | None):
    """(notes_viewed, note_views, note_viewers) of the scope's notes in P."""
    covered = content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if covered is not None and not covered.live:
        return rolled_view_totals(covered, vendor_id=scope.vendor_id)
    rows = _view_rows(covered, scope, period).subquery("view_rows")
    return sa.select(
        sa.func.count(sa.distinct(rows.c.note_id)).label("notes_viewed"),
        sa.func.coalesce(sa.func.sum(rows.c.views), 0).label("note_views"),
        sa.func.count(sa.distinct(rows.c.member_id)).label("note_viewers"),
    )


def summary(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> dict[str, int]:
    """Notes mentioning the scope's products: posted in P, viewed in P, views and viewers in P.

    With `tz`, the views of whole days may come from the content rollups.
    """
    posted = sa.select(sa.func.count().label("notes_posted")).where(
        NOTE.c.note_id.in_(_scope_notes(scope)),
        NOTE.c.posted_at >= period.start,
        NOTE.c.posted_at < period.end,
    )
    row = conn.execute(_view_totals(conn, scope, period, tz)).mappings().one()
    return {
        "notes_posted": int(conn.execute(posted).scalar_one()),
        **{k: int(v) for k, v in row.items()},
    }


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
    """The scope's buyers in P, and per tag how many of them viewed a note with it in P.

    For whole rolled days the buyers come from the sales rollups' buyer days and the
    readers from the content rollups' (`queries.content_rollups`); the rest is live.
    """
    sales_days = coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if sales_days is not None and not sales_days.live:
        buyers = buyers_in_covered_days(sales_days, vendor_id=scope.vendor_id)
        count = sa.select(sa.func.count()).select_from(buyers.subquery())
    else:
        # For IN, the plain member list: the planner then picks a semi-join itself.
        buyers = sa.select(ORD.c.member_id).where(paid_in(scope, period))
        count = sa.select(sa.func.count(sa.distinct(ORD.c.member_id))).where(paid_in(scope, period))
    total = int(conn.execute(count).scalar_one())
    covered = content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if covered is None:
        readers = _readers_in(period).where(NV.c.member_id.in_(buyers)).distinct()
    elif covered.live:
        parts = [readers_in_covered_days(covered, once=False)]
        parts += [_readers_in(rest) for rest in covered.live]
        both = sa.union(*parts).subquery("readers")  # UNION: each (tag, member) once
        readers = sa.select(both).where(both.c.member_id.in_(buyers))
    elif scope.is_mall:  # the readers' own paid days say who bought in P
        return total, {r.tag: int(r.viewers) for r in conn.execute(mall_buyers_per_tag(covered))}
    else:  # each (tag, member) is one row already
        readers = readers_in_covered_days(covered, once=True).where(
            tag_readers.c.member_id.in_(buyers)
        )
    viewed = readers.subquery("viewed")
    query = sa.select(viewed.c.tag, sa.func.count().label("viewers")).group_by(viewed.c.tag)
    return total, {r.tag: int(r.viewers) for r in conn.execute(query)}


def mall_tag_viewers(
    conn: sa.Connection, *, period: TimeRange, tz: str | None = None
) -> tuple[int, dict[str, int]]:
    """The mall's buyers in P and, per tag, how many of them read it in P (affinity's baseline).

    The same for every shop: the dashboard caches it once per period, so a shop's
    page does not recompute the whole mall's note views.
    """
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
    rows = []
    # Only tags the scope's own buyers read: other shops' niches stay theirs.
    for tag in sorted(shop):
        shop_share = ratio(shop.get(tag, 0), shop_total)
        mall_share = ratio(mall[tag], mall_total)
        rows.append(
            {
                "tag": tag,
                "shop_viewers": shop.get(tag, 0),
                "shop_buyers": shop_total,
                "shop_share": shop_share,
                "mall_viewers": mall[tag],
                "mall_buyers": mall_total,
                "mall_share": mall_share,
                # (a ÷ A) ÷ (m ÷ M) as one division, so equal shares give exactly 1.
                "affinity": (
                    ratio(shop.get(tag, 0) * mall_total, shop_total * mall[tag])
                    if shop_total
                    else None
                ),
            }
        )
    rows.sort(key=lambda r: (-(r["affinity"] or 0), r["tag"]))
    columns = [
        "tag", "shop_viewers", "shop_buyers", "shop_share",
        "mall_viewers", "mall_buyers", "mall_share", "affinity",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("shop_share", "mall_share", "affinity"):
        frame[name] = pd.Series([r[name] for r in rows], dtype=object, index=frame.index)
    return frame
