"""A vendor sees only their own shop: every page, chart, table, download and query.

The mall has two shops. Everything of shop B that could leak carries a `ZZOTHER`
marker: its name, product, promotions (a discount and a coupon), live session,
note and tag, its only buyer's city, its order numbers, refund reason, statement
note and payment reference, and audit reason. Shop A's own things carry `AAMINE`,
so each check also proves the page really showed data (a blank page would pass).
A member `shared` buys from both shops; a platform promotion is used on both
shops' orders, and A must see its results over A's orders only.

Pages are opened in AppTest as A's login — plainly and with `?vendor=<B>` — and
every element's protobuf (texts, options, dataframes' Arrow bytes, Plotly JSON)
is searched; downloads are captured where `st.download_button` is called and the
workbooks' XML searched. Then every read a vendor page uses is called with
`Scope(A)` on both backends. Markers are ASCII so they survive protobuf escaping.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit

from dashboard.shell.navigation import ACCESS
from queries.core import schema as s
from queries.core.actors import Scope

MINE, OTHER = "AAMINE", "ZZOTHER"
B_AMOUNT = 77777  # B's big order, ¥777.77: must not show in any of A's figures
VENDOR_PAGES = sorted(name for name, roles in ACCESS.items() if "vendor" in roles)


def _recent() -> datetime:
    """Two days ago at 02:00 UTC (10:00 Shanghai): inside every page's default period."""
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _last_month() -> tuple[date, date]:
    """The calendar month before this one (Shanghai), as [first day, first day of next)."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    end = today.replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def _note(conn, author: int, title: str, tag: str, product: int, viewer: int, at) -> None:
    note_id = conn.execute(
        s.notes.insert().values(author_member_id=author, posted_at=at, title=title)
    ).inserted_primary_key[0]
    conn.execute(s.note_tags.insert().values(note_id=note_id, tag=tag))
    conn.execute(s.note_products.insert().values(note_id=note_id, product_id=product))
    conn.execute(s.note_views.insert().values(member_id=viewer, note_id=note_id, viewed_at=at))


def _statement(conn, vendor_id: int, marker: str, first: date, end: date, status: str) -> int:
    now = datetime.now(UTC)
    return conn.execute(
        s.settlements.insert().values(
            vendor_id=vendor_id, period_start=first, period_end=end, gross_cents=10000,
            platform_subsidy_cents=0, commission_cents=500, payment_fee_cents=0,
            refund_cents=0, commission_refund_cents=0, adjustment_cents=100, net_cents=9600,
            status=status, created_at=now, confirmed_at=now,
            paid_at=now if status == "paid" else None, adjustment_note=f"{marker}-ADJ",
            payment_reference=f"{marker}-PAYREF" if status == "paid" else None, version=1,
        )
    ).inserted_primary_key[0]  # fmt: skip


def build_two_shops(conn) -> dict[str, object]:
    """The mall above; returns ids and order numbers."""
    from tests.builders import Item, MallBuilder

    b = MallBuilder(conn)
    recent, (first, end) = _recent(), _last_month()
    old = datetime(first.year, first.month, 10, 2, 0, tzinfo=UTC)
    window = {"starts_at": recent - timedelta(days=3), "ends_at": recent + timedelta(days=3)}
    cat = b.category()
    va, vb = b.vendor(f"{MINE}-SHOP"), b.vendor(f"{OTHER}-SHOP")
    pa, pb = b.product(va, cat, f"{MINE}-PRODUCT"), b.product(vb, cat, f"{OTHER}-PRODUCT")
    ma = b.member(city=f"{MINE}-CITY")
    mb = b.member(city=f"{OTHER}-CITY", city_tier=4, level="diamond")
    shared = b.member(city="上海", city_tier=1)
    promo_a = b.promotion(vendor_id=va, name=f"{MINE}-PROMO", **window)
    promo_b = b.promotion(vendor_id=vb, name=f"{OTHER}-PROMO", budget_cents=99900, **window)
    coupon_b = b.promotion(
        vendor_id=vb, name=f"{OTHER}-COUPON", kind="coupon", threshold_cents=5000, **window
    )
    platform = b.promotion(vendor_id=None, name="PLATFORM-PROMO", campaign="double11", **window)
    on_air = {"started_at": recent - timedelta(hours=1), "ended_at": recent + timedelta(hours=1)}
    live_a = b.live_session(va, title=f"{MINE}-LIVE", **on_air)
    live_b = b.live_session(vb, title=f"{OTHER}-LIVE", **on_air)
    # A: two recent orders (¥200 with A's promotion; ¥100 with the platform's, in A's live)
    # and one last month. B: ¥777.77 with B's promotion in B's live, ¥300 with the
    # platform's by the shared member, ¥60 with B's coupon, and one last month.
    a1 = b.order(va, ma, [Item(pa, unit_price_cents=20000)], paid_at=recent,
                 promotion_id=promo_a, order_no=f"{MINE}0001")  # fmt: skip
    b.order(va, shared, [Item(pa, unit_price_cents=10000)], paid_at=recent, channel="live",
            live_session_id=live_a, promotion_id=platform, order_no=f"{MINE}0002")  # fmt: skip
    a9 = b.order(va, ma, [Item(pa)], paid_at=old, order_no=f"{MINE}0009")
    b1 = b.order(vb, mb, [Item(pb, unit_price_cents=B_AMOUNT)], paid_at=recent, channel="live",
                 live_session_id=live_b, promotion_id=promo_b, order_no=f"{OTHER}0001")  # fmt: skip
    b.order(vb, shared, [Item(pb, unit_price_cents=30000)], paid_at=recent,
            promotion_id=platform, platform_discount_cents=0, order_no=f"{OTHER}0002")  # fmt: skip
    b3 = b.order(vb, mb, [Item(pb, unit_price_cents=6000)], paid_at=recent,
                 order_no=f"{OTHER}0003")  # fmt: skip
    b9 = b.order(vb, mb, [Item(pb)], paid_at=old, order_no=f"{OTHER}0009")
    conn.execute(
        s.coupons.insert().values(
            promotion_id=coupon_b, member_id=mb, issued_at=recent - timedelta(hours=1),
            used_at=recent, order_id=b3.order_id,
        )
    )  # fmt: skip
    b.refund(a1, 0, 500, completed_at=recent, reason=f"{MINE}-REASON")
    b.refund(b1, 0, 700, completed_at=recent, reason=f"{OTHER}-REASON")
    # Last month's refunds: they belong on last month's statements (and their workbooks).
    b.refund(a9, 0, 300, completed_at=old + timedelta(days=1), reason=f"{MINE}-REASON")
    b.refund(b9, 0, 400, completed_at=old + timedelta(days=1), reason=f"{OTHER}-REASON")
    before = recent - timedelta(hours=1)
    _note(conn, ma, f"{MINE}-NOTE", f"{MINE}-TAG", pa, ma, before)
    _note(conn, mb, f"{OTHER}-NOTE", f"{OTHER}-TAG", pb, mb, before)
    sa_id = _statement(conn, va, MINE, first, end, "confirmed")
    sb_id = _statement(conn, vb, OTHER, first, end, "paid")
    for vendor_id, marker in ((va, MINE), (vb, OTHER)):
        conn.execute(
            s.audit_log.insert().values(
                at=recent, actor=f"{marker.lower()}_user", role="vendor",
                action="product.update", entity="product",
                entity_id=str(pa if vendor_id == va else pb), vendor_id=vendor_id,
                reason=f"{marker}-AUDIT", before='{"price_cents": 1}', after='{"price_cents": 2}',
            )
        )  # fmt: skip
    return {
        "a": va, "b": vb, "platform": platform, "promo_b": promo_b, "coupon_b": coupon_b,
        "live_b": live_b, "statement_a": sa_id, "statement_b": sb_id, "first": first, "end": end,
    }  # fmt: skip


def other_markers(text: str) -> list[str]:
    """B's markers (and B's amount) found in `text`."""
    found = [f"{OTHER}{tail}" for tail in ("-SHOP", "-PRODUCT", "-PROMO", "-COUPON", "-LIVE",
             "-NOTE", "-TAG", "-CITY", "0001", "0002", "0003", "0009", "-REASON", "-ADJ",
             "-PAYREF", "-AUDIT") if f"{OTHER}{tail}" in text]  # fmt: skip
    found += [amount for amount in ("777.77", "777,77") if amount in text]
    if OTHER.lower() in text:  # B's audit actor name
        found.append(OTHER.lower())
    return found


def dump(value) -> str:
    """Everything a read returned, as text (frames in full, dataclasses field by field)."""
    if isinstance(value, pd.DataFrame):
        with pd.option_context("display.max_rows", None, "display.max_columns", None):
            return value.to_string() + " " + " ".join(map(str, value.columns))
    if is_dataclass(value) and not isinstance(value, type):
        return " ".join(dump(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, dict):
        return " ".join(f"{k} {dump(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(dump(v) for v in value)
    return str(value)


def vendor_ids_in(value) -> set:
    """Every value of a `vendor_id` column anywhere in a read's result."""
    out: set = set()
    if isinstance(value, pd.DataFrame):
        if "vendor_id" in value.columns:
            out |= {v for v in value["vendor_id"].tolist() if v is not None and v == v}
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            if f.name == "vendor_id":
                out.add(getattr(value, f.name))
            else:
                out |= vendor_ids_in(getattr(value, f.name))
    elif isinstance(value, dict):
        for v in value.values():
            out |= vendor_ids_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            out |= vendor_ids_in(v)
    return out


