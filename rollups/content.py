"""The content rollup's build: attributed order items, tag readers, nets to the cut, note views.

The attributed order items of every order paid before the cut, once, summed per shop and
for the mall by day, tag and member; the readers of each tag per day with their paid days
around it; the per-day nets of the periods that run to the cut; the note views per scope
of a note. Read by `queries.rolled.content`.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.content.attribution import attributed_items
from queries.core import schema as s
from queries.core.db import local_day
from queries.figures import paid_before
from queries.rolled.content import (
    buyers_to_cut,
    note_views_days,
    shop_tag_readers,
    tag_attribution_days,
    tag_buyers_to_cut,
    tag_readers,
)
from queries.rolled.coverage import MALL, buyer_days

__all__ = [
    "insert_counts_to_cut",
    "insert_note_views",
    "insert_tag_attribution",
    "insert_tag_readers",
]


def insert_tag_attribution(conn: sa.Connection, zone, cut_at) -> None:
    """Per shop (and the mall), paid day, tag and member: attributed orders and item sales,
    and the member's previous such day (`previous_on`)."""
    o = s.orders
    paid_on = local_day(o.c.paid_at, zone).label("paid_on")
    attributed = attributed_items(
        paid_before(o, cut_at),
        views_before=cut_at,
        extra=(o.c.vendor_id, paid_on),
    )
    items = sa.select(attributed).cte("attributed_lines")  # read once for both levels
    keys = [items.c.paid_on, items.c.tag, items.c.member_id]
    levels = [
        sa.select(
            shop.label("vendor_id"),
            *keys,
            sa.func.count(sa.distinct(items.c.order_id)).label("orders"),
            sa.func.sum(items.c.amount_cents).label("item_sales_cents"),
        ).group_by(*shop_keys, *keys)
        for shop, shop_keys in (
            (items.c.vendor_id, [items.c.vendor_id]),
            (sa.literal(MALL, sa.BigInteger), []),
        )
    ]
    rows = sa.union_all(*levels).subquery("attributed_days")
    previous_on = sa.func.lag(rows.c.paid_on).over(
        partition_by=(rows.c.vendor_id, rows.c.tag, rows.c.member_id), order_by=rows.c.paid_on
    )
    # Written in (shop, day) order, so that a shop's days lie together on disk.
    ordered = sa.select(
        rows.c.vendor_id,
        rows.c.paid_on,
        rows.c.tag,
        rows.c.member_id,
        previous_on,
        rows.c.orders,
        rows.c.item_sales_cents,
    ).order_by(rows.c.vendor_id, rows.c.paid_on)
    names = [
        "vendor_id", "paid_on", "tag", "member_id", "previous_on", "orders", "item_sales_cents",
    ]  # fmt: skip
    conn.execute(tag_attribution_days.insert().from_select(names, ordered))


def insert_tag_readers(conn: sa.Connection, zone, cut_at) -> None:
    """Per local day, tag and member who viewed a note with the tag: the previous such day
    and the member's paid days nearest to it, in the mall (every reader) and per shop (the
    readers who paid in it before the cut)."""
    v, t, o = s.note_views, s.note_tags, s.orders
    read = (
        sa.select(local_day(v.c.viewed_at, zone).label("day"), t.c.tag, v.c.member_id)
        .join(t, t.c.note_id == v.c.note_id)
        .where(v.c.viewed_at < cut_at)
        .subquery("read")
    )
    paid_on = local_day(o.c.paid_at, zone)
    paid = paid_before(o, cut_at)
    no_tag = sa.cast(sa.null(), sa.Text)
    no_day = sa.cast(sa.null(), sa.Date).label("paid_on")
    mall = sa.literal(MALL, sa.BigInteger)
    shops = sa.select(o.c.vendor_id, o.c.member_id).where(paid).distinct().subquery("shops")
    # Per level, its reader days (with a tag) and its paid days (without).
    levels = (
        (
            tag_readers,
            sa.select(mall.label("vendor_id"), read, no_day),
            sa.select(mall, paid_on, no_tag, o.c.member_id, paid_on).where(paid),
        ),
        (
            shop_tag_readers,
            sa.select(shops.c.vendor_id, read, no_day).join(
                shops, shops.c.member_id == read.c.member_id
            ),
            sa.select(o.c.vendor_id, paid_on, no_tag, o.c.member_id, paid_on).where(paid),
        ),
    )
    for table, read_days, paid_days in levels:
        rows = _reader_rows(sa.union(read_days, paid_days)).subquery("reader_rows")
        names = [c.name for c in table.c]  # the mall's table has no vendor_id
        # Stored in day order (per shop), the order the periods' range scans read them in.
        order = [rows.c[n] for n in ("vendor_id", "viewed_on") if n in names]
        ordered = sa.select(*(rows.c[n] for n in names)).order_by(*order)
        conn.execute(table.insert().from_select(names, ordered))


