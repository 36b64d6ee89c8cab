"""The demo mall: every contract invariant, its realism claims, determinism and the CLI.

The invariants run as SQL on the `tiny` mall of both databases: each query counts
the rows that break one rule, and must find none (the planted anomalies aside,
which are exactly the ones documented in docs/demo-data.md).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from stdnum.cn import uscc

from demo.generate import _world, demo_shops, generate
from queries.core import schema as s
from queries.core.db import connect_engine, local_month
from queries.core.schema import create_schema
from queries.core.settings import PROJECT_ROOT
from tests.builders import MallBuilder, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
o, i, p, r = s.orders, s.order_items, s.payments, s.refunds
AS_OF = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


def _items_total(column):
    """Σ of an item column per order, correlated to the outer order."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(column), 0))
        .where(i.c.order_id == o.c.order_id)
        .scalar_subquery()
    )


def _count(conn, table, *where) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


paid_sum = (
    sa.select(sa.func.coalesce(sa.func.sum(p.c.amount_cents), 0))
    .where(p.c.order_id == o.c.order_id)
    .scalar_subquery()
)
overrefunded_lines = (
    sa.select(r.c.order_item_id)
    .join(i, i.c.order_item_id == r.c.order_item_id)
    .group_by(r.c.order_item_id, i.c.amount_cents)
    .having(sa.func.sum(r.c.amount_cents) > i.c.amount_cents)
)
promo = s.promotions
session = s.live_sessions
product_vendor = (
    sa.select(s.products.c.vendor_id)
    .where(s.products.c.product_id == i.c.product_id)
    .scalar_subquery()
)
order_of_item = sa.select(o.c.vendor_id).where(o.c.order_id == i.c.order_id).scalar_subquery()

