"""The sales, campaigns and settlements families refreshed incrementally equal a rebuild.

A tiny demo mall (history to 2 Nov 2026, Shanghai) is rolled up whole at C1 = 31 Oct;
then data arrives late — orders paid on C1−1 (with a promotion, a coupon and a live
session), a refund completed on C1+1 for an order paid 40 days before, a refund
completed on C1−2, a new member's first order, an existing member's new day in a shop
they never bought from — and `rollups.refresh.refresh` brings the families to
C2 = C1 + 2 (look-back 3 days). Every table of the three families must then hold
exactly the rows of a rebuild at C2 (the comparison rebuilds into the same database
after keeping the incremental rows). Also: a second refresh changes no row, `start`
(the command's `--from`) recomputes older days after a repair, and a refresh killed
inside a family leaves that family's rows and cut as they were.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.console.migrate import upgrade
from queries.core import schema as s
from queries.rolled.coverage import buyer_days, refunds_daily, rollup_state, state_key
from rollups.families import CAMPAIGN_FAMILY, SALES, SETTLEMENT_FAMILY, Family
from rollups.refresh import refresh
from tests.builders import BuiltOrder, Item, MallBuilder, local

TZ = "Asia/Shanghai"
AS_OF = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # 14:30 on 2 Nov in Shanghai
C1 = date(2026, 10, 31)
C2 = C1 + timedelta(days=2)
MINE = (SALES, CAMPAIGN_FAMILY, SETTLEMENT_FAMILY)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> sa.Engine:
    """A tiny demo mall of this module's own, migrated, without rollups (tests add rows)."""
    from demo.generate import generate

    engine = db_factory.engine(request.param)
    generate(engine, scale="tiny", seed=11, as_of=AS_OF, rollups=False)
    upgrade(engine)
    return engine


def rows(engine: sa.Engine, families=MINE) -> dict[str, list[tuple]]:
    """Every row of the families' tables, sorted (and their cuts)."""
    found: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for family in families:
            for table in family.tables:
                found[table.name] = [tuple(r) for r in conn.execute(sa.select(table))]
                found[table.name].sort(key=lambda row: [(v is None, v or 0) for v in row])
            found[family.name] = [(cut(conn, family),)]
    return found


def cut(conn: sa.Connection, family: Family) -> date | None:
    """The family's `complete_before` in this module's zone."""
    key = state_key(family.name, TZ)
    return conn.execute(
        sa.select(rollup_state.c.complete_before).where(rollup_state.c.rollup == key)
    ).scalar()


def build_at(engine: sa.Engine, through: date) -> None:
    """Rebuild the three families whole up to `through`."""
    runs = refresh(engine, tz=TZ, through=through, rebuild=True, families=MINE)
    assert [r.outcome for r in runs] == ["ok"] * len(MINE)


def assert_equals_rebuild(engine: sa.Engine, through: date) -> dict:
    """The families' rows now are those of a rebuild at `through` (left rebuilt)."""
    incremental = rows(engine)
    build_at(engine, through)
    rebuilt = rows(engine)
    for name, expected in rebuilt.items():
        assert incremental[name] == expected, name
    return incremental


# --- late data ---------------------------------------------------------------------------


def _one(conn: sa.Connection, stmt) -> sa.Row:
    row = conn.execute(stmt.limit(1)).first()
    assert row is not None, stmt
    return row


def _built(conn: sa.Connection, order_id: int) -> BuiltOrder:
    """An existing order as the builder's `BuiltOrder` (to refund one of its items)."""
    o, i = s.orders, s.order_items
    order = conn.execute(sa.select(o).where(o.c.order_id == order_id)).one()
    items = conn.scalars(
        sa.select(i.c.order_item_id).where(i.c.order_id == order_id).order_by(i.c.order_item_id)
    ).all()
    return BuiltOrder(order_id, order.order_no, list(items), order.paid_cents)


