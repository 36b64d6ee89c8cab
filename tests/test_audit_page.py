"""The audit log a business user reads, on SQLite and PostgreSQL, from hand-built rows.

The page in English and in Chinese shows actions in words, what was touched by
name and number, money as ¥, local times to the minute, "—" for empty; each
filter narrows the list; the workbook holds the same columns and values as
text; a vendor sees only its own shop's rows, finance only settlement actions.
"""

from __future__ import annotations

import ast
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dashboard.data.audit import AuditFilter, audit_download_builder
from dashboard.i18n import all_strings
from dashboard.ui.audit_words import Reading, action_label, readable
from queries.audit import ENTITY_TYPES, AuditScope, audit_choices, audit_entries, record
from queries.core import schema as s
from queries.core.actors import Actor
from queries.merchants.transitions import DECISIONS
from tests.apptest import AppSession
from tests.builders import MallBuilder

ROOT = Path(__file__).resolve().parent.parent
# 10:00 in Shanghai, with microseconds that must never show.
T = datetime(2026, 11, 1, 2, 0, 0, 123456, tzinfo=UTC)
HOUR = timedelta(hours=1)
OPS = Actor("ops", "operator")
FIN = Actor("fin", "finance")
FORMULA = "=SUM(A1:A2)"  # a reason a user typed: text in the workbook, never a formula


@pytest.fixture
def trail(empty_db, tmp_path):
    """Two shops, a product, a promotion, two statements, an application and seven audit rows."""
    ids: dict[str, int] = {}
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        ids["alpha"], ids["beta"] = b.vendor("Alpha 旗舰店"), b.vendor("Beta")
        ids["lipstick"] = b.product(ids["alpha"], cat, "Lipstick 口红", price_cents=12350)
        ids["promo"] = b.promotion(
            vendor_id=ids["alpha"], name="Spring sale", starts_at=T, ends_at=T + 240 * HOUR
        )
        ids["app"] = b.application("杭州好物商贸有限公司", category_id=cat, status="approved")
        for key, vendor, status in (("s1", "alpha", "confirmed"), ("s2", "beta", "draft")):
            ids[key] = conn.execute(
                s.settlements.insert().values(
                    vendor_id=ids[vendor],
                    period_start=date(2026, 10, 1),
                    period_end=date(2026, 11, 1),
                    gross_cents=100000,
                    platform_subsidy_cents=0,
                    commission_cents=5000,
                    payment_fee_cents=600,
                    refund_cents=0,
                    commission_refund_cents=0,
                    adjustment_cents=0,
                    net_cents=94400,
                    status=status,
                    created_at=T,
                    version=1,
                )
            ).inserted_primary_key[0]
        alpha, beta = Actor("alpha", "vendor", ids["alpha"]), ids["beta"]
        rows = [
            (
                alpha,
                "product.update",
                "product",
                ids["lipstick"],
                ids["alpha"],
                None,
                {"price_cents": 12350, "stock": 10},
                {"price_cents": 129900, "stock": 3},
            ),
            (
                OPS,
                "product.ban",
                "product",
                ids["lipstick"],
                ids["alpha"],
                FORMULA,
                {"status": "on_sale"},
                {"status": "banned"},
            ),
            (
                alpha,
                "promotion.create",
                "promotion",
                ids["promo"],
                ids["alpha"],
                None,
                None,
                {
                    "name": "Spring sale",
                    "kind": "amount_off",
                    "amount_off_cents": 2000,
                    "percent_off": None,
                    "starts_at": "2026-11-02T00:00:00+00:00",
                    "funded_by": "vendor",
                },
            ),
            (
                FIN,
                "settlement.confirm",
                "settlement",
                ids["s1"],
                ids["alpha"],
                None,
                {"status": "draft"},
                {"status": "confirmed", "confirmed_at": T + 3 * HOUR + timedelta(seconds=7)},
            ),
            (
                FIN,
                "settlement.issue",
                "settlement",
                ids["s2"],
                beta,
                None,
                None,
                {"net_cents": 94400, "period_start": "2026-10-01", "period_end": "2026-11-01"},
            ),
            (
                OPS,
                "application.approve",
                "supplier_application",
                ids["app"],
                beta,
                None,
                {"status": "pending"},
                {"status": "approved", "review_note": None, "vendor_id": beta},
            ),
            (
                OPS,
                "vendor.suspend",
                "vendor",
                beta,
                beta,
                "多次发货超时",
                {"status": "active"},
                {"status": "suspended"},
            ),
        ]
        for hour, (actor, action, entity, entity_id, vendor_id, reason, old, new) in enumerate(
            rows
        ):
            record(
                conn,
                actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                vendor_id=vendor_id,
                reason=reason,
                before=old,
                after=new,
                at=T + hour * HOUR,
            )
    yield empty_db, ids, tmp_path
    empty_db.dispose()  # give the pooled connections back before the next test