# (rule, table, condition of a row that breaks it)
INVARIANTS = [
    (
        "paid = goods − discount + shipping",
        o,
        o.c.paid_cents != o.c.goods_cents - o.c.discount_cents + o.c.shipping_cents,
    ),
    (
        "goods = Σ quantity × unit price",
        o,
        o.c.goods_cents != _items_total(i.c.quantity * i.c.unit_price_cents),
    ),
    (
        "order discount = Σ item discounts",
        o,
        o.c.discount_cents != _items_total(i.c.discount_cents),
    ),
    (
        "item amount = quantity × unit price − discount",
        i,
        i.c.amount_cents != i.c.quantity * i.c.unit_price_cents - i.c.discount_cents,
    ),
    ("item amount > 0", i, i.c.amount_cents <= 0),
    ("platform discount ≤ discount", o, o.c.platform_discount_cents > o.c.discount_cents),
    (
        "platform discount only with a platform promotion",
        o,
        sa.and_(
            o.c.platform_discount_cents > 0,
            ~sa.exists().where(
                promo.c.promotion_id == o.c.promotion_id, promo.c.vendor_id.is_(None)
            ),
        ),
    ),
    ("every order has items", o, ~sa.exists().where(i.c.order_id == o.c.order_id)),
    (
        "paid_at set for paid, shipped, completed",
        o,
        sa.and_(o.c.status.in_(["paid", "shipped", "completed"]), o.c.paid_at.is_(None)),
    ),
    (
        "pending orders are unpaid",
        o,
        sa.and_(o.c.status == "pending_payment", o.c.paid_at.is_not(None)),
    ),
    (
        "completed_at only and always on completed orders",
        o,
        (o.c.status == "completed") != o.c.completed_at.is_not(None),
    ),
    ("paid after created", o, o.c.paid_at < o.c.created_at),
    (
        "payments only for paid orders",
        p,
        sa.exists().where(o.c.order_id == p.c.order_id, o.c.paid_at.is_(None)),
    ),
    (
        "payment not before the order",
        p,
        sa.exists().where(o.c.order_id == p.c.order_id, p.c.paid_at < o.c.created_at),
    ),
    (
        "paid orders have payments",
        o,
        sa.and_(o.c.paid_at.is_not(None), ~sa.exists().where(p.c.order_id == o.c.order_id)),
    ),
    ("refunds of a line ≤ its amount", r, r.c.order_item_id.in_(overrefunded_lines)),
    (
        "refund's order is its line's order",
        r,
        ~sa.exists().where(i.c.order_item_id == r.c.order_item_id, i.c.order_id == r.c.order_id),
    ),
    (
        "completed refunds have completed_at, others not",
        r,
        (r.c.status == "completed") != r.c.completed_at.is_not(None),
    ),
    (
        "refunds only on paid orders, requested after payment",
        r,
        ~sa.exists().where(o.c.order_id == r.c.order_id, o.c.paid_at <= r.c.requested_at),
    ),
    ("refund completed after it was requested", r, r.c.completed_at < r.c.requested_at),
    (
        "coupons.order_id only on used coupons",
        s.coupons,
        sa.and_(s.coupons.c.order_id.is_not(None), s.coupons.c.used_at.is_(None)),
    ),
    (
        "used coupons name their order",
        s.coupons,
        sa.and_(s.coupons.c.used_at.is_not(None), s.coupons.c.order_id.is_(None)),
    ),
    (
        "a used coupon's order carries its promotion",
        s.coupons,
        sa.and_(
            s.coupons.c.order_id.is_not(None),
            ~sa.exists().where(
                o.c.order_id == s.coupons.c.order_id, o.c.promotion_id == s.coupons.c.promotion_id
            ),
        ),
    ),
    (
        "coupons belong to coupon promotions",
        s.coupons,
        ~sa.exists().where(
            promo.c.promotion_id == s.coupons.c.promotion_id, promo.c.kind == "coupon"
        ),
    ),
    ("coupon issued before use", s.coupons, s.coupons.c.issued_at > s.coupons.c.used_at),
    (
        "live orders belong to the session's shop",
        o,
        sa.and_(
            o.c.live_session_id.is_not(None),
            ~sa.exists().where(
                session.c.live_session_id == o.c.live_session_id,
                session.c.vendor_id == o.c.vendor_id,
            ),
        ),
    ),
    (
        "channel live ⇔ a live session",
        o,
        (o.c.channel == "live") != o.c.live_session_id.is_not(None),
    ),
    (
        "live orders created during the session",
        o,
        sa.exists().where(
            session.c.live_session_id == o.c.live_session_id,
            sa.or_(o.c.created_at < session.c.started_at, o.c.created_at > session.c.ended_at),
        ),
    ),
    (
        "promotion orders: the shop's own or a platform promotion",
        o,
        sa.and_(
            o.c.promotion_id.is_not(None),
            ~sa.exists().where(
                promo.c.promotion_id == o.c.promotion_id,
                sa.or_(promo.c.vendor_id.is_(None), promo.c.vendor_id == o.c.vendor_id),
            ),
        ),
    ),
    (
        "promotion used while running and published",
        o,
        sa.and_(
            o.c.promotion_id.is_not(None),
            ~sa.exists().where(
                promo.c.promotion_id == o.c.promotion_id,
                promo.c.status == "published",
                promo.c.starts_at <= o.c.created_at,
                promo.c.ends_at > o.c.created_at,
            ),
        ),
    ),
    (
        "no discount without a promotion",
        o,
        sa.and_(o.c.promotion_id.is_(None), o.c.discount_cents > 0),
    ),
    ("items' products belong to the order's shop", i, product_vendor != order_of_item),
    ("promotion starts before it ends", promo, promo.c.starts_at >= promo.c.ends_at),
    ("live session starts before it ends", session, session.c.started_at >= session.c.ended_at),
    (
        "buyer registered before ordering",
        o,
        sa.exists().where(
            s.members.c.member_id == o.c.member_id, s.members.c.registered_at > o.c.created_at
        ),
    ),
    (
        "orders only at active-then shops after they joined",
        o,
        sa.exists().where(
            s.vendors.c.vendor_id == o.c.vendor_id, s.vendors.c.joined_at > o.c.created_at
        ),
    ),
    (
        "review note on rejected and needs-info applications",
        s.supplier_applications,
        sa.and_(
            s.supplier_applications.c.status.in_(["rejected", "needs_info"]),
            s.supplier_applications.c.review_note.is_(None),
        ),
    ),
    (
        "approved applications name their shop, and it names them",
        s.supplier_applications,
        sa.and_(
            s.supplier_applications.c.status == "approved",
            ~sa.exists().where(
                s.vendors.c.vendor_id == s.supplier_applications.c.vendor_id,
                s.vendors.c.application_id == s.supplier_applications.c.application_id,
            ),
        ),
    ),
    (
        "only approved applications have a shop",
        s.supplier_applications,
        sa.and_(
            s.supplier_applications.c.status != "approved",
            s.supplier_applications.c.vendor_id.is_not(None),
        ),
    ),
    (
        "note views after the note was posted",
        s.note_views,
        sa.exists().where(
            s.notes.c.note_id == s.note_views.c.note_id,
            s.notes.c.posted_at > s.note_views.c.viewed_at,
        ),
    ),
    (
        "settlement net adds up",
        s.settlements,
        s.settlements.c.net_cents
        != (
            s.settlements.c.gross_cents
            + s.settlements.c.platform_subsidy_cents
            - s.settlements.c.commission_cents
            - s.settlements.c.payment_fee_cents
            - s.settlements.c.refund_cents
            + s.settlements.c.commission_refund_cents
            + s.settlements.c.adjustment_cents
        ),
    ),
    (
        "confirmed and paid statements have confirmed_at",
        s.settlements,
        sa.and_(
            s.settlements.c.status.in_(["confirmed", "paid"]),
            s.settlements.c.confirmed_at.is_(None),
        ),
    ),
    (
        "paid statements have paid_at and a reference",
        s.settlements,
        sa.and_(
            s.settlements.c.status == "paid",
            sa.or_(s.settlements.c.paid_at.is_(None), s.settlements.c.payment_reference.is_(None)),
        ),
    ),
]