def xlsx_text(data: bytes) -> str:
    """The XML of every part of a workbook (cells, shared strings, sheet names)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


# --- pages, in AppTest (SQLite) -----------------------------------------------------------


@pytest.fixture(scope="module")
def site(db_factory, tmp_path_factory):
    from tests.apptest import AppSession

    engine = db_factory.engine("sqlite")
    with engine.begin() as conn:
        ids = build_two_shops(conn)
    session = AppSession(engine.url, tmp_path_factory.mktemp("isolation"))
    session.add("shop_a", role="vendor", vendor_id=ids["a"])
    session.add("ops", role="operator")
    return session, ids


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """The bytes of every download button the page draws (deferred ones built on demand)."""
    captured: list = []
    original = streamlit.download_button

    def recording(label, data=None, *args, **kwargs):
        captured.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return captured


def _materialize(captured: list) -> list[bytes]:
    out = []
    for data in captured:
        data = data() if callable(data) else data
        out.append(data.encode() if isinstance(data, str) else bytes(data))
    return out


def page_text(at) -> str:
    """Every element's protobuf as text: labels, options, markdown, Arrow tables, chart JSON."""
    from tests.apptest import texts

    parts = [texts(at)]

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for chart in at.get("plotly_chart"):
        parts.append(chart.proto.spec)
    for box in [*at.selectbox, *at.multiselect, *at.radio]:
        parts.extend(map(str, box.options))
    return "\n".join(parts)