def _order_paid_between(conn: sa.Connection, first: str, last: str) -> int:
    o = s.orders
    return _one(
        conn,
        sa.select(o.c.order_id)
        .where(o.c.paid_at >= local(first), o.c.paid_at < local(last))
        .order_by(o.c.order_id),
    ).order_id


def add_late_data(engine: sa.Engine, tag: str) -> dict:
    """Write the late rows described in the module's docstring; return what the checks need."""
    o, p, m = s.orders, s.products, s.members
    with engine.begin() as conn:
        b = MallBuilder(conn)
        # A member whose last order in their shop is long before the look-back.
        old = _one(
            conn,
            sa.select(o.c.vendor_id, o.c.member_id)
            .where(
                o.c.paid_at.is_not(None),
                o.c.vendor_id.in_(sa.select(s.live_sessions.c.vendor_id)),
            )
            .group_by(o.c.vendor_id, o.c.member_id)
            .having(sa.func.max(o.c.paid_at) < local("2026-10-01 00:00:00"))
            .order_by(o.c.vendor_id, o.c.member_id),
        )
        shop, member = old.vendor_id, old.member_id
        product = _one(
            conn, sa.select(p.c.product_id).where(p.c.vendor_id == shop).order_by(p.c.product_id)
        ).product_id
        session = _one(
            conn,
            sa.select(s.live_sessions.c.live_session_id)
            .where(s.live_sessions.c.vendor_id == shop)
            .order_by(s.live_sessions.c.live_session_id),
        ).live_session_id
        pr = s.promotions
        promotion = _one(
            conn,
            sa.select(pr.c.promotion_id).where(pr.c.kind != "coupon").order_by(pr.c.promotion_id),
        ).promotion_id
        coupon_promotion = _one(
            conn,
            sa.select(pr.c.promotion_id).where(pr.c.kind == "coupon").order_by(pr.c.promotion_id),
        ).promotion_id
        item = Item(product, quantity=2, unit_price_cents=12345, commission_bps=650)
        # Paid on C1−1, written after the build at C1 (a late payment callback).
        b.order(
            shop,
            member,
            [item],
            paid_at=local("2026-10-30 20:00:00"),
            promotion_id=promotion,
            live_session_id=session,
            order_no=f"LATE-{tag}-1",
        )
        with_coupon = b.order(
            shop, member, [item], paid_at=local("2026-10-30 21:30:00"), order_no=f"LATE-{tag}-2"
        )
        conn.execute(
            s.coupons.insert().values(
                promotion_id=coupon_promotion,
                member_id=member,
                issued_at=local("2026-10-20 10:00:00"),
                used_at=local("2026-10-30 21:30:00"),
                order_id=with_coupon.order_id,
            )
        )
        # The same member again on C1+1, through the same live session.
        b.order(
            shop,
            member,
            [item],
            paid_at=local("2026-11-01 08:00:00"),
            live_session_id=session,
            order_no=f"LATE-{tag}-3",
        )
        # A new member's first order, and an existing member's first day in this shop.
        newcomer = b.member(registered_at=local("2026-10-31 12:00:00"))
        b.order(shop, newcomer, [item], paid_at=local("2026-11-01 09:00:00"), order_no=f"NEW-{tag}")
        stranger = _one(
            conn,
            sa.select(m.c.member_id)
            .where(
                m.c.member_id.in_(sa.select(o.c.member_id).where(o.c.paid_at.is_not(None))),
                m.c.member_id.not_in(sa.select(o.c.member_id).where(o.c.vendor_id == shop)),
            )
            .order_by(m.c.member_id),
        ).member_id
        b.order(
            shop, stranger, [item], paid_at=local("2026-11-01 11:00:00"), order_no=f"FIRST-{tag}"
        )
        # A refund completed on C1+1 for an order paid 40 days before, and one completed
        # on C1−2 and written late.
        old_order = _built(
            conn, _order_paid_between(conn, "2026-09-22 00:00:00", "2026-09-23 00:00:00")
        )
        b.refund(
            old_order,
            0,
            100,
            requested_at=local("2026-10-25 10:00:00"),
            completed_at=local("2026-11-01 10:00:00"),
            reason=f"late {tag}",
        )
        recent = _built(
            conn, _order_paid_between(conn, "2026-10-10 00:00:00", "2026-10-11 00:00:00")
        )
        b.refund(
            recent,
            0,
            100,
            requested_at=local("2026-10-28 10:00:00"),
            completed_at=local("2026-10-29 15:00:00"),
            reason=f"late {tag}",
        )
        vendor_of = {
            r.order_id: r.vendor_id
            for r in conn.execute(
                sa.select(o.c.order_id, o.c.vendor_id).where(
                    o.c.order_id.in_([old_order.order_id, recent.order_id])
                )
            )
        }
    return {
        "shop": shop,
        "member": member,
        "newcomer": newcomer,
        "stranger": stranger,
        "refund_shop": vendor_of[old_order.order_id],
    }