def _session(engine, tmp_path, ids, lang="en") -> AppSession:
    session = AppSession(engine.url, tmp_path, lang=lang)
    session.add("ops", role="operator")
    session.add("fin", role="finance")
    session.add("alpha", role="vendor", vendor_id=ids["alpha"])
    session.add("beta", role="vendor", vendor_id=ids["beta"])
    return session


def _table(at):
    assert not at.exception, at.exception
    assert len(at.dataframe) == 1, [e.value for e in at.error]
    return at.dataframe[0].value


def _search(at, **choices):
    for key, value in choices.items():
        at.selectbox(key=key).set_value(value)
    next(b for b in at.button if b.label in ("Search", "查询")).click().run()
    return at


# --- the page in words ------------------------------------------------------------------


def test_page_in_english_shows_words_names_money_and_local_times(trail):
    engine, ids, tmp_path = trail
    at = _session(engine, tmp_path, ids).open("audit", as_user="ops")
    table = _table(at)
    assert list(table.columns) == [
        "When",
        "Actor",
        "Role",
        "Action",
        "Entity",
        "Shop",
        "Reason",
        "Changes",
    ]
    rows = {r["Action"]: r for r in table.to_dict("records")}
    assert set(rows) == {
        "Product edited",
        "Product banned",
        "Promotion created",
        "Statement confirmed",
        "Draft statement issued",
        "Application approved",
        "Shop suspended",
    }
    edit = rows["Product edited"]
    assert edit["When"] == "2026-11-01 10:00"  # Shanghai, to the minute: no seconds, no ms
    assert edit["Entity"] == f"Product #{ids['lipstick']} · Lipstick 口红"
    assert edit["Shop"] == f"Alpha 旗舰店 (#{ids['alpha']})"
    assert edit["Role"] == "Vendor" and edit["Reason"] == "—"
    assert edit["Changes"] == "Price: ¥123.50 → ¥1,299.00; Stock: 10 → 3"
    assert rows["Product banned"]["Reason"] == FORMULA
    assert rows["Product banned"]["Changes"] == "Status: On sale → Banned"
    confirm = rows["Statement confirmed"]
    assert confirm["Entity"] == f"Statement #{ids['s1']} · Alpha 旗舰店 · 2026-10-01 – 2026-10-31"
    assert confirm["Changes"] == "Status: Draft → Confirmed; Confirmed at: — → 2026-11-01 13:00"
    assert rows["Draft statement issued"]["Entity"] == (
        f"Statement #{ids['s2']} · Beta · 2026-10-01 – 2026-10-31"
    )
    promo = rows["Promotion created"]
    assert promo["Entity"] == f"Promotion #{ids['promo']} · Spring sale"
    assert promo["Changes"] == (
        "Name: Spring sale; Type: Amount off; Starts: 2026-11-02 08:00; Amount off: ¥20.00; "
        "Funded by: Vendor-funded"
    )
    approve = rows["Application approved"]
    assert approve["Entity"] == f"Application #{ids['app']} · 杭州好物商贸有限公司"
    # review_note None on both sides is no change; the new shop is named by number.
    assert approve["Changes"] == f"Status: Pending → Approved; Shop: — → #{ids['beta']}"
    suspend = rows["Shop suspended"]
    assert (
        suspend["Entity"] == f"Shop #{ids['beta']} · Beta" and suspend["Reason"] == "多次发货超时"
    )
    everything = table.to_string()
    for raw in ("product.update", "settlement", "_cents", "12350", "None", "+00:00", ".123"):
        assert raw not in everything, raw