def _check_page(session, page: str, query, captured: list) -> str:
    at = session.open(page, as_user="shop_a", query=query)
    assert not at.exception, (page, at.exception)
    shown = page_text(at)
    assert other_markers(shown) == [], (page, query, other_markers(shown))
    for n, data in enumerate(_materialize(captured)):
        text = xlsx_text(data) if data[:2] == b"PK" else data.decode("utf-8", "replace")
        assert other_markers(text) == [], (page, query, n, other_markers(text))
    return shown


# What A's own data looks like on pages that list it: proves the page drew rows.
OWN_MARKER = {
    "sales": f"{MINE}-PRODUCT",
    "orders": f"{MINE}0001",
    "campaigns": f"{MINE}-PROMO",
    "content": f"{MINE}-NOTE",
    "statements": f"{MINE}-ADJ",
    "products": f"{MINE}-PRODUCT",
    "promotions": f"{MINE}-PROMO",
}


@pytest.mark.parametrize("page", VENDOR_PAGES)
def test_vendor_page_shows_only_own_shop(site, page, downloads):
    session, ids = site
    shown = _check_page(session, page, None, downloads)
    if page in OWN_MARKER:
        assert OWN_MARKER[page] in shown, (page, "own data missing: the check would be vacuous")
    downloads.clear()
    _check_page(session, page, {"vendor": str(ids["b"])}, downloads)


