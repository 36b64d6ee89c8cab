"""Orders (订单管理): search, filters, paging, refund states, scope and detail, on both backends.

The hand-built mall (Shanghai times; UTC+8, no daylight saving):

  shop A: products 面霜 (pA1), 口红 (pA2); promotion 店铺满减 (A's own),
          platform promotion 双11平台券 (campaign double11); live session 「A 直播」
  shop B: product 围巾 (pB1)

  order  shop member paid (local)           status          channel      lines → paid
  A-001  A    m1     2026-11-01 00:00:00    paid            app          pA1 1×10000 → 10000
  A-002  A    m1     2026-10-31 23:59:59    completed       app          pA1 2×5000 −1000,
                                                                         pA2 1×3000,
                                                                         ship 800 → 12800
  A-003  A    m2     2026-11-02 10:00       shipped         live         pA2 1×3000 −500
                                                                         (platform 500) → 2500
  A-004  A    m2     2026-11-03 12:00       paid            mini_program pA1 1×10000 → 10000
  A-005  A    m3     never (created 11-04 09:00) pending_payment h5      pA2 1×3000 → 3000
  A-006  A    m3     2026-11-05 08:00       cancelled       app          pA1 1×10000 → 10000
  B-001  B    m1     2026-11-02 15:00       paid            app          pB1 1×5000 → 5000

  refunds: A-002 line pA2 3000 completed      → Σ 3000 < lines 9000+3000 = 12000 → partial
           A-003 line pA2 2500 completed      → Σ 2500 = lines 2500           → full
           A-004 line pA1 1000 completed + 4000 requested                    → in_progress
           A-006 line pA1 10000 rejected      → only rejected                 → none
           B-001 line pB1 2000 completed                                      → partial
  A-001, A-005: no refund rows                                                → none
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.errors import Invalid
from queries.orders.detail import order_detail
from queries.orders.search import (
    MAX_PAGE_SIZE,
    ROW_COLUMNS,
    OrderFilter,
    iter_order_rows,
    search_orders,
)
from tests.builders import Item, MallBuilder, local
from tests.conftest import BACKENDS

TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class OrdersMall:
    """Ids of the hand-built mall."""

    shop_a: int
    shop_b: int
    m1: int
    m2: int
    m3: int
    promo_shop: int
    promo_platform: int
    live: int


def build_orders_mall(conn: sa.Connection) -> OrdersMall:
    """Insert the mall described in this module's docstring."""
    b = MallBuilder(conn)
    cat = b.category()
    shop_a, shop_b = b.vendor("Shop A"), b.vendor("Shop B")
    m1, m2, m3 = b.member(), b.member(), b.member()
    pa1 = b.product(shop_a, cat, "面霜", price_cents=10000)
    pa2 = b.product(shop_a, cat, "口红", price_cents=3000)
    pb1 = b.product(shop_b, cat, "围巾", price_cents=5000)
    promo_shop = b.promotion(
        vendor_id=shop_a,
        name="店铺满减",
        kind="threshold_off",
        threshold_cents=10000,
        amount_off_cents=1000,
        starts_at=local("2026-10-01 00:00:00"),
        ends_at=local("2026-12-01 00:00:00"),
    )
    promo_platform = b.promotion(
        vendor_id=None,
        name="双11平台券",
        campaign="double11",
        amount_off_cents=500,
        starts_at=local("2026-11-01 00:00:00"),
        ends_at=local("2026-11-12 00:00:00"),
    )
    live = b.live_session(
        shop_a,
        title="A 直播",
        started_at=local("2026-11-02 09:00:00"),
        ended_at=local("2026-11-02 11:00:00"),
        viewers=300,
    )
    b.order(shop_a, m1, [Item(pa1)], paid_at=local("2026-11-01 00:00:00"), order_no="A-001")
    a2 = b.order(
        shop_a,
        m1,
        [Item(pa1, 2, 5000, discount_cents=1000), Item(pa2, 1, 3000)],
        paid_at=local("2026-10-31 23:59:59"),
        status="completed",
        shipping_cents=800,
        promotion_id=promo_shop,
        order_no="A-002",
    )
    a3 = b.order(
        shop_a,
        m2,
        [Item(pa2, 1, 3000, discount_cents=500)],
        paid_at=local("2026-11-02 10:00:00"),
        status="shipped",
        channel="live",
        live_session_id=live,
        promotion_id=promo_platform,
        platform_discount_cents=500,
        order_no="A-003",
    )
    a4 = b.order(
        shop_a,
        m2,
        [Item(pa1)],
        paid_at=local("2026-11-03 12:00:00"),
        channel="mini_program",
        order_no="A-004",
    )
    b.order(
        shop_a,
        m3,
        [Item(pa2, 1, 3000)],
        paid_at=None,
        created_at=local("2026-11-04 09:00:00"),
        channel="h5",
        order_no="A-005",
    )
    a6 = b.order(
        shop_a,
        m3,
        [Item(pa1)],
        paid_at=local("2026-11-05 08:00:00"),
        status="cancelled",
        order_no="A-006",
    )
    b1 = b.order(
        shop_b, m1, [Item(pb1, 1, 5000)], paid_at=local("2026-11-02 15:00:00"), order_no="B-001"
    )
    b.refund(a2, 1, 3000, completed_at=local("2026-11-06 10:00:00"), reason="不喜欢")
    b.refund(a3, 0, 2500, completed_at=local("2026-11-07 10:00:00"))
    b.refund(a4, 0, 1000, completed_at=local("2026-11-04 10:00:00"))
    b.refund(a4, 0, 4000, status="requested", requested_at=local("2026-11-08 10:00:00"))
    b.refund(a6, 0, 10000, status="rejected", requested_at=local("2026-11-06 10:00:00"))
    b.refund(b1, 0, 2000, completed_at=local("2026-11-09 10:00:00"))
    return OrdersMall(shop_a, shop_b, m1, m2, m3, promo_shop, promo_platform, live)


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory) -> tuple[sa.Engine, OrdersMall]:
    """The mall above, built once per backend for this module. Read it, never write."""
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        ids = build_orders_mall(conn)
    return engine, ids


