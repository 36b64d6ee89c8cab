"""The members and content families refreshed incrementally equal a rebuild, row for row.

A tiny demo mall (history to 20 Nov 2026, Shanghai) is rolled up whole at C1 = 15 Nov
(with the sales family, whose buyer days the content family reads); then data arrives
late: a new member reads a note and buys its product on C1; a member who read notes
for weeks without buying pays a shop they never bought from on C1+1 (the shop gets
rows for all their reading days); a member reads on C1 and pays on C1+1; an order paid
on C1−2 by a member last seen months before, written after the build (a late
callback: their first order in that shop, their RFM state, the reading days since
their last payment); a note view on C1−1 written late; a refund completed now for an
order paid 40 days before; an order paid after C2. `rollups.refresh.refresh` brings the
families to C2 = C1 + 2 (look-back 3 days), and every table of the members and content
families must hold exactly the rows of a rebuild at C2. Also: a second refresh changes
no row, `start` (the command's `--from`) recomputes older days after a repair, a
refresh back to an earlier day equals the rebuild there, and day-by-day refreshes with
data each day end equal to the rebuild.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.console.migrate import upgrade
from queries.core import schema as s
from queries.rolled.content import last_paid
from queries.rolled.coverage import rollup_state, state_key
from queries.rolled.members import buyer_firsts
from rollups.families import CONTENT_FAMILY, MEMBER_FAMILY, SALES, Family
from rollups.refresh import refresh
from tests.builders import BuiltOrder, Item, MallBuilder, local

TZ = "Asia/Shanghai"
AS_OF = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)  # 14:30 on 20 Nov in Shanghai
C1 = date(2026, 11, 15)
C2 = C1 + timedelta(days=2)
# The content family reads the sales family's buyer days: it is refreshed with them.
FAMILIES = (SALES, MEMBER_FAMILY, CONTENT_FAMILY)
MINE = (MEMBER_FAMILY, CONTENT_FAMILY)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory) -> sa.Engine:
    """A tiny demo mall of this module's own, migrated, without rollups (tests add rows)."""
    from demo.generate import generate

    engine = db_factory.engine(request.param)
    generate(engine, scale="tiny", seed=7, as_of=AS_OF, rollups=False)
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
    """Rebuild the families whole up to `through`."""
    runs = refresh(engine, tz=TZ, through=through, rebuild=True, families=FAMILIES)
    assert [r.outcome for r in runs] == ["ok"] * len(FAMILIES)


def refreshed(engine: sa.Engine, through: date, **kwargs) -> list:
    """Refresh the families incrementally up to `through`; every run ok."""
    runs = refresh(engine, tz=TZ, through=through, families=FAMILIES, **kwargs)
    assert [r.outcome for r in runs] == ["ok"] * len(FAMILIES), [r.message for r in runs]
    return runs


def assert_equals_rebuild(engine: sa.Engine, through: date) -> dict:
    """The families' rows now are those of a rebuild at `through` (left rebuilt)."""
    incremental = rows(engine)
    build_at(engine, through)
    rebuilt = rows(engine)
    for name, expected in rebuilt.items():
        got = incremental[name]
        if got != expected:
            extra = sorted(set(got) - set(expected), key=str)[:5]
            missing = sorted(set(expected) - set(got), key=str)[:5]
            pytest.fail(f"{name}: extra {extra}, missing {missing}")
    return incremental


# --- late data ---------------------------------------------------------------------------


def _one(conn: sa.Connection, stmt) -> sa.Row:
    row = conn.execute(stmt.limit(1)).first()
    assert row is not None, stmt
    return row


def _tagged_product(conn: sa.Connection, skip: int = 0) -> sa.Row:
    """(note_id, product_id, vendor_id) of a note with a tag that mentions a product."""
    np_, p = s.note_products, s.products
    return _one(
        conn,
        sa.select(np_.c.note_id, p.c.product_id, p.c.vendor_id)
        .join(p, p.c.product_id == np_.c.product_id)
        .where(np_.c.note_id.in_(sa.select(s.note_tags.c.note_id)))
        .order_by(np_.c.note_id, p.c.product_id)
        .offset(skip),
    )


def _product_of(conn: sa.Connection, vendor_id: int) -> int:
    p = s.products
    return _one(
        conn, sa.select(p.c.product_id).where(p.c.vendor_id == vendor_id).order_by(p.c.product_id)
    ).product_id


