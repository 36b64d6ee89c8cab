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

Attribution starts from the scope's paid orders in P (orders (vendor_id, paid_at)),
then order_items (order_id), note_products (product_id), and note_views through
(member_id, viewed_at).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from queries import schema as s
from queries.actors import Scope
from queries.periods import TimeRange
from queries.types import UTCDateTime

__all__ = [
    "ATTRIBUTION_WINDOW",
    "affinity",
    "mall_tag_viewers",
    "notes",
    "summary",
    "tag_attribution",
]

ATTRIBUTION_WINDOW = timedelta(days=7)

ORD = s.orders
ITEM = s.order_items
PROD = s.products
NOTE = s.notes
NT = s.note_tags
NP = s.note_products
NV = s.note_views


class _minus_days(FunctionElement):  # noqa: N801 - reads like a SQL function
    """`(timestamp column, days)` → the same instant `days` whole days earlier."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(_minus_days, "postgresql")
def _pg_minus_days(element, compiler, **kw):
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} - CAST({days} AS INTEGER) * INTERVAL '1 day')"


@compiles(_minus_days, "sqlite")
def _sqlite_minus_days(element, compiler, **kw):
    # SQLite stores `YYYY-MM-DD HH:MM:SS.ffffff`: shift the seconds part and keep the
    # six fraction digits, so text order stays time order and equality stays exact.
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', {column}, '-' || {days} || ' days')"
        f" || substr({column}, 20))"
    )


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, or None when the denominator is zero."""
    if not denominator:
        return None
    return (numerator or 0) / denominator


def _paid_in(scope: Scope, period: TimeRange):
    return sa.and_(
        scope.owns(ORD.c.vendor_id), ORD.c.paid_at >= period.start, ORD.c.paid_at < period.end
    )


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


def notes(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, limit: int = 100
) -> pd.DataFrame:
    """Notes mentioning the scope's products viewed or posted in P, most viewed first."""
    note_ids = _scope_notes(scope)
    views = (
        sa.select(
            NV.c.note_id,
            sa.func.count().label("views"),
            sa.func.count(sa.distinct(NV.c.member_id)).label("viewers"),
        )
        .where(
            NV.c.note_id.in_(note_ids), NV.c.viewed_at >= period.start, NV.c.viewed_at < period.end
        )
        .group_by(NV.c.note_id)
        .subquery("views")
    )
    mentions = (
        _mentions_of_scope(sa.select(NP.c.note_id, sa.func.count().label("products")), scope)
        .group_by(NP.c.note_id)
        .subquery("mentions")
    )
    posted_in = sa.and_(NOTE.c.posted_at >= period.start, NOTE.c.posted_at < period.end)
    query = (
        sa.select(
            NOTE.c.note_id,
            NOTE.c.title,
            NOTE.c.posted_at,
            mentions.c.products,
            sa.func.coalesce(views.c.views, 0).label("views"),
            sa.func.coalesce(views.c.viewers, 0).label("viewers"),
        )
        .join(mentions, mentions.c.note_id == NOTE.c.note_id)
        .outerjoin(views, views.c.note_id == NOTE.c.note_id)
        .where(sa.or_(views.c.note_id.is_not(None), posted_in))
        .order_by(sa.func.coalesce(views.c.views, 0).desc(), NOTE.c.note_id)
        .limit(limit)
    )
    frame = pd.DataFrame(
        conn.execute(query).mappings().all(),
        columns=["note_id", "title", "posted_at", "products", "views", "viewers"],
    )
    if frame.empty:
        frame["tags"] = pd.Series(dtype=object)
        return frame
    tag_rows = conn.execute(
        sa.select(NT.c.note_id, NT.c.tag)
        .where(NT.c.note_id.in_(frame["note_id"].tolist()))
        .order_by(NT.c.note_id, NT.c.tag)
    ).all()
    tags: dict[int, list[str]] = {}
    for note_id, tag in tag_rows:
        tags.setdefault(note_id, []).append(tag)
    frame["tags"] = [" · ".join(tags.get(n, [])) for n in frame["note_id"]]
    return frame


def summary(conn: sa.Connection, *, scope: Scope, period: TimeRange) -> dict[str, int]:
    """Notes mentioning the scope's products: posted in P, viewed in P, views and viewers in P."""
    note_ids = _scope_notes(scope)
    views = sa.select(
        sa.func.count(sa.distinct(NV.c.note_id)).label("notes_viewed"),
        sa.func.count().label("note_views"),
        sa.func.count(sa.distinct(NV.c.member_id)).label("note_viewers"),
    ).where(NV.c.note_id.in_(note_ids), NV.c.viewed_at >= period.start, NV.c.viewed_at < period.end)
    posted = sa.select(sa.func.count().label("notes_posted")).where(
        NOTE.c.note_id.in_(note_ids),
        NOTE.c.posted_at >= period.start,
        NOTE.c.posted_at < period.end,
    )
    row = conn.execute(views).mappings().one()
    return {
        "notes_posted": int(conn.execute(posted).scalar_one()),
        **{k: int(v) for k, v in row.items()},
    }


