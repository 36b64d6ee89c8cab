"""Merchant management: the merchants list's figures by hand, and shop status changes.

"Now" is 2026-11-20 12:00 Shanghai, so the last 30 days are the local days
2026-10-21 … 2026-11-19 (the contract's "last 30 days" end at today's start).
"""

from __future__ import annotations

import pandas as pd
import pytest

from queries.core.actors import Actor
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.core.invalidation import subscribe
from queries.core.schema import audit_log, supplier_applications
from queries.merchants.vendors import merchant_list, set_vendor_status
from tests.builders import Item, MallBuilder, local, snapshot
from tests.conftest import BACKENDS

NOW = local("2026-11-20 12:00:00")
TZ = "Asia/Shanghai"
OPS = Actor("ops1", "operator")


@pytest.fixture(scope="module", params=BACKENDS)
def shops(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        beauty = b.category("美妆", "Beauty")
        lipstick = b.category("口红", "Lipstick", parent_id=beauty)
        clothing = b.category("服饰", "Clothing")
        alpha = b.vendor("Alpha", joined_at=local("2026-01-01 09:00:00"))
        # Two lipsticks (→ Beauty) against one shirt: main category Beauty.
        lip1, _ = b.product(alpha, lipstick), b.product(alpha, lipstick)
        b.product(alpha, clothing)
        buyer = b.member()
        inside = b.order(alpha, buyer, [Item(lip1, 1, 10000)], paid_at=local("2026-11-10 10:00:00"))
        b.order(alpha, buyer, [Item(lip1, 1, 3000)], paid_at=local("2026-10-21 00:00:00"))
        b.order(alpha, buyer, [Item(lip1, 1, 5000)], paid_at=local("2026-10-20 23:59:59"))
        b.order(alpha, buyer, [Item(lip1, 1, 7000)], paid_at=local("2026-11-20 08:00:00"))
        b.order(alpha, buyer, [Item(lip1, 1, 9000)], paid_at=None)
        b.refund(inside, 0, 2600, completed_at=local("2026-11-12 10:00:00"))
        b.refund(inside, 0, 1000, status="requested", requested_at=local("2026-11-13 10:00:00"))
        b.refund(inside, 0, 500, completed_at=local("2026-11-20 09:00:00"))  # today: outside
        # Beta: no products; its application applied for Lipstick → Beauty.
        app = b.application("Beta 公司", category_id=lipstick, status="approved")
        beta = b.vendor("Beta", status="suspended", application_id=app)
        conn.execute(
            supplier_applications.update()
            .where(supplier_applications.c.application_id == app)
            .values(vendor_id=beta)
        )
        # Gamma: one lipstick, one shirt: a tie goes to the lower category id (Beauty).
        gamma = b.vendor("Gamma", status="closed")
        b.product(gamma, lipstick)
        b.product(gamma, clothing)
        # Delta: nothing at all.
        delta = b.vendor("Delta 旗舰店")
        # Epsilon: three shirts → Clothing.
        epsilon = b.vendor("Epsilon")
        for _ in range(3):
            b.product(epsilon, clothing)
    return engine, {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta, "eps": epsilon}


def _list(engine, **kw):
    with engine.connect() as conn:
        return merchant_list(conn, now=NOW, tz=TZ, **kw)


def test_every_shop_with_its_last_30_days(shops):
    engine, ids = shops
    frame = _list(engine).set_index("vendor_id")
    assert list(frame.index) == [ids[k] for k in ("alpha", "beta", "gamma", "delta", "eps")]
    alpha = frame.loc[ids["alpha"]]
    # Paid in [10-21, 11-20): 11-10 ¥100.00 and 10-21 00:00 ¥30.00 → ¥130.00, 2 orders.
    assert (alpha["gmv_cents"], alpha["paid_orders"]) == (13000, 2)
    # Completed refunds in range: ¥26.00 (the requested one and today's do not count).
    assert alpha["refunded_cents"] == 2600
    assert alpha["refund_rate"] == pytest.approx(0.2)  # 2600 / 13000
    assert (alpha["main_category_name_en"], alpha["products"]) == ("Beauty", 3)
    assert alpha["joined_at"] == local("2026-01-01 09:00:00")
    assert frame.loc[ids["beta"], "main_category_name"] == "美妆"
    assert frame.loc[ids["gamma"], "main_category_name_en"] == "Beauty"
    assert frame.loc[ids["eps"], "main_category_name_en"] == "Clothing"
    assert pd.isna(frame.loc[ids["delta"], "main_category_name"])  # no products, no application
    for key in ("beta", "gamma", "delta", "eps"):
        row = frame.loc[ids[key]]
        assert (row["gmv_cents"], row["paid_orders"], row["refunded_cents"]) == (0, 0, 0)
        assert row["refund_rate"] is None
    assert list(frame["status"]) == ["active", "suspended", "closed", "active", "active"]


def test_filters_and_search(shops):
    engine, ids = shops
    assert list(_list(engine, statuses=("suspended", "closed"))["vendor_id"]) == [
        ids["beta"],
        ids["gamma"],
    ]
    assert list(_list(engine, search="alp")["vendor_id"]) == [ids["alpha"]]
    assert list(_list(engine, search=f"#{ids['gamma']}")["vendor_id"]) == [ids["gamma"]]
    assert list(_list(engine, search="旗舰")["vendor_id"]) == [ids["delta"]]
    assert _list(engine, search="%").empty


# --- status changes -------------------------------------------------------------------------


@pytest.fixture
def shop(empty_db):
    with empty_db.begin() as conn:
        vendor_id = MallBuilder(conn).vendor("Alpha")
    return empty_db, vendor_id


def _status(engine, vendor_id):
    from queries.merchants.names import vendor_status

    with engine.connect() as conn:
        return vendor_status(conn, vendor_id=vendor_id)


def _audit(engine):
    import sqlalchemy as sa

    with engine.connect() as conn:
        return [
            r._asdict() for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.audit_id))
        ]


