"""The content rollup's build: attributed order items, tag readers, nets to the cut, note views.

The attributed order items of every order paid before the cut, once, summed per shop and
for the mall by day, tag and member; the readers of each tag per day with their paid days
around it; the per-day nets of the periods that run to the cut; the note views per scope
of a note. Read by `queries.rolled.content`.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from queries.content.attribution import ATTRIBUTION_WINDOW, attributed_items
from queries.core import schema as s
from queries.core.db import local_day
from queries.figures import paid_before
from queries.rolled.content import (
    buyers_to_cut,
    last_paid,
    note_views_days,
    tag_attribution_days,
    tag_buyers_to_cut,
    tag_readers,
)
from queries.rolled.coverage import MALL, buyer_days
from rollups.incremental import (
    add_to_nets,
    drop_zero_nets,
    every_scope,
    insert_or_replace,
    one_of,
)

__all__ = [
    "insert_counts_to_cut",
    "insert_last_paid",
    "insert_note_views",
    "insert_tag_attribution",
    "insert_tag_readers",
    "refresh_buyers_to_cut",
    "refresh_tag_readers",
]


def insert_tag_attribution(
    conn: sa.Connection, zone, cut_at, *, start: date | None = None, start_at=None
) -> None:
    """Per shop (and the mall), paid day, tag and member: attributed orders and item sales,
    and the member's previous such day (`previous_on`).

    With `start` (an incremental refresh; `start_at` its local midnight) only the paid
    days from `start` on are replaced: an order's attribution reads the views up to its
    payment, so the days before are as they were; the first row of a (scope, tag, member)
    from `start` on takes its previous day from the rows before.
    """
    o, t = s.orders, tag_attribution_days
    paid_on = local_day(o.c.paid_at, zone).label("paid_on")
    paid, views_after = paid_before(o, cut_at), None
    if start is not None:
        conn.execute(t.delete().where(every_scope(t.c.vendor_id), t.c.paid_on >= start))
        paid = sa.and_(paid, o.c.paid_at >= start_at)
        # A day more than the window, as the live read (daylight saving).
        views_after = start_at - ATTRIBUTION_WINDOW - timedelta(days=1)
    attributed = attributed_items(
        paid, views_before=cut_at, views_after=views_after, extra=(o.c.vendor_id, paid_on)
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
    scope_tag_member = (rows.c.vendor_id, rows.c.tag, rows.c.member_id)
    previous_on = sa.func.lag(rows.c.paid_on).over(
        partition_by=scope_tag_member, order_by=rows.c.paid_on
    )
    source = rows
    if start is not None:
        # The last day before `start` of each (scope, tag, member) with new rows.
        earlier = (
            sa.select(
                t.c.vendor_id, t.c.tag, t.c.member_id, sa.func.max(t.c.paid_on).label("last_on")
            )
            .where(t.c.paid_on < start, t.c.member_id.in_(sa.select(items.c.member_id)))
            .group_by(t.c.vendor_id, t.c.tag, t.c.member_id)
            .subquery("earlier")
        )
        source = rows.outerjoin(
            earlier,
            sa.and_(*(a == earlier.c[a.name] for a in scope_tag_member)),
        )
        previous_on = sa.func.coalesce(previous_on, earlier.c.last_on)
    # Written in (shop, day) order, so that a shop's days lie together on disk.
    ordered = (
        sa.select(
            rows.c.vendor_id,
            rows.c.paid_on,
            rows.c.tag,
            rows.c.member_id,
            previous_on,
            rows.c.orders,
            rows.c.item_sales_cents,
        )
        .select_from(source)
        .order_by(rows.c.vendor_id, rows.c.paid_on)
    )
    names = [
        "vendor_id", "paid_on", "tag", "member_id", "previous_on", "orders", "item_sales_cents",
    ]  # fmt: skip
    conn.execute(tag_attribution_days.insert().from_select(names, ordered))


def insert_tag_readers(conn: sa.Connection, zone, cut_at) -> None:
    """Per local day, tag and member who viewed a note with the tag: the previous such day
    and the member's paid days in the mall nearest to it."""
    v, t, o = s.note_views, s.note_tags, s.orders
    read = (
        sa.select(local_day(v.c.viewed_at, zone).label("day"), t.c.tag, v.c.member_id)
        .join(t, t.c.note_id == v.c.note_id)
        .where(v.c.viewed_at < cut_at)
        .subquery("read")
    )
    paid_on = local_day(o.c.paid_at, zone)
    mall = sa.literal(MALL, sa.BigInteger)
    # The reader days (with a tag) and the paid days (without).
    read_days = sa.select(mall.label("vendor_id"), read, _NO_DAY.label("paid_on"))
    paid_days = sa.select(mall, paid_on, _NO_TAG, o.c.member_id, paid_on).where(
        paid_before(o, cut_at)
    )
    rows = _reader_rows(sa.union(read_days, paid_days)).subquery("reader_rows")
    names = [c.name for c in tag_readers.c]  # the table has no vendor_id
    # Stored in key order (by member): the key is then written compactly, and a member's
    # days, which the refresh and a live tail look up, lie together.
    key = tag_readers.primary_key.columns
    ordered = sa.select(*(rows.c[n] for n in names)).order_by(*(rows.c[c.name] for c in key))
    conn.execute(tag_readers.insert().from_select(names, ordered))


