"""Headline sales figures, their 环比 / 同比 changes, and the trend over time.

Every figure follows the contract's "Figures" section, for one vendor or the
whole mall counted as one shop (`Scope.mall()`):

- GMV: Σ `paid_cents` of orders whose `paid_at` is in P, whatever their status now;
- paid orders, buyers (distinct members), AOV = GMV ÷ paid orders half up to the fen;
- refunded: Σ completed refunds of the scope's orders with `completed_at` in P
  (whenever their order was paid); refund rate = refunded ÷ GMV; net = GMV − refunded;
- new buyers: buyers whose first paid order with the scope (the vendor, or the
  mall for the whole mall) is in P; returning = buyers − new;
- repurchase buyers: buyers with two or more paid orders in P, ÷ buyers for the rate.

A page computes only what it shows: `new_buyers=False` leaves out the new /
returning split, `repurchase=False` the repurchase buyers (both None then). Without
either, the live statement counts buyers distinct in one pass over the period's
orders, with no row per member (Home and Sales).

A headline is one statement (orders per buyer, with the refunds as a scalar
subquery); several periods' headlines are one `UNION ALL` (`headlines`: `compare`
asks for three, Home's `compare_many` for nine); the figures for every vendor at
once are one statement (`headlines_by_vendor`). The statements are built in
`queries.figures` (live) and `queries.rolled.headline`: the whole days of a period
that the rollups hold (`queries.rolled.coverage`) are summed from the daily rows
and their buyers counted from the buyer days, the rest read live, unless new buyers
are asked for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_day, local_month, local_week, union_all
from queries.core.money import round_half_up_div
from queries.core.periods import TimeRange, previous_range, year_earlier
from queries.figures import (
    as_date,
    as_int,
    buyer_figures_select,
    buyers,
    gmv,
    paid_orders,
    paid_within,
    refunded,
    refunded_select,
    refunds_completed_within,
)
from queries.rolled.coverage import (
    coverage,
    sales_daily_rows,
)
from queries.rolled.headline import rolled_headline_select, rolled_spans

__all__ = [
    "GRAINS",
    "RATE_FIGURES",
    "Comparison",
    "Headline",
    "change",
    "compare",
    "compare_many",
    "headline",
    "headlines",
    "headlines_by_vendor",
    "trend",
]

GRAINS = ("day", "week", "month")
# Figures whose change is given in percentage points rather than relative change.
RATE_FIGURES = frozenset({"refund_rate", "repurchase_rate"})


@dataclass(frozen=True)
class Headline:
    """The contract's headline figures for one scope and period (money in fen)."""

    gmv_cents: int = 0
    paid_orders: int = 0
    buyers: int = 0
    aov_cents: int | None = None
    refunded_cents: int = 0
    refund_rate: float | None = None
    net_sales_cents: int = 0
    new_buyers: int | None = 0
    returning_buyers: int | None = 0
    repurchase_buyers: int | None = 0
    repurchase_rate: float | None = None

    @classmethod
    def from_sums(
        cls,
        *,
        gmv_cents: int,
        paid_orders: int,
        buyers: int,
        new_buyers: int | None,
        repurchase_buyers: int | None,
        refunded_cents: int,
    ) -> Headline:
        """Derive AOV, rates and net sales from the summed figures."""
        return cls(
            gmv_cents=gmv_cents,
            paid_orders=paid_orders,
            buyers=buyers,
            aov_cents=round_half_up_div(gmv_cents, 1, paid_orders) if paid_orders else None,
            refunded_cents=refunded_cents,
            refund_rate=refunded_cents / gmv_cents if gmv_cents else None,
            net_sales_cents=gmv_cents - refunded_cents,
            new_buyers=new_buyers,
            returning_buyers=None if new_buyers is None else buyers - new_buyers,
            repurchase_buyers=repurchase_buyers,
            repurchase_rate=(
                repurchase_buyers / buyers if buyers and repurchase_buyers is not None else None
            ),
        )

    def as_dict(self) -> dict[str, int | float | None]:
        """The figures by their contract names."""
        return asdict(self)


FIGURES = tuple(f.name for f in fields(Headline))


# --- reads ----------------------------------------------------------------------------


def _headline_select(
    period: TimeRange, *, vendor_id: int | None, new_buyers: bool, repurchase: bool, which: int
) -> sa.Select:
    """One row: the buyer figures of `period` and its refunded total, tagged `which`."""
    buyers = buyer_figures_select(
        period, vendor_id=vendor_id, by_vendor=False, new_buyers=new_buyers, repurchase=repurchase
    ).subquery()
    refunded = refunded_select(period, vendor_id=vendor_id, by_vendor=False).scalar_subquery()
    return sa.select(
        sa.literal_column(str(int(which))).label("which"),  # an int of ours, never input
        *buyers.c,
        refunded.label("refunded_cents"),
    )