def _nos(engine: sa.Engine, scope: Scope, filters: OrderFilter, **paging) -> list[str]:
    with engine.connect() as conn:
        page = search_orders(conn, scope=scope, filters=filters, tz=TZ, **paging)
    return list(page.rows["order_no"])


# Sorted newest payment first, unpaid first: A-005 (unpaid), A-006 11-05, A-004 11-03,
# A-003 11-02, A-001 11-01, A-002 10-31.
ALL_A = ["A-005", "A-006", "A-004", "A-003", "A-001", "A-002"]


def test_no_filter_lists_the_shops_orders_newest_payment_first(mall):
    engine, ids = mall
    assert _nos(engine, Scope(ids.shop_a), OrderFilter()) == ALL_A
    assert _nos(engine, Scope(ids.shop_b), OrderFilter()) == ["B-001"]
    # the whole mall: B-001 (11-02 15:00) sorts before A-003 (11-02 10:00)
    assert _nos(engine, Scope.mall(), OrderFilter()) == [
        "A-005",
        "A-006",
        "A-004",
        "B-001",
        "A-003",
        "A-001",
        "A-002",
    ]


def test_search_by_exact_order_no(mall):
    engine, ids = mall
    assert _nos(engine, Scope(ids.shop_a), OrderFilter(order_no="A-002")) == ["A-002"]
    assert _nos(engine, Scope(ids.shop_a), OrderFilter(order_no="  A-002 ")) == ["A-002"]
    assert _nos(engine, Scope(ids.shop_a), OrderFilter(order_no="A-00")) == []  # exact only
    assert _nos(engine, Scope.mall(), OrderFilter(order_no="B-001")) == ["B-001"]


def test_a_vendor_cannot_find_or_open_another_vendors_order(mall):
    engine, ids = mall
    assert _nos(engine, Scope(ids.shop_b), OrderFilter(order_no="A-002")) == []
    with engine.connect() as conn:
        assert order_detail(conn, scope=Scope(ids.shop_b), order_no="A-002") is None
        assert order_detail(conn, scope=Scope(ids.shop_a), order_no="B-001") is None
        assert order_detail(conn, scope=Scope(ids.shop_a), order_no="NOPE") is None
        assert order_detail(conn, scope=Scope(ids.shop_a), order_no="  ") is None
        assert order_detail(conn, scope=Scope.mall(), order_no="B-001").vendor_name == "Shop B"


