"""The campaign rollups give the live figures, and their absence changes nothing.

The campaigns report (promotions with their whole-life results and totals, coupons,
campaigns year over year, live sessions) and the Promotions page's results of every
promotion are read live, then with rollups cut on
several days: before any order, inside 2025's 618, on the day of the live session
(one of its orders paid the day after), inside the coupons' month, after
everything. On the hand-built mall of `tests/test_campaigns.py` for each shop and
the mall, then on a demo mall; SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import month_range, range_from_dates
from queries.marketing.campaigns import promotion_results, report
from queries.rolled.campaigns import campaigns_cut, live_session_buyers, promotion_orders
from rollups.build import build_rollups, drop_rollups
from tests.builders import SHANGHAI, Item, MallBuilder, day, local
from tests.rollup_checks import live_then_rolled
from tests.test_campaigns import JUNE, TZ, mall  # noqa: F401 - the hand-built mall fixture

PERIODS = {
    "june 2026": JUNE,
    "june 2025": month_range(2025, 6, SHANGHAI),
    "a year to july 2026": range_from_dates(day("2025-07-01"), day("2026-07-01"), SHANGHAI),
    "march 2027 (empty)": month_range(2027, 3, SHANGHAI),
}
CUTS = ("2025-01-01", "2025-06-08", "2026-06-18", "2026-06-19", "2026-07-03", "2027-01-01")


def _read(engine: sa.Engine, vendor_id: int | None, period) -> dict:
    """The campaigns report, and the Promotions page's results of every promotion."""
    with engine.connect() as conn:
        got = report(conn, scope=Scope(vendor_id), period=period, tz=TZ)
        every = list(conn.execute(sa.select(s.promotions.c.promotion_id)).scalars())
        results = promotion_results(conn, scope=Scope(vendor_id), promotion_ids=every, tz=TZ)
    return {"totals": got.totals, **got.breakdowns, "promotion_results": results}


def _rolled_rows_read(conn: sa.Connection, cut: str) -> None:
    assert campaigns_cut(conn, tz=TZ) is not None  # the rolled reads do read rollup rows


def _compare_at_cuts(engine, scopes, periods, cuts) -> dict:
    return live_then_rolled(engine, _read, scopes, periods, cuts, at_cut=_rolled_rows_read)


def test_campaign_rollups_give_the_live_report_on_the_hand_built_mall(mall):  # noqa: F811
    engine, ids = mall
    live = _compare_at_cuts(engine, (ids["a"], ids["b"], None), PERIODS, CUTS)
    june_a = live[(ids["a"], "june 2026")]["totals"]
    assert june_a["live_paid_orders"] == 3 and june_a["promotion_orders"] > 0  # hand-worked


def test_campaign_rollup_rows_hold_the_carried_orders(mall):  # noqa: F811
    engine, ids = mall
    with engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=day("2026-06-19"))
        live_rows = conn.execute(
            sa.select(
                live_session_buyers.c.member_id,
                live_session_buyers.c.orders,
                live_session_buyers.c.gmv_cents,
            )
            .where(live_session_buyers.c.live_session_id == ids["ls1"])
            .order_by(live_session_buyers.c.member_id)
        ).all()
        pairs = conn.execute(sa.select(sa.func.count()).select_from(promotion_orders)).scalar_one()
        drop_rollups(conn)
    # ls1 on 06-18: m1's o15 (¥100) and o17 (¥50); m2's o16 was paid on 06-19, after the cut.
    assert [tuple(r) for r in live_rows] == [(ids["m1"], 2, 15_000)]
    assert pairs > 0


def test_campaign_rollups_give_the_live_report_on_a_demo_mall(rollup_demo_mall):
    engine, demo = rollup_demo_mall
    periods = {
        "year": range_from_dates(day("2025-11-20"), day("2026-11-20"), SHANGHAI),
        "30 days": range_from_dates(day("2026-10-21"), day("2026-11-20"), SHANGHAI),
    }
    scopes = (demo.biggest_vendor_id, demo.small_vendor_id, demo.empty_vendor_id, None)
    live = _compare_at_cuts(engine, scopes, periods, ("2026-11-20", "2026-11-01"))
    biggest = live[(demo.biggest_vendor_id, "year")]["totals"]
    assert biggest["promotion_orders"] > 0 and biggest["live_paid_orders"] > 0


def test_cross_shop_orders_and_two_promotions_read_the_same_rolled(db_factory, backend):
    """Data the contract does not forbid: B's order carrying A's live session, one
    order with both a shop promotion and a coupon of a platform campaign, paid on the
    cut's day (a second after the cut) and the day before, and two coupons of that
    promotion used on one order."""
    engine = db_factory.engine(backend)
    with engine.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        a, other = b.vendor("A"), b.vendor("B")
        pa, pb = b.product(a, cat), b.product(other, cat)
        m1, m2 = b.member(), b.member()
        june = {"starts_at": local("2026-06-01 00:00"), "ends_at": local("2026-06-30 00:00")}
        own = b.promotion(vendor_id=a, name="own", campaign="618", **june)
        coupon = b.promotion(
            vendor_id=None, name="cpn", kind="coupon", campaign="618", threshold_cents=5_000, **june
        )
        live = b.live_session(
            a, started_at=local("2026-06-18 20:00"), ended_at=local("2026-06-18 23:00")
        )

        def order(vendor, member, product, paid, **kw):
            return b.order(vendor, member, [Item(product, unit_price_cents=10_000)],
                           paid_at=local(paid), order_discount_cents=1_000, **kw)  # fmt: skip

        both = order(a, m1, pa, "2026-06-18 21:00", promotion_id=own, live_session_id=live)
        order(other, m2, pb, "2026-06-18 22:00", live_session_id=live)  # B's, on A's session
        late = order(a, m2, pa, "2026-06-19 00:00:01", promotion_id=own, live_session_id=live)
        for built, member, paid in ((both, m1, "2026-06-18 21:00"), (late, m2, "2026-06-19")):
            conn.execute(
                s.coupons.insert().values(
                    promotion_id=coupon, member_id=member, issued_at=local("2026-06-02 10:00"),
                    used_at=local(paid), order_id=built.order_id,
                )
            )  # fmt: skip
        # m2 used two coupons of the promotion on their order: it carries it once.
        conn.execute(
            s.coupons.insert().values(
                promotion_id=coupon, member_id=m2, issued_at=local("2026-06-03 10:00"),
                used_at=local("2026-06-19"), order_id=late.order_id,
            )
        )  # fmt: skip
    live_figures = live_then_rolled(
        engine,
        _read,
        (a, other, None),
        {"june 2026": JUNE},
        ("2026-06-18", "2026-06-19", "2026-06-20"),
    )
    june_a = live_figures[(a, "june 2026")]
    # A's session: A's two orders (m1 and m2); B's order counts for the mall only.
    assert (june_a["totals"]["live_paid_orders"], june_a["totals"]["live_buyers"]) == (2, 2)
    assert live_figures[(None, "june 2026")]["totals"]["live_paid_orders"] == 3
    # Two orders each carry two promotions of 618: counted once in the campaign.
    assert list(june_a["campaigns"]["paid_orders"]) == [2]
    # The coupon promotion carried each order once, though one used two of its coupons.
    by_promotion = june_a["promotions"].set_index("promotion_id")["paid_orders"]
    assert (by_promotion[coupon], by_promotion[own]) == (2, 2)
    assert june_a["totals"]["promotion_orders"] == 2
