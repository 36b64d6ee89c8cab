"""Product edits on both backends: rules, optimistic locking, audit, refusals change nothing."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from queries.catalog.product_edits import bulk_update_products, update_product
from queries.catalog.products import ProductChange, list_products, preview_price_change
from queries.core import schema as s
from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.builders import MallBuilder, snapshot

OPERATOR = Actor("ops", "operator")
FINANCE = Actor("fin", "finance")


@pytest.fixture
def mall(empty_db):
    """Two shops: A has products a1 (¥100.00, stock 10), a2 (¥19.99, stock 0); B has b1."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        other = b.category("服饰", "Apparel")
        va, vb = b.vendor("A"), b.vendor("B")
        ids = {
            "a1": b.product(va, cat, "Lipstick red", price_cents=10000, stock=10),
            "a2": b.product(va, other, "Cotton tee", price_cents=1999, stock=0),
            "b1": b.product(vb, cat, "B lipstick", price_cents=5000, stock=3),
        }
    vendor_a = Actor("alice", "vendor", va)
    vendor_b = Actor("bob", "vendor", vb)
    yield empty_db, ids, vendor_a, vendor_b
    empty_db.dispose()  # give the pooled connections back before the next test


def _row(engine, product_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(s.products).where(s.products.c.product_id == product_id)
        ).one()


def _audit(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.audit_log).order_by(s.audit_log.c.audit_id)).all()


def test_vendor_changes_price_and_stock(mall):
    engine, ids, alice, _ = mall
    version = update_product(
        engine, alice, ids["a1"], expected_version=1, price_cents=1999, stock=5
    )
    assert version == 2
    row = _row(engine, ids["a1"])
    assert (row.price_cents, row.stock, row.version) == (1999, 5, 2)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.vendor_id) == (
        "product.update",
        "alice",
        "vendor",
        row.vendor_id,
    )
    assert json.loads(entry.before) == {"price_cents": 10000, "stock": 10}
    assert json.loads(entry.after) == {"price_cents": 1999, "stock": 5}


def test_double_submit_saves_once(mall):
    engine, ids, alice, _ = mall
    update_product(engine, alice, ids["a1"], expected_version=1, price_cents=2500)
    # The same click again (still carrying version 1): already as wanted, nothing written.
    assert update_product(engine, alice, ids["a1"], expected_version=1, price_cents=2500) == 2
    assert _row(engine, ids["a1"]).version == 2
    assert len(_audit(engine)) == 1


def test_stale_version_conflicts_with_current_values(mall):
    engine, ids, alice, _ = mall
    update_product(engine, alice, ids["a1"], expected_version=1, price_cents=2500)
    before = snapshot(engine)
    with pytest.raises(Conflict) as info:
        update_product(engine, alice, ids["a1"], expected_version=1, price_cents=3000)
    assert info.value.details[ids["a1"]] == {
        "product_id": ids["a1"],
        "price_cents": 2500,
        "stock": 10,
        "status": "on_sale",
        "version": 2,
    }
    assert "25.00" in info.value.en and "25.00" in info.value.zh
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("who", "kwargs", "error"),
    [
        ("alice", {"price_cents": 0}, Invalid),
        ("alice", {"price_cents": -1}, Invalid),
        ("alice", {"price_cents": 10**12}, Invalid),
        ("alice", {"stock": -1}, Invalid),
        ("alice", {"status": "banned"}, Forbidden),
        ("alice", {"status": "deleted"}, Invalid),
        ("ops", {"price_cents": 100}, Forbidden),
        ("ops", {"stock": 1}, Forbidden),
        ("ops", {"status": "banned"}, Invalid),  # no reason
        ("ops", {"status": "off_shelf"}, Forbidden),  # not banned: operators don't shelve
        ("fin", {"status": "off_shelf"}, Forbidden),
        ("bob", {"price_cents": 100}, NotFound),  # another shop's product
    ],
)
def test_refused_edits_change_nothing(mall, who, kwargs, error):
    engine, ids, alice, bob = mall
    actor = {"alice": alice, "bob": bob, "ops": OPERATOR, "fin": FINANCE}[who]
    before = snapshot(engine)
    with pytest.raises(error) as info:
        update_product(engine, actor, ids["a1"], expected_version=1, **kwargs)
    assert info.value.zh and info.value.en and info.value.zh != info.value.en
    assert snapshot(engine) == before


