"""Supplier onboarding: licence check, queue, counts, duplicates, history, and decisions.

Reads run on one hand-built mall per backend (module scope); each decision test
gets a fresh database. "Now" is 2026-11-20 12:00 Shanghai; the deadline 3 days.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from stdnum.cn import uscc

from queries.core.actors import Actor
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.core.invalidation import subscribe
from queries.core.schema import audit_log, supplier_applications, vendors
from queries.merchants.onboarding import (
    application_detail,
    application_queue,
    check_licence,
    decide_application,
    status_counts,
)
from tests.builders import MallBuilder, local, snapshot
from tests.conftest import BACKENDS

NOW = local("2026-11-20 12:00:00")
OPS = Actor("ops1", "operator")
OPS2 = Actor("ops2", "operator")

# --- the licence check digit -------------------------------------------------------------

BODIES = ["91330100MA27XL2R2", "91110000100000000", "12100000400000398", "93440300MA5FUH1CL"]


@pytest.mark.parametrize("body", BODIES)
def test_valid_codes_pass(body):
    code = body + uscc.calc_check_digit(body)
    assert check_licence(code).valid
    assert check_licence(code).problem is None


@pytest.mark.parametrize("body", BODIES)
def test_every_wrong_check_digit_fails(body):
    right = uscc.calc_check_digit(body)
    for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if wrong != right:
            assert check_licence(body + wrong).problem == "checksum", wrong


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("9133010MA27XL2R27", "length"),  # 17 characters
        ("91330100MA27XL2R270", "length"),  # 19
        ("", "length"),
        ("91330100MA27XL2RI7", "format"),  # I is not in the code's alphabet
        ("9133010OMA27XL2R27", "format"),  # O neither
    ],
)
def test_malformed_codes(code, problem):
    assert check_licence(code).problem == problem


# --- reads -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def queue_mall(request, db_factory):
    """Eight applications; ids in a dict by letter."""
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        beauty = b.category("美妆", "Beauty")
        lipstick = b.category("口红", "Lipstick", parent_id=beauty)
        clothing = b.category("服饰", "Clothing")
        ids = {}
        # 5 days = 120 h waiting: past the 3-day deadline.
        ids["a"] = b.application(
            "杭州甲商贸有限公司", category_id=lipstick, submitted_at=local("2026-11-15 12:00:00")
        )
        licence_a = conn.execute(
            sa.select(supplier_applications.c.business_license_no).where(
                supplier_applications.c.application_id == ids["a"]
            )
        ).scalar_one()
        # exactly 72 h: on the deadline, not past it.
        ids["b"] = b.application(
            "上海乙贸易有限公司",
            category_id=clothing,
            region="上海",
            submitted_at=local("2026-11-17 12:00:00"),
        )
        # 10 days, but waiting on the applicant: never overdue.
        ids["c"] = b.application(
            "丙美妆有限公司",
            category_id=beauty,
            status="needs_info",
            submitted_at=local("2026-11-10 12:00:00"),
            reviewed_by="ops9",
            reviewed_at=local("2026-11-11 09:00:00"),
        )
        # decided after 30 h (11-01 12:00 → 11-02 18:00).
        ids["d"] = b.application(
            "丁服饰有限公司",
            category_id=clothing,
            status="approved",
            submitted_at=local("2026-11-01 12:00:00"),
            reviewed_by="ops9",
            reviewed_at=local("2026-11-02 18:00:00"),
        )
        shop_d = b.vendor("丁服饰旗舰店", application_id=ids["d"])
        conn.execute(
            supplier_applications.update()
            .where(supplier_applications.c.application_id == ids["d"])
            .values(vendor_id=shop_d)
        )
        # same licence as a, lower-case: a duplicate of a by licence.
        ids["e"] = b.application(
            "戊商贸有限公司",
            category_id=beauty,
            status="rejected",
            business_license_no=licence_a.lower(),
            submitted_at=local("2026-11-05 12:00:00"),
            reviewed_by="ops9",
            reviewed_at=local("2026-11-06 12:00:00"),
        )
        # same company as d, which has a shop: duplicate application d and shop d.
        ids["f"] = b.application(
            "丁服饰有限公司", category_id=clothing, submitted_at=local("2026-11-19 12:00:00")
        )
        ids["g"] = b.application(
            "己商贸有限公司",
            category_id=beauty,
            business_license_no="91330100MA27XL2R20",  # check digit should be 7
            submitted_at=local("2026-11-18 12:00:00"),
        )
        # a shop named like the company of g, joined without an application
        shop_g = b.vendor("己商贸有限公司")
        from queries.audit import record

        record(
            conn,
            Actor("ops9", "operator"),
            action="application.needs_info",
            entity="supplier_application",
            entity_id=ids["c"],
            vendor_id=None,
            reason="资料不全",
            at=local("2026-11-11 09:00:00"),
        )
    return (
        engine,
        ids,
        {"beauty": beauty, "lipstick": lipstick, "clothing": clothing},
        (
            shop_d,
            shop_g,
        ),
    )


def _queue(engine, **kw):
    args = {"status": "pending", "now": NOW, "deadline_days": 3} | kw
    with engine.connect() as conn:
        return application_queue(conn, **args)


def test_pending_queue_oldest_first_with_waiting_and_overdue(queue_mall):
    engine, ids, _, _ = queue_mall
    q = _queue(engine)
    # a 11-15, b 11-17, g 11-18, f 11-19
    assert list(q["application_id"]) == [ids["a"], ids["b"], ids["g"], ids["f"]]
    assert list(q["waited_hours"]) == [120.0, 72.0, 48.0, 24.0]
    assert list(q["waited_days"]) == [5.0, 3.0, 2.0, 1.0]
    assert list(q["overdue"]) == [True, False, False, False]
    assert list(q["category_name_en"]) == ["Lipstick", "Clothing", "Beauty", "Clothing"]


def test_decided_and_needs_info_waiting(queue_mall):
    engine, ids, _, _ = queue_mall
    approved = _queue(engine, status="approved")
    assert list(approved["waited_hours"]) == [30.0]  # until the decision
    needs = _queue(engine, status="needs_info")
    assert list(needs["waited_hours"]) == [240.0]  # until now
    assert list(needs["overdue"]) == [False]
    everything = _queue(engine, status=None)
    assert len(everything) == 7
    assert everything["application_id"].iloc[0] == ids["d"]  # 11-01 is the oldest


def test_queue_filters(queue_mall):
    engine, ids, cats, _ = queue_mall
    # A top-level category covers its leaves: beauty → a (lipstick) and g.
    assert list(_queue(engine, category_id=cats["beauty"])["application_id"]) == [
        ids["a"],
        ids["g"],
    ]
    assert list(_queue(engine, category_id=cats["lipstick"])["application_id"]) == [ids["a"]]
    assert list(_queue(engine, region="上海")["application_id"]) == [ids["b"]]
    # local days 11-17 … 11-18 inclusive: b (11-17 12:00) and g (11-18 12:00)
    picked = _queue(engine, submitted_from=date(2026, 11, 17), submitted_to=date(2026, 11, 18))
    assert list(picked["application_id"]) == [ids["b"], ids["g"]]
    assert list(_queue(engine, search="丁服饰")["application_id"]) == [ids["f"]]
    assert list(_queue(engine, search="mA27xl2r20")["application_id"]) == [ids["g"]]
    assert list(_queue(engine, search="100%")["application_id"]) == []
    assert _queue(engine, search="nothing like it").empty


def test_status_counts(queue_mall):
    engine, _, _, _ = queue_mall
    with engine.connect() as conn:
        assert status_counts(conn) == {"pending": 4, "needs_info": 1, "approved": 1, "rejected": 1}


def test_detail_duplicates_by_licence_and_name(queue_mall):
    engine, ids, _, (shop_d, shop_g) = queue_mall
    with engine.connect() as conn:
        a = application_detail(conn, application_id=ids["a"])
        f = application_detail(conn, application_id=ids["f"])
        g = application_detail(conn, application_id=ids["g"])
        d = application_detail(conn, application_id=ids["d"])
        b = application_detail(conn, application_id=ids["b"])
    assert a.licence.valid and a.category_name_en == "Lipstick"
    assert a.fields["company_name"] == "杭州甲商贸有限公司"
    assert list(a.duplicates.itertuples(index=False, name=None)) == [
        ("application", ids["e"], "戊商贸有限公司", "rejected", "licence")
    ]
    assert list(f.duplicates.itertuples(index=False, name=None)) == [
        ("application", ids["d"], "丁服饰有限公司", "approved", "name"),
        ("shop", shop_d, "丁服饰旗舰店", "active", "name"),
    ]
    assert g.licence.problem == "checksum"
    assert list(g.duplicates.itertuples(index=False, name=None)) == [
        ("shop", shop_g, "己商贸有限公司", "active", "name")
    ]
    # d's own shop is not its duplicate; f (same name) is.
    assert list(d.duplicates["id"]) == [ids["f"]]
    assert b.duplicates.empty


def test_detail_history_and_missing(queue_mall):
    engine, ids, _, _ = queue_mall
    with engine.connect() as conn:
        c = application_detail(conn, application_id=ids["c"])
        assert application_detail(conn, application_id=ids["a"]).history.empty
        with pytest.raises(NotFound):
            application_detail(conn, application_id=999_999)
    assert list(c.history["action"]) == ["application.needs_info"]
    assert list(c.history["actor"]) == ["ops9"]
    assert list(c.history["reason"]) == ["资料不全"]


# --- decisions ----------------------------------------------------------------------------


@pytest.fixture
def one(empty_db):
    """A fresh database with one pending application."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        category = b.category()
        app_id = b.application(
            "杭州好物商贸有限公司",
            category_id=category,
            contact_email="bd@haowu.example.cn",
            region="浙江",
        )
    return empty_db, app_id


