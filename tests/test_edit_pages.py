"""The edit pages in AppTest, as a vendor and as an operator: forms save, refusals explain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.core import schema as s
from tests.apptest import AppSession, texts
from tests.builders import MallBuilder

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def mall(empty_db, tmp_path):
    """Shop A with two products and a running promotion; shop B with one product."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        va, vb = b.vendor("Alpha"), b.vendor("Beta")
        ids = {
            "a1": b.product(va, cat, "Lipstick", price_cents=10000, stock=10),
            "a2": b.product(va, cat, "Tee", price_cents=1999, stock=0),
            "b1": b.product(vb, cat, "Beta thing", price_cents=500, stock=1),
            "promo": b.promotion(vendor_id=va, starts_at=NOW - DAY, ends_at=NOW + 9 * DAY),
        }
    session = AppSession(empty_db.url, tmp_path)
    session.add("alpha", role="vendor", vendor_id=va)
    session.add("ops", role="operator")
    session.add("money", role="finance")
    yield empty_db, ids, session
    empty_db.dispose()  # give the pooled connections back before the next test


def _product(engine, product_id):
    with engine.connect() as conn:
        table = s.products
        return conn.execute(sa.select(table).where(table.c.product_id == product_id)).one()


def _audit(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.audit_log).order_by(s.audit_log.c.audit_id)).all()


def _form_text(at, label):
    return next(w for w in at.text_input if w.label == label)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_vendor_edits_one_product(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    assert not at.exception
    page = texts(at)
    assert "Lipstick" in page and "Beta thing" not in page
    at.selectbox(key="products_one_pick").set_value(ids["a1"]).run()
    _form_text(at, "Price (¥)").set_value("19.99")
    _form_text(at, "Stock").set_value("7")
    _button(at, "Save").click().run()
    assert not at.exception
    row = _product(engine, ids["a1"])
    assert (row.price_cents, row.stock, row.version) == (1999, 7, 2)
    assert "Saved changes to 1 product." in texts(at)


def test_vendor_bad_price_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    at.selectbox(key="products_one_pick").set_value(ids["a1"]).run()
    _form_text(at, "Price (¥)").set_value("12.345")
    _button(at, "Save").click().run()
    assert not at.exception
    assert "at most two decimals" in " ".join(e.value for e in at.error)
    assert _product(engine, ids["a1"]).version == 1


def test_operator_bans_with_reason(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="ops")
    assert not at.exception
    at.selectbox(key="products_ban_pick").set_value(ids["b1"]).run()
    _button(at, "Ban product").click().run()
    assert "Give a reason for the ban" in " ".join(e.value for e in at.error)
    assert _product(engine, ids["b1"]).status == "on_sale"
    next(w for w in at.text_area if w.label.startswith("Reason")).set_value("假冒")
    _button(at, "Ban product").click().run()
    assert not at.exception
    assert _product(engine, ids["b1"]).status == "banned"
    assert [(a.action, a.reason) for a in _audit(engine)] == [("product.ban", "假冒")]


def test_vendor_sees_ban_reason(mall):
    engine, ids, session = mall
    from queries.catalog.product_edits import update_product
    from queries.core.actors import Actor

    update_product(
        engine,
        Actor("ops", "operator"),
        ids["a2"],
        expected_version=1,
        status="banned",
        reason="虚假宣传",
    )
    at = session.open("products", as_user="alpha")
    at.selectbox(key="products_one_pick").set_value(ids["a2"]).run()
    assert "虚假宣传" in texts(at)


def _promotions(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.promotions).order_by(s.promotions.c.promotion_id)).all()