def test_order_search_and_detail_stay_in_the_shop(site, downloads):
    """A's login typing B's order number finds nothing; A's own opens with its detail."""
    from tests.apptest import texts

    session, _ = site
    at = session.open("orders", as_user="shop_a")

    def search(order_no: str) -> str:
        at.text_input(key="orders_order_no").input(order_no)
        [b for b in at.button if b.label == "Search"][0].click().run()
        assert not at.exception, at.exception
        assert all(frame.value.empty for frame in at.dataframe)
        # (the freshness caption's clock time may tick between the two searches)
        return re.sub(r"\d\d:\d\d", "hh:mm", texts(at).replace(order_no, "<typed>"))

    # B's order reads exactly like one that does not exist (the page echoes what was typed).
    assert search(f"{OTHER}0001") == search("NOSUCH0001")
    at.text_input(key="orders_order_no").input(f"{MINE}0002")
    [b for b in at.button if b.label == "Search"][0].click().run()
    shown = page_text(at)
    assert not at.exception and other_markers(shown) == []
    assert "PLATFORM-PROMO" in shown and f"{MINE}-LIVE" in shown  # the detail was drawn


def test_markers_are_found_where_they_belong(site, downloads):
    """The search works: an operator looking at shop B sees B's markers on the same pages."""
    session, ids = site
    for page, marker in (("sales", "-PRODUCT"), ("orders", "0001"), ("campaigns", "-PROMO")):
        at = session.open(page, as_user="ops", query={"vendor": str(ids["b"])})
        assert not at.exception, at.exception
        assert f"{OTHER}{marker}" in page_text(at), page
    assert any(OTHER in xlsx_text(d) for d in _materialize(downloads) if d[:2] == b"PK")


# --- every read a vendor page uses, with Scope(A), on both backends -----------------------


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory):
    engine = db_factory.engine(request.param)
    with engine.begin() as conn:
        ids = build_two_shops(conn)
    return engine, ids


def _periods(ids) -> list:
    from queries.core.periods import TimeRange

    recent = _recent()
    everything_start = datetime(ids["first"].year, ids["first"].month, 1, tzinfo=UTC)
    return [
        TimeRange(recent - timedelta(days=10), recent + timedelta(days=1), "custom"),
        TimeRange(everything_start - timedelta(days=40), recent + timedelta(days=30), "custom"),
    ]