def test_page_in_chinese(trail):
    engine, ids, tmp_path = trail
    at = _session(engine, tmp_path, ids, lang="zh").open("audit", as_user="ops")
    table = _table(at)
    assert list(table.columns) == [
        "时间",
        "操作人",
        "角色",
        "操作",
        "对象",
        "店铺",
        "原因",
        "修改内容",
    ]
    rows = {r["操作"]: r for r in table.to_dict("records")}
    assert {"修改商品", "违规下架商品", "确认结算单", "通过入驻申请", "暂停店铺"} <= set(rows)
    edit = rows["修改商品"]
    assert edit["时间"] == "2026-11-01 10:00" and edit["角色"] == "商家" and edit["原因"] == "—"
    assert edit["对象"] == f"商品 #{ids['lipstick']} · Lipstick 口红"
    assert edit["修改内容"] == "售价：¥123.50 → ¥1,299.00；库存：10 → 3"
    confirm = rows["确认结算单"]
    assert confirm["对象"] == f"结算单 #{ids['s1']} · Alpha 旗舰店 · 2026-10-01 – 2026-10-31"
    assert confirm["修改内容"] == "状态：草稿 → 已确认；确认时间：— → 2026-11-01 13:00"
    assert rows["暂停店铺"]["修改内容"] == "状态：营业中 → 已暂停"
    assert rows["通过入驻申请"]["对象"] == f"入驻申请 #{ids['app']} · 杭州好物商贸有限公司"
    assert not re.search(r"[A-Za-z]+\.[a-z_]+|_cents|Statement|Product", table.to_string())


# --- filters ----------------------------------------------------------------------------


def test_each_filter_narrows_the_list(trail):
    engine, ids, tmp_path = trail
    with engine.begin() as conn:  # 23:59:30 on 31 October in Shanghai: the day before the rest
        record(
            conn,
            OPS,
            action="vendor.reactivate",
            entity="vendor",
            entity_id=ids["beta"],
            vendor_id=ids["beta"],
            reason="整改完成",
            before={"status": "suspended"},
            after={"status": "active"},
            at=datetime(2026, 10, 31, 15, 59, 30, tzinfo=UTC),
        )
    at = _session(engine, tmp_path, ids).open("audit", as_user="ops")
    assert len(_table(at)) == 8
    action_options = at.selectbox(key="audit_action").options
    assert "Statement confirmed" in action_options and "settlement.confirm" not in action_options
    _search(at, audit_action="product.ban")
    assert _table(at)["Action"].tolist() == ["Product banned"]
    _search(at, audit_action="", audit_entity="settlement")
    assert _table(at)["Action"].tolist() == ["Draft statement issued", "Statement confirmed"]
    _search(at, audit_entity="", audit_actor="alpha")
    assert _table(at)["Action"].tolist() == ["Promotion created", "Product edited"]
    _search(at, audit_actor="")
    at.checkbox(key="audit_use_dates").check()
    at.date_input(key="audit_dates").set_value((date(2026, 10, 30), date(2026, 10, 31)))
    _search(at)
    assert _table(at)["Action"].tolist() == ["Shop reactivated"]
    assert _table(at)["When"].tolist() == ["2026-10-31 23:59"]
    at.date_input(key="audit_dates").set_value((date(2026, 11, 1), date(2026, 11, 1)))
    _search(at)
    assert len(_table(at)) == 7 and "Shop reactivated" not in _table(at)["Action"].tolist()
    at.date_input(key="audit_dates").set_value((date(2026, 11, 2), date(2026, 11, 3)))
    _search(at)
    assert not at.exception and not at.dataframe
    assert [e.value for e in at.info] == ["No actions match these filters."]
    # Filters combine: the person and the dates.
    at.date_input(key="audit_dates").set_value((date(2026, 10, 31), date(2026, 11, 1)))
    _search(at, audit_actor="fin")
    assert _table(at)["Action"].tolist() == ["Draft statement issued", "Statement confirmed"]