@pytest.mark.parametrize("rule, table, broken", INVARIANTS, ids=[x[0] for x in INVARIANTS])
def test_invariant(tiny_demo, rule, table, broken):
    with tiny_demo.connect() as conn:
        assert _count(conn, table, broken) == 0, rule


def test_only_the_planted_anomalies_break_reconciliation(tiny_demo):
    with tiny_demo.connect() as conn:
        mismatched = conn.execute(
            sa.select(o.c.order_no).where(o.c.paid_at.is_not(None), paid_sum != o.c.paid_cents)
        ).scalars()
        assert len(list(mismatched)) == 2  # payments_short and payments_doubled
        refunded_in_full = (
            sa.select(sa.func.coalesce(sa.func.sum(r.c.amount_cents), 0))
            .where(r.c.order_id == o.c.order_id, r.c.status == "completed")
            .scalar_subquery()
        )
        cancelled_paid = conn.execute(
            sa.select(o.c.order_no, refunded_in_full, _items_total(i.c.amount_cents)).where(
                o.c.status == "cancelled", o.c.paid_at.is_not(None)
            )
        ).all()
        unrefunded = [row for row in cancelled_paid if row[1] == 0]
        assert len(unrefunded) == 2  # cancelled_paid_no_refund and …_refund_pending
        assert len(cancelled_paid) > len(unrefunded)  # the others: refunded in full
        assert all(row[1] == row[2] for row in cancelled_paid if row[1])


def test_licences_are_valid_but_the_planted_two(tiny_demo):
    a = s.supplier_applications
    with tiny_demo.connect() as conn:
        rows = conn.execute(sa.select(a.c.business_license_no, a.c.status)).all()
        names = conn.execute(
            sa.select(a.c.company_name).group_by(a.c.company_name).having(sa.func.count() > 1)
        ).all()
    assert all(len(no) == 18 for no, _ in rows)
    invalid = [status for no, status in rows if not uscc.is_valid(no)]
    assert invalid == ["pending", "pending"]
    assert len(names) == 1  # one company applies a second time