def test_search_by_member(mall):
    engine, ids = mall
    assert _nos(engine, Scope(ids.shop_a), OrderFilter(member_id=ids.m1)) == ["A-001", "A-002"]
    # m1 also bought B-001, which only the mall (or shop B) sees
    assert _nos(engine, Scope.mall(), OrderFilter(member_id=ids.m1)) == ["B-001", "A-001", "A-002"]
    assert _nos(engine, Scope(ids.shop_b), OrderFilter(member_id=ids.m2)) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (OrderFilter(statuses=("paid",)), ["A-004", "A-001"]),
        (OrderFilter(statuses=("completed", "cancelled")), ["A-006", "A-002"]),
        (OrderFilter(statuses=("pending_payment",)), ["A-005"]),
        (OrderFilter(channels=("live",)), ["A-003"]),
        (OrderFilter(channels=("mini_program", "h5")), ["A-005", "A-004"]),
        (OrderFilter(statuses=("paid",), channels=("app",)), ["A-001"]),
        (OrderFilter(refund_state="none"), ["A-005", "A-006", "A-001"]),
        (OrderFilter(refund_state="in_progress"), ["A-004"]),
        (OrderFilter(refund_state="partial"), ["A-002"]),
        (OrderFilter(refund_state="full"), ["A-003"]),
    ],
)
def test_each_filter(mall, filters, expected):
    engine, ids = mall
    assert _nos(engine, Scope(ids.shop_a), filters) == expected


def test_paid_date_filter_cuts_at_shanghai_midnight(mall):
    engine, ids = mall
    a = Scope(ids.shop_a)
    # A-001 paid 2026-11-01 00:00:00 Shanghai = 2026-10-31 16:00 UTC: November 1st.
    nov1 = OrderFilter(first_day=date(2026, 11, 1), last_day=date(2026, 11, 1))
    assert _nos(engine, a, nov1) == ["A-001"]
    # A-002 paid one second earlier: October 31st.
    oct31 = OrderFilter(first_day=date(2026, 10, 31), last_day=date(2026, 10, 31))
    assert _nos(engine, a, oct31) == ["A-002"]
    # open-ended ranges; the unpaid A-005 never matches a payment date
    assert _nos(engine, a, OrderFilter(first_day=date(2026, 11, 3))) == ["A-006", "A-004"]
    assert _nos(engine, a, OrderFilter(last_day=date(2026, 11, 1))) == ["A-001", "A-002"]


def test_created_date_filter_includes_unpaid_orders(mall):
    engine, ids = mall
    nov4 = OrderFilter(
        first_day=date(2026, 11, 4), last_day=date(2026, 11, 4), date_field="created"
    )
    assert _nos(engine, Scope(ids.shop_a), nov4) == ["A-005"]


def test_paging_returns_one_page_and_the_total(mall):
    engine, ids = mall
    a = Scope(ids.shop_a)
    with engine.connect() as conn:
        first = search_orders(conn, scope=a, filters=OrderFilter(), tz=TZ, page=1, page_size=4)
        second = search_orders(conn, scope=a, filters=OrderFilter(), tz=TZ, page=2, page_size=4)
        beyond = search_orders(conn, scope=a, filters=OrderFilter(), tz=TZ, page=99, page_size=4)
        huge = search_orders(conn, scope=a, filters=OrderFilter(), tz=TZ, page_size=10_000)
    assert (first.total, first.pages, first.page) == (6, 2, 1)
    assert list(first.rows["order_no"]) == ALL_A[:4]
    assert list(second.rows["order_no"]) == ["A-001", "A-002"]
    assert (beyond.page, list(beyond.rows["order_no"])) == (2, ["A-001", "A-002"])
    assert huge.page_size == MAX_PAGE_SIZE


def test_empty_result_has_the_columns_and_one_page(mall):
    engine, ids = mall
    with engine.connect() as conn:
        page = search_orders(
            conn, scope=Scope(ids.shop_b), filters=OrderFilter(statuses=("shipped",)), tz=TZ
        )
    assert (page.total, page.pages, len(page.rows)) == (0, 1, 0)
    assert list(page.rows.columns) == list(ROW_COLUMNS)