def _vendor_reads(conn, scope: Scope, period, ids) -> dict[str, object]:
    """Name → result of each read the vendor pages (and their downloads) call."""
    from queries.content import notes as content
    from queries.finance import settlements
    from queries.marketing import campaigns
    from queries.members import overview as members
    from queries.members.cohorts import cohorts
    from queries.orders import search as orders
    from queries.orders.detail import order_detail
    from queries.sales import breakdowns as sales
    from queries.sales import kpis

    tz = "Asia/Shanghai"
    args = {"scope": scope, "period": period, "tz": tz}
    category = conn.execute(sa.select(sa.func.min(s.categories.c.category_id))).scalar_one()
    every = orders.OrderFilter()
    return {
        "kpis.compare": kpis.compare(conn, **args),
        "kpis.trend": kpis.trend(conn, **args, grain="day"),
        "sales.report": sales.report(conn, **args),
        "sales.top_products": sales.item_breakdowns(conn, **args, top=50).top_products,
        "sales.category_products": sales.category_products(conn, **args, category_id=category),
        "members.report": members.report(conn, **args),
        "members.trend": members.trend(conn, **args, grain="day"),
        "members.summary_and_trend": members.summary_and_trend(conn, **args, grain="week"),
        "members.buyer_mixes": members.buyer_mixes(conn, scope=scope, period=period),
        "kpis.compare_many": kpis.compare_many(
            conn, scope=scope, periods=[period, _periods(ids)[0]], tz=tz
        ),
        "members.cohorts": cohorts(conn, **args),
        "campaigns.report": campaigns.report(conn, **args),
        "content.summary": content.summary(conn, scope=scope, period=period),
        "content.notes": content.notes(conn, scope=scope, period=period),
        "content.summary_and_notes": content.summary_and_notes(
            conn, scope=scope, period=period, tz=tz
        ),
        "content.tags": content.tag_attribution(conn, scope=scope, period=period),
        "content.affinity": content.affinity(conn, scope=scope, period=period),
        "orders.search": orders.search_orders(
            conn, scope=scope, filters=every, tz=tz, page=1, page_size=100
        ),
        "orders.rows": list(orders.iter_order_rows(conn, scope=scope, filters=every, tz=tz)),
        "orders.by_b_member": orders.search_orders(
            conn,
            scope=scope,
            filters=orders.OrderFilter(order_no=f"{OTHER}0001"),
            tz=tz,
            page=1,
            page_size=10,
        ),  # fmt: skip
        "orders.detail_b": order_detail(conn, scope=scope, order_no=f"{OTHER}0001"),
        "orders.detail_a": order_detail(conn, scope=scope, order_no=f"{MINE}0002"),
        "settlements.list": settlements.vendor_statements(
            conn, scope=scope, statuses=("draft", "confirmed", "paid")
        ),
        "settlements.detail_a": settlements.statement_detail(
            conn, scope=scope, settlement_id=ids["statement_a"], tz=tz
        ),
        "settlements.detail_b": settlements.statement_detail(
            conn, scope=scope, settlement_id=ids["statement_b"], tz=tz
        ),
        "settlements.overview": settlements.period_overview(
            conn, scope=scope, period_start=ids["first"], period_end=ids["end"], tz=tz
        ),
    }


def test_every_read_with_a_vendor_scope_stays_in_the_shop(mall):
    engine, ids = mall
    with engine.connect() as conn:
        for period in _periods(ids):
            reads = _vendor_reads(conn, Scope(ids["a"]), period, ids)
            for name, value in reads.items():
                assert other_markers(dump(value)) == [], (name, other_markers(dump(value)))
                assert vendor_ids_in(value) <= {ids["a"], None}, (name, vendor_ids_in(value))
            assert reads["orders.detail_b"] is None and reads["settlements.detail_b"] is None
            assert reads["orders.by_b_member"].total == 0
            assert f"{MINE}0002" in dump(reads["orders.detail_a"])  # the control: A's own


def test_the_same_reads_for_shop_b_do_show_b(mall):
    """The search is not blind: with Scope(B) the markers turn up (the test can fail)."""
    engine, ids = mall
    with engine.connect() as conn:
        reads = _vendor_reads(conn, Scope(ids["b"]), _periods(ids)[1], ids)
    found = set(other_markers(dump(reads)))
    for marker in ("-PRODUCT", "-PROMO", "-COUPON", "-LIVE", "-NOTE", "-TAG", "0001", "-REASON"):
        assert f"{OTHER}{marker}" in found, marker


