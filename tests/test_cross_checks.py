"""The same figure computed by different areas agrees, on the tiny demo mall (both backends).

Shops picked by SQL: the biggest by GMV ever, a small one (fewest paid orders, at
least one) and one without any order. Months: the two last complete calendar
months in the platform timezone (the demo's history ends today). Each check
compares values computed by different code: the headline (queries.sales.kpis, one
vendor's filter), the grouped per-vendor headline, the settlement lines
(queries.finance.lines), the orders search, the leaderboard, the members
summary, the two CLIs' JSON, and a plain SQL sum written here.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import TimeRange, month_range, previous_range
from queries.sales.kpis import headline, headlines_by_vendor

TZ = "Asia/Shanghai"
MONEY_AND_COUNTS = (
    "gmv_cents", "paid_orders", "buyers", "aov_cents", "refunded_cents", "net_sales_cents",
    "new_buyers", "returning_buyers", "repurchase_buyers",
)  # fmt: skip


def past_months(n: int = 2) -> list[date]:
    """First days of the `n` last complete months (platform timezone), latest first."""
    first = datetime.now(UTC).astimezone(ZoneInfo(TZ)).date().replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out


def period_of(first: date) -> TimeRange:
    return month_range(first.year, first.month, ZoneInfo(TZ))


def picks(conn: sa.Connection) -> dict[str, int]:
    """biggest / small / empty shop ids of the demo (see the module docstring)."""
    o = s.orders
    paid = (
        sa.select(
            o.c.vendor_id,
            sa.func.sum(o.c.paid_cents).label("gmv"),
            sa.func.count().label("n"),
        )
        .where(o.c.paid_at.is_not(None))
        .group_by(o.c.vendor_id)
    )
    rows = conn.execute(paid).all()
    biggest = max(rows, key=lambda r: (r.gmv, -r.vendor_id)).vendor_id
    small = min(rows, key=lambda r: (r.n, r.vendor_id)).vendor_id
    no_orders = sa.select(s.vendors.c.vendor_id).where(
        s.vendors.c.vendor_id.not_in(sa.select(o.c.vendor_id).distinct())
    )
    empty = conn.execute(no_orders.order_by(s.vendors.c.vendor_id)).scalars().first()
    assert empty is not None, "the tiny demo has a shop without orders"
    return {"biggest": int(biggest), "small": int(small), "empty": int(empty)}


def plain_gmv(conn: sa.Connection, period: TimeRange, vendor_id: int | None) -> tuple[int, int]:
    """(Σ paid_cents, count) of orders paid in the period: the contract's words, as SQL."""
    o = s.orders
    query = sa.select(sa.func.coalesce(sa.func.sum(o.c.paid_cents), 0), sa.func.count()).where(
        o.c.paid_at >= period.start, o.c.paid_at < period.end
    )
    if vendor_id is not None:
        query = query.where(o.c.vendor_id == vendor_id)
    gmv, count = conn.execute(query).one()
    return int(gmv), int(count)


def vendor_ids(conn: sa.Connection) -> list[int]:
    return [int(v) for v in conn.execute(sa.select(s.vendors.c.vendor_id)).scalars()]


@pytest.fixture
def demo(tiny_demo):
    with tiny_demo.connect() as conn:
        chosen = picks(conn)
        # The comparisons below mean something only if the biggest shop sold in the months.
        for first in past_months():
            assert plain_gmv(conn, period_of(first), chosen["biggest"])[0] > 0
    return tiny_demo, chosen


def test_shops_add_up_to_the_mall(demo):
    engine, _ = demo
    with engine.connect() as conn:
        shops = vendor_ids(conn)
        for first in past_months():
            period = period_of(first)
            mall = headline(conn, scope=Scope.mall(), period=period, tz=TZ)
            each = [headline(conn, scope=Scope(v), period=period, tz=TZ) for v in shops]
            assert sum(h.gmv_cents for h in each) == mall.gmv_cents
            assert sum(h.paid_orders for h in each) == mall.paid_orders
            assert sum(h.refunded_cents for h in each) == mall.refunded_cents
            assert sum(h.buyers for h in each) >= mall.buyers  # a member may buy in two shops
            assert (mall.gmv_cents, mall.paid_orders) == plain_gmv(conn, period, None)