def test_list_row_values(mall):
    engine, ids = mall
    with engine.connect() as conn:
        page = search_orders(conn, scope=Scope(ids.shop_a), filters=OrderFilter(), tz=TZ)
    rows = page.rows.set_index("order_no")
    # goods 2×5000 + 3000 = 13000, discount 1000, ship 800 → paid 12800; 3000 refunded
    a2 = rows.loc["A-002"]
    assert (a2.goods_cents, a2.discount_cents, a2.shipping_cents, a2.paid_cents) == (
        13000,
        1000,
        800,
        12800,
    )
    assert (a2.refunded_cents, a2.refund_state, a2.promotion_name) == (3000, "partial", "店铺满减")
    a3 = rows.loc["A-003"]
    assert (a3.platform_discount_cents, a3.paid_cents, a3.refunded_cents) == (500, 2500, 2500)
    assert (a3.refund_state, a3.live_session_title, a3.promotion_name) == (
        "full",
        "A 直播",
        "双11平台券",
    )
    # only the completed 1000 counts as refunded; the 4000 request is open
    assert (rows.loc["A-004"].refunded_cents, rows.loc["A-004"].refund_state) == (
        1000,
        "in_progress",
    )
    assert (rows.loc["A-006"].refunded_cents, rows.loc["A-006"].refund_state) == (0, "none")
    assert rows.loc["A-001"].paid_at.isoformat() == "2026-10-31T16:00:00+00:00"
    assert rows.loc["A-005"].paid_at is None or rows["paid_at"].isna()["A-005"]
    assert set(rows["vendor_name"]) == {"Shop A"}


def test_detail_contents(mall):
    engine, ids = mall
    with engine.connect() as conn:
        a2 = order_detail(conn, scope=Scope(ids.shop_a), order_no="A-002")
        a3 = order_detail(conn, scope=Scope.mall(), order_no="A-003")
        a5 = order_detail(conn, scope=Scope(ids.shop_a), order_no="A-005")
    assert (a2.status, a2.member_id, a2.paid_cents, a2.refunded_cents) == (
        "completed",
        ids.m1,
        12800,
        3000,
    )
    assert a2.refund_state == "partial"
    assert list(a2.items["product_name"]) == ["面霜", "口红"]
    assert list(a2.items["quantity"]) == [2, 1]
    assert list(a2.items["amount_cents"]) == [9000, 3000]  # 2×5000−1000, 1×3000
    assert list(a2.items["refunded_cents"]) == [0, 3000]
    assert list(a2.payments["amount_cents"]) == [12800]
    assert list(a2.payments["method"]) == ["wechat"]
    assert list(a2.refunds["product_name"]) == ["口红"]
    assert list(a2.refunds[["amount_cents", "status", "reason"]].itertuples(index=False)) == [
        (3000, "completed", "不喜欢")
    ]
    assert a2.promotion.name == "店铺满减" and not a2.promotion.is_platform
    assert a2.live_session is None

    assert a3.promotion.is_platform and a3.promotion.campaign == "double11"
    assert (a3.live_session.title, a3.live_session.viewers) == ("A 直播", 300)
    assert a3.platform_discount_cents == 500 and a3.refund_state == "full"

    # never paid: no payments, no refunds, empty frames with their columns
    assert a5.paid_at is None and a5.payments.empty and a5.refunds.empty
    assert "amount_cents" in a5.payments.columns and "status" in a5.refunds.columns


def test_iter_order_rows_streams_the_same_rows(mall):
    engine, ids = mall
    filters = OrderFilter(refund_state="none")
    with engine.connect() as conn:
        rows = list(iter_order_rows(conn, scope=Scope(ids.shop_a), filters=filters, tz=TZ, chunk=2))
        everything = list(iter_order_rows(conn, scope=Scope.mall(), filters=OrderFilter(), tz=TZ))
    assert [r.order_no for r in rows] == ["A-005", "A-006", "A-001"]
    assert tuple(rows[0]._fields) == ROW_COLUMNS
    assert len(everything) == 7


def test_bad_filters_are_refused():
    with pytest.raises(Invalid):
        OrderFilter(statuses=("shipping",))
    with pytest.raises(Invalid):
        OrderFilter(refund_state="some")
    with pytest.raises(Invalid):
        OrderFilter(first_day=date(2026, 11, 2), last_day=date(2026, 11, 1))
    with pytest.raises(Invalid):
        OrderFilter(member_id=0)
    assert OrderFilter(order_no="   ").order_no is None
    assert hash(OrderFilter(statuses=["paid"])) == hash(OrderFilter(statuses=("paid",)))


