"""Reconciliation of issued statements against today's data (mall of `tests/settlement_data.py`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from queries.core.actors import Actor, Scope
from queries.core.schema import orders, products, refunds
from queries.finance.actions import issue_statements
from queries.finance.reconciliation import reconcile
from tests.builders import Item, MallBuilder, local
from tests.settlement_data import NOV_END, NOV_START, TZ, build_settlement_mall

FINANCE = Actor("money", "finance")
ISSUED_AT = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def mall(empty_db):
    mall = build_settlement_mall(empty_db)
    issue_statements(
        mall.engine,
        FINANCE,
        period_start=NOV_START,
        period_end=NOV_END,
        tz=TZ,
        now=ISSUED_AT,
    )
    return mall


def _reconcile(mall, scope=None):
    with mall.engine.connect() as conn:
        return reconcile(
            conn, scope=scope or Scope.mall(), period_start=NOV_START, period_end=NOV_END, tz=TZ
        )


def test_untouched_data_has_no_difference(mall):
    # r3 (810) was completed on 2026-12-02, after November: a later statement's, not a gap.
    result = _reconcile(mall)
    assert result.differences.empty and result.causes.empty


def test_refund_redated_into_the_period(mall):
    with mall.engine.begin() as conn:
        conn.execute(
            refunds.update()
            .where(refunds.c.refund_id == mall.refunds["r3"])
            .values(completed_at=local("2026-11-29 10:00:00"))
        )
    result = _reconcile(mall)
    # refund 1000 → 1810; returned 50 → 50 + round(810 × 5%) = 50 + 41 = 91;
    # net 7673 → 7673 − 810 + 41 = 6904.
    got = [
        (r.vendor_id, r.line, r.frozen_cents, r.today_cents, r.difference_cents)
        for r in result.differences.itertuples()
    ]
    assert got == [
        (mall.s1, "refund_cents", 1000, 1810, 810),
        (mall.s1, "commission_refund_cents", 50, 91, 41),
        (mall.s1, "net_cents", 7673, 6904, -769),
    ]
    causes = result.causes
    refund_causes = causes[causes["line"] == "refund_cents"]
    assert set(refund_causes["ref"]) == {str(mall.refunds["r1"]), str(mall.refunds["r3"])}
    assert set(refund_causes["kind"]) == {"refund"}


def test_corrected_order_in_the_period(mall):
    # o6's paid amount corrected 500 → 600 (goods too): gross +100, net +100.
    with mall.engine.begin() as conn:
        conn.execute(
            orders.update()
            .where(orders.c.order_id == mall.orders["o6"].order_id)
            .values(goods_cents=600, paid_cents=600)
        )
    result = _reconcile(mall, Scope(mall.s1))
    lines = dict(
        zip(result.differences["line"], result.differences["difference_cents"], strict=True)
    )
    assert lines == {"gross_cents": 100, "net_cents": 100}
    # o6's single payment (500) no longer adds up to 600: it is named first, and flagged.
    gross = result.causes[result.causes["line"] == "gross_cents"]
    assert gross.iloc[0]["order_no"] == mall.orders["o6"].order_no
    assert gross.iloc[0]["reason"] == "payments_mismatch"
    assert list(result.payment_mismatches["order_no"]) == [mall.orders["o6"].order_no]


def test_flags(mall):
    with mall.engine.begin() as conn:
        b = MallBuilder(conn)
        product = conn.execute(sa.select(sa.func.min(products.c.product_id))).scalar_one()
        # Paid 1000 but only 400 recorded as paid by the channel.
        short = b.order(
            mall.s3,
            b.member(),
            [Item(product, 1, 1000)],
            paid_at=local("2026-11-12 09:00:00"),
            payments=[(400, 2)],
        )
        # Cancelled after payment but refunded: not flagged.
        refunded = b.order(
            mall.s3,
            b.member(),
            [Item(product, 1, 800)],
            paid_at=local("2026-11-13 09:00:00"),
            status="cancelled",
        )
        b.refund(refunded, 0, 800, completed_at=local("2026-11-14 09:00:00"))
    result = _reconcile(mall)
    assert list(result.payment_mismatches["order_no"]) == [short.order_no]
    assert int(result.payment_mismatches.iloc[0]["payments_cents"]) == 400
    # o4 was paid then cancelled with no completed refund.
    assert list(result.cancelled_unrefunded["order_no"]) == [mall.orders["o4"].order_no]
    assert not result.is_clean
    # A vendor scope sees only its own flags.
    assert _reconcile(mall, Scope(mall.s2)).is_clean
