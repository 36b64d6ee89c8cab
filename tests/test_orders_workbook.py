"""The order workbook: read back cell by cell with openpyxl, words, formats, rollover, streaming.

Data: the mall of `tests/test_orders.py` (see its docstring for every order).
"""

from __future__ import annotations

import io
from collections import namedtuple
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from exports.orders_workbook import (
    CHANNEL_WORDS,
    REFUND_STATE_WORDS,
    STATUS_WORDS,
    orders_workbook_bytes,
    write_orders,
    write_orders_workbook,
)
from exports.xlsx import new_workbook
from queries.core import schema as s
from queries.core.actors import Scope
from queries.orders.search import ROW_COLUMNS, OrderFilter
from tests.conftest import BACKENDS
from tests.test_orders import build_orders_mall

TZ = "Asia/Shanghai"
EN_HEADERS = [
    "Order no.",
    "Status",
    "Channel",
    "Member ID",
    "Created at",
    "Paid at",
    "Goods",
    "Discount",
    "Platform subsidy",
    "Shipping",
    "Paid",
    "Refunded",
    "Refund state",
    "Promotion",
    "Live session",
]


@pytest.fixture(scope="module", params=BACKENDS)
def mall(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        ids = build_orders_mall(conn)
    return engine, ids


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_vendor_workbook_in_english_cell_by_cell(mall):
    engine, ids = mall
    with engine.connect() as conn:
        data = orders_workbook_bytes(
            conn, scope=Scope(ids.shop_a), filters=OrderFilter(), tz=TZ, lang="en"
        )
    book = _read(data)
    assert book.sheetnames == ["Orders"]
    sheet = book["Orders"]
    rows = _rows(sheet)
    assert rows[0] == EN_HEADERS
    assert [r[0] for r in rows[1:]] == ["A-005", "A-006", "A-004", "A-003", "A-001", "A-002"]
    a2 = rows[6]
    # paid 2026-10-31 23:59:59 Shanghai, shown as that local wall time, a real date;
    # goods 13000, discount 1000, subsidy 0, ship 800, paid 12800, refunded 3000 (fen → yuan)
    assert a2 == [
        "A-002",
        "Completed",
        "App",
        str(ids.m1),
        datetime(2026, 10, 31, 23, 59, 59),
        datetime(2026, 10, 31, 23, 59, 59),
        130,
        10,
        0,
        8,
        128,
        30,
        "Partly refunded",
        "店铺满减",
        None,
    ]
    a3 = rows[4]
    assert a3[1:3] == ["Shipped", "Live"]
    assert a3[8] == 5 and a3[10] == 25 and a3[11] == 25  # subsidy 500, paid 2500, refunded 2500
    assert a3[12:] == ["Fully refunded", "双11平台券", "A 直播"]
    a5 = rows[1]
    assert a5[1] == "Pending payment" and a5[5] is None  # never paid: blank cell
    assert a5[4] == datetime(2026, 11, 4, 9, 0)
    # formats: member id is text, money has the currency format, times are dates
    assert sheet["D7"].data_type == "s"
    assert "¥" in sheet["K7"].number_format and sheet["K7"].data_type == "n"
    assert sheet["F7"].is_date
    assert sheet.freeze_panes == "A2"


def test_mall_workbook_in_chinese_has_the_shop_column(mall):
    engine, ids = mall
    with engine.connect() as conn:
        data = orders_workbook_bytes(
            conn, scope=Scope.mall(), filters=OrderFilter(member_id=ids.m1), tz=TZ, lang="zh"
        )
    book = _read(data)
    rows = _rows(book["订单"])
    assert rows[0][:4] == ["店铺", "订单号", "订单状态", "渠道"]
    assert rows[0][-4:] == ["退款金额", "退款状态", "营销活动", "直播场次"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("Shop B", "B-001", "已付款"),
        ("Shop A", "A-001", "已付款"),
        ("Shop A", "A-002", "已完成"),
    ]
    assert rows[1][-4:] == [20, "部分退款", None, None]  # B-001: 2000 of 5000 refunded


def test_empty_result_is_a_workbook_with_headers_only(mall):
    engine, ids = mall
    with engine.connect() as conn:
        data = orders_workbook_bytes(
            conn,
            scope=Scope(ids.shop_b),
            filters=OrderFilter(channels=("live",)),
            tz=TZ,
            lang="en",
        )
    assert _rows(_read(data)["Orders"]) == [EN_HEADERS]


def test_rows_roll_over_to_a_new_sheet(mall, tmp_path):
    engine, ids = mall
    target = tmp_path / "orders.xlsx"
    with engine.connect() as conn:
        written = write_orders_workbook(
            conn,
            target,
            scope=Scope(ids.shop_a),
            filters=OrderFilter(),
            tz=TZ,
            lang="en",
            max_rows=3,
            chunk=2,
        )
    assert written == 6
    book = openpyxl.load_workbook(target)
    # 3 rows per sheet = header + 2 orders
    assert book.sheetnames == ["Orders", "Orders (2)", "Orders (3)"]
    nos = [r[0] for name in book.sheetnames for r in _rows(book[name])[1:]]
    assert nos == ["A-005", "A-006", "A-004", "A-003", "A-001", "A-002"]
    assert all(_rows(book[name])[0] == EN_HEADERS for name in book.sheetnames)


def test_text_from_data_is_never_a_formula(tmp_path):
    row = namedtuple("Row", ROW_COLUMNS)(
        1,
        '=HYPERLINK("x")',
        1,
        "+Shop",
        7,
        "paid",
        "app",
        datetime(2026, 11, 1, tzinfo=UTC),
        None,
        100,
        0,
        0,
        0,
        100,
        0,
        "none",
        "=1+1",
        "@live",
    )
    target = tmp_path / "f.xlsx"
    workbook = new_workbook(str(target))
    write_orders(workbook, [row], lang="en", tz=ZoneInfo(TZ), mall=True)
    workbook.close()
    sheet = openpyxl.load_workbook(target)["Orders"]
    cells = list(sheet.iter_rows(min_row=2, values_only=False))[0]
    assert cells[0].value == "+Shop" and cells[0].data_type == "s"
    assert cells[1].value == '=HYPERLINK("x")' and cells[1].data_type == "s"
    assert cells[-2].value == "=1+1" and cells[-2].data_type == "s"


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_many_rows_stream_across_chunks_and_sheets(db_factory, tmp_path, backend_name):
    """500 orders, fetched 64 at a time, 200 rows per sheet: nothing lost, order kept."""
    engine = db_factory.engine(backend_name)
    with engine.begin() as conn:
        from tests.builders import MallBuilder

        b = MallBuilder(conn)
        shop, member = b.vendor(), b.member()
        base = datetime(2026, 11, 1, tzinfo=UTC)
        conn.execute(
            s.orders.insert(),
            [
                {
                    "order_no": f"N{n:05d}",
                    "vendor_id": shop,
                    "member_id": member,
                    "created_at": base,
                    "paid_at": base.replace(minute=n % 60, second=n // 60),
                    "status": "paid",
                    "channel": "app",
                    "goods_cents": n,
                    "discount_cents": 0,
                    "platform_discount_cents": 0,
                    "shipping_cents": 0,
                    "paid_cents": n,
                }
                for n in range(500)
            ],
        )
    target = tmp_path / "many.xlsx"
    with engine.connect() as conn:
        written = write_orders_workbook(
            conn,
            target,
            scope=Scope(shop),
            filters=OrderFilter(),
            tz=TZ,
            lang="en",
            max_rows=201,
            chunk=64,
        )
        expected = (
            conn.execute(
                sa.select(s.orders.c.order_no).order_by(
                    s.orders.c.paid_at.desc(), s.orders.c.order_id.desc()
                )
            )
            .scalars()
            .all()
        )
    assert written == 500
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["Orders", "Orders (2)", "Orders (3)"]
    sheets = [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames]
    nos = [row[0] for rows in sheets for row in rows[1:]]
    assert nos == expected


def test_workbook_words_match_the_dashboard():
    from dashboard.strings.common import STRINGS as COMMON
    from dashboard.strings.orders import STRINGS as ORDERS

    for index, lang in enumerate(("zh", "en")):
        for code, word in STATUS_WORDS[lang].items():
            assert COMMON[f"status.order.{code}"][index] == word
        for code, word in CHANNEL_WORDS[lang].items():
            assert COMMON[f"status.channel.{code}"][index] == word
        for code, word in REFUND_STATE_WORDS[lang].items():
            assert ORDERS[f"orders.refund_state.{code}"][index] == word