def _rows(engine, table):
    with engine.connect() as conn:
        return [r._asdict() for r in conn.execute(sa.select(table))]


def test_approve_creates_the_shop_links_it_and_audits(one):
    engine, app_id = one
    heard = []
    subscribe(heard.append)
    vendor_id = decide_application(
        engine, OPS, app_id, decision="approve", seen_status="pending", now=NOW
    )
    [shop] = _rows(engine, vendors)
    assert shop["vendor_id"] == vendor_id
    assert shop["name"] == "杭州好物商贸有限公司"
    assert (shop["status"], shop["region"]) == ("active", "浙江")
    assert shop["contact_email"] == "bd@haowu.example.cn"
    assert shop["application_id"] == app_id
    assert shop["joined_at"] == NOW
    [app] = _rows(engine, supplier_applications)
    assert (app["status"], app["vendor_id"], app["reviewed_by"]) == ("approved", vendor_id, "ops1")
    assert app["reviewed_at"] == NOW and app["review_note"] is None
    [audit] = _rows(engine, audit_log)
    assert audit["action"] == "application.approve"
    assert (audit["entity"], audit["entity_id"]) == ("supplier_application", str(app_id))
    assert (audit["vendor_id"], audit["actor"], audit["role"]) == (vendor_id, "ops1", "operator")
    assert ("applications", "vendors", "audit") in heard