def test_statements_equal_a_recomputation(tiny_demo):
    tz = sa.bindparam("tz", "Asia/Shanghai")
    st = s.settlements
    half_up = lambda a, b: (2 * a * b + 10000) // 20000  # noqa: E731 - integer SQL division
    with tiny_demo.connect() as conn:
        rows = conn.execute(sa.select(st)).mappings().all()
        month = local_month(o.c.paid_at, tz)
        paid = o.c.paid_at.is_not(None)
        figures = {}
        for key, query in (
            ("gross_cents", sa.select(o.c.vendor_id, month, sa.func.sum(o.c.paid_cents))),
            (
                "platform_subsidy_cents",
                sa.select(o.c.vendor_id, month, sa.func.sum(o.c.platform_discount_cents)),
            ),
            (
                "commission_cents",
                sa.select(
                    o.c.vendor_id,
                    month,
                    sa.func.sum(
                        half_up(sa.cast(i.c.amount_cents, sa.BigInteger), i.c.commission_bps)
                    ),
                ).join_from(o, i, i.c.order_id == o.c.order_id),
            ),
            (
                "payment_fee_cents",
                sa.select(o.c.vendor_id, month, sa.func.sum(p.c.fee_cents)).join_from(
                    o, p, p.c.order_id == o.c.order_id
                ),
            ),
        ):
            query = query.where(paid).group_by(o.c.vendor_id, month)
            figures[key] = {(v, str(m)): int(x) for v, m, x in conn.execute(query)}
        done = local_month(r.c.completed_at, tz)
        refunds = conn.execute(
            sa.select(
                o.c.vendor_id,
                done,
                sa.func.sum(r.c.amount_cents),
                sa.func.sum(half_up(sa.cast(r.c.amount_cents, sa.BigInteger), i.c.commission_bps)),
            )
            .join_from(r, o, o.c.order_id == r.c.order_id)
            .join(i, i.c.order_item_id == r.c.order_item_id)
            .where(r.c.status == "completed")
            .group_by(o.c.vendor_id, done)
        ).all()
        figures["refund_cents"] = {(v, str(m)): int(a) for v, m, a, _ in refunds}
        figures["commission_refund_cents"] = {(v, str(m)): int(c) for v, m, _, c in refunds}
    assert len(rows) > 50
    for row in rows:
        at = (row["vendor_id"], str(row["period_start"]))
        for key, values in figures.items():
            assert row[key] == values.get(at, 0), (key, at)
        assert row["adjustment_cents"] == 0
    statuses = {row["status"] for row in rows}
    assert statuses == {"draft", "confirmed", "paid"}


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def test_statements_cover_complete_months_of_active_shops(tiny_demo):
    st = s.settlements
    this_month = datetime.now(SHANGHAI).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    with tiny_demo.connect() as conn:
        rows = conn.execute(
            sa.select(st.c.vendor_id, st.c.period_start, st.c.period_end, st.c.status)
        ).all()
        inactive = set(
            conn.execute(
                sa.select(s.vendors.c.vendor_id).where(s.vendors.c.status != "active")
            ).scalars()
        )
    assert max(_as_date(row.period_end) for row in rows) == this_month
    for vendor_id, start, end, status in rows:
        start, end = _as_date(start), _as_date(end)
        assert vendor_id not in inactive
        assert start.day == 1 and end.day == 1 and 28 <= (end - start).days <= 31
        expected = "draft" if end == this_month else "confirmed" if end == last_month else "paid"
        assert status == expected, (vendor_id, start)


def test_the_console_gets_fresh_keys_after_the_demo(tiny_demo):
    # the generator wrote explicit ids; a later insert by the console must not collide
    with tiny_demo.connect() as conn, conn.begin() as transaction:
        new_id = conn.execute(
            s.categories.insert().values(name="测试", name_en="Test", commission_bps=500)
        ).inserted_primary_key[0]
        largest = conn.execute(sa.select(sa.func.max(s.orders.c.order_id))).scalar_one()
        audit_id = conn.execute(
            s.audit_log.insert().values(
                at=datetime.now(UTC),
                actor="t",
                role="operator",
                action="x",
                entity="x",
                entity_id="1",
            )
        ).inserted_primary_key[0]
        transaction.rollback()
    assert new_id == 23  # 22 demo categories
    assert largest > 4_000 and audit_id > 1_000  # after the demo's audit rows