def _headline_of(row, new_buyers: bool, repurchase: bool) -> Headline:
    return Headline.from_sums(
        gmv_cents=as_int(row.gmv_cents),
        paid_orders=as_int(row.paid_orders),
        buyers=as_int(row.buyers),
        new_buyers=as_int(row.new_buyers) if new_buyers else None,
        repurchase_buyers=as_int(row.repurchase_buyers) if repurchase else None,
        refunded_cents=as_int(row.refunded_cents),
    )


def headlines(
    conn: sa.Connection,
    *,
    scope: Scope,
    periods: list[TimeRange],
    new_buyers: bool = True,
    tz: str | None = None,
    repurchase: bool = True,
) -> list[Headline]:
    """The headline figures of `scope` over each of `periods`, in one statement.

    A span asked for twice is read once: a 365-day range's previous period is the
    same span as its year-earlier one. With `tz` and without new buyers, the whole
    days of a span that the rollups hold are read from them, the rest live. Without
    `repurchase`, repurchase buyers and rate are None (not computed).
    """
    if not periods:
        return []
    spans = list(dict.fromkeys((p.start, p.end) for p in periods))
    rolled = rolled_spans(conn, scope, spans, tz) if not new_buyers else {}
    selects = [
        rolled_headline_select(rolled[n], vendor_id=scope.vendor_id, which=n, repurchase=repurchase)
        if n in rolled
        else _headline_select(
            TimeRange(start, end),
            vendor_id=scope.vendor_id,
            new_buyers=new_buyers,
            repurchase=repurchase,
            which=n,
        )
        for n, (start, end) in enumerate(spans)
    ]
    rows = {row.which: row for row in conn.execute(union_all(selects))}
    which = {span: n for n, span in enumerate(spans)}
    return [_headline_of(rows[which[(p.start, p.end)]], new_buyers, repurchase) for p in periods]


def headline(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    tz: str,
    new_buyers: bool = True,
    repurchase: bool = True,
) -> Headline:
    """The headline figures of `scope` over `period`.

    With `new_buyers=False`, new and returning buyers are None (not computed); with
    `repurchase=False`, repurchase buyers and rate.
    """
    return headlines(
        conn, scope=scope, periods=[period], new_buyers=new_buyers, tz=tz, repurchase=repurchase
    )[0]


def headlines_by_vendor(conn: sa.Connection, *, period: TimeRange, tz: str) -> dict[int, Headline]:
    """Every vendor's headline over `period`, vendors without sales included (one statement)."""
    del tz
    v = s.vendors
    buyers = buyer_figures_select(period, vendor_id=None, by_vendor=True).subquery("sold")
    refunds = refunded_select(period, vendor_id=None, by_vendor=True).subquery("refunded")
    stmt = (
        sa.select(
            v.c.vendor_id,
            buyers.c.gmv_cents,
            buyers.c.paid_orders,
            buyers.c.buyers,
            buyers.c.new_buyers,
            buyers.c.repurchase_buyers,
            refunds.c.refunded_cents,
        )
        .select_from(
            v.outerjoin(buyers, buyers.c.vendor_id == v.c.vendor_id).outerjoin(
                refunds, refunds.c.vendor_id == v.c.vendor_id
            )
        )
        .order_by(v.c.vendor_id)
    )
    return {
        row.vendor_id: Headline.from_sums(
            gmv_cents=as_int(row.gmv_cents),
            paid_orders=as_int(row.paid_orders),
            buyers=as_int(row.buyers),
            new_buyers=as_int(row.new_buyers),
            repurchase_buyers=as_int(row.repurchase_buyers),
            refunded_cents=as_int(row.refunded_cents),
        )
        for row in conn.execute(stmt)
    }


# --- comparisons ----------------------------------------------------------------------


def change(name: str, current: float | None, previous: float | None) -> float | None:
    """The change of one figure: percentage points for rates, relative change otherwise.

    None when either side has no value or (relative change) the earlier value is 0.
    """
    if current is None or previous is None:
        return None
    if name in RATE_FIGURES:
        return (current - previous) * 100
    if previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class Comparison:
    """A headline with what it is compared with: 环比 (previous) and 同比 (year ago)."""

    current: Headline
    previous: Headline
    year_ago: Headline
    previous_period: TimeRange
    year_period: TimeRange

    def vs_previous(self) -> dict[str, float | None]:
        """Each figure's change against the previous period (环比)."""
        return _changes(self.current, self.previous)

    def vs_year(self) -> dict[str, float | None]:
        """Each figure's change against the same range a year earlier (同比)."""
        return _changes(self.current, self.year_ago)


def _changes(current: Headline, earlier: Headline) -> dict[str, float | None]:
    now, then = current.as_dict(), earlier.as_dict()
    return {name: change(name, now[name], then[name]) for name in FIGURES}


def compare(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    tz: str,
    new_buyers: bool = True,
    repurchase: bool = True,
) -> Comparison:
    """The headline of `period` with its previous period and the same range a year earlier."""
    return compare_many(
        conn, scope=scope, periods=[period], tz=tz, new_buyers=new_buyers, repurchase=repurchase
    )[0]