def test_approve_with_edited_shop_name(one):
    engine, app_id = one
    decide_application(
        engine, OPS, app_id, decision="approve", seen_status="pending", shop_name="  好物小店  "
    )
    assert _rows(engine, vendors)[0]["name"] == "好物小店"


@pytest.mark.parametrize("shop_name", ["   ", "店" * 61])
def test_bad_shop_name_is_refused(one, shop_name):
    engine, app_id = one
    before = snapshot(engine)
    with pytest.raises(Invalid):
        decide_application(
            engine, OPS, app_id, decision="approve", seen_status="pending", shop_name=shop_name
        )
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("decision", "status"), [("needs_info", "needs_info"), ("reject", "rejected")]
)
def test_needs_info_and_reject_need_a_note(one, decision, status):
    engine, app_id = one
    before = snapshot(engine)
    for note in (None, "", "   "):
        with pytest.raises(Invalid):
            decide_application(
                engine, OPS, app_id, decision=decision, seen_status="pending", note=note
            )
    assert snapshot(engine) == before
    result = decide_application(
        engine, OPS, app_id, decision=decision, seen_status="pending", note=" 请补充营业执照 "
    )
    assert result is None
    [app] = _rows(engine, supplier_applications)
    assert (app["status"], app["review_note"], app["vendor_id"]) == (status, "请补充营业执照", None)
    [audit] = _rows(engine, audit_log)
    assert (audit["action"], audit["reason"]) == (f"application.{decision}", "请补充营业执照")
    assert audit["vendor_id"] is None
    assert _rows(engine, vendors) == []