def _reader_without_payment_since(conn: sa.Connection, before: datetime, skip: int) -> sa.Row:
    """(member_id, vendor_id) of a member who read tagged notes after their last payment
    (before `before`), and a shop they never paid; `skip` picks another such member."""
    o, v = s.orders, s.note_views
    last_paid = (
        sa.select(o.c.member_id, sa.func.max(o.c.paid_at).label("paid"))
        .where(o.c.paid_at.is_not(None))
        .group_by(o.c.member_id)
        .subquery()
    )
    last_read = (
        sa.select(v.c.member_id, sa.func.max(v.c.viewed_at).label("read"))
        .where(v.c.viewed_at < before, v.c.note_id.in_(sa.select(s.note_tags.c.note_id)))
        .group_by(v.c.member_id)
        .subquery()
    )
    member = _one(
        conn,
        sa.select(last_read.c.member_id)
        .join(last_paid, last_paid.c.member_id == last_read.c.member_id)
        .where(last_paid.c.paid < last_read.c.read, last_paid.c.paid < before - timedelta(days=30))
        .order_by(last_read.c.member_id)
        .offset(skip),
    ).member_id
    shop = _one(
        conn,
        sa.select(s.vendors.c.vendor_id)
        .where(
            s.vendors.c.vendor_id.not_in(
                sa.select(o.c.vendor_id).where(o.c.member_id == member, o.c.paid_at.is_not(None))
            ),
            s.vendors.c.vendor_id.in_(sa.select(s.products.c.vendor_id)),
        )
        .order_by(s.vendors.c.vendor_id),
    ).vendor_id
    return member, shop


def _view(conn: sa.Connection, member: int, note: int, at: str) -> None:
    conn.execute(s.note_views.insert().values(member_id=member, note_id=note, viewed_at=local(at)))


def _built(conn: sa.Connection, order_id: int) -> BuiltOrder:
    """An existing order as the builder's `BuiltOrder` (to refund one of its items)."""
    o, i = s.orders, s.order_items
    order = conn.execute(sa.select(o).where(o.c.order_id == order_id)).one()
    items = conn.scalars(
        sa.select(i.c.order_item_id).where(i.c.order_id == order_id).order_by(i.c.order_item_id)
    ).all()
    return BuiltOrder(order_id, order.order_no, list(items), order.paid_cents)


def add_late_data(engine: sa.Engine, tag: str, skip: int = 0) -> dict:
    """Write the late rows described in the module's docstring; return who got them."""
    o = s.orders
    with engine.begin() as conn:
        b = MallBuilder(conn)
        note, product, shop = _tagged_product(conn, skip)
        item = Item(product, quantity=1, unit_price_cents=60_000)
        # A new member reads the note and buys its product on C1.
        newcomer = b.member(registered_at=local("2026-11-14 12:00:00"))
        _view(conn, newcomer, note, "2026-11-15 09:00:00")
        b.order(shop, newcomer, [item], paid_at=local("2026-11-15 10:00:00"), order_no=f"N-{tag}")
        # A member who kept reading without buying pays a shop new to them on C1+1.
        reader, new_shop = _reader_without_payment_since(conn, local("2026-11-12 00:00:00"), skip)
        b.order(
            new_shop,
            reader,
            [Item(_product_of(conn, new_shop), unit_price_cents=3_000)],
            paid_at=local("2026-11-16 18:00:00"),
            order_no=f"R-{tag}",
        )
        # A member reads on C1 and pays on C1+1 (a shop they know), then reads again that day.
        known = _one(
            conn,
            sa.select(o.c.member_id, o.c.vendor_id)
            .where(o.c.paid_at < local("2026-11-01 00:00:00"), o.c.member_id != reader)
            .order_by(o.c.order_id.desc())
            .offset(skip),
        )
        _view(conn, known.member_id, note, "2026-11-15 20:00:00")
        b.order(
            known.vendor_id,
            known.member_id,
            [Item(_product_of(conn, known.vendor_id), unit_price_cents=2_000)],
            paid_at=local("2026-11-16 08:00:00"),
            order_no=f"K-{tag}",
        )
        _view(conn, known.member_id, note, "2026-11-16 21:00:00")
        # Paid on C1−2 and written after the build, by a member who had read since paying.
        late, late_shop = _reader_without_payment_since(
            conn, local("2026-11-12 00:00:00"), skip + 1
        )
        b.order(
            late_shop,
            late,
            [item, Item(_product_of(conn, late_shop), unit_price_cents=45_000)],
            paid_at=local("2026-11-13 22:00:00"),
            order_no=f"L-{tag}",
        )
        # A view on C1−1 written late, of a note the member read before.
        seen = _one(
            conn,
            sa.select(s.note_views.c.member_id, s.note_views.c.note_id)
            .where(s.note_views.c.viewed_at < local("2026-11-01 00:00:00"))
            .order_by(s.note_views.c.viewed_at.desc())
            .offset(skip),
        )
        _view(conn, seen.member_id, seen.note_id, "2026-11-14 07:00:00")
        # A refund completed now for an order paid 40 days before; an order paid after C2.
        old = _one(
            conn,
            sa.select(o.c.order_id)
            .where(
                o.c.paid_at >= local("2026-10-06 00:00:00"),
                o.c.paid_at < local("2026-10-07 00:00:00"),
            )
            .order_by(o.c.order_id)
            .offset(skip),
        ).order_id
        b.refund(_built(conn, old), 0, 100, completed_at=local("2026-11-16 10:00:00"))
        b.order(shop, newcomer, [item], paid_at=local("2026-11-18 10:00:00"), order_no=f"A-{tag}")
    return {
        "newcomer": newcomer,
        "shop": shop,
        "reader": reader,
        "new_shop": new_shop,
        "late": late,
        "late_shop": late_shop,
    }