def test_platform_promotion_counts_only_the_vendors_own_orders(mall):
    """A's ¥100 order used the platform promotion, B's ¥300 too: A sees 1 order, ¥100."""
    from queries.marketing import campaigns

    engine, ids = mall
    with engine.connect() as conn:
        found = campaigns.promotion_results(
            conn, scope=Scope(ids["a"]), promotion_ids=[ids["platform"], ids["promo_b"]]
        )
        listed = campaigns.period_promotions(conn, scope=Scope(ids["a"]), period=_periods(ids)[0])
    assert found["promotion_id"].tolist() == [ids["platform"]]  # B's promotion left out
    assert (int(found["paid_orders"].iloc[0]), int(found["gmv_cents"].iloc[0])) == (1, 10000)
    assert ids["coupon_b"] not in listed["promotion_id"].tolist()


def test_platform_promotion_from_the_rollups_counts_only_the_vendors_own_orders(mall):
    """The same read through the campaign rollups (the Promotions page passes the zone)."""
    from queries.marketing import campaigns
    from queries.rolled.campaigns import promotion_orders
    from rollups.build import build_rollups, drop_rollups

    engine, ids = mall
    tz = "Asia/Shanghai"
    with engine.begin() as conn:
        tomorrow = datetime.now(ZoneInfo(tz)).date() + timedelta(days=1)
        build_rollups(conn, tz=tz, complete_before=tomorrow)
    try:
        with engine.connect() as conn:
            pairs = promotion_orders.c.promotion_id == ids["platform"]
            held = conn.execute(sa.select(sa.func.count()).where(pairs)).scalar_one()
            assert held == 2  # A's and B's orders: the read must keep B's out
            found = campaigns.promotion_results(
                conn,
                scope=Scope(ids["a"]),
                promotion_ids=[ids["platform"], ids["promo_b"]],
                tz=tz,
            )
    finally:
        with engine.begin() as conn:
            drop_rollups(conn)
    assert found["promotion_id"].tolist() == [ids["platform"]]
    assert (int(found["paid_orders"].iloc[0]), int(found["gmv_cents"].iloc[0])) == (1, 10000)


def test_tag_affinity_from_the_rollups_counts_only_the_vendors_buyers(mall):
    """A's affinity over whole rolled days reads the last paid days, which hold B's buyer
    mb and the mall's readers with B's tag too: A's buyers read only A's tag (mb is not
    A's buyer)."""
    from queries.content import notes as content
    from queries.core.periods import range_from_dates
    from queries.rolled.content import last_paid
    from rollups.build import build_rollups, drop_rollups

    engine, ids = mall
    tz = "Asia/Shanghai"
    zone = ZoneInfo(tz)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    period = range_from_dates(
        _recent().astimezone(zone).date() - timedelta(days=10), tomorrow, zone
    )
    with engine.begin() as conn:
        build_rollups(conn, tz=tz, complete_before=tomorrow)
    try:
        with engine.connect() as conn:
            held = sa.select(sa.func.count()).where(last_paid.c.vendor_id == ids["b"])
            assert conn.execute(held).scalar_one() == 2  # mb's and the shared member's
            rolled = content.affinity(conn, scope=Scope(ids["a"]), period=period, tz=tz)
    finally:
        with engine.begin() as conn:
            drop_rollups(conn)
    assert rolled["tag"].tolist() == [f"{MINE}-TAG"]
    assert (int(rolled["shop_viewers"].iloc[0]), int(rolled["shop_buyers"].iloc[0])) == (1, 2)


def test_vendor_headline_counts_only_the_shop(mall):
    """A in the recent period: ¥200 + ¥100 paid, ¥5 refunded; 2 buyers (ma, shared)."""
    from queries.sales import kpis

    engine, ids = mall
    with engine.connect() as conn:
        head = kpis.headline(
            conn, scope=Scope(ids["a"]), period=_periods(ids)[0], tz="Asia/Shanghai"
        )
    assert (head.gmv_cents, head.paid_orders, head.buyers, head.refunded_cents) == (
        30000, 2, 2, 500,
    )  # fmt: skip