def test_story(tiny_demo):
    """The realism claims the pages rely on, each checked cheaply."""
    now = datetime.now(UTC)
    with tiny_demo.connect() as conn:
        shops = demo_shops(conn)
        assert _count(conn, o, o.c.created_at >= now - timedelta(days=7)) > 20
        assert _count(conn, o, o.c.status == "pending_payment") >= 1
        assert _count(conn, o, o.c.vendor_id == shops["empty"]) == 0
        assert _count(conn, o, o.c.vendor_id == shops["small"], o.c.paid_at.is_not(None)) >= 5
        campaigns = set(
            conn.execute(sa.select(promo.c.campaign).where(promo.c.vendor_id.is_(None))).scalars()
        )
        assert campaigns == {"618", "double11"}
        assert _count(conn, o, o.c.platform_discount_cents > 0) > 10
        kinds = set(conn.execute(sa.select(promo.c.kind).distinct()).scalars())
        assert kinds == set(s.PROMOTION_KINDS)
        a = s.supplier_applications
        statuses = set(conn.execute(sa.select(a.c.status)).scalars())
        assert statuses == set(s.APPLICATION_STATUSES)
        waiting = list(conn.execute(sa.select(a.c.submitted_at).where(a.c.status == "pending")))
        overdue = [row for row in waiting if row[0] < now - timedelta(days=3)]
        assert 0 < len(overdue) < len(waiting)  # some past the 3-day deadline, some not
        assert all(row[0] > now - timedelta(days=8) for row in waiting)
        tz = sa.bindparam("tz", "Asia/Shanghai")
        later = (
            sa.select(sa.func.count())
            .select_from(r.join(o, o.c.order_id == r.c.order_id))
            .where(
                r.c.status == "completed",
                local_month(r.c.completed_at, tz) > local_month(o.c.paid_at, tz),
            )
        )
        assert conn.execute(later).scalar_one() > 5
        assert _count(conn, r, r.c.status.in_(["requested", "approved"])) > 0
        partial = sa.exists().where(
            i.c.order_item_id == r.c.order_item_id, i.c.amount_cents > r.c.amount_cents
        )
        assert _count(conn, r, partial) > 0
        assert _count(conn, r, ~partial) > 0
        assert _count(conn, s.coupons, s.coupons.c.order_id.is_not(None)) > 10
        assert _count(conn, s.coupons, s.coupons.c.order_id.is_(None)) > 10
        assert _count(conn, o, o.c.live_session_id.is_not(None)) > 100
        two = sa.select(p.c.order_id).group_by(p.c.order_id).having(sa.func.count() > 1)
        assert len(conn.execute(two).all()) > 50
        snapshot_differs = sa.exists().where(
            s.categories.c.category_id == s.products.c.category_id,
            s.categories.c.commission_bps != i.c.commission_bps,
        )
        assert (
            _count(
                conn,
                i.join(s.products, s.products.c.product_id == i.c.product_id),
                snapshot_differs,
            )
            > 100
        )
        vendor_status = set(conn.execute(sa.select(s.vendors.c.status)).scalars())
        assert vendor_status == set(s.VENDOR_STATUSES)
        assert _count(conn, s.settlements) > 0
        # a buyer read a note mentioning the product within the week before buying
        viewed = sa.exists().where(
            s.note_views.c.member_id == o.c.member_id,
            s.note_products.c.note_id == s.note_views.c.note_id,
            s.note_products.c.product_id == i.c.product_id,
            s.note_views.c.viewed_at < o.c.created_at,
        )
        bought = i.join(o, o.c.order_id == i.c.order_id)
        assert _count(conn, bought, viewed) > 500


def test_members_and_buyers_tell_a_story(tiny_demo):
    m = s.members
    with tiny_demo.connect() as conn:
        young = _count(conn, m, m.c.birth_year >= 1995) / _count(conn, m)
        assert young > 0.45
        ordered = list(conn.execute(sa.select(m.c.city_tier).order_by(m.c.registered_at)).scalars())
        third = len(ordered) // 3
        small_towns = [
            sum(t >= 3 for t in part) / len(part) for part in (ordered[:third], ordered[-third:])
        ]
        assert small_towns[1] > small_towns[0] + 0.1  # tiers 3–4 grow
        returning = (
            sa.select(o.c.member_id, o.c.vendor_id)
            .where(o.c.paid_at.is_not(None))
            .group_by(o.c.member_id, o.c.vendor_id)
            .having(sa.func.count() > 1)
        )
        assert len(conn.execute(returning).all()) > 300


