"""Build the P5 rollups from the contract tables: the platform's job, played by the demo.

The console never writes outside the contract's tables on a platform database:
these statements are what the platform would run (nightly, or as orders are
paid), given here so the demo mall and the benchmark have the rollups that
`queries.rolled.coverage` reads. The shops' item-sales day rows come from one pass over
the paid order lines; the mall's item-sales rows and every month row are sums of
the shops' day rows (orders add up across shops and days: an order has one of
each). Daily sales and refunds are grouped from orders and refunds directly, for
the shops and again for the mall (the mall's buyers are counted over the mall).
The member rollups (`queries.rolled.members`): each member's first paid order per
shop and in the mall, then the cohort months from the distinct (member, month) of
the whole months' orders joined to those first orders, and the RFM segments' daily
moves (`queries.members.rfm`). The content rollup
(`queries.rolled.content`): the attributed order items of every order paid before
the cut, once, summed per shop and for the mall by day, tag and member. The campaign
rollups (`queries.rolled.campaigns`): the carried (promotion, order) pairs and the
live sessions' buyers of the orders paid before the cut. The settlement day rows
(`queries.finance.rolled_days`): every shop's statement lines per local day.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.content.attribution import attributed_items
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_day, local_hour, local_month
from queries.core.periods import local_midnight
from queries.finance.rolled_days import SETTLEMENTS, insert_settlement_days
from queries.marketing.carried_orders import carried_pairs
from queries.members.rfm import insert_rfm_changes
from queries.rolled.campaigns import CAMPAIGNS, live_session_buyers, promotion_orders
from queries.rolled.content import (
    CONTENT,
    buyers_to_cut,
    note_views_days,
    shop_tag_readers,
    tag_attribution_days,
    tag_buyers_to_cut,
    tag_readers,
)
from queries.rolled.coverage import (
    MALL,
    NAME,
    buyer_days,
    item_sales,
    month_of,
    refunds_daily,
    rollup_metadata,
    rollup_state,
    sales_daily,
    state_key,
)
from queries.rolled.members import MEMBERS, buyer_firsts, cohort_months
from queries.sales.breakdowns import category_tops, top_category_id

__all__ = ["build_rollups", "drop_rollups"]

_FIGURES = ("item_sales_cents", "units", "orders")


def build_rollups(conn: sa.Connection, *, tz: str, complete_before: date) -> None:
    """(Re)build every rollup row for the local days before `complete_before`."""
    # Dropped, not emptied: a table of an earlier layout (an earlier build) may lack columns.
    drop_rollups(conn)
    rollup_metadata.create_all(conn)
    cutoff = local_midnight(complete_before, ZoneInfo(tz))
    zone = sa.bindparam("tz", tz)
    month_before = complete_before.replace(day=1)
    for by_vendor in (True, False):
        _insert_sales_daily(conn, zone, cutoff, by_vendor=by_vendor)
        _insert_refunds_daily(conn, zone, cutoff, by_vendor=by_vendor)
        _insert_buyer_firsts(conn, cutoff, by_vendor=by_vendor)
    _insert_item_days(conn, zone, cutoff)
    _insert_sums(conn, month_before=month_before)
    for by_vendor in (True, False):
        _insert_cohort_months(conn, zone, cutoff, by_vendor=by_vendor)
    insert_rfm_changes(conn, zone, cutoff, complete_before=complete_before)
    _insert_tag_attribution(conn, zone, cutoff)
    _insert_tag_readers(conn, zone, cutoff)
    _insert_buyer_days(conn, zone, cutoff)
    _insert_counts_to_cut(conn)
    _insert_note_views(conn, zone, cutoff)
    _insert_campaign_rows(conn, cutoff)
    insert_settlement_days(conn, zone, cutoff)
    for name in (NAME, MEMBERS, CONTENT, CAMPAIGNS, SETTLEMENTS):
        key = state_key(name, tz)  # the zone its local days were cut in
        conn.execute(rollup_state.insert().values(rollup=key, complete_before=complete_before))
    if conn.dialect.name == "postgresql":
        for table in rollup_metadata.sorted_tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")  # fixed table names, never input


def drop_rollups(conn: sa.Connection) -> None:
    """Remove the rollups: the console goes back to reading everything live."""
    rollup_metadata.drop_all(conn, checkfirst=True)


def _insert_sales_daily(conn: sa.Connection, zone, cutoff, *, by_vendor: bool) -> None:
    """GMV, orders and buyers per paid day, and refunds per completed day."""
    o, r = s.orders, s.refunds
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    paid_day = local_day(o.c.paid_at, zone)
    paid = sa.select(
        shop.label("vendor_id"),
        paid_day.label("local_day"),
        sa.func.sum(o.c.paid_cents).label("gmv"),
        sa.func.count().label("orders"),
        sa.func.count(sa.distinct(o.c.member_id)).label("buyers"),
        sa.literal(0, sa.BigInteger).label("refunded"),
    ).where(o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
    back_day = local_day(r.c.completed_at, zone)
    refunded = (
        sa.select(
            shop.label("vendor_id"),
            back_day.label("local_day"),
            *(sa.literal(0, sa.BigInteger).label(n) for n in ("gmv", "orders", "buyers")),
            sa.func.sum(r.c.amount_cents).label("refunded"),
        )
        .select_from(r.join(o, o.c.order_id == r.c.order_id))
        .where(r.c.status == "completed", r.c.completed_at < cutoff)
    )
    if by_vendor:
        paid, refunded = (
            paid.group_by(o.c.vendor_id, paid_day),
            refunded.group_by(o.c.vendor_id, back_day),
        )
    else:
        paid, refunded = paid.group_by(paid_day), refunded.group_by(back_day)
    both = sa.union_all(paid, refunded).subquery("both_days")
    rows = sa.select(
        both.c.vendor_id,
        both.c.local_day,
        *(sa.func.sum(both.c[n]) for n in ("gmv", "orders", "buyers", "refunded")),
    ).group_by(both.c.vendor_id, both.c.local_day)
    names = ["vendor_id", "local_day", "gmv_cents", "paid_orders", "buyers", "refunded_cents"]
    conn.execute(sales_daily.insert().from_select(names, rows))


def _insert_buyer_firsts(conn: sa.Connection, cutoff, *, by_vendor: bool) -> None:
    """Each member's first paid order with each shop (or the mall), if paid before the cut."""
    o = s.orders
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    keys = [o.c.vendor_id, o.c.member_id] if by_vendor else [o.c.member_id]
    rows = (
        sa.select(shop, o.c.member_id, sa.func.min(o.c.paid_at))
        .where(o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
        .group_by(*keys)
    )
    names = ["vendor_id", "member_id", "first_paid_at"]
    conn.execute(buyer_firsts.insert().from_select(names, rows))


def _insert_cohort_months(conn: sa.Connection, zone, cutoff, *, by_vendor: bool) -> None:
    """Per shop (or the mall), cohort month and month: the cohort's members paying in it.

    The cut's own month is counted up to the cut (month to date).
    """
    o, f = s.orders, buyer_firsts
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    month = local_month(o.c.paid_at, zone)
    active = (
        sa.select(shop.label("vendor_id"), o.c.member_id, month.label("month"))
        .where(o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
        .distinct()
        .subquery("active")
    )
    # Every member paying before the cut has a first order before it: an inner join.
    cohort = local_month(f.c.first_paid_at, zone)
    rows = (
        sa.select(active.c.vendor_id, cohort, active.c.month, sa.func.count())
        .select_from(
            active.join(
                f,
                sa.and_(f.c.vendor_id == active.c.vendor_id, f.c.member_id == active.c.member_id),
            )
        )
        .group_by(active.c.vendor_id, cohort, active.c.month)
    )
    names = ["vendor_id", "cohort", "month", "buyers"]
    conn.execute(cohort_months.insert().from_select(names, rows))


def _insert_tag_attribution(conn: sa.Connection, zone, cutoff) -> None:
    """Per shop (and the mall), paid day, tag and member: attributed orders and item sales,
    and the member's previous such day (`previous_on`)."""
    o = s.orders
    paid_on = local_day(o.c.paid_at, zone).label("paid_on")
    attributed = attributed_items(
        sa.and_(o.c.paid_at.is_not(None), o.c.paid_at < cutoff),
        views_before=cutoff,
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


def _insert_tag_readers(conn: sa.Connection, zone, cutoff) -> None:
    """Per local day, tag and member who viewed a note with the tag: the previous such day
    and the member's paid days nearest to it, in the mall (every reader) and per shop (the
    readers who paid in it before the cut)."""
    v, t, o = s.note_views, s.note_tags, s.orders
    read = (
        sa.select(local_day(v.c.viewed_at, zone).label("day"), t.c.tag, v.c.member_id)
        .join(t, t.c.note_id == v.c.note_id)
        .where(v.c.viewed_at < cutoff)
        .subquery("read")
    )
    paid_on = local_day(o.c.paid_at, zone)
    paid = (o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
    no_tag = sa.cast(sa.null(), sa.Text)
    no_day = sa.cast(sa.null(), sa.Date).label("paid_on")
    mall = sa.literal(MALL, sa.BigInteger)
    shops = sa.select(o.c.vendor_id, o.c.member_id).where(*paid).distinct().subquery("shops")
    # Per level, its reader days (with a tag) and its paid days (without).
    levels = (
        (
            tag_readers,
            sa.select(mall.label("vendor_id"), read, no_day),
            sa.select(mall, paid_on, no_tag, o.c.member_id, paid_on).where(*paid),
        ),
        (
            shop_tag_readers,
            sa.select(shops.c.vendor_id, read, no_day).join(
                shops, shops.c.member_id == read.c.member_id
            ),
            sa.select(o.c.vendor_id, paid_on, no_tag, o.c.member_id, paid_on).where(*paid),
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


def _insert_counts_to_cut(conn: sa.Connection) -> None:
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


def _insert_buyer_days(conn: sa.Connection, zone, cutoff) -> None:
    """Per shop (and the mall), local day and member with a paid order: the orders, and the
    member's previous and next such days."""
    o = s.orders
    paid_on = local_day(o.c.paid_at, zone)
    levels = [
        sa.select(
            shop.label("vendor_id"),
            paid_on.label("paid_on"),
            o.c.member_id,
            sa.func.count().label("orders"),
        )
        .where(o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
        .group_by(*keys, paid_on, o.c.member_id)
        for shop, keys in ((o.c.vendor_id, [o.c.vendor_id]), (sa.literal(MALL, sa.BigInteger), []))
    ]
    days = sa.union_all(*levels).subquery("buyer_days")
    by_member = {
        "partition_by": (days.c.vendor_id, days.c.member_id),
        "order_by": days.c.paid_on,
    }
    rows = sa.select(
        days.c.vendor_id,
        days.c.paid_on,
        days.c.member_id,
        days.c.orders,
        sa.func.lag(days.c.paid_on).over(**by_member),
        sa.func.lead(days.c.paid_on).over(**by_member),
    ).order_by(days.c.vendor_id, days.c.paid_on)
    names = ["vendor_id", "paid_on", "member_id", "orders", "previous_on", "next_on"]
    conn.execute(buyer_days.insert().from_select(names, rows))


def _insert_note_views(conn: sa.Connection, zone, cutoff) -> None:
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
        .where(v.c.viewed_at < cutoff)
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


def _insert_campaign_rows(conn: sa.Connection, cutoff) -> None:
    """Every (promotion, paid order) carried before the cut, and per live session, shop and
    member the paid orders carrying it."""
    pairs = carried_pairs(Scope.mall(), paid_before=cutoff).subquery("pairs")
    money = ["paid_cents", "discount_cents", "platform_discount_cents"]
    names = ["promotion_id", "vendor_id", "order_id", *money]
    rows = sa.select(*[pairs.c[n] for n in names])
    conn.execute(promotion_orders.insert().from_select(names, rows))
    o = s.orders
    keys = (o.c.live_session_id, o.c.vendor_id, o.c.member_id)
    per_member = (
        sa.select(*keys, sa.func.count(), sa.func.sum(o.c.paid_cents))
        .where(o.c.live_session_id.is_not(None), o.c.paid_at < cutoff)
        .group_by(*keys)
    )
    names = ["live_session_id", "vendor_id", "member_id", "orders", "gmv_cents"]
    conn.execute(live_session_buyers.insert().from_select(names, per_member))


def _insert_refunds_daily(conn: sa.Connection, zone, cutoff, *, by_vendor: bool) -> None:
    """Completed refunds per completed day and reason."""
    o, r = s.orders, s.refunds
    day = local_day(r.c.completed_at, zone)
    shop = o.c.vendor_id if by_vendor else sa.literal(MALL, sa.BigInteger)
    keys = [o.c.vendor_id, day, r.c.reason] if by_vendor else [day, r.c.reason]
    rows = (
        sa.select(shop, day, r.c.reason, sa.func.count(), sa.func.sum(r.c.amount_cents))
        .select_from(r.join(o, o.c.order_id == r.c.order_id))
        .where(r.c.status == "completed", r.c.completed_at < cutoff)
        .group_by(*keys)
    )
    names = ["vendor_id", "local_day", "reason", "refunds", "refunded_cents"]
    conn.execute(refunds_daily.insert().from_select(names, rows))


def _insert_item_days(conn: sa.Connection, zone, cutoff) -> None:
    """Each shop's day rows of the five breakdowns, from one pass over the paid lines."""
    o, i, p, m = s.orders, s.order_items, s.products, s.members
    lines = (
        sa.select(
            o.c.order_id,
            o.c.vendor_id,
            local_day(o.c.paid_at, zone).label("day"),
            o.c.channel,
            local_hour(o.c.paid_at, zone).label("hour"),
            o.c.member_id,
            i.c.product_id,
            top_category_id(category_tops(conn)).label("category_id"),
            i.c.amount_cents,
            i.c.quantity,
        )
        .select_from(
            o.join(i, i.c.order_id == o.c.order_id).join(p, p.c.product_id == i.c.product_id)
        )
        .where(o.c.paid_at.is_not(None), o.c.paid_at < cutoff)
        .cte("lines")
    )
    no_int, no_text = sa.null(), sa.null()
    keys = {
        "category": (lines.c.category_id, no_text),
        "channel": (no_int, lines.c.channel),
        "hour": (lines.c.hour, no_text),
        "city_tier": (m.c.city_tier, no_text),
        "product": (lines.c.product_id, no_text),
    }
    branches = []
    for name, (key_int, key_text) in keys.items():
        branch = sa.select(
            lines.c.vendor_id,
            sa.literal("day").label("grain"),
            lines.c.day,
            sa.literal(name).label("breakdown"),
            sa.cast(key_int, sa.BigInteger).label("key_int"),
            sa.cast(key_text, sa.Text).label("key_text"),
            sa.func.sum(lines.c.amount_cents),
            sa.func.sum(lines.c.quantity),
            sa.func.count(sa.distinct(lines.c.order_id)),
        ).group_by(lines.c.vendor_id, lines.c.day, key_text if name == "channel" else key_int)
        if name == "city_tier":
            branch = branch.select_from(lines.join(m, m.c.member_id == lines.c.member_id))
        branches.append(branch)
    names = ["vendor_id", "grain", "bucket", "breakdown", "key_int", "key_text", *_FIGURES]
    # Written in (shop, day) order, so that a shop's days lie together on disk: a
    # month of the largest shop is then a few pages, not rows scattered over the table.
    rows = sa.union_all(*branches).subquery("day_rows")
    ordered = sa.select(rows).order_by(rows.c.vendor_id, rows.c.day)
    conn.execute(item_sales.insert().from_select(names, ordered))


def _insert_sums(conn: sa.Connection, *, month_before: date) -> None:
    """The mall's day rows (sums over shops), then every scope's whole months (sums of days)."""
    r = item_sales
    keys = (r.c.breakdown, r.c.key_int, r.c.key_text)
    sums = [sa.func.sum(r.c[n]) for n in _FIGURES]
    names = ["vendor_id", "grain", "bucket", "breakdown", "key_int", "key_text", *_FIGURES]
    mall_days = (
        sa.select(sa.literal(MALL, sa.BigInteger), sa.literal("day"), r.c.bucket, *keys, *sums)
        .where(r.c.grain == "day", r.c.vendor_id != MALL)
        .group_by(r.c.bucket, *keys)
        .order_by(r.c.bucket)
    )
    conn.execute(r.insert().from_select(names, mall_days))
    month = month_of(r.c.bucket)
    months = (
        sa.select(r.c.vendor_id, sa.literal("month"), month, *keys, *sums)
        .where(r.c.grain == "day", r.c.bucket < month_before)
        .group_by(r.c.vendor_id, month, *keys)
        .order_by(r.c.vendor_id, month)
    )
    conn.execute(r.insert().from_select(names, months))