# --- the tests ---------------------------------------------------------------------------


def test_an_incremental_refresh_leaves_the_rows_of_a_rebuild(mall):
    build_at(mall, C1)
    late = add_late_data(mall, "a")
    runs = refreshed(mall, C2)
    assert [r.start for r in runs] == [C1 - timedelta(days=3)] * len(FAMILIES)
    got = assert_equals_rebuild(mall, C2)
    assert got[MEMBER_FAMILY.name] == got[CONTENT_FAMILY.name] == [(C2,)]
    # The late rows are there where they belong.
    with mall.connect() as conn:
        f = buyer_firsts
        firsts = dict(
            conn.execute(
                sa.select(f.c.vendor_id, f.c.first_paid_at).where(f.c.member_id == late["newcomer"])
            ).all()
        )
        assert firsts == {
            -1: local("2026-11-15 10:00:00"),
            late["shop"]: local("2026-11-15 10:00:00"),
        }
        late_first = conn.execute(
            sa.select(f.c.first_paid_at).where(
                f.c.member_id == late["late"], f.c.vendor_id == late["late_shop"]
            )
        ).scalar()
        assert late_first == local("2026-11-13 22:00:00")
        # The reader's first payment to a shop is its last paid day there (and the shop's
        # nets, compared with the rebuild's above, count their reading days).
        p = last_paid
        paid_on = conn.execute(
            sa.select(p.c.last_on).where(
                p.c.member_id == late["reader"], p.c.vendor_id == late["new_shop"]
            )
        ).scalar()
        assert paid_on == date(2026, 11, 16)


def test_two_refreshes_in_a_row_change_no_row(mall):
    build_at(mall, C1)
    add_late_data(mall, "b", skip=1)
    refreshed(mall, C2)
    first = rows(mall)
    refreshed(mall, C2)
    assert rows(mall) == first
    assert_equals_rebuild(mall, C2)


def test_a_refresh_from_an_older_day_equals_the_rebuild(mall):
    build_at(mall, C1)
    add_late_data(mall, "c", skip=2)
    # A repair outside the look-back: a view and an order in late October, written now.
    with mall.begin() as conn:
        note, product, shop = _tagged_product(conn, 3)
        member, _ = _reader_without_payment_since(conn, local("2026-10-20 00:00:00"), 3)
        _view(conn, member, note, "2026-10-24 10:00:00")
        MallBuilder(conn).order(
            shop, member, [Item(product)], paid_at=local("2026-10-25 12:00:00"), order_no="FIX-1"
        )
    refreshed(mall, C2)
    looked_back = rows(mall)
    refreshed(mall, C2, start=date(2026, 10, 20))
    repaired = assert_equals_rebuild(mall, C2)
    # The look-back alone did not reach the repair; `--from` did.
    assert looked_back["mallboard_rollup_tag_readers"] != repaired["mallboard_rollup_tag_readers"]


def test_a_refresh_back_to_an_earlier_day_equals_the_rebuild_there(mall):
    build_at(mall, C1)
    add_late_data(mall, "d", skip=3)
    refreshed(mall, C2 + timedelta(days=2))
    refreshed(mall, C1)  # the rows of C1 … C2+1 go, the earlier ones lose what they saw there
    assert_equals_rebuild(mall, C1)


def test_nightly_refreshes_with_data_each_day_equal_the_rebuild(mall):
    build_at(mall, C1 - timedelta(days=2))
    for n, through in enumerate((C1 - timedelta(days=1), C1, C1 + timedelta(days=1), C2)):
        if through == C1:
            add_late_data(mall, "e", skip=4 + n)
        refreshed(mall, through)
    assert_equals_rebuild(mall, C2)


def test_an_incremental_refresh_is_quicker_than_a_rebuild(mall):
    build_at(mall, C1)
    add_late_data(mall, "t", skip=5)
    began = time.perf_counter()
    runs = refreshed(mall, C1 + timedelta(days=1))
    incremental = time.perf_counter() - began
    began = time.perf_counter()
    build_at(mall, C1 + timedelta(days=1))
    rebuild = time.perf_counter() - began
    print(
        f"\n{mall.dialect.name}: one day (look-back 3) {incremental:.2f} s — "
        + ", ".join(f"{r.name} {r.seconds:.2f} s" for r in runs)
        + f"; rebuild {rebuild:.2f} s"
    )
    assert incremental < rebuild