def insert_last_paid(
    conn: sa.Connection, zone, cut_at, *, members: sa.Select | None = None
) -> None:
    """Per member and shop, and in the mall (−1), the member's last paid day before the cut;
    with `members` (a select of member ids), only theirs."""
    o = s.orders
    kept = [paid_before(o, cut_at)]
    if members is not None:
        # Their orders by the member index (tens of thousands of the millions of orders).
        kept.append(one_of(o.c.member_id, members))
    # The orders grouped once, per member and shop; the mall's day is the latest of them.
    shops = (
        sa.select(o.c.member_id, o.c.vendor_id, sa.func.max(o.c.paid_at).label("last_at"))
        .where(*kept)
        .group_by(o.c.member_id, o.c.vendor_id)
        .cte("last_paid_per_shop")
    )
    rows = sa.union_all(
        sa.select(shops.c.member_id, shops.c.vendor_id, local_day(shops.c.last_at, zone)),
        sa.select(
            shops.c.member_id,
            sa.literal(MALL, sa.BigInteger),
            local_day(sa.func.max(shops.c.last_at), zone),
        ).group_by(shops.c.member_id),
    )
    conn.execute(last_paid.insert().from_select(["member_id", "vendor_id", "last_on"], rows))


def _shop_tag_events(sign: int, members: sa.Select | None = None) -> sa.Select:
    """The shops' net events of the tags' buyers to the cut, times `sign`: each (shop, tag,
    member) once, on the earlier of the member's last reading day of the tag and their
    last paid day in the shop (the periods [a, cut) count them while a is at most that
    day); with `members`, only theirs."""
    r, p = tag_readers, last_paid
    reads = sa.select(r.c.tag, r.c.member_id, sa.func.max(r.c.viewed_on).label("read_on"))
    if members is not None:
        # Looked up by member (tens of thousands of the millions of rows).
        reads = reads.where(one_of(r.c.member_id, members))
    reads = reads.group_by(r.c.tag, r.c.member_id).subquery("last_reads")
    day = sa.case((reads.c.read_on < p.c.last_on, reads.c.read_on), else_=p.c.last_on)
    return (
        sa.select(
            p.c.vendor_id, day.label("day"), reads.c.tag, sa.literal(sign, sa.BigInteger).label("n")
        )
        .join_from(reads, p, p.c.member_id == reads.c.member_id)
        .where(
            p.c.vendor_id != MALL,
            sa.true() if members is None else one_of(p.c.member_id, members),
        )
    )


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