def test_headline_equals_the_settlement_lines(demo):
    from queries.finance.lines import compute_totals, period_range

    engine, chosen = demo
    with engine.connect() as conn:
        for first in past_months():
            end = period_of(first).end.astimezone(ZoneInfo(TZ)).date()
            lines = compute_totals(conn, period=period_range(first, end, TZ))
            grouped = headlines_by_vendor(conn, period=period_of(first), tz=TZ)
            assert set(grouped) == set(vendor_ids(conn))
            for vendor_id, head in grouped.items():
                line = lines.get(vendor_id)
                gross, refund = (line.gross_cents, line.refund_cents) if line else (0, 0)
                assert (head.gmv_cents, head.refunded_cents) == (gross, refund), vendor_id
            for vendor_id in chosen.values():
                one = headline(conn, scope=Scope(vendor_id), period=period_of(first), tz=TZ)
                assert one == grouped[vendor_id], vendor_id


def _run_cli(*args: str) -> int:
    from exports.__main__ import main

    return main(list(args))


@pytest.fixture
def on_demo(demo, monkeypatch):
    engine, chosen = demo
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PLATFORM_TIMEZONE", TZ)
    return engine, chosen


def _same_figures(json_totals: dict, head) -> None:
    expected = head.as_dict()
    for name in MONEY_AND_COUNTS:
        assert json_totals[name] == expected[name], name
    for name in ("refund_rate", "repurchase_rate"):
        if expected[name] is None:
            assert json_totals[name] is None, name
        else:
            assert float(json_totals[name]) == pytest.approx(expected[name], rel=1e-12), name


def test_report_cli_totals_equal_the_headline(on_demo, tmp_path):
    engine, chosen = on_demo
    first = past_months()[0]
    month = f"{first:%Y-%m}"
    with engine.connect() as conn:
        for name, vendor_id in chosen.items():
            out = tmp_path / f"{name}.json"
            assert _run_cli("report", "sales", "--vendor", str(vendor_id), "--period", month,
                            "--out", str(out)) == 0  # fmt: skip
            document = json.loads(out.read_text(encoding="utf-8"))
            head = headline(conn, scope=Scope(vendor_id), period=period_of(first), tz=TZ)
            _same_figures(document["totals"], head)
        out = tmp_path / "all.json"
        assert _run_cli("report", "sales", "--vendor", "all", "--period", month,
                        "--out", str(out)) == 0  # fmt: skip
        document = json.loads(out.read_text(encoding="utf-8"))
        _same_figures(
            document["mall"]["totals"],
            headline(conn, scope=Scope.mall(), period=period_of(first), tz=TZ),
        )
        by_vendor = {v["vendor_id"]: v["totals"] for v in document["vendors"]}
        assert set(by_vendor) == set(vendor_ids(conn))
        for vendor_id in chosen.values():
            head = headline(conn, scope=Scope(vendor_id), period=period_of(first), tz=TZ)
            _same_figures(by_vendor[vendor_id], head)


def test_settlement_cli_equals_the_headline_and_the_orders(on_demo, tmp_path):
    """Today's gross / refunds of each statement = GMV / refunded; its order_nos = paid orders."""
    engine, _ = on_demo
    first = past_months()[0]
    out = tmp_path / "settle.json"
    assert _run_cli("settlement", "--vendor", "all", "--period", f"{first:%Y-%m}",
                    "--out", str(out)) == 0  # fmt: skip
    document = json.loads(out.read_text(encoding="utf-8"))
    with engine.connect() as conn:
        period = period_of(first)
        grouped = headlines_by_vendor(conn, period=period, tz=TZ)
        # A shop that joined after the period has no statement for it (docs/decisions.md)
        # and no sales in it either.
        joined = dict(conn.execute(sa.select(s.vendors.c.vendor_id, s.vendors.c.joined_at)).all())
        later = {v for v in grouped if joined[v] >= period.end}
        assert all(grouped[v].gmv_cents == 0 for v in later)
        assert {e["vendor_id"] for e in document["statements"]} == set(grouped) - later
        for entry in document["statements"]:
            today = {line: entry[line] for line in ("gross_cents", "refund_cents")}
            for line, values in entry.get("differences", {}).items():
                if line in today:
                    today[line] = values["today"]
            head = headline(conn, scope=Scope(entry["vendor_id"]), period=period_of(first), tz=TZ)
            assert (today["gross_cents"], today["refund_cents"]) == (
                head.gmv_cents, head.refunded_cents,
            ), entry["vendor_id"]  # fmt: skip
            assert len(entry["order_nos"]) == head.paid_orders, entry["vendor_id"]


