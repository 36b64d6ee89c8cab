"""The settlement day rows give the live statement figures, and their absence changes nothing.

On the hand-built mall of `tests/settlement_data.py` (every figure worked out in
its docstring): the day rows at a cut, hand-worked; the Settlements page's period
table and an issued statement's detail read live, then with the day rows cut on
days around the month edges (before anything, on the first of November, the day
after o2, mid-month, on the first of December after and before its refund, in
January); a period read from the rows after one was changed by hand; and a demo
mall's year and month. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from queries.core.actors import Actor, Scope
from queries.core.schema import payments, settlements
from queries.finance.actions import issue_statements
from queries.finance.lines import compute_totals, period_range
from queries.finance.reconciliation import reconcile
from queries.finance.rolled_days import settlement_days, statement_totals
from queries.finance.settlements import period_overview, statement_detail, statement_infos
from rollups.build import build_rollups, drop_rollups
from tests.builders import Item, MallBuilder, local
from tests.rollup_checks import live_then_rolled
from tests.settlement_data import (
    DEC_START,
    JAN_START,
    NOV_END,
    NOV_START,
    OCT_START,
    S1_NOV,
    S3_NOV,
    TZ,
    ZEROS,
    build_settlement_mall,
)

PERIODS = {
    "october": (OCT_START, NOV_START),
    "november": (NOV_START, NOV_END),
    "december": (DEC_START, JAN_START),
    "oct 15 – dec 15": (date(2026, 10, 15), date(2026, 12, 15)),
}
CUTS = (
    "2026-10-01",
    "2026-11-01",
    "2026-11-02",
    "2026-11-16",
    "2026-12-01",
    "2026-12-02",
    "2026-12-03",
    "2027-01-01",
)


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def mall(request, db_factory):
    """The hand-built mall with S1's and S3's November statements issued (drafts)."""
    built = build_settlement_mall(db_factory.engine(request.param))
    issued = issue_statements(
        built.engine,
        Actor("money", "finance"),
        period_start=NOV_START,
        period_end=NOV_END,
        tz=TZ,
        vendor_ids=[built.s1, built.s3],
        now=datetime(2027, 3, 1, tzinfo=UTC),
    )
    return built, dict(zip((built.s1, built.s3), issued.settlement_ids, strict=True))


def _read(engine: sa.Engine, vendor_id: int | None, period) -> dict:
    """The period table of the scope, today's figures of every vendor, and the details."""
    start, end = period
    with engine.connect() as conn:
        figures = {
            "table": period_overview(
                conn, scope=Scope(vendor_id), period_start=start, period_end=end, tz=TZ
            ),
            "today": {
                info.vendor_id: info.today
                for info in statement_infos(
                    conn,
                    period_start=start,
                    period_end=end,
                    tz=TZ,
                    vendor_ids=None if vendor_id is None else [vendor_id],
                    read_rollups=True,
                )
            },
        }
        ids = conn.execute(sa.select(settlements.c.settlement_id)).scalars()
        for settlement_id in sorted(ids):
            detail = statement_detail(
                conn, scope=Scope(vendor_id), settlement_id=settlement_id, tz=TZ
            )
            if detail is not None:
                figures[f"#{settlement_id} today"] = detail.info.today
                figures[f"#{settlement_id} orders"] = detail.orders
                figures[f"#{settlement_id} refunds"] = detail.refunds
    return figures


def _day_rows(conn: sa.Connection) -> list[tuple]:
    d = settlement_days
    stmt = sa.select(*d.c).order_by(d.c.vendor_id, d.c.local_day)
    return [(r[0], r[1].isoformat(), *r[2:]) for r in conn.execute(stmt)]