def test_filters_in_sql(trail):
    engine, ids, _ = trail
    scope = AuditScope()
    with engine.connect() as conn:
        by_action, total = audit_entries(conn, scope=scope, action="vendor.suspend")
        assert total == 1 and by_action["entity_name"].tolist() == ["Beta"]
        by_entity, total = audit_entries(conn, scope=scope, entity="product")
        assert total == 2 and set(by_entity["entity_name"]) == {"Lipstick 口红"}
        by_person, total = audit_entries(conn, scope=scope, actor="fin")
        assert total == 2 and set(by_person["action"]) == {"settlement.confirm", "settlement.issue"}
        # "al" is not a person: the person filter is exact.
        assert audit_entries(conn, scope=scope, actor="al")[1] == 0
        choices = audit_choices(conn, scope=scope)
    assert set(choices.people) == {"alpha", "ops", "fin"}
    assert set(choices.entities) == set(ENTITY_TYPES)


def test_a_row_whose_entity_is_gone_or_odd_still_shows(trail):
    """A discarded draft is named from its audit row; a non-numeric id joins nothing."""
    engine, ids, _ = trail
    with engine.begin() as conn:
        record(
            conn,
            FIN,
            action="settlement.discard",
            entity="settlement",
            entity_id=999,
            vendor_id=ids["alpha"],
            before={"net_cents": -500, "period_start": "2026-09-01", "period_end": "2026-10-01"},
            at=T + 10 * HOUR,
        )
        record(conn, OPS, action="product.ban", entity="product", entity_id="x1", vendor_id=None)
    with engine.connect() as conn:
        rows, total = audit_entries(conn, scope=AuditScope(), page_size=2)
    shown = readable(rows, Reading("en", "Asia/Shanghai", "¥")).to_dict("records")
    assert total == 9
    assert shown[0]["Entity"] == "Product #x1" and shown[0]["Shop"] == "—"
    assert shown[1]["Entity"] == "Statement #999 · Alpha 旗舰店 · 2026-09-01 – 2026-09-30"
    assert shown[1]["Changes"] == (
        "Net payable: -¥5.00; Period start: 2026-09-01; Period end (exclusive): 2026-10-01"
    )


# --- who sees what ------------------------------------------------------------------------


def test_vendor_sees_only_its_own_shop_also_with_filters(trail):
    engine, ids, tmp_path = trail
    at = _session(engine, tmp_path, ids).open("audit", as_user="alpha")
    table = _table(at)
    assert set(table["Shop"]) == {f"Alpha 旗舰店 (#{ids['alpha']})"}
    assert len(table) == 4
    assert at.selectbox(key="audit_entity").options == [
        "All entities",
        "Product",
        "Promotion",
        "Statement",
    ]
    _search(at, audit_entity="settlement")
    assert _table(at)["Action"].tolist() == ["Statement confirmed"]
    _search(at, audit_entity="", audit_actor="ops")
    assert _table(at)["Action"].tolist() == ["Product banned"]
    # Beta's people and actions are not even offered to Alpha.
    assert "fin" in at.selectbox(key="audit_actor").options
    assert "Draft statement issued" not in at.selectbox(key="audit_action").options
    with engine.connect() as conn:
        mine = AuditScope.for_actor(Actor("alpha", "vendor", ids["alpha"]))
        crafted, total = audit_entries(
            conn, scope=mine, vendor_id=ids["beta"], entity="vendor", action="vendor.suspend"
        )
        assert total == 0 and crafted.empty
        issued, total = audit_entries(conn, scope=mine, action="settlement.issue")
        assert total == 0
    beta = _session(engine, tmp_path, ids).open("audit", as_user="beta")
    # The draft issued to Beta is finance's; Beta sees its approval and suspension only.
    assert sorted(_table(beta)["Action"]) == ["Application approved", "Shop suspended"]


def test_finance_sees_only_settlement_actions(trail):
    engine, ids, tmp_path = trail
    at = _session(engine, tmp_path, ids).open("audit", as_user="fin")
    table = _table(at)
    assert table["Action"].tolist() == ["Draft statement issued", "Statement confirmed"]
    assert at.selectbox(key="audit_entity").options == ["All entities", "Statement"]
    _search(at, audit_action="settlement.confirm")
    assert _table(at)["Action"].tolist() == ["Statement confirmed"]