def test_orders_search_counts_the_paid_orders(demo):
    from queries.orders.search import OrderFilter, search_orders

    engine, chosen = demo
    with engine.connect() as conn:
        for first in past_months():
            period = period_of(first)
            last = period.end.astimezone(ZoneInfo(TZ)).date() - timedelta(days=1)
            filters = OrderFilter(first_day=first, last_day=last, date_field="paid")
            for vendor_id in [*chosen.values(), None]:
                scope = Scope(vendor_id)
                found = search_orders(conn, scope=scope, filters=filters, tz=TZ, page=1)
                head = headline(conn, scope=scope, period=period, tz=TZ)
                assert found.total == head.paid_orders, vendor_id
                assert found.total == plain_gmv(conn, period, vendor_id)[1], vendor_id


def test_leaderboard_rows_equal_each_shops_headline(demo):
    from queries.sales.leaderboard import leaderboard

    engine, _ = demo
    with engine.connect() as conn:
        for first in past_months():
            period = period_of(first)
            before = previous_range(period, ZoneInfo(TZ))
            board = leaderboard(conn, scope=Scope.mall(), period=period, tz=TZ)
            grouped = headlines_by_vendor(conn, period=period, tz=TZ)
            assert sorted(board["vendor_id"].tolist()) == sorted(grouped)
            assert board["gmv_cents"].tolist() == sorted(board["gmv_cents"], reverse=True)
            for row in board.itertuples():
                head = headline(conn, scope=Scope(row.vendor_id), period=period, tz=TZ)
                assert (
                    row.gmv_cents, row.paid_orders, row.buyers, row.new_buyers, row.refunded_cents
                ) == (
                    head.gmv_cents, head.paid_orders, head.buyers, head.new_buyers,
                    head.refunded_cents,
                ), row.vendor_id  # fmt: skip
                assert grouped[row.vendor_id] == head, row.vendor_id
                assert row.previous_gmv_cents == plain_gmv(conn, before, row.vendor_id)[0]


def test_members_summary_equals_the_headline_buyers(demo):
    from queries.members.overview import summary, totals_by_vendor

    engine, chosen = demo
    with engine.connect() as conn:
        for first in past_months():
            period = period_of(first)
            grouped = totals_by_vendor(conn, period=period, tz=TZ)
            for vendor_id in [*chosen.values(), None]:
                mine = summary(conn, scope=Scope(vendor_id), period=period)
                head = headline(conn, scope=Scope(vendor_id), period=period, tz=TZ)
                assert (mine["buyers"], mine["new_buyers"], mine["repurchase_buyers"]) == (
                    head.buyers, head.new_buyers, head.repurchase_buyers,
                ), vendor_id  # fmt: skip
                if vendor_id is not None:
                    assert grouped[vendor_id]["buyers"] == mine["buyers"], vendor_id
                    assert grouped[vendor_id]["new_buyers"] == mine["new_buyers"], vendor_id


def test_item_sales_breakdowns_add_up_alike(demo):
    """Σ item sales by category = by channel = by city tier = by hour (every paid line once)."""
    from queries.sales import breakdowns as sales

    engine, chosen = demo
    with engine.connect() as conn:
        period = period_of(past_months()[0])
        for vendor_id in [chosen["biggest"], chosen["small"], None]:
            args = {"scope": Scope(vendor_id), "period": period, "tz": TZ}
            items = sales.item_breakdowns(conn, **args)
            sums = {
                name: int(getattr(items, name)["item_sales_cents"].sum())
                for name in ("by_category", "by_channel", "by_city_tier", "by_hour")
            }
            o, i = s.orders, s.order_items
            plain = (
                sa.select(sa.func.coalesce(sa.func.sum(i.c.amount_cents), 0))
                .select_from(i.join(o, o.c.order_id == i.c.order_id))
                .where(o.c.paid_at >= period.start, o.c.paid_at < period.end)
            )
            if vendor_id is not None:
                plain = plain.where(o.c.vendor_id == vendor_id)
            expected = int(conn.execute(plain).scalar_one())
            assert set(sums.values()) == {expected}, (vendor_id, sums, expected)


def test_trend_buckets_add_up_to_the_headline(demo):
    """Σ of the day / week / month buckets = the headline (no order lost at a local midnight)."""
    from queries.sales.kpis import trend

    engine, chosen = demo
    with engine.connect() as conn:
        for first in past_months():
            period = period_of(first)
            for vendor_id in (chosen["biggest"], None):
                head = headline(conn, scope=Scope(vendor_id), period=period, tz=TZ)
                for grain in ("day", "week", "month"):
                    frame = trend(conn, scope=Scope(vendor_id), period=period, tz=TZ, grain=grain)
                    sums = (
                        int(frame["gmv_cents"].sum()),
                        int(frame["paid_orders"].sum()),
                        int(frame["refunded_cents"].sum()),
                    )
                    assert sums == (head.gmv_cents, head.paid_orders, head.refunded_cents), (
                        vendor_id,
                        grain,
                    )