def test_day_rows_hold_the_hand_worked_lines(mall):
    built, _ = mall
    s1, s3 = built.s1, built.s3
    with built.engine.begin() as conn:
        # The cut on 12-02: o7 (paid 12-01 00:00:00) is in, r3 (completed 12-02) is not.
        build_rollups(conn, tz=TZ, complete_before=date(2026, 12, 2))
        rows = _day_rows(conn)
        drop_rollups(conn)
    # (shop, day, gross, subsidy, commission, refund, commission returned); fees are live
    assert rows == [
        (s1, "2026-10-31", 10000, 0, 500, 0, 0),  # o1, one second before November
        (s1, "2026-11-01", 2010, 0, 100, 0, 0),  # o2: 50.25 → 50 per line, not 101 in all
        (s1, "2026-11-03", 0, 0, 0, 1000, 50),  # r1, of October's o1
        (s1, "2026-11-15", 1310, 200, 41, 0, 0),  # o3: 810 × 5 % = 40.5 → 41
        (s1, "2026-11-20", 3000, 0, 150, 0, 0),  # o4, cancelled without a refund
        (s1, "2026-11-25", 2000, 0, 60, 0, 0),  # o5 at its 300 bps snapshot
        (s1, "2026-11-30", 500, 0, 25, 0, 0),  # o6, one second before December
        (s1, "2026-12-01", 700, 0, 35, 0, 0),  # o7 at midnight
        (s3, "2026-11-10", 10000, 0, 500, 0, 0),  # o9; S2 sold nothing: no rows
    ]


def test_day_rows_round_each_line_and_each_refund_not_the_day(empty_db):
    """Two lines of 10.10 at 5 % (50.5 → 51 fen each: 102, where the day's 20.20 would give
    101) and two refunds of 0.10 on one day (0.5 → 1 fen each: 2, where 0.20 would give 1)."""
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Rounding")
        product = b.product(shop, b.category(commission_bps=500))
        order = b.order(
            shop,
            b.member(),
            [Item(product, 1, 1010), Item(product, 1, 1010)],
            paid_at=local("2026-11-02 09:00:00"),
        )
        for line in (0, 1):
            b.refund(order, line, 10, completed_at=local("2026-11-05 10:00:00"))
        build_rollups(conn, tz=TZ, complete_before=date(2026, 11, 6))
        rows = _day_rows(conn)
    with empty_db.connect() as conn:
        rolled = statement_totals(conn, period_start=NOV_START, period_end=NOV_END, tz=TZ)
        live = compute_totals(conn, period=period_range(NOV_START, NOV_END, TZ))
    assert rows == [
        (shop, "2026-11-02", 2020, 0, 102, 0, 0),
        (shop, "2026-11-05", 0, 0, 0, 20, 2),
    ]
    assert rolled[shop] == live[shop]
    assert live[shop].net_cents == 2020 - 102 - 20 + 2


def test_statement_pages_give_the_live_figures_at_every_cut(mall):
    built, _ = mall
    scopes = (built.s1, built.s2, built.s3, None)
    live = live_then_rolled(built.engine, _read, scopes, PERIODS, CUTS)
    november = live[(None, "november")]["today"]
    assert november[built.s1].as_dict() == S1_NOV  # hand-worked
    assert november[built.s3].as_dict() == S3_NOV
    assert november[built.s2].as_dict() == ZEROS  # a shop with no sales
    assert not live[(None, "november")]["table"]["differs"].any()


