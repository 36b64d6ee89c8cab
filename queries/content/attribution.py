"""Tags read before buying (7-day attribution) of the Content page.

An order item of a paid order of the scope in P is attributed to tag X when the
buyer viewed a note tagged X that mentions the item's product, with
view_at ≤ paid_at < view_at + 7 days. Per tag: attributed buyers (distinct members),
orders (distinct orders), item sales (Σ amount_cents of the attributed items, each
item once per tag). Read from the content rollups' whole days where a database has
them (`queries.rolled.content`), the rest live: from the scope's paid orders in P
(orders (vendor_id, paid_at)), then order_items (order_id), note_products
(product_id), and note_views through (member_id, viewed_at).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange
from queries.core.types import UTCDateTime
from queries.figures import scope_paid_in
from queries.rolled.content import content_coverage, rolled_member_rows, rolled_tag_rows

__all__ = ["ATTRIBUTION_WINDOW", "attributed_items", "tag_attribution"]

ATTRIBUTION_WINDOW = timedelta(days=7)

ORD = s.orders
ITEM = s.order_items
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


def attributed_items(
    orders_where, *, views_before, views_after=None, extra: tuple = ()
) -> sa.Subquery:
    """(tag, order_item_id, amount_cents, order_id, member_id, *extra) of each order item of
    the orders matching `orders_where` attributed to the tag: read within 7 days before.

    `views_after` / `views_before` bound the views read; they must hold every view that
    can count (from 7 days before the first order to the last one).
    """
    days = sa.bindparam("window_days", ATTRIBUTION_WINDOW.days, type_=sa.Integer)
    view_bounds = [NV.c.viewed_at < views_before]
    if views_after is not None:
        view_bounds.append(NV.c.viewed_at > views_after)
    return (
        sa.select(
            NT.c.tag,
            ITEM.c.order_item_id,
            ITEM.c.amount_cents,
            ORD.c.order_id,
            ORD.c.member_id,
            *extra,
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
                # Implied by the two above; stated so that the views are cut to the
                # orders' weeks before the join rather than after it.
                *view_bounds,
            ),
        )
        .join(NT, NT.c.note_id == NP.c.note_id)
        .where(orders_where)
        .distinct()  # several views or notes of one tag count an item once for that tag
        .subquery("attributed")
    )


def _attributed_in(scope: Scope, period: TimeRange) -> sa.Subquery:
    """`attributed_items` of the scope's orders paid in the period."""
    return attributed_items(
        scope_paid_in(scope, period),
        # A day more than the window: on PostgreSQL `- n days` follows the session's
        # time zone, whose daylight saving can make the window an hour longer.
        views_after=period.start - ATTRIBUTION_WINDOW - timedelta(days=1),
        views_before=period.end,
    )


def _live_per_member(scope: Scope, period: TimeRange) -> sa.Select:
    """Per (tag, member) of the period read live: attributed orders and item sales."""
    items = _attributed_in(scope, period)
    return sa.select(
        items.c.tag,
        items.c.member_id,
        sa.func.count(sa.distinct(items.c.order_id)).label("orders"),
        sa.func.sum(items.c.amount_cents).label("item_sales_cents"),
    ).group_by(items.c.tag, items.c.member_id)


def _per_tag(conn: sa.Connection, scope: Scope, period: TimeRange, tz: str | None) -> sa.Select:
    """(tag, buyers, orders, item_sales_cents): from the content rollup where it holds
    the period's days (`queries.rolled.content`), else live."""
    covered = content_coverage(conn, scope=scope, period=period, tz=tz) if tz else None
    if covered is not None and not covered.live:
        return rolled_tag_rows(covered, vendor_id=scope.vendor_id)
    if covered is None:
        items = _attributed_in(scope, period)
        member, order, amount = items.c.member_id, items.c.order_id, items.c.amount_cents
        return sa.select(
            items.c.tag,
            sa.func.count(sa.distinct(member)).label("buyers"),
            sa.func.count(sa.distinct(order)).label("orders"),
            sa.func.sum(amount).label("item_sales_cents"),
        ).group_by(items.c.tag)
    # Rolled days and a live rest: a member may be in both, so count members over both.
    parts = [rolled_member_rows(covered, vendor_id=scope.vendor_id)]
    parts += [_live_per_member(scope, rest) for rest in covered.live]
    rows = sa.union_all(*parts).subquery("per_member")
    return sa.select(
        rows.c.tag,
        sa.func.count(sa.distinct(rows.c.member_id)).label("buyers"),
        sa.func.sum(rows.c.orders).label("orders"),
        sa.func.sum(rows.c.item_sales_cents).label("item_sales_cents"),
    ).group_by(rows.c.tag)


def tag_attribution(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> pd.DataFrame:
    """Per tag: buyers, orders, item sales of the scope's items in P read about 7 days before.

    With `tz` (the platform's, which cuts the rollup's days) whole days may come from
    the content rollup; without it everything is read live.
    """
    per_tag = _per_tag(conn, scope, period, tz).subquery("per_tag")
    query = sa.select(per_tag).order_by(per_tag.c.item_sales_cents.desc(), per_tag.c.tag)
    rows = [
        {"tag": r.tag, "buyers": int(r.buyers), "orders": int(r.orders),
         "item_sales_cents": int(r.item_sales_cents)}
        for r in conn.execute(query)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["tag", "buyers", "orders", "item_sales_cents"])