def test_needs_info_then_approve(one):
    engine, app_id = one
    decide_application(engine, OPS, app_id, decision="needs_info", seen_status="pending", note="补")
    with pytest.raises(Invalid):  # needs_info → needs_info is not in the table
        decide_application(
            engine, OPS, app_id, decision="needs_info", seen_status="needs_info", note="x"
        )
    vendor_id = decide_application(
        engine, OPS2, app_id, decision="approve", seen_status="needs_info"
    )
    assert vendor_id is not None
    assert [r["action"] for r in _rows(engine, audit_log)] == [
        "application.needs_info",
        "application.approve",
    ]


def test_final_states_refuse_everything(one):
    engine, app_id = one
    decide_application(engine, OPS, app_id, decision="reject", seen_status="pending", note="不符合")
    before = snapshot(engine)
    for decision in ("approve", "needs_info", "reject"):
        with pytest.raises(Invalid):
            decide_application(
                engine, OPS, app_id, decision=decision, seen_status="rejected", note="x"
            )
    assert snapshot(engine) == before


def test_double_click_gives_one_shop_and_names_who_decided(one):
    engine, app_id = one
    decide_application(engine, OPS, app_id, decision="approve", seen_status="pending", now=NOW)
    before = snapshot(engine)
    with pytest.raises(Conflict) as caught:
        decide_application(engine, OPS2, app_id, decision="reject", seen_status="pending", note="x")
    assert snapshot(engine) == before
    # NOW is 2026-11-20 12:00 in Shanghai.
    assert caught.value.message("en") == (
        "ops1 already decided this application at 2026-11-20 12:00; it is now approved"
    )
    assert "ops1" in caught.value.message("zh") and "2026-11-20 12:00" in caught.value.message("zh")
    assert caught.value.details["reviewed_by"] == "ops1"
    assert len(_rows(engine, vendors)) == 1 and len(_rows(engine, audit_log)) == 1


def test_only_operators_decide(one):
    engine, app_id = one
    with engine.begin() as conn:
        shop = MallBuilder(conn).vendor()
    before = snapshot(engine)
    for actor in (Actor("shop", "vendor", vendor_id=shop), Actor("money", "finance")):
        with pytest.raises(Forbidden):
            decide_application(engine, actor, app_id, decision="approve", seen_status="pending")
    assert snapshot(engine) == before


def test_unknown_application_and_decision(one):
    engine, app_id = one
    before = snapshot(engine)
    with pytest.raises(NotFound):
        decide_application(engine, OPS, app_id + 100, decision="approve", seen_status="pending")
    with pytest.raises(Invalid):
        decide_application(engine, OPS, app_id, decision="approved", seen_status="pending")
    assert snapshot(engine) == before


def test_two_operators_racing_give_one_shop(empty_db, backend):
    """Real connections on two threads; the row lock makes the loser match nothing."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        app_id = b.application(category_id=b.category())
    barrier = threading.Barrier(2)
    results: list[object] = []

    def click(actor, decision):
        barrier.wait()
        try:
            results.append(
                decide_application(
                    empty_db, actor, app_id, decision=decision, seen_status="pending", note="x"
                )
            )
        except Conflict as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=click, args=(OPS, "approve")),
        threading.Thread(target=click, args=(OPS2, "approve")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert len(_rows(empty_db, vendors)) == 1
    assert len(_rows(empty_db, audit_log)) == 1
    winner = _rows(empty_db, supplier_applications)[0]["reviewed_by"]
    assert winner in lost[0].message("en")


def test_queue_waiting_uses_now_not_the_clock(queue_mall):
    engine, _, _, _ = queue_mall
    later = _queue(engine, now=NOW + timedelta(hours=1))
    assert later["waited_hours"].iloc[0] == 121.0