def test_missing_product_is_not_found(mall):
    engine, _, alice, _ = mall
    with pytest.raises(NotFound):
        update_product(engine, alice, 999_999, expected_version=1, stock=1)
    with pytest.raises(NotFound):
        update_product(engine, OPERATOR, 999_999, expected_version=1, status="banned", reason="x")


def test_ban_and_lift(mall):
    engine, ids, alice, _ = mall
    update_product(
        engine, OPERATOR, ids["a1"], expected_version=1, status="banned", reason="假冒品牌"
    )
    row = _row(engine, ids["a1"])
    assert (row.status, row.version) == ("banned", 2)
    # The vendor sees the ban and its reason, and cannot put it back on sale.
    with engine.connect() as conn:
        frame, total = list_products(conn, scope=Scope(row.vendor_id), statuses=["banned"])
    assert total == 1 and frame.loc[0, "ban_reason"] == "假冒品牌"
    before = snapshot(engine)
    with pytest.raises(Forbidden) as info:
        update_product(engine, alice, ids["a1"], expected_version=2, status="on_sale")
    assert "假冒品牌" in info.value.zh and "假冒品牌" in info.value.en
    with pytest.raises(Forbidden):
        update_product(engine, alice, ids["a1"], expected_version=2, status="off_shelf")
    assert snapshot(engine) == before
    # A vendor may still fix the price of a banned product.
    update_product(engine, alice, ids["a1"], expected_version=2, price_cents=9900)
    # A second click on "ban" (stale version, already banned) saves nothing.
    assert (
        update_product(
            engine, OPERATOR, ids["a1"], expected_version=1, status="banned", reason="假冒品牌"
        )
        == 3
    )
    # Lifting the ban leaves it off shelf.
    update_product(engine, OPERATOR, ids["a1"], expected_version=3, status="off_shelf")
    assert _row(engine, ids["a1"]).status == "off_shelf"
    actions = [(e.action, e.reason) for e in _audit(engine)]
    assert actions == [
        ("product.ban", "假冒品牌"),
        ("product.update", None),
        ("product.unban", None),
    ]


def test_bulk_all_or_nothing(mall):
    engine, ids, alice, _ = mall
    before = snapshot(engine)
    changes = [
        ProductChange(ids["a1"], 1, price_cents=8000),
        ProductChange(ids["a2"], 1, stock=-5),
    ]
    with pytest.raises(Invalid) as info:
        bulk_update_products(engine, alice, changes)
    assert set(info.value.details) == {ids["a2"]}
    assert snapshot(engine) == before

    # Another shop's id in the batch: not found, nothing written.
    with pytest.raises(NotFound) as info:
        bulk_update_products(
            engine, alice, [changes[0], ProductChange(ids["b1"], 1, price_cents=1)]
        )
    assert set(info.value.details) == {ids["b1"]}
    assert snapshot(engine) == before

    changes = [
        ProductChange(ids["a1"], 1, price_cents=8000),
        ProductChange(ids["a2"], 1, stock=7, status="off_shelf"),
    ]
    assert bulk_update_products(engine, alice, changes) == 2
    assert _row(engine, ids["a1"]).price_cents == 8000
    assert (_row(engine, ids["a2"]).stock, _row(engine, ids["a2"]).status) == (7, "off_shelf")
    assert [e.action for e in _audit(engine)] == ["product.bulk_update"] * 2


