"""Promotion writes on both backends: per-kind rules, states, rights, locking, audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.marketing.promotion_edits import (
    cancel_promotion,
    create_promotion,
    publish_promotion,
    update_promotion,
)
from queries.marketing.promotions import (
    PromotionTerms,
    list_promotions,
    overlapping_running,
    state_of,
    validate_terms,
)
from tests.builders import MallBuilder, snapshot

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
OPERATOR = Actor("ops", "operator")
FINANCE = Actor("fin", "finance")


@pytest.fixture
def mall(empty_db):
    """Shops A and B; A has a running amount_off and an ended one; B a draft; one platform promo."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        va, vb = b.vendor("A"), b.vendor("B")
        ids = {
            "running": b.promotion(vendor_id=va, starts_at=NOW - DAY, ends_at=NOW + 9 * DAY),
            "ended": b.promotion(vendor_id=va, starts_at=NOW - 9 * DAY, ends_at=NOW - DAY),
            "b_draft": b.promotion(
                vendor_id=vb, status="draft", starts_at=NOW + DAY, ends_at=NOW + 2 * DAY
            ),
            "platform": b.promotion(
                vendor_id=None, campaign="618", starts_at=NOW + DAY, ends_at=NOW + 3 * DAY
            ),
        }
    yield empty_db, ids, Actor("alice", "vendor", va), Actor("bob", "vendor", vb)
    empty_db.dispose()  # give the pooled connections back before the next test


def _promo(engine, promotion_id):
    with engine.connect() as conn:
        table = s.promotions
        return conn.execute(sa.select(table).where(table.c.promotion_id == promotion_id)).one()


def _actions(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.audit_log).order_by(s.audit_log.c.audit_id)).all()
    return [(r.action, r.vendor_id, r.reason) for r in rows]


def _terms(kind, **extra):
    return PromotionTerms("Sale", kind, NOW + DAY, NOW + 2 * DAY, **extra)


@pytest.mark.parametrize(
    ("kind", "extra", "bad"),
    [
        ("percent_off", {"percent_off": 10}, set()),
        ("percent_off", {"percent_off": 0}, {"percent_off"}),
        ("flash_sale", {"percent_off": 91}, {"percent_off"}),
        ("flash_sale", {"percent_off": 90}, set()),
        ("percent_off", {"percent_off": 10, "amount_off_cents": 100}, {"amount_off_cents"}),
        ("amount_off", {"amount_off_cents": 500}, set()),
        ("amount_off", {}, {"amount_off_cents"}),
        ("threshold_off", {"amount_off_cents": 2000, "threshold_cents": 20000}, set()),
        (
            "threshold_off",
            {"amount_off_cents": 20000, "threshold_cents": 20000},
            {"amount_off_cents"},
        ),
        ("coupon", {"amount_off_cents": 500}, {"threshold_cents"}),
        ("coupon", {"amount_off_cents": 500, "threshold_cents": 600, "budget_cents": 0}, set()),
        ("amount_off", {"amount_off_cents": 500, "budget_cents": -1}, {"budget_cents"}),
        ("amount_off", {"amount_off_cents": True}, {"amount_off_cents"}),
        ("bogus", {}, {"kind"}),
    ],
)
def test_terms_per_kind(kind, extra, bad):
    assert set(validate_terms(_terms(kind, **extra))) == bad


def test_dates_must_be_in_order():
    terms = PromotionTerms("x", "amount_off", NOW, NOW, amount_off_cents=1)
    assert set(validate_terms(terms)) == {"ends_at"}


def test_states():
    assert state_of("draft", NOW - DAY, NOW + DAY, NOW) == "draft"
    assert state_of("published", NOW + DAY, NOW + 2 * DAY, NOW) == "scheduled"
    assert state_of("published", NOW, NOW + DAY, NOW) == "running"
    assert state_of("published", NOW - DAY, NOW, NOW) == "ended"
    assert state_of("cancelled", NOW - DAY, NOW + DAY, NOW) == "cancelled"


def test_vendor_creates_publishes_and_cancels(mall):
    engine, ids, alice, _ = mall
    pid = create_promotion(
        engine,
        alice,
        name=" 满200减20 ",
        kind="threshold_off",
        starts_at=NOW + DAY,
        ends_at=NOW + 5 * DAY,
        amount_off_cents=2000,
        threshold_cents=20000,
    )
    row = _promo(engine, pid)
    assert (row.vendor_id, row.funded_by, row.status, row.name, row.version) == (
        alice.vendor_id,
        "vendor",
        "draft",
        "满200减20",
        1,
    )
    assert publish_promotion(engine, alice, pid, expected_version=1) == 2
    # A second click on "publish" saves nothing more.
    assert publish_promotion(engine, alice, pid, expected_version=1) == 2
    assert cancel_promotion(engine, alice, pid, expected_version=2) == 3
    assert _promo(engine, pid).status == "cancelled"
    assert [a for a, _, _ in _actions(engine)] == [
        "promotion.create",
        "promotion.publish",
        "promotion.cancel",
    ]


def test_operator_creates_platform_promotion(mall):
    engine, _, _, _ = mall
    before = snapshot(engine)
    with pytest.raises(Invalid) as info:
        create_promotion(
            engine, OPERATOR, name="双11", kind="percent_off", starts_at=NOW, ends_at=NOW + DAY,
            percent_off=20,
        )  # fmt: skip
    assert "campaign" in info.value.details
    assert snapshot(engine) == before
    pid = create_promotion(
        engine, OPERATOR, name="双11", kind="percent_off", starts_at=NOW, ends_at=NOW + DAY,
        percent_off=20, campaign="double11",
    )  # fmt: skip
    row = _promo(engine, pid)
    assert (row.vendor_id, row.funded_by, row.campaign) == (None, "platform", "double11")
    assert _actions(engine) == [("promotion.create", None, None)]