def refresh_tag_readers(conn: sa.Connection, zone, cut_at, *, start: date, start_at) -> None:
    """Bring the mall's reader rows, the members' last paid days and the tags' nets to the
    cut incrementally.

    The views and paid orders before `start` (`start_at`, its local midnight) are those of
    the last refresh. So a reader row before `start` keeps its previous day and its
    `paid_to_on`; its `paid_from_on` changes only where it had none before `start` and the
    member paid from `start` on. The rows from `start` on are built again. The nets of
    `rollup_tag_buyers_to_cut` take the difference of what changes (the old counts out,
    the new ones in), so no other row is read: for the mall, the reader rows that change;
    for the shops, every (shop, tag, member) of the members who read or paid from `start`
    on, before or now (the others' last days are as they were).
    """
    r = tag_readers
    mall_from = r.c.viewed_on >= start
    # The reader rows before start that a payment from start on changes, as they must be
    # (and as they are: `was_from`).
    mall_before = _rows_before(zone, cut_at, start, start_at).subquery("mall")
    mall_was = sa.select(mall_before).with_only_columns(
        *(c for c in mall_before.c if c.name not in ("paid_from_on", "was_from")),
        mall_before.c.was_from.label("paid_from_on"),
    )
    touched = _touched_members(conn, cut_at, start, start_at)
    members = sa.select(touched.c.member_id)
    # The old counts out and the new ones in, summed before they touch the nets: most
    # cancel (a reader's event stays on their last paid day), and each net written is a
    # random update of the table.
    changes = _temporary(
        conn,
        "mallboard_net_changes",
        sa.Column("vendor_id", sa.BigInteger),
        sa.Column("day", sa.Date),
        sa.Column("tag", sa.Text),
        sa.Column("n", sa.BigInteger),
    )
    old = [
        *_reader_nets(r, mall_from, -1),
        *_reader_nets(mall_was.cte("mall_was"), sa.true(), -1),
        _shop_tag_events(-1, members),
    ]
    _insert_changes(conn, changes, old)
    conn.execute(r.delete().where(mall_from))
    # Written over by key (every mall reader day has its row).
    insert_or_replace(conn, r, sa.select(*(mall_before.c[c.name] for c in r.c)))
    _insert_reader_rows(conn, r, _mall_rows_from(zone, cut_at, start, start_at))
    conn.execute(last_paid.delete().where(last_paid.c.member_id.in_(members)))
    insert_last_paid(conn, zone, cut_at, members=members)
    new = [
        *_reader_nets(r, mall_from, 1),
        *_reader_nets(mall_before, sa.true(), 1),
        _shop_tag_events(1, members),
    ]
    _insert_changes(conn, changes, new)
    add_to_nets(conn, tag_buyers_to_cut, [sa.select(changes)])
    drop_zero_nets(conn, tag_buyers_to_cut)
    changes.drop(conn)
    touched.drop(conn)


def _temporary(conn: sa.Connection, name: str, *columns: sa.Column) -> sa.Table:
    """A temporary table of this connection, created now (the caller drops it)."""
    table = sa.Table(name, sa.MetaData(), *columns, prefixes=["TEMPORARY"])
    table.create(conn)
    return table


def _insert_changes(conn: sa.Connection, changes: sa.Table, events: list[sa.Select]) -> None:
    """Append the net events (vendor_id, day, tag, n) to the refresh's changes."""
    names = [c.name for c in changes.c]
    conn.execute(changes.insert().from_select(names, sa.union_all(*events)))


def _touched_members(conn: sa.Connection, cut_at, start: date, start_at) -> sa.Table:
    """A temporary table of the members who read a tagged note or paid from `start` on,
    as the rollups hold it (before this refresh) or as the data says now: the only ones
    whose shop nets can change. Kept for the refresh's transaction, both sides read it."""
    touched = _temporary(
        conn, "mallboard_touched_members", sa.Column("member_id", sa.BigInteger, primary_key=True)
    )
    v, t, o = s.note_views, s.note_tags, s.orders
    members = sa.union(
        sa.select(tag_readers.c.member_id).where(tag_readers.c.viewed_on >= start),
        sa.select(last_paid.c.member_id).where(
            last_paid.c.vendor_id == MALL, last_paid.c.last_on >= start
        ),
        sa.select(v.c.member_id)
        .join(t, t.c.note_id == v.c.note_id)
        .where(v.c.viewed_at >= start_at, v.c.viewed_at < cut_at),
        sa.select(o.c.member_id).where(paid_before(o, cut_at), o.c.paid_at >= start_at),
    )
    conn.execute(touched.insert().from_select(["member_id"], members))
    return touched


def _paid_at(member_id, vendor_id, after, before, *, first: bool):
    """The member's first (or last) `paid_at` with the shop (None: in the mall) in
    [after, before) (None: unbounded), as a scalar subquery: one look-up by member."""
    o = s.orders.alias("their_orders")
    kept = [o.c.paid_at < before]
    if vendor_id is not None:
        kept.append(o.c.vendor_id == vendor_id)
    if after is not None:
        kept.append(o.c.paid_at >= after)
    pick = sa.func.min if first else sa.func.max
    # Only the member is a condition: PostgreSQL would otherwise also read the shop's
    # (vendor_id, paid_at) range, thousands of entries, for each member.
    paid_at = pick(sa.case((sa.and_(*kept), o.c.paid_at)))
    return sa.select(paid_at).where(o.c.member_id == member_id).scalar_subquery()