def compare_many(
    conn: sa.Connection,
    *,
    scope: Scope,
    periods: list[TimeRange],
    tz: str,
    new_buyers: bool = True,
    repurchase: bool = True,
) -> list[Comparison]:
    """`compare` of each of `periods`, in one statement (one round trip, not two per headline)."""
    zone = ZoneInfo(tz)
    triples = [(p, previous_range(p, zone), year_earlier(p, zone)) for p in periods]
    found = headlines(
        conn,
        scope=scope,
        periods=[p for t in triples for p in t],
        new_buyers=new_buyers,
        tz=tz,
        repurchase=repurchase,
    )
    return [
        Comparison(
            current=found[3 * n],
            previous=found[3 * n + 1],
            year_ago=found[3 * n + 2],
            previous_period=before,
            year_period=year,
        )
        for n, (_, before, year) in enumerate(triples)
    ]


# --- trend ----------------------------------------------------------------------------

_BUCKETS = {"day": local_day, "week": local_week, "month": local_month}
TREND_COLUMNS = (
    "bucket",
    "gmv_cents",
    "paid_orders",
    "buyers",
    "aov_cents",
    "refunded_cents",
    "net_sales_cents",
)


def bucket_start(day: date, grain: str) -> date:
    """The first local date of the day / ISO week / month holding `day`."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _next_bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    if grain == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def period_buckets(period: TimeRange, tz: str, grain: str) -> list[date]:
    """Every bucket the period touches, in order (for zero-filling)."""
    zone = ZoneInfo(tz)
    day, last = bucket_start(period.first_day(zone), grain), period.last_day(zone)
    out = []
    while day <= last:
        out.append(day)
        day = _next_bucket(day, grain)
    return out


def trend(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, grain: str = "day"
) -> pd.DataFrame:
    """GMV, paid orders, buyers, AOV, refunded and net sales per local day / week / month.

    Every bucket of the period is present; buckets without sales hold zeros
    (AOV None). Orders are bucketed by `paid_at`, refunds by `completed_at`. Daily
    trends read the days the rollups hold from them (`queries.rolled.coverage`) and the
    rest live; weeks and months are read live (buyers do not add up across days).
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    covered = coverage(conn, scope=scope, period=period, tz=tz) if grain == "day" else None
    spans = [period] if covered is None else list(covered.live)
    sales, refunds = {}, {}
    if covered is not None:
        for row in conn.execute(sales_daily_rows(covered, vendor_id=scope.vendor_id)):
            day = as_date(row.local_day)
            sales[day] = (row.gmv_cents, row.paid_orders, row.buyers)
            refunds[day] = as_int(row.refunded_cents)
    if spans:
        live_sales, live_refunds = _live_trend(conn, scope, spans, tz, grain)
        sales.update(live_sales)
        refunds.update(live_refunds)
    rows = []
    for day in period_buckets(period, tz, grain):
        gmv, orders, buyers = (as_int(v) for v in sales.get(day, (0, 0, 0)))
        back = refunds.get(day, 0)
        aov = round_half_up_div(gmv, 1, orders) if orders else None
        rows.append((day, gmv, orders, buyers, aov, back, gmv - back))
    frame = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    # Keep None (not NaN) where a bucket has no orders: AOV has no value there.
    frame["aov_cents"] = pd.Series([row[4] for row in rows], dtype=object)
    return frame


def _live_trend(
    conn: sa.Connection, scope: Scope, spans: list[TimeRange], tz: str, grain: str
) -> tuple[dict, dict]:
    """Bucket → (GMV, orders, buyers) and bucket → refunded, read live over `spans`."""
    o, r = s.orders, s.refunds
    zone = sa.bindparam("tz", tz)
    bucket = _BUCKETS[grain](o.c.paid_at, zone)
    where = [paid_within(o, spans)]
    if scope.vendor_id is not None:
        where.append(o.c.vendor_id == scope.vendor_id)
    sold = (
        sa.select(
            bucket.label("bucket"),
            gmv(o).label("gmv"),
            paid_orders().label("orders"),
            buyers(o).label("buyers"),
        )
        .where(*where)
        .group_by(bucket)
    )
    refund_bucket = _BUCKETS[grain](r.c.completed_at, zone)
    refunded_sums = sa.select(refund_bucket.label("bucket"), refunded(r))
    refund_where = [refunds_completed_within(r, spans)]
    if scope.vendor_id is not None:
        refunded_sums = refunded_sums.select_from(r.join(o, o.c.order_id == r.c.order_id))
        refund_where.append(o.c.vendor_id == scope.vendor_id)
    refunded_sums = refunded_sums.where(*refund_where).group_by(refund_bucket)
    sales = {as_date(row.bucket): (row.gmv, row.orders, row.buyers) for row in conn.execute(sold)}
    refunds = {as_date(b): as_int(total) for b, total in conn.execute(refunded_sums)}
    return sales, refunds