def test_a_rolled_period_reads_its_lines_from_the_day_rows(mall):
    """One day row changed by hand moves the pages' figures, and only theirs: issuing,
    reconciliation and exports compute from the orders."""
    built, ids = mall
    s1 = built.s1
    with built.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=date(2026, 12, 3))
        conn.execute(
            settlement_days.update()
            .where(settlement_days.c.vendor_id == s1, settlement_days.c.local_day == NOV_START)
            .values(commission_cents=settlement_days.c.commission_cents + 1000)
        )
    try:
        with built.engine.connect() as conn:
            rolled = statement_totals(
                conn, period_start=NOV_START, period_end=NOV_END, tz=TZ, vendor_ids=[s1]
            )
            table = period_overview(
                conn, scope=Scope.mall(), period_start=NOV_START, period_end=NOV_END, tz=TZ
            ).set_index("vendor_id")
            live = compute_totals(conn, period=period_range(NOV_START, NOV_END, TZ))
            checked = reconcile(
                conn, scope=Scope.mall(), period_start=NOV_START, period_end=NOV_END, tz=TZ
            )
            (exported,) = statement_infos(
                conn, period_start=NOV_START, period_end=NOV_END, tz=TZ, vendor_ids=[s1]
            )
            own = period_overview(
                conn, scope=Scope(s1), period_start=NOV_START, period_end=NOV_END, tz=TZ
            )
            detail = statement_detail(conn, scope=Scope(s1), settlement_id=ids[s1], tz=TZ)
    finally:
        with built.engine.begin() as conn:
            drop_rollups(conn)
    assert rolled[s1].commission_cents == S1_NOV["commission_cents"] + 1000
    assert table.loc[s1, "today_net_cents"] == S1_NOV["net_cents"] - 1000
    assert bool(table.loc[s1, "differs"]) and not bool(table.loc[built.s3, "differs"])
    assert list(own["today_net_cents"]) == [S1_NOV["net_cents"] - 1000]  # the shop's own table
    assert detail.info.today.commission_cents == S1_NOV["commission_cents"] + 1000
    assert detail.info.differences == {
        "commission_cents": (376, 1376),
        "net_cents": (S1_NOV["net_cents"], S1_NOV["net_cents"] - 1000),
    }
    assert live[s1].as_dict() == S1_NOV and exported.today.as_dict() == S1_NOV
    assert checked.differences.empty  # reconciliation reads the orders, not the day rows
    assert ids[s1] in set(table["settlement_id"])


def test_a_payment_recorded_after_the_build_counts_at_once(mall):
    """The contract counts every payment of the period's orders whatever its own time:
    fees are never taken from the day rows, so a late one is in today's figures."""
    built, _ = mall
    s1, o2 = built.s1, built.orders["o2"]
    with built.engine.begin() as conn:
        build_rollups(conn, tz=TZ, complete_before=date(2026, 12, 3))
        late = conn.execute(
            payments.insert()
            .values(
                order_id=o2.order_id,
                method="card",
                amount_cents=0,
                fee_cents=5,
                paid_at=datetime(2026, 12, 5, tzinfo=UTC),
                transaction_no="late-fee",
            )
            .returning(payments.c.payment_id)
        ).scalar_one()
    try:
        with built.engine.connect() as conn:
            rolled = statement_totals(
                conn, period_start=NOV_START, period_end=NOV_END, tz=TZ, vendor_ids=[s1]
            )
    finally:
        with built.engine.begin() as conn:
            conn.execute(payments.delete().where(payments.c.payment_id == late))
            drop_rollups(conn)
    assert rolled[s1].as_dict() == {
        **S1_NOV,
        "payment_fee_cents": S1_NOV["payment_fee_cents"] + 5,
        "net_cents": S1_NOV["net_cents"] - 5,
    }


def test_statement_pages_give_the_live_figures_on_a_demo_mall(rollup_demo_mall):
    engine, demo = rollup_demo_mall

    def read(engine, vendor_id, period):
        start, end = period
        with engine.connect() as conn:
            infos = statement_infos(
                conn, period_start=start, period_end=end, tz=TZ, read_rollups=True
            )
        return {"today": {info.vendor_id: info.today for info in infos}}

    periods = {
        "year": (date(2025, 11, 1), date(2026, 11, 1)),
        "november so far": (date(2026, 11, 1), date(2026, 12, 1)),
    }
    live = live_then_rolled(engine, read, (None,), periods, ("2026-11-20", "2026-11-01"))
    year = live[(None, "year")]["today"]
    assert year[demo.biggest_vendor_id].gross_cents > 0
    # The empty shop joined five days before the demo's as_of: not a shop of the year
    # that ended on 1 November, a shop (with nothing sold) of November.
    assert demo.empty_vendor_id not in year
    november = live[(None, "november so far")]["today"]
    assert november[demo.empty_vendor_id].gross_cents == 0