def tag_attribution(conn: sa.Connection, *, scope: Scope, period: TimeRange) -> pd.DataFrame:
    """Per tag: buyers, orders, item sales of the scope's items in P read about 7 days before."""
    days = sa.bindparam("window_days", ATTRIBUTION_WINDOW.days, type_=sa.Integer)
    attributed = (
        sa.select(
            NT.c.tag, ITEM.c.order_item_id, ITEM.c.amount_cents, ORD.c.order_id, ORD.c.member_id
        )
        .select_from(ORD)
        .join(ITEM, ITEM.c.order_id == ORD.c.order_id)
        .join(NP, NP.c.product_id == ITEM.c.product_id)
        .join(
            NV,
            sa.and_(
                NV.c.member_id == ORD.c.member_id,
                NV.c.note_id == NP.c.note_id,
                NV.c.viewed_at <= ORD.c.paid_at,
                NV.c.viewed_at > _minus_days(ORD.c.paid_at, days),
                # Implied by the two above for orders paid in P; stated so that the views
                # are cut to P's weeks before the join rather than after it. A day more
                # than the window: on PostgreSQL `- n days` follows the session's time
                # zone, whose daylight saving can make the window an hour longer.
                NV.c.viewed_at > period.start - ATTRIBUTION_WINDOW - timedelta(days=1),
                NV.c.viewed_at < period.end,
            ),
        )
        .join(NT, NT.c.note_id == NP.c.note_id)
        .where(_paid_in(scope, period))
        .distinct()  # several views or notes of one tag count an item once for that tag
        .subquery("attributed")
    )
    query = (
        sa.select(
            attributed.c.tag,
            sa.func.count(sa.distinct(attributed.c.member_id)).label("buyers"),
            sa.func.count(sa.distinct(attributed.c.order_id)).label("orders"),
            sa.func.sum(attributed.c.amount_cents).label("item_sales_cents"),
        )
        .group_by(attributed.c.tag)
        .order_by(sa.func.sum(attributed.c.amount_cents).desc(), attributed.c.tag)
    )
    rows = [
        {"tag": r.tag, "buyers": int(r.buyers), "orders": int(r.orders),
         "item_sales_cents": int(r.item_sales_cents)}
        for r in conn.execute(query)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["tag", "buyers", "orders", "item_sales_cents"])


def _tag_viewers(
    conn: sa.Connection, scope: Scope, period: TimeRange
) -> tuple[int, dict[str, int]]:
    """The scope's buyers in P, and per tag how many of them viewed a note with it in P."""
    # For IN, the plain member list: the planner then picks a semi-join itself.
    buyers = sa.select(ORD.c.member_id).where(_paid_in(scope, period))
    total = conn.execute(
        sa.select(sa.func.count(sa.distinct(ORD.c.member_id))).where(_paid_in(scope, period))
    ).scalar_one()
    viewed = (
        sa.select(NT.c.tag, NV.c.member_id)
        .join(NT, NT.c.note_id == NV.c.note_id)
        .where(
            NV.c.member_id.in_(buyers), NV.c.viewed_at >= period.start, NV.c.viewed_at < period.end
        )
        .distinct()
        .subquery("viewed")
    )
    query = sa.select(viewed.c.tag, sa.func.count().label("viewers")).group_by(viewed.c.tag)
    return int(total), {r.tag: int(r.viewers) for r in conn.execute(query)}


def mall_tag_viewers(conn: sa.Connection, *, period: TimeRange) -> tuple[int, dict[str, int]]:
    """The mall's buyers in P and, per tag, how many of them read it in P (affinity's baseline).

    The same for every shop: the dashboard caches it once per period, so a shop's
    page does not recompute the whole mall's note views.
    """
    return _tag_viewers(conn, Scope.mall(), period)


def affinity(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    mall_baseline: tuple[int, dict[str, int]] | None = None,
) -> pd.DataFrame:
    """Per tag: share of the scope's buyers who read it in P ÷ that share of the mall's buyers.

    `mall_baseline` is `mall_tag_viewers(...)` of the same period when the caller has it.
    """
    shop_total, shop = _tag_viewers(conn, scope, period)
    if scope.is_mall:
        mall_total, mall = shop_total, shop
    else:
        mall_total, mall = mall_baseline or mall_tag_viewers(conn, period=period)
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