def _reader_rows(events: sa.CompoundSelect) -> sa.Select:
    """(vendor_id, viewed_on, tag, member_id, previous_on, paid_to_on, paid_from_on) from a
    level's events (vendor_id, day, tag, member_id, paid_on): reader days carry a tag,
    paid days their day as paid_on. The UNION of the events keeps each day once."""
    e = events.subquery("member_days").c
    by_member = {"partition_by": (e.vendor_id, e.member_id), "order_by": e.day}
    with_paid = sa.select(
        e.vendor_id,
        e.day,
        e.tag,
        e.member_id,
        # RANGE frames take the day's peers: a payment on the reading day is on both sides.
        sa.func.max(e.paid_on).over(**by_member, range_=(None, 0)).label("paid_to_on"),
        sa.func.min(e.paid_on).over(**by_member, range_=(0, None)).label("paid_from_on"),
    ).subquery("with_paid")
    days = sa.select(with_paid).where(with_paid.c.tag.is_not(None)).subquery("reader_days")
    previous_on = sa.func.lag(days.c.day).over(
        partition_by=(days.c.vendor_id, days.c.tag, days.c.member_id), order_by=days.c.day
    )
    return sa.select(
        days.c.vendor_id,
        days.c.day.label("viewed_on"),
        days.c.tag,
        days.c.member_id,
        previous_on.label("previous_on"),
        days.c.paid_to_on,
        days.c.paid_from_on,
    )


def insert_counts_to_cut(conn: sa.Connection) -> None:
    """The per-day nets of the periods that run to the cut, from the reader and buyer rows
    just built: +1 on a row's last counted day, −1 on its previous_on (None: no −1)."""
    events = []
    for table in (tag_readers, shop_tag_readers):
        r = table.c
        shop = r.vendor_id if "vendor_id" in r else sa.literal(MALL, sa.BigInteger)
        # Counted for the periods starting after previous_on and by its last day: its own
        # day if the member paid on or after it (before the cut), else the last paid day.
        last = sa.case((r.paid_from_on.is_not(None), r.viewed_on), else_=r.paid_to_on)
        counted = sa.and_(last.is_not(None), sa.or_(r.previous_on.is_(None), r.previous_on < last))
        events += _net_events(shop, last, r.previous_on, r.tag, counted=counted)
    _insert_nets(conn, tag_buyers_to_cut, events, "tag")
    b = buyer_days.c  # a buyer day always counts for the periods after its previous_on
    _insert_nets(conn, buyers_to_cut, _net_events(b.vendor_id, b.paid_on, b.previous_on))


def _net_events(shop, last, previous_on, *keys, counted=None) -> list[sa.Select]:
    """(vendor_id, day, *keys, n) of the `counted` rows (None: all): +1 on `last`, −1 on
    `previous_on`."""
    counted = sa.true() if counted is None else counted
    plus = sa.select(shop.label("vendor_id"), last.label("day"), *keys, sa.literal(1).label("n"))
    minus = sa.select(shop, previous_on, *keys, sa.literal(-1))
    return [plus.where(counted), minus.where(counted, previous_on.is_not(None))]


def _insert_nets(conn: sa.Connection, table, events: list[sa.Select], *keys: str) -> None:
    """`table`'s rows: the events' sum per (vendor_id, day, *keys), where it is not zero."""
    e = sa.union_all(*events).subquery("events").c
    group = (e.vendor_id, e.day, *(e[k] for k in keys))
    net = sa.func.sum(e.n)
    rows = sa.select(*group, net).group_by(*group).having(net != 0)
    conn.execute(table.insert().from_select([c.name for c in table.c], rows))


def insert_note_views(conn: sa.Connection, zone, cut_at) -> None:
    """Per scope of a note (each shop it mentions a product of, and the mall), local day,
    note and member: the views, and the previous days that count viewers."""
    v, np_, p = s.note_views, s.note_products, s.products
    scopes = sa.union_all(
        sa.select(p.c.vendor_id, np_.c.note_id)
        .join(p, p.c.product_id == np_.c.product_id)
        .distinct(),
        sa.select(sa.literal(MALL, sa.BigInteger), np_.c.note_id).distinct(),
    ).subquery("note_scopes")
    viewed_on = local_day(v.c.viewed_at, zone)
    days = (
        sa.select(
            viewed_on.label("viewed_on"),
            v.c.note_id,
            v.c.member_id,
            sa.func.count().label("views"),
        )
        .where(v.c.viewed_at < cut_at)
        .group_by(viewed_on, v.c.note_id, v.c.member_id)
        .subquery("view_days")
    )
    rows = (
        sa.select(scopes.c.vendor_id, days)
        .join(scopes, scopes.c.note_id == days.c.note_id)
        .subquery("scope_view_days")
    )
    note_previous = sa.func.lag(rows.c.viewed_on).over(
        partition_by=(rows.c.vendor_id, rows.c.note_id, rows.c.member_id),
        order_by=rows.c.viewed_on,
    )
    # A later row of the same day has that day as its previous one: never before a period.
    member_previous = sa.func.lag(rows.c.viewed_on).over(
        partition_by=(rows.c.vendor_id, rows.c.member_id),
        order_by=(rows.c.viewed_on, rows.c.note_id),
    )
    ordered = sa.select(
        rows.c.vendor_id,
        rows.c.viewed_on,
        rows.c.note_id,
        rows.c.member_id,
        rows.c.views,
        note_previous,
        member_previous,
    ).order_by(rows.c.vendor_id, rows.c.viewed_on)
    names = [
        "vendor_id", "viewed_on", "note_id", "member_id", "views", "previous_on",
        "member_previous_on",
    ]  # fmt: skip
    conn.execute(note_views_days.insert().from_select(names, ordered))