def _their_payments(members: sa.Select, zone, start_at) -> sa.Select:
    """Per member of `members` (a select of member ids, looked up by the orders' member
    index: a list, as SQLite would rather scan the orders for a join): the local day of
    their last payment in the mall before `start_at` (`last_on`)."""
    o = s.orders
    before = sa.func.max(sa.case((o.c.paid_at < start_at, o.c.paid_at)))
    return (
        sa.select(o.c.member_id, local_day(before, zone).label("last_on"))
        .where(one_of(o.c.member_id, members))
        .group_by(o.c.member_id)
    )


def _insert_reader_rows(conn: sa.Connection, table: sa.Table, rows: sa.Select) -> None:
    """Insert reader rows (vendor_id, viewed_on, tag, member_id, previous_on, paid_to_on,
    paid_from_on) into the mall's table (which has no vendor_id)."""
    r = rows.subquery("new_readers")
    names = [c.name for c in table.c]
    conn.execute(table.insert().from_select(names, sa.select(*(r.c[n] for n in names))))


def _reader_nets(rows, where, sign: int) -> list[sa.Select]:
    """The net events of the reader rows (a table or subquery) matching `where`, times
    `sign` (as `insert_counts_to_cut` counts them)."""
    r = rows.c
    shop = r.vendor_id if "vendor_id" in r else sa.literal(MALL, sa.BigInteger)
    last = sa.case((r.paid_from_on.is_not(None), r.viewed_on), else_=r.paid_to_on)
    counted = sa.and_(
        where, last.is_not(None), sa.or_(r.previous_on.is_(None), r.previous_on < last)
    )
    one = sa.literal(sign, sa.BigInteger)
    return [
        sa.select(shop.label("vendor_id"), last.label("day"), r.tag, one.label("n")).where(counted),
        sa.select(shop, r.previous_on, r.tag, -one).where(counted, r.previous_on.is_not(None)),
    ]


def _mall_rows_from(zone, cut_at, start: date, start_at) -> sa.Select:
    """The mall's reader rows of the days from `start`: each (day, tag, member) read, its
    previous day (before `start`: from the rows kept) and the member's paid days around it."""
    v, t = s.note_views, s.note_tags
    read = (
        sa.select(local_day(v.c.viewed_at, zone).label("day"), t.c.tag, v.c.member_id)
        .join(t, t.c.note_id == v.c.note_id)
        .where(v.c.viewed_at >= start_at, v.c.viewed_at < cut_at)
        .distinct()
        .subquery("read")
    )
    kept = tag_readers.alias("kept_days")
    earlier = (
        sa.select(sa.func.max(kept.c.viewed_on))
        .where(
            kept.c.member_id == read.c.member_id,
            kept.c.tag == read.c.tag,
            kept.c.viewed_on < start,
        )
        .scalar_subquery()
    )
    lag = sa.func.lag(read.c.day).over(
        partition_by=(read.c.tag, read.c.member_id), order_by=read.c.day
    )
    mall = sa.literal(MALL, sa.BigInteger)
    reader_days = sa.select(
        mall.label("vendor_id"),
        read.c.day,
        read.c.tag,
        read.c.member_id,
        sa.func.coalesce(lag, earlier).label("previous_on"),
        sa.cast(sa.null(), sa.Date).label("paid_on"),
    )
    # The member's last paid day before `start`, then their paid days from it on.
    readers = _their_payments(sa.select(read.c.member_id), zone, start_at).subquery("readers")
    return _paid_around(
        [
            reader_days,
            sa.select(
                mall, readers.c.last_on, _NO_TAG, readers.c.member_id, _NO_DAY, readers.c.last_on
            ).where(readers.c.last_on.is_not(None)),
            _paid_days(mall, zone, start_at, cut_at),
        ]
    )