def test_suspend_reactivate_close_with_reasons(shop):
    engine, vendor_id = shop
    heard = []
    subscribe(heard.append)
    set_vendor_status(
        engine, OPS, vendor_id, status="suspended", seen_status="active", reason=" 售假 "
    )
    assert _status(engine, vendor_id) == "suspended"
    set_vendor_status(
        engine, OPS, vendor_id, status="active", seen_status="suspended", reason="整改完成"
    )
    set_vendor_status(
        engine, OPS, vendor_id, status="suspended", seen_status="active", reason="再犯"
    )
    set_vendor_status(
        engine, OPS, vendor_id, status="closed", seen_status="suspended", reason="清退"
    )
    assert _status(engine, vendor_id) == "closed"
    rows = _audit(engine)
    assert [r["action"] for r in rows] == [
        "vendor.suspend",
        "vendor.reactivate",
        "vendor.suspend",
        "vendor.close",
    ]
    assert [r["reason"] for r in rows] == ["售假", "整改完成", "再犯", "清退"]
    assert {(r["entity"], r["entity_id"], r["vendor_id"]) for r in rows} == {
        ("vendor", str(vendor_id), vendor_id)
    }
    assert ("vendors", "audit") in heard


def test_close_from_active_and_closed_is_final(shop):
    engine, vendor_id = shop
    set_vendor_status(
        engine, OPS, vendor_id, status="closed", seen_status="active", reason="自愿关店"
    )
    before = snapshot(engine)
    for target in ("active", "suspended", "closed"):
        with pytest.raises(Invalid) as caught:
            set_vendor_status(
                engine, OPS, vendor_id, status=target, seen_status="closed", reason="x"
            )
        assert "cannot be reopened" in caught.value.message("en")
    assert snapshot(engine) == before


def test_refused_changes_leave_the_database_alone(shop):
    engine, vendor_id = shop
    before = snapshot(engine)
    with pytest.raises(Invalid):
        set_vendor_status(
            engine, OPS, vendor_id, status="suspended", seen_status="active", reason=" "
        )
    with pytest.raises(Invalid):  # active → active is not a change
        set_vendor_status(engine, OPS, vendor_id, status="active", seen_status="active", reason="x")
    with pytest.raises(Invalid):
        set_vendor_status(engine, OPS, vendor_id, status="banned", seen_status="active", reason="x")
    with pytest.raises(NotFound):
        set_vendor_status(
            engine, OPS, vendor_id + 9, status="suspended", seen_status="active", reason="x"
        )
    for actor in (Actor("shop", "vendor", vendor_id=vendor_id), Actor("money", "finance")):
        with pytest.raises(Forbidden):
            set_vendor_status(
                engine, actor, vendor_id, status="suspended", seen_status="active", reason="x"
            )
    assert snapshot(engine) == before


def test_stale_status_is_a_conflict_naming_who(shop):
    engine, vendor_id = shop
    set_vendor_status(
        engine, OPS, vendor_id, status="suspended", seen_status="active", reason="售假", now=NOW
    )
    before = snapshot(engine)
    with pytest.raises(Conflict) as caught:  # a second operator still saw "active"
        set_vendor_status(
            engine,
            Actor("ops2", "operator"),
            vendor_id,
            status="closed",
            seen_status="active",
            reason="x",
        )
    assert snapshot(engine) == before
    assert (
        caught.value.message("en")
        == "ops1 changed this shop at 2026-11-20 12:00; it is now suspended"
    )
    assert caught.value.details["status"] == "suspended"


def test_the_list_is_one_statement_whatever_the_number_of_shops(shops):
    engine, _ = shops
    import sqlalchemy as sa

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        # The row scope every PostgreSQL transaction starts with (queries/core/rls.py) is
        # no read of the list.
        if not statement.startswith("SELECT set_config('mallboard.scope'"):
            statements.append(statement)

    with engine.connect() as conn:
        sa.event.listen(conn, "before_cursor_execute", count)
        merchant_list(conn, now=NOW, tz=TZ)
        sa.event.remove(conn, "before_cursor_execute", count)
    assert len(statements) == 1
    assert "GROUP BY" in statements[0]
