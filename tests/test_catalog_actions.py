"""Every write of Products and Promotions clicked in AppTest, on SQLite and PostgreSQL.

Each test presses a button or submits a form as the right role and checks the
database row, the audit row and the message shown; the refusals (stale view,
wrong role, bad input) check that nothing changed. The workbook is uploaded
through AppTest's `file_uploader`; the data editor's edits are seeded through its
edit state, as AppTest allows.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from queries.catalog.product_edits import update_product
from queries.core import schema as s
from queries.core.actors import Actor, Scope
from queries.core.errors import Forbidden, NotFound
from queries.marketing.promotion_edits import cancel_promotion, update_promotion
from tests.apptest import AppSession, as_seen, markdown_source, texts
from tests.builders import MallBuilder, snapshot

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def mall(empty_db, tmp_path):
    """Shop Alpha: products a1, a2, a running, a draft promotion; shop Beta: b1 and a promotion."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        va, vb = b.vendor("Alpha"), b.vendor("Beta")
        ids = {
            "va": va,
            "vb": vb,
            "a1": b.product(va, cat, "Lipstick", price_cents=10000, stock=10),
            "a2": b.product(va, cat, "Tee", price_cents=1999, stock=0),
            "b1": b.product(vb, cat, "Beta thing", price_cents=500, stock=1),
            "running": b.promotion(
                vendor_id=va, name="Running", starts_at=NOW - DAY, ends_at=NOW + 9 * DAY
            ),
            "draft": b.promotion(
                vendor_id=va,
                name="Draft one",
                kind="threshold_off",
                threshold_cents=15900,
                amount_off_cents=2000,
                status="draft",
                starts_at=NOW + DAY,
                ends_at=NOW + 5 * DAY,
            ),
            "beta_promo": b.promotion(
                vendor_id=vb, name="Beta deal", starts_at=NOW - DAY, ends_at=NOW + 3 * DAY
            ),
        }
    session = AppSession(empty_db.url, tmp_path)
    session.add("alpha", role="vendor", vendor_id=va)
    session.add("beta", role="vendor", vendor_id=vb)
    session.add("ops", role="operator")
    yield empty_db, ids, session
    empty_db.dispose()


# --- helpers -------------------------------------------------------------------------------


def shown(at) -> str:
    """The page's text as a person reads it (texts() already removes the escapes)."""
    return texts(at)


def errors(at) -> str:
    return as_seen(" ".join(e.value for e in at.error))


def _product(engine, product_id):
    with engine.connect() as conn:
        table = s.products
        return conn.execute(sa.select(table).where(table.c.product_id == product_id)).one()


def _promotion(engine, promotion_id):
    with engine.connect() as conn:
        table = s.promotions
        return conn.execute(sa.select(table).where(table.c.promotion_id == promotion_id)).one()


def _audit(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.audit_log).order_by(s.audit_log.c.audit_id)).all()


def _text(at, label):
    return next(w for w in at.text_input if w.label == label)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _raw_update(engine, table, key, row_id, **values):
    """A change made outside the console (the platform itself): no audit, no cache clearing."""
    with engine.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c[key] == row_id)
            .values(**values, version=table.c.version + 1)
        )


# --- one product ---------------------------------------------------------------------------


def test_vendor_saves_price_stock_and_shelf(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    assert not at.exception
    at.selectbox(key="products_one_pick").set_value(ids["a1"]).run()
    _text(at, "Price (¥)").set_value("129.90")
    _text(at, "Stock").set_value("1,200")
    at.radio[0].set_value("off_shelf")
    _button(at, "Save").click().run()
    assert not at.exception
    row = _product(engine, ids["a1"])
    assert (row.price_cents, row.stock, row.status, row.version) == (12990, 1200, "off_shelf", 2)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.entity_id, entry.vendor_id) == (
        "product.update",
        "alpha",
        "vendor",
        str(ids["a1"]),
        ids["va"],
    )
    assert json.loads(entry.before) == {"price_cents": 10000, "stock": 10, "status": "on_sale"}
    assert json.loads(entry.after) == {"price_cents": 12990, "stock": 1200, "status": "off_shelf"}
    assert [m.value for m in at.success] == ["Saved changes to 1 product."]
    # The form is drawn again from the database.
    assert _text(at, "Price (¥)").value == "129.90"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_negative_price_says_it_must_be_above_zero(mall, lang):
    engine, ids, session = mall
    session.lang = lang
    at = session.open("products", as_user="alpha")
    at.selectbox(key="products_one_pick").set_value(ids["a1"]).run()
    label = "Price (¥)" if lang == "en" else "价格（元）"
    _text(at, label).set_value("-5")
    _button(at, "Save" if lang == "en" else "保存").click().run()
    assert not at.exception
    expected = "The amount must be greater than 0" if lang == "en" else "金额须大于 0"
    assert expected in errors(at)
    assert "decimals" not in errors(at) and "两位小数" not in errors(at)
    assert _product(engine, ids["a1"]).version == 1 and _audit(engine) == []