def _rows_before(zone, cut_at, start: date, start_at) -> sa.Select:
    """The mall's reader rows before `start` that a payment from `start` on can change, as
    they must be: for each member who paid from `start` on, their reading days after
    their last payment before `start`, with that payment's day (`paid_to_on`) and their
    first in [start, cut) (`paid_from_on`); `was_from`: the row's `paid_from_on` as it
    is. Read from the member's index range of the reader rows."""
    r, o = tag_readers, s.orders
    # The (shop, member) pairs read by paid_at (per shop first: grouped by member alone,
    # SQLite would scan the orders in member order); the last payment before start
    # looked up by member.
    pairs = (
        sa.select(
            o.c.vendor_id,
            o.c.member_id,
            sa.func.min(sa.case((o.c.paid_at < cut_at, o.c.paid_at))).label("first_at"),
        )
        .where(o.c.paid_at >= start_at)
        .group_by(o.c.vendor_id, o.c.member_id)
        .subquery("pairs")
    )
    last_before = _paid_at(pairs.c.member_id, None, None, start_at, first=False)
    around = (
        sa.select(
            sa.literal(MALL, sa.BigInteger).label("vendor_id"),
            pairs.c.member_id,
            local_day(last_before, zone).label("last_on"),
            local_day(sa.func.min(pairs.c.first_at), zone).label("first_on"),
        )
        .group_by(pairs.c.member_id)
        .subquery("around")
    )
    return (
        sa.select(
            around.c.vendor_id,
            r.c.viewed_on,
            r.c.tag,
            r.c.member_id,
            r.c.previous_on,
            around.c.last_on.label("paid_to_on"),
            around.c.first_on.label("paid_from_on"),
            r.c.paid_from_on.label("was_from"),
        )
        .join_from(around, r, r.c.member_id == around.c.member_id)
        .where(
            r.c.viewed_on < start,
            # Read from the member's index range (an OR with IS NULL would not be).
            r.c.viewed_on > sa.func.coalesce(around.c.last_on, sa.literal(date.min, sa.Date)),
        )
    )


_NO_TAG = sa.cast(sa.null(), sa.Text)
_NO_DAY = sa.cast(sa.null(), sa.Date)


def _paid_days(shop, zone, start_at, cut_at) -> sa.Select:
    """The paid days in [start_at, cut_at) as events (no tag, no previous day)."""
    o = s.orders
    paid_on = local_day(o.c.paid_at, zone)
    return sa.select(shop, paid_on, _NO_TAG, o.c.member_id, _NO_DAY, paid_on).where(
        o.c.paid_at >= start_at, o.c.paid_at < cut_at
    )


def _paid_around(events: list[sa.Select]) -> sa.Select:
    """Reader rows from events (vendor_id, day, tag, member_id, previous_on, paid_on):
    reader days carry a tag and their previous day, paid days their day as paid_on; each
    reader day gets the member's paid days nearest to it in the events."""
    e = sa.union_all(*events).subquery("member_days").c
    by_member = {"partition_by": (e.vendor_id, e.member_id), "order_by": e.day}
    with_paid = sa.select(
        e.vendor_id,
        e.day.label("viewed_on"),
        e.tag,
        e.member_id,
        e.previous_on,
        # RANGE frames take the day's peers: a payment on the reading day is on both sides.
        sa.func.max(e.paid_on).over(**by_member, range_=(None, 0)).label("paid_to_on"),
        sa.func.min(e.paid_on).over(**by_member, range_=(0, None)).label("paid_from_on"),
    ).subquery("with_paid")
    return sa.select(with_paid).where(with_paid.c.tag.is_not(None))


def refresh_buyers_to_cut(conn: sa.Connection, zone, *, start: date, start_at) -> None:
    """Bring `rollup_buyers_to_cut` to the buyer days just refreshed, incrementally.

    A day's net is the number of its buyer rows without a next day (+1 on each row's day,
    −1 on its previous day: each row's −1 lands on the row before it). So only the days
    from `start` on change, and the last paid day before `start` of the members (per shop
    and in the mall) who paid from `start` on: a late order there changes whether that
    day has a next one.
    """
    n, b, o = buyers_to_cut, buyer_days, s.orders
    # The (shop, member) pairs and the members who paid from start on, read by paid_at;
    # their last payment before start looked up by member.
    pairs = (
        sa.select(o.c.vendor_id, o.c.member_id)
        .where(o.c.paid_at >= start_at)
        .group_by(o.c.vendor_id, o.c.member_id)
        .subquery("pairs")
    )
    members = sa.select(pairs.c.member_id).group_by(pairs.c.member_id).subquery("members")
    last = sa.union_all(
        sa.select(
            pairs.c.vendor_id,
            local_day(
                _paid_at(pairs.c.member_id, pairs.c.vendor_id, None, start_at, first=False), zone
            ).label("last_on"),
        ),
        sa.select(
            sa.literal(MALL, sa.BigInteger),
            local_day(_paid_at(members.c.member_id, None, None, start_at, first=False), zone),
        ).select_from(members),
    ).subquery("last_days")
    days_before = (
        sa.select(last.c.vendor_id, last.c.last_on).where(last.c.last_on.is_not(None)).distinct()
    )
    for net_days, buyer_rows in (
        (
            sa.and_(every_scope(n.c.vendor_id), n.c.day >= start),
            sa.and_(every_scope(b.c.vendor_id), b.c.paid_on >= start),
        ),
        (
            sa.tuple_(n.c.vendor_id, n.c.day).in_(days_before),
            sa.tuple_(b.c.vendor_id, b.c.paid_on).in_(days_before),
        ),
    ):
        conn.execute(n.delete().where(net_days))
        rows = (
            sa.select(b.c.vendor_id, b.c.paid_on, sa.func.count())
            .where(buyer_rows, b.c.next_on.is_(None))
            .group_by(b.c.vendor_id, b.c.paid_on)
        )
        conn.execute(n.insert().from_select(["vendor_id", "day", "net"], rows))