def test_running_promotion_terms_are_frozen(mall):
    engine, ids, alice, _ = mall
    before = snapshot(engine)
    with pytest.raises(Invalid) as info:
        update_promotion(engine, alice, ids["running"], expected_version=1, amount_off_cents=1)
    assert set(info.value.details) == {"amount_off_cents"}
    with pytest.raises(Invalid):
        update_promotion(engine, alice, ids["running"], expected_version=1, ends_at=NOW - DAY / 2)
    assert snapshot(engine) == before
    new_end = NOW + 20 * DAY
    assert (
        update_promotion(
            engine, alice, ids["running"], expected_version=1, ends_at=new_end, budget_cents=50000
        )
        == 2
    )
    row = _promo(engine, ids["running"])
    assert (row.ends_at, row.budget_cents) == (new_end, 50000)
    with engine.connect() as conn:
        entry = conn.execute(sa.select(s.audit_log)).one()
    assert json.loads(entry.before) == {
        "budget_cents": None,
        "ends_at": (NOW + 9 * DAY).isoformat(),
    }
    assert json.loads(entry.after) == {"budget_cents": 50000, "ends_at": new_end.isoformat()}


def test_ended_promotion_cannot_change(mall):
    engine, ids, alice, _ = mall
    before = snapshot(engine)
    with pytest.raises(Invalid):
        update_promotion(engine, alice, ids["ended"], expected_version=1, name="new")
    with pytest.raises(Invalid):
        cancel_promotion(engine, alice, ids["ended"], expected_version=1)
    assert snapshot(engine) == before


def test_crafted_ids_and_roles(mall):
    engine, ids, alice, bob = mall
    before = snapshot(engine)
    with pytest.raises(NotFound):
        update_promotion(engine, alice, ids["b_draft"], expected_version=1, name="mine")
    with pytest.raises(NotFound):
        publish_promotion(engine, alice, ids["b_draft"], expected_version=1)
    with pytest.raises(NotFound):
        cancel_promotion(engine, alice, ids["b_draft"], expected_version=1)
    with pytest.raises(NotFound):
        cancel_promotion(engine, alice, 999_999, expected_version=1)
    with pytest.raises(Forbidden):
        cancel_promotion(engine, alice, ids["platform"], expected_version=1)
    with pytest.raises(Forbidden):
        update_promotion(engine, OPERATOR, ids["b_draft"], expected_version=1, name="x")
    with pytest.raises(Forbidden):
        cancel_promotion(engine, FINANCE, ids["b_draft"], expected_version=1)
    with pytest.raises(Invalid):  # operators give a reason
        cancel_promotion(engine, OPERATOR, ids["b_draft"], expected_version=1)
    with pytest.raises(Invalid):  # a vendor's promotion has no campaign
        update_promotion(engine, bob, ids["b_draft"], expected_version=1, campaign="618")
    assert snapshot(engine) == before
    cancel_promotion(engine, OPERATOR, ids["b_draft"], expected_version=1, reason="违规宣传")
    assert _actions(engine) == [("promotion.cancel", bob.vendor_id, "违规宣传")]


def test_stale_edit_conflicts(mall):
    engine, ids, _, bob = mall
    update_promotion(engine, bob, ids["b_draft"], expected_version=1, name="first")
    before = snapshot(engine)
    with pytest.raises(Conflict) as info:
        update_promotion(engine, bob, ids["b_draft"], expected_version=1, name="second")
    assert info.value.details["name"] == "first" and info.value.details["version"] == 2
    assert snapshot(engine) == before
    # Repeating the saved edit is harmless.
    assert update_promotion(engine, bob, ids["b_draft"], expected_version=1, name="first") == 2


def test_publish_needs_a_future_end(mall):
    engine, _, alice, _ = mall
    pid = create_promotion(
        engine, alice, name="late", kind="amount_off", starts_at=NOW - DAY / 2,
        ends_at=NOW - DAY / 4, amount_off_cents=100,
    )  # fmt: skip
    with pytest.raises(Invalid) as info:
        publish_promotion(engine, alice, pid, expected_version=1)
    assert "ends_at" in info.value.details


def test_list_and_overlap(mall):
    engine, ids, alice, _ = mall
    with engine.connect() as conn:
        frame, total = list_promotions(conn, scope=Scope(alice.vendor_id), now=NOW)
        # A's two plus the platform's; B's draft is not visible.
        assert total == 3
        assert dict(zip(frame["promotion_id"], frame["state"], strict=True)) == {
            ids["running"]: "running",
            ids["ended"]: "ended",
            ids["platform"]: "scheduled",
        }
        frame, total = list_promotions(conn, scope=Scope.mall(), states=["draft"], now=NOW)
        assert frame["promotion_id"].tolist() == [ids["b_draft"]]
        overlap = overlapping_running(
            conn,
            vendor_id=alice.vendor_id,
            kind="amount_off",
            starts_at=NOW + DAY,
            ends_at=NOW + 2 * DAY,
            now=NOW,
        )
        assert overlap["promotion_id"].tolist() == [ids["running"]]
        assert overlapping_running(
            conn, vendor_id=alice.vendor_id, kind="coupon", starts_at=NOW, ends_at=NOW + DAY
        ).empty