def test_bulk_stale_rows_conflict(mall):
    engine, ids, alice, _ = mall
    update_product(engine, alice, ids["a2"], expected_version=1, stock=4)
    before = snapshot(engine)
    with pytest.raises(Conflict) as info:
        bulk_update_products(
            engine,
            alice,
            [ProductChange(ids["a1"], 1, stock=1), ProductChange(ids["a2"], 1, stock=9)],
        )
    assert info.value.details == {
        ids["a2"]: {
            "product_id": ids["a2"],
            "price_cents": 1999,
            "stock": 4,
            "status": "on_sale",
            "version": 2,
        }
    }
    assert snapshot(engine) == before


def test_bulk_duplicate_rows_refused(mall):
    engine, ids, alice, _ = mall
    with pytest.raises(Invalid):
        bulk_update_products(
            engine,
            alice,
            [ProductChange(ids["a1"], 1, stock=1), ProductChange(ids["a1"], 1, stock=2)],
        )


def test_list_products_pages_filters_and_scopes(mall):
    engine, ids, alice, _ = mall
    with engine.connect() as conn:
        frame, total = list_products(conn, scope=Scope(alice.vendor_id), sort="price_asc")
        assert total == 2 and frame["product_id"].tolist() == [ids["a2"], ids["a1"]]
        frame, total = list_products(conn, scope=Scope.mall(), search="LIPSTICK", sort="id")
        assert total == 2 and frame["product_id"].tolist() == [ids["a1"], ids["b1"]]
        frame, total = list_products(conn, scope=Scope.mall(), low_stock_below=5, sort="id")
        assert frame["product_id"].tolist() == [ids["a2"], ids["b1"]]
        frame, total = list_products(conn, scope=Scope.mall(), sort="id", page=2, page_size=2)
        assert total == 3 and frame["product_id"].tolist() == [ids["b1"]]
        # A search for "%" matches only names that contain it (none here), not everything.
        assert list_products(conn, scope=Scope.mall(), search="%")[1] == 0
        assert list_products(conn, scope=Scope.mall(), search=str(ids["b1"]))[1] >= 1


def test_preview_price_change_rounds_half_up():
    import pandas as pd

    rows = pd.DataFrame({"product_id": [1, 2, 3, 4], "price_cents": [1999, 5, 1, 100]})
    # +10 %: 1999 × 1.1 = 2198.9 → 2199; 5 × 1.1 = 5.5 → 6; 1 × 1.1 = 1.1 → 1; 100 → 110.
    up = preview_price_change(rows, change_bps=1000)
    assert up["new_price_cents"].tolist() == [2199, 6, 1, 110]
    # -2.5 %: 1999 × 0.975 = 1949.025 → 1949; 5 × 0.975 = 4.875 → 5; 1 → 0.975 → 1; 100 → 97.5 → 98.
    down = preview_price_change(rows, change_bps=-250)
    assert down["new_price_cents"].tolist() == [1949, 5, 1, 98]
    # -90 %: 1 fen × 0.1 = 0.1 → 0: refused for that row only; 5 × 0.1 = 0.5 → 1 (half up).
    # 1999 × 0.1 = 199.9 → 200; 100 → 10.
    tenth = preview_price_change(rows, change_bps=-9000)
    assert tenth["new_price_cents"].fillna(-1).tolist() == [200, 1, -1, 10]
    assert tenth["problem_en"].notna().tolist() == [False, False, True, False]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_connections_race_on_one_product(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        vendor = b.vendor()
        product = b.product(vendor, b.category(), price_cents=1000)
    actor = Actor("alice", "vendor", vendor)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def save(price: int) -> None:
        barrier.wait()
        try:
            outcomes.append(
                update_product(empty_db, actor, product, expected_version=1, price_cents=price)
            )
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=save, args=(p,)) for p in (2000, 3000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [o for o in outcomes if o == 2]
    losses = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(wins) == 1 and len(losses) == 1
    row = _row(empty_db, product)
    assert row.version == 2
    # The loser is told the winner's price, which is what the row now holds.
    assert losses[0].details[product]["price_cents"] == row.price_cents
    assert len(_audit(empty_db)) == 1