# --- the tests ---------------------------------------------------------------------------


def test_an_incremental_refresh_leaves_the_rows_of_a_rebuild(mall):
    build_at(mall, C1)
    late = add_late_data(mall, "a")
    runs = refresh(mall, tz=TZ, through=C2, families=MINE)
    assert [(r.outcome, r.start) for r in runs] == [("ok", C1 - timedelta(days=3))] * 3
    got = assert_equals_rebuild(mall, C2)
    assert got[SALES.name] == got[CAMPAIGN_FAMILY.name] == got[SETTLEMENT_FAMILY.name] == [(C2,)]
    # The late rows are there where they belong.
    with mall.connect() as conn:
        b = buyer_days
        member_days = conn.execute(
            sa.select(b.c.paid_on, b.c.orders, b.c.previous_on, b.c.next_on)
            .where(b.c.vendor_id == late["shop"], b.c.member_id == late["member"])
            .order_by(b.c.paid_on)
        ).all()
        assert [tuple(r)[:2] for r in member_days[-2:]] == [
            (date(2026, 10, 30), 2),
            (date(2026, 11, 1), 1),
        ]
        assert member_days[-3].next_on == date(2026, 10, 30)  # the day before the window
        newcomer = conn.execute(
            sa.select(b.c.vendor_id, b.c.previous_on).where(b.c.member_id == late["newcomer"])
        ).all()
        assert sorted(tuple(r) for r in newcomer) == [(-1, None), (late["shop"], None)]
        f = refunds_daily
        refunded_on = (
            conn.execute(
                sa.select(f.c.local_day).where(
                    f.c.vendor_id == late["refund_shop"], f.c.reason == "late a"
                )
            )
            .scalars()
            .all()
        )
        assert date(2026, 11, 1) in refunded_on


def test_two_refreshes_in_a_row_change_no_row(mall):
    build_at(mall, C1)
    add_late_data(mall, "b")
    refresh(mall, tz=TZ, through=C2, families=MINE)
    first = rows(mall)
    refresh(mall, tz=TZ, through=C2, families=MINE)
    assert rows(mall) == first
    assert_equals_rebuild(mall, C2)


def test_a_refresh_from_an_older_day_equals_the_rebuild(mall):
    build_at(mall, C1)
    add_late_data(mall, "c")
    # A repair outside the look-back: an order paid in mid-October, a refund completed
    # in September (a month row), both written now.
    with mall.begin() as conn:
        b = MallBuilder(conn)
        o = s.orders
        paid = _one(
            conn,
            sa.select(o.c.vendor_id, o.c.member_id, s.order_items.c.product_id)
            .join(s.order_items, s.order_items.c.order_id == o.c.order_id)
            .where(o.c.paid_at.is_not(None))
            .order_by(o.c.order_id),
        )
        b.order(
            paid.vendor_id,
            paid.member_id,
            [Item(paid.product_id, unit_price_cents=777)],
            paid_at=local("2026-10-15 12:00:00"),
            order_no="REPAIR-1",
        )
        old = _built(conn, _order_paid_between(conn, "2026-08-15 00:00:00", "2026-08-16 00:00:00"))
        b.refund(old, 0, 50, completed_at=local("2026-09-25 09:00:00"), reason="repair")
    refresh(mall, tz=TZ, through=C2, families=MINE)
    looked_back = rows(mall)
    refresh(mall, tz=TZ, through=C2, start=date(2026, 9, 20), families=MINE)
    repaired = assert_equals_rebuild(mall, C2)
    # The look-back alone did not reach the repair; `--from` did.
    assert looked_back["mallboard_rollup_sales_daily"] != repaired["mallboard_rollup_sales_daily"]


