"""The P5 rollups give the live figures, and their absence changes nothing.

On the hand-built sales mall (`tests/sales_data.py`, plus a product pA3 that ties
with pA2 at the top-2 cut) and on a demo mall, the Sales page's item breakdowns,
daily trend, refunds by reason and headline comparison are read live (no rollup
tables), then again with rollups complete before several days: none of the data,
part of a month, whole months, after everything. Every frame must be equal, for
each shop, a shop without sales and the whole mall, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from queries.core.actors import Scope
from queries.core.periods import TimeRange, local_midnight, month_range, range_from_dates
from queries.rolled.coverage import MALL, Coverage, coverage, item_sales, sales_daily
from queries.sales.breakdowns import ItemBreakdowns, item_breakdowns, refunds_by_reason
from queries.sales.kpis import compare, trend
from rollups.build import build_rollups, drop_rollups
from tests.builders import Item, MallBuilder, day, local
from tests.rollup_checks import assert_same_figures, live_then_rolled
from tests.sales_data import build_sales_mall

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
NOV = month_range(2026, 11, ZONE)


# Periods that start or end inside a day, span months, or hold only part of a day.
PERIODS = {
    "november": NOV,
    "oct 31 – dec 2": range_from_dates(day("2026-10-31"), day("2026-12-02"), ZONE),
    "sep – dec": range_from_dates(day("2026-09-01"), day("2026-12-31"), ZONE),
    "nov 5 10:00 – nov 20 22:00": TimeRange(
        datetime(2026, 11, 5, 2, tzinfo=UTC), datetime(2026, 11, 20, 14, tzinfo=UTC)
    ),
}
# Rollups complete before: nothing of the data, mid-November, December, after all.
CUTS = ("2026-09-01", "2026-11-06", "2026-12-01", "2027-01-01")


def _read(engine: sa.Engine, vendor_id: int | None, period: TimeRange) -> dict:
    """The Sales page's reads: each item breakdown, the daily trend, refunds by reason and
    the headline with its previous and year-earlier periods (buyers, repurchase)."""
    with engine.connect() as conn:
        args = {"scope": Scope(vendor_id), "period": period, "tz": TZ}
        items = item_breakdowns(conn, **args, top=2)
        names = ItemBreakdowns.__dataclass_fields__
        return {
            **{f"items.{name}": getattr(items, name) for name in names},
            "trend": trend(conn, **args, grain="day"),
            "refunds": refunds_by_reason(conn, **args),
            "headlines": compare(conn, **args, new_buyers=False),
        }


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def sales_mall(request, db_factory):
    mall = build_sales_mall(db_factory.engine(request.param))
    with mall.engine.begin() as conn:
        # pA3: November item sales 10098, as pA2's (5500 + 2598 + 2000), on a live order.
        b = MallBuilder(conn)
        p_a3 = b.product(mall.shop_a, mall.clothing, "Gloves")
        buyer = b.member(city_tier=3)
        b.order(
            mall.shop_a, buyer, [Item(p_a3, 1, 10098)], paid_at=local("2026-11-12 08:00:00"),
            channel="live",
        )  # fmt: skip
    yield mall
    with mall.engine.begin() as conn:
        drop_rollups(conn)


def test_rollups_give_the_live_figures_on_the_hand_built_mall(sales_mall):
    scopes = (sales_mall.shop_a, sales_mall.shop_b, sales_mall.shop_c, None)

    def rolled_rows_read(conn: sa.Connection, cut: str) -> None:
        held = coverage(conn, scope=Scope(None), period=PERIODS["sep – dec"], tz=TZ)
        assert (held is None) == (cut == CUTS[0])  # the others do read rollup rows

    live_then_rolled(sales_mall.engine, _read, scopes, PERIODS, CUTS, at_cut=rolled_rows_read)


def test_rollup_rows_hold_the_hand_worked_figures(sales_mall):
    """Shop A's November, by hand: GMV 29898 + pA3's 10098 = 39996 over 5 orders; refunds
    2000 (o0, paid in October, refunded 11-02) + 598 (o3) = 2598; its app orders' item
    sales o1 (10000 + 2×3000 − 500) + o4 2000 = 17500."""
    engine, shop_a = sales_mall.engine, sales_mall.shop_a
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        d, r = sales_daily, item_sales
        gmv, orders, refunded = conn.execute(
            sa.select(
                sa.func.sum(d.c.gmv_cents),
                sa.func.sum(d.c.paid_orders),
                sa.func.sum(d.c.refunded_cents),
            ).where(
                d.c.vendor_id == shop_a,
                d.c.local_day >= day("2026-11-01"),
                d.c.local_day < day("2026-12-01"),
            )
        ).one()
        month = conn.execute(
            sa.select(r.c.item_sales_cents, r.c.orders).where(
                r.c.vendor_id == shop_a,
                r.c.grain == "month",
                r.c.bucket == day("2026-11-01"),
                r.c.breakdown == "channel",
                r.c.key_text == "app",
            )
        ).one()
        # The mall keeps no product rows of its own: its shops' are read (and are there).
        products = sa.select(sa.func.count()).where(r.c.breakdown == "product")
        mall_products = conn.execute(products.where(r.c.vendor_id == MALL)).scalar()
        shop_products = conn.execute(products.where(r.c.vendor_id == shop_a)).scalar()
        # o0 (paid 10-31 23:59:59) is October's; o5 (12-01 00:00) is December's and past the cut.
        december = conn.execute(
            sa.select(sa.func.count()).where(d.c.local_day >= day("2026-12-01"))
        ).scalar()
        drop_rollups(conn)
    assert (int(gmv), int(orders), int(refunded)) == (39996, 5, 2598)
    assert tuple(month) == (17500, 2)  # o1 and o4, the app orders
    assert december == 0
    assert (mall_products, shop_products > 0) == (0, True)


def test_coverage_leaves_partial_days_and_days_past_the_cut_to_the_live_read(sales_mall):
    with sales_mall.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-11-15"))
        covered = coverage(
            conn,
            scope=Scope(sales_mall.shop_a),
            period=PERIODS["nov 5 10:00 – nov 20 22:00"],
            tz=TZ,
        )
        whole = coverage(conn, scope=Scope(sales_mall.shop_a), period=PERIODS["sep – dec"], tz=TZ)
        after = coverage(
            conn,
            scope=Scope(sales_mall.shop_a),
            period=range_from_dates(day("2026-11-15"), day("2026-11-30"), ZONE),
            tz=TZ,
        )
        drop_rollups(conn)
    assert covered == Coverage(
        first=day("2026-11-06"),
        end=day("2026-11-15"),
        live=(
            TimeRange(
                datetime(2026, 11, 5, 2, tzinfo=UTC), local_midnight(day("2026-11-06"), ZONE)
            ),
            TimeRange(
                local_midnight(day("2026-11-15"), ZONE), datetime(2026, 11, 20, 14, tzinfo=UTC)
            ),
        ),
        cut=day("2026-11-15"),
    )
    assert not covered.runs_to_cut()  # it holds a live rest after the cut
    assert whole.months() == [day("2026-09-01"), day("2026-10-01")]
    assert whole.day_spans() == [(day("2026-11-01"), day("2026-11-15"))]
    assert after is None


def test_top_products_tie_is_cut_by_product_id_as_live(sales_mall):
    """pA1 19000 first; pA2 and pA3 tie at 10098 and the lower id (pA2) takes place 2."""
    with sales_mall.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
    top = _read(sales_mall.engine, sales_mall.shop_a, NOV)["items.top_products"]
    with sales_mall.engine.begin() as conn:
        drop_rollups(conn)
    assert list(top["product_id"]) == [sales_mall.p_a1, sales_mall.p_a2]
    assert list(top["item_sales_cents"]) == [19000, 10098]


def test_a_shop_with_the_malls_marker_id_never_reads_the_malls_rows(sales_mall):
    with sales_mall.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        assert coverage(conn, scope=Scope(MALL), period=NOV, tz=TZ) is None
        assert coverage(conn, scope=Scope(None), period=NOV, tz=TZ) is not None
        drop_rollups(conn)


def test_rollups_built_in_another_zone_are_not_read(sales_mall):
    """Built with Shanghai's days and read by a console set to UTC, every read is live: the
    figures are UTC's days (Shanghai's rolled days would be cut eight hours off)."""
    utc = "UTC"
    november = month_range(2026, 11, ZoneInfo(utc))
    with sales_mall.engine.begin() as conn:
        drop_rollups(conn)
    live = _read_in(sales_mall.engine, sales_mall.shop_a, november, utc)
    with sales_mall.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-12-01"))
        assert coverage(conn, scope=Scope(sales_mall.shop_a), period=november, tz=utc) is None
        assert coverage(conn, scope=Scope(sales_mall.shop_a), period=NOV, tz=TZ) is not None
    try:
        assert_same_figures(
            live, _read_in(sales_mall.engine, sales_mall.shop_a, november, utc), utc
        )
    finally:
        with sales_mall.engine.begin() as conn:
            drop_rollups(conn)


def _read_in(engine: sa.Engine, vendor_id: int, period: TimeRange, tz: str) -> dict:
    """The daily trend and the headline comparison of a shop, read with the zone `tz`."""
    with engine.connect() as conn:
        args = {"scope": Scope(vendor_id), "period": period, "tz": tz}
        return {
            "trend": trend(conn, **args, grain="day"),
            "headlines": compare(conn, **args, new_buyers=False),
        }


def test_without_rollup_tables_there_is_no_coverage(sales_mall):
    with sales_mall.engine.begin() as conn:
        drop_rollups(conn)
        assert coverage(conn, scope=Scope(sales_mall.shop_a), period=NOV, tz=TZ) is None


def test_rollups_give_the_live_figures_on_a_demo_mall(rollup_demo_mall):
    """A year and a month of the biggest shop, a small one, one without sales, and the mall."""
    engine, summary = rollup_demo_mall
    periods = {
        "year": range_from_dates(day("2025-11-20"), day("2026-11-20"), ZONE),
        "month": range_from_dates(day("2026-10-21"), day("2026-11-21"), ZONE),
    }
    scopes = (summary.biggest_vendor_id, summary.small_vendor_id, summary.empty_vendor_id, None)
    live = live_then_rolled(engine, _read, scopes, periods, ("2026-11-20",))
    assert not live[(summary.empty_vendor_id, "year")]["items.by_channel"].shape[0]  # no sales
    assert live[(summary.biggest_vendor_id, "year")]["items.top_products"].shape[0] == 2