def test_vendor_creates_a_promotion(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    assert not at.exception
    assert "Promo" in texts(at)
    at.segmented_control(key="promotions_mode").set_value("create").run()
    at.selectbox(key="promotions_new_kind").set_value("threshold_off").run()
    _form_text(at, "Name").set_value("满200减20")
    at.text_input(key="promotions_new_threshold_cents").set_value("200")
    at.text_input(key="promotions_new_amount_off_cents").set_value("300")
    _button(at, "Create draft").click().run()
    assert not at.exception
    assert "below the threshold" in " ".join(e.value for e in at.error)
    assert len(_promotions(engine)) == 1
    at.text_input(key="promotions_new_amount_off_cents").set_value("20")
    _button(at, "Create draft").click().run()
    assert not at.exception
    new = _promotions(engine)[-1]
    assert (new.name, new.kind, new.threshold_cents, new.amount_off_cents, new.status) == (
        "满200减20",
        "threshold_off",
        20000,
        2000,
        "draft",
    )
    assert "as a draft" in texts(at)


def test_operator_creates_platform_promotion_and_cancels_a_shops(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="ops")
    assert not at.exception
    at.segmented_control(key="promotions_mode").set_value("create").run()
    at.selectbox(key="promotions_new_kind").set_value("percent_off").run()
    _form_text(at, "Name").set_value("双11 全场")
    at.text_input(key="promotions_new_percent_off").set_value("20")
    _form_text(at, "Campaign").set_value("double11")
    _button(at, "Create draft").click().run()
    assert not at.exception
    new = _promotions(engine)[-1]
    assert (new.vendor_id, new.funded_by, new.campaign, new.percent_off) == (
        None,
        "platform",
        "double11",
        20,
    )
    at.segmented_control(key="promotions_mode").set_value("manage").run()
    at.selectbox(key="promotions_pick").set_value(ids["promo"]).run()
    _button(at, "Cancel promotion").click().run()
    assert "Give a reason" in " ".join(e.value for e in at.error)
    _form_text(at, "Reason (required for operators)").set_value("违规")
    _button(at, "Cancel promotion").click().run()
    assert not at.exception
    assert next(p for p in _promotions(engine) if p.promotion_id == ids["promo"]).status == (
        "cancelled"
    )


def test_vendor_extends_a_running_promotion(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    at.selectbox(key="promotions_pick").set_value(ids["promo"]).run()
    assert not at.exception
    # A running promotion: the offer is shown but frozen; the budget may change.
    assert next(w for w in at.text_input if w.label == "Amount off (¥)").disabled
    _form_text(at, "Budget (¥, optional)").set_value("500")
    _button(at, "Save changes").click().run()
    assert not at.exception
    promo = next(p for p in _promotions(engine) if p.promotion_id == ids["promo"])
    assert (promo.budget_cents, promo.version) == (50000, 2)


@pytest.mark.parametrize("user", ["alpha", "ops", "money"])
def test_audit_page_shows_what_each_role_may_see(mall, user):
    engine, ids, session = mall
    from queries.catalog.product_edits import update_product
    from queries.core.actors import Actor
    from queries.marketing.promotion_edits import create_promotion

    update_product(engine, Actor("alpha", "vendor", 1), ids["a1"], expected_version=1, stock=3)
    # An audit row without "before" (a creation) must show too.
    create_promotion(
        engine,
        Actor("alpha", "vendor", 1),
        name="x",
        kind="amount_off",
        starts_at=NOW,
        ends_at=NOW + DAY,
        amount_off_cents=100,
    )
    at = session.open("audit", as_user=user)
    assert not at.exception
    page = texts(at)
    if user == "money":
        assert "No actions match" in page
    else:
        assert "Product edited" in page and "Stock: 10 → 3" in page
        assert at.get("download_button")


def test_vendor_table_and_workbook_modes_render(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    for mode in ("table", "workbook"):
        at.segmented_control(key="products_mode").set_value(mode).run()
        assert not at.exception, mode
    at.segmented_control(key="products_mode").set_value("table").run()
    # With no row selected, the percentage preview asks for a selection and saves nothing.
    at.text_input(key="products_percent").set_value("10").run()
    _button(at, "Preview selected rows").click().run()
    assert not at.exception
    assert "Select rows in the table first." in " ".join(w.value for w in at.warning)
    _button(at, "Save table changes").click().run()
    assert "Nothing to save." in texts(at)
    assert _product(engine, ids["a1"]).version == 1