def _killed(family: Family, error: Exception) -> Family:
    """`family` whose refresh raises `error` after doing its work (deletes and inserts)."""

    def refresh_then_fail(conn: sa.Connection, window) -> None:
        family.refresh(conn, window)
        raise error

    return Family(family.name, family.tables, refresh_then_fail)


@pytest.mark.parametrize("killed", [0, 1, 2], ids=["sales", "campaigns", "settlements"])
def test_a_refresh_killed_inside_a_family_leaves_its_rows_and_cut(mall, killed):
    build_at(mall, C1)
    before = rows(mall)
    add_late_data(mall, f"k{killed}")
    families = tuple(
        _killed(f, RuntimeError("killed")) if n == killed else f for n, f in enumerate(MINE)
    )
    with pytest.raises(RuntimeError, match="killed"):
        refresh(mall, tz=TZ, through=C2, families=families)
    now = rows(mall)
    for n, family in enumerate(MINE):
        names = [family.name, *(t.name for t in family.tables)]
        if n < killed:  # refreshed and committed before the kill
            assert now[family.name] == [(C2,)]
        else:  # the killed family rolled back; the later ones never started
            assert {k: now[k] for k in names} == {k: before[k] for k in names}, family.name
    runs = refresh(mall, tz=TZ, through=C2, families=MINE)
    assert [r.outcome for r in runs] == ["ok"] * 3
    assert_equals_rebuild(mall, C2)


def test_a_database_error_inside_a_family_is_recorded_and_the_rows_stay(mall):
    build_at(mall, C1)
    before = rows(mall)
    add_late_data(mall, "e")
    error = sa.exc.OperationalError("DELETE …", {}, Exception("server closed the connection"))
    families = (SALES, _killed(CAMPAIGN_FAMILY, error), SETTLEMENT_FAMILY)
    runs = refresh(mall, tz=TZ, through=C2, families=families)
    assert [r.outcome for r in runs] == ["ok", "failed", "ok"]
    now = rows(mall)
    for name in [CAMPAIGN_FAMILY.name, *(t.name for t in CAMPAIGN_FAMILY.tables)]:
        assert now[name] == before[name], name
    with mall.connect() as conn:
        state = conn.execute(
            sa.select(rollup_state).where(
                rollup_state.c.rollup == state_key(CAMPAIGN_FAMILY.name, TZ)
            )
        ).one()
    assert (state.complete_before, state.last_outcome) == (C1, "failed")
    refresh(mall, tz=TZ, through=C2, families=MINE)
    assert_equals_rebuild(mall, C2)


def test_an_incremental_refresh_of_a_day_is_quick(mall):
    build_at(mall, C1)
    add_late_data(mall, "t")
    began = time.perf_counter()
    runs = refresh(mall, tz=TZ, through=C1 + timedelta(days=1), families=MINE)
    seconds = time.perf_counter() - began
    print(
        f"\n{mall.dialect.name}: incremental refresh of one day (look-back 3): {seconds:.2f} s — "
        + ", ".join(f"{r.name} {r.seconds:.2f} s" for r in runs)
    )
    assert seconds < 10  # the tiny mall; the bar is 2 s for the small SQLite demo
    assert_equals_rebuild(mall, C1 + timedelta(days=1))