def test_refund_state_edges(empty_db):
    """Free lines are not 'fully refunded'; a rejected retry does not hide a full refund."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat, shop, member = b.category(), b.vendor(), b.member()
        product = b.product(shop, cat)
        paid = local("2026-11-10 12:00:00")
        # a free gift: line amount 1×100 − 100 = 0, nothing can be refunded
        b.order(
            shop, member, [Item(product, 1, 100, discount_cents=100)], paid_at=paid, order_no="FREE"
        )
        # two lines 4000 + 6000 refunded in two completed refunds, then a rejected request
        two = b.order(
            shop,
            member,
            [Item(product, 1, 4000), Item(product, 1, 6000)],
            paid_at=paid,
            order_no="TWO",
        )
        b.refund(two, 0, 4000, completed_at=paid)
        b.refund(two, 1, 6000, completed_at=paid)
        b.refund(two, 1, 100, status="rejected", requested_at=paid)
        # one of two lines fully back (4000 of 10000), and an approved request pending
        open_ = b.order(
            shop,
            member,
            [Item(product, 1, 4000), Item(product, 1, 6000)],
            paid_at=paid,
            order_no="OPEN",
        )
        b.refund(open_, 0, 4000, completed_at=paid)
        b.refund(open_, 1, 6000, status="approved", requested_at=paid)
    with empty_db.connect() as conn:
        page = search_orders(conn, scope=Scope(shop), filters=OrderFilter(), tz=TZ)
        states = dict(zip(page.rows["order_no"], page.rows["refund_state"], strict=True))
        refunded = dict(zip(page.rows["order_no"], page.rows["refunded_cents"], strict=True))
        by_filter = {
            state: _nos(empty_db, Scope(shop), OrderFilter(refund_state=state))
            for state in ("none", "in_progress", "partial", "full")
        }
    assert states == {"FREE": "none", "TWO": "full", "OPEN": "in_progress"}
    assert refunded == {"FREE": 0, "TWO": 10000, "OPEN": 4000}
    assert by_filter == {"none": ["FREE"], "in_progress": ["OPEN"], "partial": [], "full": ["TWO"]}


# Each line's refund history, in order (amounts on the 4000 line; (): no refund).
_LINE_REFUNDS = (
    (),
    (("requested", 1000),),
    (("approved", 4000),),
    (("rejected", 4000),),
    (("completed", 1000),),
    (("completed", 4000),),
    (("completed", 1000), ("requested", 3000)),
)


def _expected_state(refunds: list[tuple[str, int]], lines_total: int) -> str:
    """The refund state by the rules written out (docs/orders.md), independent of the SQL."""
    back = sum(amount for status, amount in refunds if status == "completed")
    completed = any(status == "completed" for status, _ in refunds)
    open_ = any(status in ("requested", "approved") for status, _ in refunds)
    if completed and back >= lines_total:
        return "full"
    if open_:
        return "in_progress"
    return "partial" if completed else "none"


def test_refund_state_shown_matches_filter_for_every_history(empty_db):
    """The list's refund state (one pass over the refunds) and the filter's (EXISTS terms)
    agree with the rules for every mix of requested, approved, rejected and completed."""
    expected: dict[str, str] = {}
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        cat, shop, member = b.category(), b.vendor(), b.member()
        product = b.product(shop, cat)
        paid = local("2026-11-10 12:00:00")
        for first_i, first in enumerate(_LINE_REFUNDS):
            for second_i, second in enumerate(_LINE_REFUNDS):
                no = f"R{first_i}{second_i}"
                # the second line's amounts scaled to its 6000: "completed 4000" → all of it
                second = tuple((st, 6000 if amount == 4000 else amount) for st, amount in second)
                order = b.order(
                    shop,
                    member,
                    [Item(product, 1, 4000), Item(product, 1, 6000)],
                    paid_at=paid,
                    order_no=no,
                )
                for line, history in ((0, first), (1, second)):
                    for status, amount in history:
                        done = paid if status == "completed" else None
                        b.refund(
                            order, line, amount, status=status, requested_at=paid, completed_at=done
                        )
                expected[no] = _expected_state([*first, *second], 10000)
    filters = OrderFilter()
    with empty_db.connect() as conn:
        page = search_orders(conn, scope=Scope(shop), filters=filters, tz=TZ, page_size=100)
        shown = dict(zip(page.rows["order_no"], page.rows["refund_state"], strict=True))
    by_filter = {
        no: state
        for state in ("none", "in_progress", "partial", "full")
        for no in _nos(empty_db, Scope(shop), OrderFilter(refund_state=state), page_size=100)
    }
    assert set(expected.values()) == {"none", "in_progress", "partial", "full"}
    assert shown == expected
    assert by_filter == expected