def insert_counts_to_cut(conn: sa.Connection) -> None:
    """The per-day nets of the periods that run to the cut, from the reader rows, the last
    paid days and the buyer days just built: the mall's, +1 on a reader row's last counted
    day and −1 on its previous_on; the shops', +1 on each (shop, tag, member)'s day."""
    events = [*_reader_nets(tag_readers, sa.true(), 1), _shop_tag_events(1)]
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


def insert_note_views(
    conn: sa.Connection, zone, cut_at, *, start: date | None = None, start_at=None
) -> None:
    """Per scope of a note (each shop it mentions a product of, and the mall), local day,
    note and member: the views, and the previous days that count viewers.

    With `start` (an incremental refresh; `start_at` its local midnight) only the days
    from `start` on are replaced: the views before are those of the last refresh, and the
    first rows from `start` on take their previous days from the member's views before it.
    """
    v, np_, p = s.note_views, s.note_products, s.products
    scopes = sa.union_all(
        sa.select(p.c.vendor_id, np_.c.note_id)
        .join(p, p.c.product_id == np_.c.product_id)
        .distinct(),
        sa.select(sa.literal(MALL, sa.BigInteger), np_.c.note_id).distinct(),
    ).subquery("note_scopes")
    viewed_on = local_day(v.c.viewed_at, zone)
    viewed = [v.c.viewed_at < cut_at]
    if start is not None:
        t = note_views_days
        conn.execute(t.delete().where(every_scope(t.c.vendor_id), t.c.viewed_on >= start))
        viewed.append(v.c.viewed_at >= start_at)
    days = (
        sa.select(
            viewed_on.label("viewed_on"),
            v.c.note_id,
            v.c.member_id,
            sa.func.count().label("views"),
        )
        .where(*viewed)
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
    if start is not None:
        note_previous = sa.func.coalesce(
            note_previous, local_day(_viewed_before(rows, start_at, same_note=True), zone)
        )
        member_previous = sa.func.coalesce(
            member_previous, local_day(_viewed_before(rows, start_at, same_note=False), zone)
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


def _viewed_before(rows, start_at, *, same_note: bool):
    """The row's member's last view before `start_at` of the row's note, or (not
    `same_note`) of any note in the row's scope: a look-up by member."""
    v, np_, p = s.note_views.alias("earlier_views"), s.note_products, s.products
    where = [v.c.member_id == rows.c.member_id, v.c.viewed_at < start_at]
    if same_note:
        where.append(v.c.note_id == rows.c.note_id)
    else:
        # Each view's note looked up by its key: the note mentions a product (the mall),
        # of the row's shop (a shop). Two levels down: correlated by name.
        mentions = sa.select(np_.c.note_id).where(np_.c.note_id == v.c.note_id)
        # Each mentioned product's shop by its key: a join here was planned as a hash over
        # all of the shop's products for every earlier view (8 s a night on the large
        # mall; by key 1 s, same rows — bench/FINDINGS.md, "Rollup refresh").
        shop_of = (
            sa.select(p.c.vendor_id)
            .where(p.c.product_id == np_.c.product_id)
            .correlate(np_)
            .scalar_subquery()
        )
        of_shop = mentions.where(shop_of == rows.c.vendor_id)
        where.append(
            sa.or_(
                sa.and_(rows.c.vendor_id == MALL, mentions.correlate(v).exists()),
                of_shop.correlate(v, rows).exists(),
            )
        )
    return sa.select(sa.func.max(v.c.viewed_at)).where(*where).scalar_subquery()