# --- the workbook ---------------------------------------------------------------------------


def _workbook(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_workbook_holds_the_page_as_text(trail, lang):
    engine, ids, tmp_path = trail
    at = _session(engine, tmp_path, ids, lang=lang).open("audit", as_user="ops")
    table = _table(at)
    assert at.get("download_button")
    how = Reading(lang, "Asia/Shanghai", "¥")
    data = audit_download_builder(AuditScope(), AuditFilter(), how)()
    sheet, rows = _workbook(data)
    assert sheet.title == ("操作日志" if lang == "zh" else "Audit log")
    assert rows[0] == list(table.columns)
    assert rows[1:] == table.values.tolist()
    # Every cell is a string, the reason beginning with "=" too: no formula anywhere.
    assert {c.data_type for row in sheet.iter_rows(min_row=1) for c in row} == {"s"}
    assert any(FORMULA in row for row in rows)
    edit = next(r for r in rows if r[3] in ("Product edited", "修改商品"))
    assert edit[0] == "2026-11-01 10:00" and "¥1,299.00" in edit[7]


def test_workbook_follows_the_filters_and_the_vendor_scope(trail):
    engine, ids, tmp_path = trail
    _session(engine, tmp_path, ids)  # points the app's engine at this database
    how = Reading("en", "Asia/Shanghai", "¥")
    mine = AuditScope.for_actor(Actor("alpha", "vendor", ids["alpha"]))
    _, rows = _workbook(audit_download_builder(mine, AuditFilter(vendor_id=ids["beta"]), how)())
    assert len(rows) == 5 and {r[5] for r in rows[1:]} == {f"Alpha 旗舰店 (#{ids['alpha']})"}
    _, rows = _workbook(audit_download_builder(mine, AuditFilter(entity="promotion"), how)())
    assert [r[3] for r in rows[1:]] == ["Promotion created"]
    finance = AuditScope.for_actor(FIN)
    _, rows = _workbook(audit_download_builder(finance, AuditFilter(actor="ops"), how)())
    assert rows[1:] == []


# --- every action written has words -----------------------------------------------------------


def _action_codes_written() -> set[str]:
    """Every action code in queries/: literal `family.verb` strings and f"family.{…}" ones.

    The only f-string family is `application.{decision}` (onboarding) / the demo's
    `application.{…}`; both take the decision words of `queries.merchants.transitions.DECISIONS`.
    """
    families = {"product", "promotion", "settlement", "vendor", "application"}
    codes: set[str] = set()
    unknown_fstrings: list[str] = []
    for path in (ROOT / "queries").rglob("*.py"):
        if path.name in ("schema.py", "settings.py"):
            continue  # foreign keys (`vendors.vendor_id`) and file names, not actions
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"[a-z_]+\.[a-z_]+", node.value):
                    codes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and re.fullmatch(r"[a-z_]+\.", str(head.value)):
                    if head.value == "application.":
                        codes.update(f"application.{d}" for d in DECISIONS)
                    else:
                        unknown_fstrings.append(f"{path.name}: {ast.unparse(node)}")
    assert unknown_fstrings == [], "teach this test which codes these f-strings make"
    return {c for c in codes if c.split(".")[0] in families}


def test_every_action_code_written_has_words():
    codes = _action_codes_written()
    assert {"product.update", "settlement.pay", "vendor.suspend", "application.reject"} <= codes
    table = all_strings()
    missing = sorted(c for c in codes if f"audit.act.{c}" not in table)
    assert missing == []
    for code in codes:
        assert action_label(code, "zh") != code and action_label(code, "en") != code
    for entity in ENTITY_TYPES:
        assert f"audit.ent.{entity}" in table


def test_operator_narrowed_to_one_shop_by_the_shop_picker(trail):
    engine, ids, tmp_path = trail
    query = {"vendor": str(ids["beta"])}
    at = _session(engine, tmp_path, ids).open("audit", as_user="ops", query=query)
    table = _table(at)
    assert set(table["Shop"]) == {f"Beta (#{ids['beta']})"}
    assert sorted(table["Action"]) == [
        "Application approved",
        "Draft statement issued",
        "Shop suspended",
    ]