@pytest.mark.parametrize("how", ["console", "platform"])
def test_one_product_on_a_stale_view_is_refused(mall, how):
    """Someone changes the product after the form was drawn: the save is refused, not merged."""
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    at.selectbox(key="products_one_pick").set_value(ids["a1"]).run()
    if how == "console":  # another person in the console (the page's cache is cleared)
        update_product(
            engine, Actor("alpha2", "vendor", ids["va"]), ids["a1"], expected_version=1, stock=4
        )
    else:
        _raw_update(engine, s.products, "product_id", ids["a1"], stock=4)
    before = snapshot(engine)
    _text(at, "Price (¥)").set_value("55.00")
    _button(at, "Save").click().run()
    assert not at.exception
    assert "Someone else changed these products; nothing was saved" in errors(at)
    assert snapshot(engine) == before
    row = _product(engine, ids["a1"])
    assert (row.price_cents, row.stock, row.version) == (10000, 4, 2)
    assert not at.success
    # The form now shows the current values; saving again from them works.
    assert _text(at, "Stock").value == "4"
    _text(at, "Price (¥)").set_value("55.00")
    _button(at, "Save").click().run()
    row = _product(engine, ids["a1"])
    assert (row.price_cents, row.stock, row.version) == (5500, 4, 3)


def test_vendor_sees_only_own_products_and_cannot_ban(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    page = shown(at)
    assert "Lipstick" in page and "Beta thing" not in page
    assert ids["b1"] not in at.selectbox(key="products_one_pick").options
    assert not [b for b in at.button if b.label == "Ban product"]
    assert list(at.radio[0].options) == ["On sale", "Off shelf"]
    # The write functions refuse what the page does not offer, changing nothing.
    before = snapshot(engine)
    alpha = Actor("alpha", "vendor", ids["va"])
    with pytest.raises(Forbidden):
        update_product(engine, alpha, ids["a1"], expected_version=1, status="banned", reason="x")
    with pytest.raises(NotFound):
        update_product(engine, alpha, ids["b1"], expected_version=1, price_cents=100)
    assert snapshot(engine) == before


def test_counts_are_plural_correct(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="beta")
    assert "1 product · page 1 of 1" in shown(at)
    at = session.open("products", as_user="alpha")
    assert "2 products · page 1 of 1" in shown(at)


# --- the table -----------------------------------------------------------------------------


def _table_mode(at):
    at.segmented_control(key="products_mode").set_value("table").run()
    (editor,) = at.data_editor
    return editor


def _edit_cells(at, editor, edits):
    at.session_state[editor.key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}


def _positions(editor):
    return {int(pid): i for i, pid in enumerate(editor.value["product_id"])}


def test_table_save_writes_the_changed_rows(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    where = _positions(editor)
    edits = {
        where[ids["a1"]]: {"price": "88.80"},
        where[ids["a2"]]: {"stock": 3, "status": "Off shelf"},
    }
    _edit_cells(at, editor, edits)
    _button(at, "Save table changes").click().run()
    assert not at.exception
    a1, a2 = _product(engine, ids["a1"]), _product(engine, ids["a2"])
    assert (a1.price_cents, a1.stock, a1.version) == (8880, 10, 2)
    assert (a2.stock, a2.status, a2.version) == (3, "off_shelf", 2)
    entries = {int(e.entity_id): e for e in _audit(engine)}
    assert {e.action for e in entries.values()} == {"product.bulk_update"}
    assert json.loads(entries[ids["a1"]].after) == {"price_cents": 8880}
    assert json.loads(entries[ids["a2"]].after) == {"stock": 3, "status": "off_shelf"}
    assert [m.value for m in at.success] == ["Saved changes to 2 products."]


def test_table_bad_cell_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    _edit_cells(at, editor, {_positions(editor)[ids["a1"]]: {"price": "-3"}})
    before = snapshot(engine)
    _button(at, "Save table changes").click().run()
    assert not at.exception
    assert "1 row cannot be saved; nothing was saved:" in errors(at)
    assert "The amount must be greater than 0" in shown(at)
    assert snapshot(engine) == before


def test_table_edits_land_on_the_rows_the_person_saw(mall):
    """Someone's save re-sorts the page (newest first): the edit still goes to its product."""
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    where = _positions(editor)
    update_product(
        engine, Actor("alpha2", "vendor", ids["va"]), ids["a2"], expected_version=1, stock=6
    )
    _edit_cells(at, editor, {where[ids["a1"]]: {"price": "77.00"}})
    _button(at, "Save table changes").click().run()
    assert not at.exception
    a1, a2 = _product(engine, ids["a1"]), _product(engine, ids["a2"])
    assert (a1.price_cents, a1.version) == (7700, 2)
    assert (a2.price_cents, a2.stock, a2.version) == (1999, 6, 2)


def test_table_on_a_stale_row_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    where = _positions(editor)
    _raw_update(engine, s.products, "product_id", ids["a1"], price_cents=4200)
    _edit_cells(at, editor, {where[ids["a1"]]: {"price": "77.00"}, where[ids["a2"]]: {"stock": 9}})
    before = snapshot(engine)
    _button(at, "Save table changes").click().run()
    assert not at.exception
    assert "Someone else changed these products; nothing was saved" in errors(at)
    assert snapshot(engine) == before  # all or nothing: a2 is not saved either


def test_percent_change_is_previewed_then_applied(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    _edit_cells(at, editor, {_positions(editor)[ids["a2"]]: {"select": True}})
    at.text_input(key="products_percent").set_value("10")
    _button(at, "Preview selected rows").click().run()
    assert not at.exception
    assert "¥21.99" in shown(at)  # 19.99 × 1.1 = 21.989, half up
    assert _product(engine, ids["a2"]).version == 1
    _button(at, "Apply new prices").click().run()
    assert not at.exception
    assert _product(engine, ids["a2"]).price_cents == 2199
    (entry,) = _audit(engine)
    assert (entry.action, json.loads(entry.after)) == ("product.bulk_update", {"price_cents": 2199})
    assert [m.value for m in at.success] == ["Saved changes to 1 product."]


# --- the workbook --------------------------------------------------------------------------


def _download(engine, vendor_id) -> bytes:
    """The workbook the page's download button builds (the same function, same arguments)."""
    from exports.products_workbook import products_workbook_bytes

    with engine.connect() as conn:
        return products_workbook_bytes(conn, scope=Scope(vendor_id), lang="en", tz="Asia/Shanghai")


def _edited(data: bytes, edits: dict[int, dict[str, object]]) -> bytes:
    """The workbook changed like a person would in Excel: cells by product and header."""
    from openpyxl import load_workbook as load

    book = load(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        wanted = edits.get(row[0].value, {})
        for column, value in wanted.items():
            row[header.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(at, data: bytes):
    at.segmented_control(key="products_mode").set_value("workbook").run()
    (uploader,) = at.file_uploader
    uploader.set_value(("products.xlsx", data, XLSX)).run()
    assert not at.exception


def test_workbook_upload_previews_then_applies(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    data = _edited(
        _download(engine, ids["va"]),
        {ids["a1"]: {"Price (¥)": 77.7}, ids["a2"]: {"Stock": 5, "Status": "Off shelf"}},
    )
    _upload(at, data)
    page = shown(at)
    assert "1 product to change, 0 rows refused, 0 rows unchanged." not in page
    assert "2 products to change, 0 rows refused, 0 rows unchanged." in page
    assert _product(engine, ids["a1"]).version == 1  # a preview writes nothing
    assert not _button(at, "Apply all changes").disabled
    _button(at, "Apply all changes").click().run()
    assert not at.exception
    a1, a2 = _product(engine, ids["a1"]), _product(engine, ids["a2"])
    assert (a1.price_cents, a1.version) == (7770, 2)
    assert (a2.stock, a2.status, a2.version) == (5, "off_shelf", 2)
    assert sorted((e.action, int(e.entity_id)) for e in _audit(engine)) == sorted(
        [("product.bulk_update", ids["a1"]), ("product.bulk_update", ids["a2"])]
    )
    assert [m.value for m in at.success] == ["Saved changes to 2 products."]
    # The applied file is not offered again: the uploader is empty, no preview is left.
    assert "to change" not in shown(at) and not [b for b in at.button if "Apply" in b.label]


def test_workbook_with_a_bad_row_cannot_be_applied(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    data = _edited(
        _download(engine, ids["va"]), {ids["a1"]: {"Price (¥)": -1}, ids["a2"]: {"Stock": 4}}
    )
    before = snapshot(engine)
    _upload(at, data)
    assert "1 product to change, 1 row refused, 0 rows unchanged." in shown(at)
    refused = at.dataframe[-1].value
    assert "The amount must be greater than 0" in refused.to_string()
    assert _button(at, "Apply all changes").disabled
    assert snapshot(engine) == before


def test_workbook_of_a_changed_product_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    data = _edited(_download(engine, ids["va"]), {ids["a1"]: {"Stock": 1}})
    _raw_update(engine, s.products, "product_id", ids["a1"], stock=2)
    before = snapshot(engine)
    _upload(at, data)
    assert "Changed by someone else since the download" in at.dataframe[-1].value.to_string()
    assert _button(at, "Apply all changes").disabled
    assert snapshot(engine) == before


def test_workbook_naming_another_shops_product_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    book = load_workbook(io.BytesIO(_download(engine, ids["va"])))
    sheet = book.worksheets[0]
    sheet.append([ids["b1"], "Beta thing", "", 1.0, 1, "On sale", 1])
    out = io.BytesIO()
    book.save(out)
    before = snapshot(engine)
    _upload(at, out.getvalue())
    assert "Product not found" in at.dataframe[-1].value.to_string()
    assert _button(at, "Apply all changes").disabled
    assert snapshot(engine) == before


# --- ban and lift ----------------------------------------------------------------------------


def test_operator_bans_with_a_reason_and_lifts_the_ban(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="ops")
    assert not at.exception
    at.selectbox(key="products_ban_pick").set_value(ids["b1"]).run()
    _button(at, "Ban product").click().run()
    assert "Give a reason for the ban" in errors(at)
    assert _product(engine, ids["b1"]).status == "on_sale" and _audit(engine) == []
    at.text_area[0].set_value("假冒 **品牌**")
    _button(at, "Ban product").click().run()
    assert not at.exception
    row = _product(engine, ids["b1"])
    assert (row.status, row.version) == ("banned", 2)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.reason, entry.vendor_id) == (
        "product.ban",
        "ops",
        "operator",
        "假冒 **品牌**",
        ids["vb"],
    )
    assert [m.value for m in at.success] == [f"Product #{ids['b1']} is banned."]
    # The reason is shown as typed (not as bold text), and the ban can be lifted.
    assert "假冒 **品牌**" in shown(at)
    assert "\\*\\*品牌\\*\\*" in markdown_source(at)
    _button(at, "Lift ban (product stays off shelf)").click().run()
    assert not at.exception
    row = _product(engine, ids["b1"])
    assert (row.status, row.version) == ("off_shelf", 3)
    assert _audit(engine)[-1].action == "product.unban"
    assert [m.value for m in at.success] == [
        f"Product #{ids['b1']}'s ban is lifted; it stays off shelf."
    ]


def test_ban_on_a_stale_view_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="ops")
    at.selectbox(key="products_ban_pick").set_value(ids["b1"]).run()
    update_product(
        engine, Actor("beta", "vendor", ids["vb"]), ids["b1"], expected_version=1, stock=7
    )
    before = snapshot(engine)
    at.text_area[0].set_value("fake")
    _button(at, "Ban product").click().run()
    assert not at.exception
    assert "Someone else changed these products; nothing was saved" in errors(at)
    assert snapshot(engine) == before


def test_vendor_cannot_lift_a_ban(mall):
    engine, ids, session = mall
    update_product(
        engine, Actor("ops", "operator"), ids["a2"], expected_version=1, status="banned", reason="x"
    )
    at = session.open("products", as_user="alpha")
    at.selectbox(key="products_one_pick").set_value(ids["a2"]).run()
    before = snapshot(engine)
    at.radio[0].set_value("on_sale")
    _button(at, "Save").click().run()
    assert not at.exception
    assert "it cannot be put on sale or unbanned" in errors(at)
    assert snapshot(engine) == before


# --- promotions ----------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _manage(at, promotion_id):
    at.selectbox(key="promotions_pick").set_value(promotion_id).run()
    assert not at.exception


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_vendor_creates_publishes_and_cancels_a_promotion(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    assert not at.exception
    at.segmented_control(key="promotions_mode").set_value("create").run()
    at.selectbox(key="promotions_new_kind").set_value("threshold_off").run()
    _text(at, "Name").set_value("**Winter** -- sale")
    at.text_input(key="promotions_new_threshold_cents").set_value("159")
    at.text_input(key="promotions_new_amount_off_cents").set_value("20")
    _button(at, "Create draft").click().run()
    assert not at.exception
    new = max(p.promotion_id for p in _all_promotions(engine))
    row = _promotion(engine, new)
    assert (row.name, row.vendor_id, row.funded_by, row.status, row.version) == (
        "**Winter** -- sale",
        ids["va"],
        "vendor",
        "draft",
        1,
    )
    assert (row.threshold_cents, row.amount_off_cents) == (15900, 2000)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.entity_id, entry.vendor_id) == (
        "promotion.create",
        "alpha",
        str(new),
        ids["va"],
    )
    assert [m.value for m in at.success] == [
        f"Created promotion #{new} as a draft; publish it to start."
    ]
    assert "¥20.00 off orders of ¥159.00 or more" in at.dataframe[0].value.to_string()

    at.segmented_control(key="promotions_mode").set_value("manage").run()
    _manage(at, new)
    # The name is shown as typed: escaped for Markdown, not bold, no dash made of "--".
    assert "**Winter** -- sale" in shown(at)
    assert "\\*\\*Winter\\*\\*" in markdown_source(at)
    _button(at, "Publish").click().run()
    assert not at.exception
    assert (_promotion(engine, new).status, _promotion(engine, new).version) == ("published", 2)
    entry = _audit(engine)[-1]
    assert (entry.action, json.loads(entry.after)) == ("promotion.publish", {"status": "published"})
    assert [m.value for m in at.success] == ["Published."]

    _text(at, "Reason (required for operators)").set_value("库存不足")
    _button(at, "Cancel promotion").click().run()
    assert not at.exception
    assert (_promotion(engine, new).status, _promotion(engine, new).version) == ("cancelled", 3)
    entry = _audit(engine)[-1]
    assert (entry.action, entry.reason, entry.actor) == ("promotion.cancel", "库存不足", "alpha")
    assert [m.value for m in at.success] == ["The promotion was cancelled."]


def _all_promotions(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(s.promotions)).all()


def test_create_with_bad_input_saves_nothing(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    at.segmented_control(key="promotions_mode").set_value("create").run()
    at.selectbox(key="promotions_new_kind").set_value("amount_off").run()
    _text(at, "Name").set_value("Bad")
    at.text_input(key="promotions_new_amount_off_cents").set_value("-20")
    before = snapshot(engine)
    _button(at, "Create draft").click().run()
    assert not at.exception
    assert "Amount off (¥): The amount must be greater than 0" in errors(at)
    assert snapshot(engine) == before


def test_publish_on_a_stale_view_is_refused(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    _manage(at, ids["draft"])
    # Someone else changes the draft's offer after it was drawn: publishing is refused.
    update_promotion(
        engine,
        Actor("alpha2", "vendor", ids["va"]),
        ids["draft"],
        expected_version=1,
        amount_off_cents=9000,
    )
    before = snapshot(engine)
    _button(at, "Publish").click().run()
    assert not at.exception
    assert "Someone else changed this promotion (now version 2); nothing was saved" in errors(at)
    assert snapshot(engine) == before
    assert _promotion(engine, ids["draft"]).status == "draft"
    # The form shows the new offer; publishing from it works.
    assert _text(at, "Amount off (¥)").value == "90.00"
    _button(at, "Publish").click().run()
    assert _promotion(engine, ids["draft"]).status == "published"


def test_cancel_on_a_stale_view_is_refused(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    _manage(at, ids["running"])
    _raw_update(engine, s.promotions, "promotion_id", ids["running"], budget_cents=100)
    before = snapshot(engine)
    _button(at, "Cancel promotion").click().run()
    assert not at.exception
    assert "Someone else changed this promotion" in errors(at)
    assert snapshot(engine) == before


def test_vendor_extends_a_running_promotion_and_sets_its_budget(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    _manage(at, ids["running"])
    # A running promotion: its offer and start are frozen, its end and budget may change.
    assert _text(at, "Amount off (¥)").disabled and _text(at, "Name").disabled
    old_end = _promotion(engine, ids["running"]).ends_at
    new_end = (old_end.astimezone(SHANGHAI) + 3 * DAY).date()
    _by_label(at.date_input, "End · date").set_value(new_end)
    _by_label(at.time_input, "End · time").set_value(time(22, 0))
    _text(at, "Budget (¥, optional)").set_value("5,000")
    _button(at, "Save changes").click().run()
    assert not at.exception
    row = _promotion(engine, ids["running"])
    wanted_end = datetime.combine(new_end, time(22, 0), tzinfo=SHANGHAI).astimezone(UTC)
    assert (row.budget_cents, row.version) == (500000, 2)
    assert row.ends_at.replace(tzinfo=UTC) == wanted_end
    entry = _audit(engine)[-1]
    assert entry.action == "promotion.update"
    assert json.loads(entry.after) == {"ends_at": wanted_end.isoformat(), "budget_cents": 500000}
    assert json.loads(entry.before)["budget_cents"] is None
    assert [m.value for m in at.success] == ["Saved."]


def test_edit_on_a_stale_view_is_refused(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    _manage(at, ids["running"])
    cancel_elsewhere = Actor("alpha2", "vendor", ids["va"])
    update_promotion(engine, cancel_elsewhere, ids["running"], expected_version=1, budget_cents=700)
    before = snapshot(engine)
    _text(at, "Budget (¥, optional)").set_value("9")
    _button(at, "Save changes").click().run()
    assert not at.exception
    assert "Someone else changed this promotion" in errors(at)
    assert snapshot(engine) == before
    assert _text(at, "Budget (¥, optional)").value == "7.00"


def test_edit_with_bad_input_saves_nothing(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="alpha")
    _manage(at, ids["draft"])
    before = snapshot(engine)
    _text(at, "Budget (¥, optional)").set_value("abc")
    _button(at, "Save changes").click().run()
    assert not at.exception
    assert "Budget (¥, optional): “abc” is not a valid amount" in errors(at)
    start = _by_label(at.date_input, "Start · date").value
    _text(at, "Budget (¥, optional)").set_value("")
    _by_label(at.date_input, "End · date").set_value(start - DAY)
    _button(at, "Save changes").click().run()
    assert not at.exception
    assert "The end must be after the start" in errors(at)
    assert snapshot(engine) == before


def test_operator_creates_a_platform_promotion(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="ops")
    at.segmented_control(key="promotions_mode").set_value("create").run()
    at.selectbox(key="promotions_new_kind").set_value("percent_off").run()
    _text(at, "Name").set_value("双11 全场")
    at.text_input(key="promotions_new_percent_off").set_value("15")
    before = snapshot(engine)
    _button(at, "Create draft").click().run()
    assert "Campaign: Enter the campaign (e.g. 618)" in errors(at)
    assert snapshot(engine) == before
    _text(at, "Campaign").set_value("double11")
    _button(at, "Create draft").click().run()
    assert not at.exception
    new = max(p.promotion_id for p in _all_promotions(engine))
    row = _promotion(engine, new)
    assert (row.vendor_id, row.funded_by, row.campaign, row.percent_off, row.status) == (
        None,
        "platform",
        "double11",
        15,
        "draft",
    )
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.vendor_id) == (
        "promotion.create",
        "ops",
        "operator",
        None,
    )
    assert [m.value for m in at.success] == [
        f"Created promotion #{new} as a draft; publish it to start."
    ]


def test_operator_cancels_a_shops_promotion_with_a_reason(mall):
    engine, ids, session = mall
    at = session.open("promotions", as_user="ops")
    _manage(at, ids["draft"])
    # A shop's promotion: the operator cannot edit or publish it, only cancel it.
    assert not [b for b in at.button if b.label in ("Save changes", "Publish")]
    _button(at, "Cancel promotion").click().run()
    assert "Give a reason for cancelling" in errors(at)
    assert _promotion(engine, ids["draft"]).status == "draft" and _audit(engine) == []
    _text(at, "Reason (required for operators)").set_value("违反平台规则")
    _button(at, "Cancel promotion").click().run()
    assert not at.exception
    row = _promotion(engine, ids["draft"])
    assert (row.status, row.version) == ("cancelled", 2)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.reason, entry.vendor_id) == (
        "promotion.cancel",
        "ops",
        "operator",
        "违反平台规则",
        ids["va"],
    )
    assert [m.value for m in at.success] == ["The promotion was cancelled."]


def test_vendor_cannot_touch_another_shops_or_the_platforms_promotion(mall):
    engine, ids, session = mall
    with engine.begin() as conn:
        platform = MallBuilder(conn).promotion(
            vendor_id=None, name="Mall day", campaign="618", starts_at=NOW, ends_at=NOW + DAY
        )
    at = session.open("promotions", as_user="alpha")
    options = at.selectbox(key="promotions_pick").options
    assert not any("Beta deal" in o or "Mall day" in o for o in options)
    alpha = Actor("alpha", "vendor", ids["va"])
    before = snapshot(engine)
    with pytest.raises(NotFound):
        cancel_promotion(engine, alpha, ids["beta_promo"], expected_version=1)
    with pytest.raises(Forbidden):
        cancel_promotion(engine, alpha, platform, expected_version=1)
    with pytest.raises(NotFound):
        update_promotion(engine, alpha, ids["beta_promo"], expected_version=1, budget_cents=1)
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("lang", "offer", "count"),
    [
        ("en", "¥20.00 off orders of ¥159.00 or more", "1 promotion · page 1 of 1"),
        ("zh", "满¥159.00减¥20.00", "共 1 个活动 · 第 1/1 页"),
    ],
)
def test_threshold_offer_reads_naturally_and_counts_are_plural_correct(mall, lang, offer, count):
    engine, ids, session = mall
    with engine.begin() as conn:
        conn.execute(
            s.promotions.update()
            .where(s.promotions.c.promotion_id == ids["beta_promo"])
            .values(kind="threshold_off", threshold_cents=15900, amount_off_cents=2000)
        )
    session.lang = lang
    at = session.open("promotions", as_user="beta")
    assert not at.exception
    assert offer in at.dataframe[0].value.to_string()
    assert count in shown(at)


def test_operator_publishes_a_platform_promotion(mall):
    engine, ids, session = mall
    with engine.begin() as conn:
        platform = MallBuilder(conn).promotion(
            vendor_id=None,
            name="Mall day",
            campaign="618",
            status="draft",
            starts_at=NOW + DAY,
            ends_at=NOW + 2 * DAY,
        )
    at = session.open("promotions", as_user="ops")
    _manage(at, platform)
    _button(at, "Publish").click().run()
    assert not at.exception
    row = _promotion(engine, platform)
    assert (row.status, row.version) == ("published", 2)
    (entry,) = _audit(engine)
    assert (entry.action, entry.actor, entry.role, entry.vendor_id) == (
        "promotion.publish",
        "ops",
        "operator",
        None,
    )
    assert [m.value for m in at.success] == ["Published."]


# --- the smaller points, without a page ----------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "-12.345", "¥-1,200", "-¥19.99", "－5", -3, -0.5])
def test_a_negative_amount_is_refused_as_not_above_zero(value):
    from queries.core.errors import Invalid
    from queries.core.validation import parse_money, parse_price

    with pytest.raises(Invalid) as refused:
        parse_price(value)
    assert (refused.value.zh, refused.value.en) == (
        "金额须大于 0",
        "The amount must be greater than 0",
    )
    assert refused.value.details == {"price": ("金额须大于 0", "The amount must be greater than 0")}
    with pytest.raises(Invalid) as refused:
        parse_money(value, field="budget_cents", allow_zero=True)
    assert (
        refused.value.en == "The amount cannot be negative" and refused.value.zh == "金额不能为负数"
    )


@pytest.mark.parametrize("value", ["12.345", "-", "5-", "1e3"])
def test_a_malformed_amount_still_says_so(value):
    from queries.core.errors import Invalid
    from queries.core.validation import parse_price

    with pytest.raises(Invalid) as refused:
        parse_price(value)
    assert "at most two decimals" in refused.value.en or "not a valid amount" in refused.value.en


def test_plural_helper_picks_the_singular_for_one():
    import streamlit as st

    from dashboard.i18n import tn

    st.session_state["lang"] = "en"
    try:
        assert tn("products.n_products", 1) == "1 product"
        assert tn("products.n_products", 2) == "2 products"
        assert tn("products.n_products", 0) == "0 products"
        assert tn("products.n_rows", 1000, count="1,000").plain == "1,000 rows"
        assert tn("promotions.total", 1, total=1, page=1, pages=1) == "1 promotion · page 1 of 1"
        st.session_state["lang"] = "zh"
        assert tn("products.saved", 1, count=1) == "已保存 1 件商品的修改。"
    finally:
        del st.session_state["lang"]


def test_bulk_refusal_message_is_plural_correct(mall):
    from queries.catalog.product_edits import ProductChange, bulk_update_products
    from queries.core.errors import Invalid

    engine, ids, _ = mall
    alpha = Actor("alpha", "vendor", ids["va"])
    with pytest.raises(Invalid) as one:
        bulk_update_products(engine, alpha, [ProductChange(ids["a1"], 1, stock=-1)])
    assert one.value.en == "1 row cannot be saved; nothing was saved"
    with pytest.raises(Invalid) as two:
        bulk_update_products(
            engine,
            alpha,
            [ProductChange(ids["a1"], 1, stock=-1), ProductChange(ids["a2"], 1, stock=-2)],
        )
    assert two.value.en == "2 rows cannot be saved; nothing was saved"


def test_literal_keeps_markdown_characters_as_typed():
    from dashboard.ui.widgets import literal

    typed = "**b** _i_ [a](http://x) $x$ :red[x] :smile: <b> -- -> 1. # h \\ `c`"
    escaped = literal(typed)
    # Every Markdown character is escaped, so nothing is left for Markdown to act on …
    assert re.search(r"(?<!\\)[*_\[\]()$<>`#]", escaped.replace("\\\\", "")) is None
    # … and removing the escapes (as Markdown does) gives back exactly what was typed.
    assert as_seen(escaped) == typed
    assert literal("满¥159.00减¥20.00 商品") == "满¥159\\.00减¥20\\.00 商品"


def test_workbook_apply_after_a_change_meanwhile_saves_nothing(mall):
    """The preview was clean; a row changes before "Apply": all or nothing, so nothing."""
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    data = _edited(_download(engine, ids["va"]), {ids["a1"]: {"Stock": 1}, ids["a2"]: {"Stock": 2}})
    _upload(at, data)
    assert "2 products to change, 0 rows refused" in shown(at)
    _raw_update(engine, s.products, "product_id", ids["a2"], price_cents=2500)
    before = snapshot(engine)
    _button(at, "Apply all changes").click().run()
    assert not at.exception
    assert snapshot(engine) == before
    assert not at.success
    assert "Changed by someone else since the download" in at.dataframe[-1].value.to_string()


def test_percent_change_on_a_stale_row_is_refused(mall):
    engine, ids, session = mall
    at = session.open("products", as_user="alpha")
    editor = _table_mode(at)
    _edit_cells(at, editor, {_positions(editor)[ids["a2"]]: {"select": True}})
    at.text_input(key="products_percent").set_value("-10")
    _button(at, "Preview selected rows").click().run()
    _raw_update(engine, s.products, "product_id", ids["a2"], stock=8)
    before = snapshot(engine)
    _button(at, "Apply new prices").click().run()
    assert not at.exception
    assert "Someone else changed these products; nothing was saved" in errors(at)
    assert snapshot(engine) == before
