"""The audit trail's reads on both backends: who sees which rows, filters, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queries.audit import AuditScope, audit_actions, audit_entries, latest_reasons, record
from queries.core.actors import Actor
from queries.core.periods import TimeRange

T = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
OPERATOR = Actor("ops", "operator")
FINANCE = Actor("fin", "finance")
SHOP1 = Actor("shop1", "vendor", 1)
SHOP2 = Actor("shop2", "vendor", 2)


@pytest.fixture
def trail(empty_db):
    """Six rows an hour apart (audit_log has no foreign keys, so shop ids are plain numbers)."""
    rows = [
        (SHOP1, "product.update", "product", 11, 1, None),
        (OPERATOR, "product.ban", "product", 11, 1, "假冒"),
        (SHOP2, "promotion.create", "promotion", 5, 2, None),
        (FINANCE, "settlement.confirm", "settlement", 3, 1, None),
        (OPERATOR, "product.ban", "product", 11, 1, "仍是假冒"),
        (FINANCE, "settlement.issue", "settlement", 4, 2, None),
    ]
    with empty_db.begin() as conn:
        for hour, (actor, action, entity, entity_id, vendor_id, reason) in enumerate(rows):
            record(
                conn,
                actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                vendor_id=vendor_id,
                reason=reason,
                before={"x": 1},
                after={"x": 2},
                at=T + timedelta(hours=hour),
            )
    yield empty_db
    empty_db.dispose()  # give the pooled connections back before the next test


def _actions(frame):
    return frame["action"].tolist()


def test_scopes_per_role(trail):
    with trail.connect() as conn:
        everything, total = audit_entries(conn, scope=AuditScope.for_actor(OPERATOR))
        assert total == 6 and everything["at"].is_monotonic_decreasing
        shop1, total = audit_entries(conn, scope=AuditScope.for_actor(SHOP1))
        assert total == 4 and set(shop1["vendor_id"]) == {1}
        # A vendor's own scope wins over a crafted vendor filter.
        shop1_again, _ = audit_entries(conn, scope=AuditScope.for_actor(SHOP1), vendor_id=2)
        assert set(shop1_again["vendor_id"]) == {1}
        money, total = audit_entries(conn, scope=AuditScope.for_actor(FINANCE))
        assert _actions(money) == ["settlement.issue", "settlement.confirm"]


def test_filters_and_paging(trail):
    scope = AuditScope()
    with trail.connect() as conn:
        frame, total = audit_entries(conn, scope=scope, action_prefix="product.")
        assert total == 3
        frame, total = audit_entries(conn, scope=scope, actor_filter="OPS")
        assert total == 2 and set(frame["actor"]) == {"ops"}
        frame, total = audit_entries(conn, scope=scope, vendor_id=2)
        assert _actions(frame) == ["settlement.issue", "promotion.create"]
        # [T+1h, T+3h): the ban at T+1h and the promotion at T+2h.
        period = TimeRange(T + timedelta(hours=1), T + timedelta(hours=3))
        frame, total = audit_entries(conn, scope=scope, period=period)
        assert _actions(frame) == ["promotion.create", "product.ban"]
        frame, total = audit_entries(conn, scope=scope, page=2, page_size=4)
        assert total == 6 and _actions(frame) == ["product.ban", "product.update"]
        # A "%" in a filter is a character, not a wildcard.
        assert audit_entries(conn, scope=scope, actor_filter="%")[1] == 0
        assert audit_actions(conn, scope=AuditScope.for_actor(FINANCE)) == [
            "settlement.confirm",
            "settlement.issue",
        ]


def test_latest_reason_wins(trail):
    with trail.connect() as conn:
        reasons = latest_reasons(
            conn, action="product.ban", entity="product", entity_ids=[11, 12], vendor_id=1
        )
    assert reasons == {"11": "仍是假冒"}


def test_vendor_never_reads_draft_settlement_actions(empty_db):
    """Drafts are finance's: a vendor's trail hides issue / adjust / discard of statements."""
    from queries.audit import AuditScope, audit_entries, record
    from queries.core.actors import Actor

    finance = Actor("fin", "finance")
    with empty_db.begin() as conn:
        for action in (
            "settlement.issue",
            "settlement.adjust",
            "settlement.discard",
            "settlement.confirm",
            "settlement.pay",
        ):
            record(
                conn,
                finance,
                action=action,
                entity="settlement",
                entity_id=1,
                vendor_id=7,
                after={"net_cents": 100},
            )
    vendor = AuditScope.for_actor(Actor("shop", "vendor", 7))
    with empty_db.connect() as conn:
        rows, total = audit_entries(conn, scope=vendor)
        staff_rows, staff_total = audit_entries(conn, scope=AuditScope.for_actor(finance))
    assert sorted(rows["action"]) == ["settlement.confirm", "settlement.pay"] and total == 2
    assert staff_total == 5