def test_leaderboard_refuses_a_vendor_scope(mall):
    from queries.core.errors import Forbidden
    from queries.sales.leaderboard import leaderboard

    engine, ids = mall
    with engine.connect() as conn, pytest.raises(Forbidden):
        leaderboard(conn, scope=Scope(ids["a"]), period=_periods(ids)[0], tz="Asia/Shanghai")


def test_downloads_built_for_a_vendor_hold_only_the_shop(mall):
    """The orders workbook and A's statement workbook, byte for byte."""
    from exports.orders_workbook import orders_workbook_bytes
    from exports.settlement_workbook import write_statement_workbook
    from queries.finance.settlements import statement_infos
    from queries.orders.search import OrderFilter

    engine, ids = mall
    with engine.connect() as conn:
        for lang in ("zh", "en"):
            data = orders_workbook_bytes(
                conn, scope=Scope(ids["a"]), filters=OrderFilter(), tz="Asia/Shanghai", lang=lang
            )
            text = xlsx_text(data)
            assert other_markers(text) == [] and f"{MINE}0001" in text
        (info,) = statement_infos(
            conn, period_start=ids["first"], period_end=ids["end"], tz="Asia/Shanghai",
            vendor_ids=[ids["a"]],
        )  # fmt: skip
        buffer = io.BytesIO()
        write_statement_workbook(conn, buffer, info, tz="Asia/Shanghai", currency_symbol="¥")
    text = xlsx_text(buffer.getvalue())
    assert other_markers(text) == [] and f"{MINE}0009" in text


def test_report_cli_for_one_vendor_holds_only_the_shop(mall, monkeypatch, tmp_path):
    from exports.__main__ import main

    engine, ids = mall
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PLATFORM_TIMEZONE", "Asia/Shanghai")
    recent = _recent()
    first = (recent - timedelta(days=40)).date().isoformat()
    last = (recent + timedelta(days=2)).date().isoformat()
    for report in ("sales", "members", "campaigns"):
        out = tmp_path / f"{report}.json"
        args = ["report", report, "--vendor", str(ids["a"]), "--from", first, "--to", last]
        assert main([*args, "--out", str(out)]) == 0
        assert other_markers(out.read_text(encoding="utf-8")) == [], report


def test_edits_of_another_shops_rows_are_refused_and_write_nothing(mall):
    """A's login changing B's product or promotions (or the platform's): an error, no row."""
    from queries.catalog import product_edits as products
    from queries.core.actors import Actor
    from queries.core.errors import NotFound, UserError
    from queries.marketing import promotion_edits as promotions
    from queries.marketing.promotions import get_promotion
    from tests.builders import snapshot

    engine, ids = mall
    actor = Actor("shop_a", "vendor", ids["a"])
    with engine.connect() as conn:
        product_b = conn.execute(
            sa.select(s.products.c.product_id).where(s.products.c.vendor_id == ids["b"])
        ).scalar_one()
        with pytest.raises(NotFound):
            get_promotion(conn, actor=actor, promotion_id=ids["promo_b"])
    before = snapshot(engine)
    with pytest.raises(NotFound):
        products.update_product(engine, actor, product_b, expected_version=1, price_cents=1)
    with pytest.raises(NotFound):
        products.bulk_update_products(
            engine, actor, [products.ProductChange(product_b, 1, stock=0)]
        )
    for promotion_id in (ids["promo_b"], ids["coupon_b"], ids["platform"]):
        with pytest.raises(UserError):
            promotions.update_promotion(engine, actor, promotion_id, expected_version=1, name="x")
        with pytest.raises(UserError):
            promotions.cancel_promotion(engine, actor, promotion_id, expected_version=1)
    assert snapshot(engine) == before