def test_biggest_shop_dominates(tiny_demo):
    with tiny_demo.connect() as conn:
        shops = demo_shops(conn)
        gmv = dict(
            conn.execute(
                sa.select(o.c.vendor_id, sa.func.sum(o.c.paid_cents))
                .where(o.c.paid_at.is_not(None))
                .group_by(o.c.vendor_id)
            ).all()
        )
    ranked = sorted((int(x) for x in gmv.values()), reverse=True)
    assert int(gmv[shops["big"]]) == ranked[0]
    assert sum(ranked[:3]) > sum(ranked) * 0.4  # a long tail behind a few flagships
    assert int(gmv[shops["small"]]) < ranked[0] / 10


@pytest.fixture(scope="module")
def twin_malls(tmp_path_factory):
    engines = []
    for n in range(2):
        engine = connect_engine(
            f"sqlite:///{tmp_path_factory.mktemp('twin')}/m{n}.sqlite", check=False
        )
        create_schema(engine)
        engines.append((engine, generate(engine, scale="tiny", seed=11, as_of=AS_OF)))
    yield engines
    for engine, _ in engines:
        engine.dispose()


def test_same_seed_and_as_of_give_the_same_mall(twin_malls):
    (first, summary), (second, again) = twin_malls
    assert snapshot(first) == snapshot(second)
    assert summary.counts == again.counts
    assert (summary.biggest_vendor_id, summary.small_vendor_id, summary.empty_vendor_id) == (
        again.biggest_vendor_id,
        again.small_vendor_id,
        again.empty_vendor_id,
    )
    with first.connect() as conn:
        shops = demo_shops(conn)
        latest = conn.execute(sa.select(sa.func.max(o.c.created_at))).scalar_one()
    assert shops == {
        "big": summary.biggest_vendor_id,
        "small": summary.small_vendor_id,
        "empty": summary.empty_vendor_id,
    }
    assert latest.replace(tzinfo=UTC) <= AS_OF
    assert 4_500 <= summary.counts["orders"] <= 5_100
    assert summary.counts["order_items"] >= 2.4 * summary.counts["orders"]
    assert [kind for kind, _ in summary.planted] == [
        "cancelled_paid_no_refund",
        "cancelled_paid_refund_pending",
        "payments_short",
        "payments_doubled",
    ]


def test_another_seed_gives_another_mall():
    # the shops alone differ already; no need to load a third mall
    first, _ = _world("tiny", 11, AS_OF)
    other, _ = _world("tiny", 12, AS_OF)
    assert first.vendor_name != other.vendor_name
    assert not (first.member_registered == other.member_registered).all()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


def test_cli_refuses_a_mall_with_data_unless_replace(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    engine = connect_engine(url, check=False)
    create_schema(engine)
    with engine.begin() as conn:
        MallBuilder(conn).member()
    before = snapshot(engine)
    refused = _cli("--scale", "tiny", "--db", url)
    assert refused.returncode == 2
    assert "--replace" in refused.stderr and "Traceback" not in refused.stderr
    assert snapshot(engine) == before
    replaced = _cli("--scale", "tiny", "--db", url, "--seed", "3", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "orders" in replaced.stderr
    with engine.connect() as conn:
        assert 4_500 <= _count(conn, o) <= 5_100
        assert _count(conn, s.members) == 1_500  # the hand-made member is gone
    engine.dispose()


def test_cli_unreachable_database():
    result = _cli("--scale", "tiny", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "Cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["postgresql://", "postgresql://nobody@127.0.0.1:1/", "sqlite://"])
def test_cli_refuses_a_url_without_a_database(url):
    """Refused before connecting (the host is unreachable: trying would exit 1), nothing made."""
    result = _cli("--scale", "tiny", "--db", url)
    assert result.returncode == 2, result.stderr
    assert "names no database" in result.stderr
    assert "Traceback" not in result.stderr
