"""Member analytics: new vs returning buyers, who the buyers are, RFM segments.

Definitions (the contract's "Figures", the whole mall counted as one shop):
- a *new buyer* of the scope in P has their first paid order with the scope ever
  in P (for the mall: their first paid order in the mall); other buyers are
  *returning*. Per trend bucket, a buyer is new in the bucket that holds their
  first paid order, if that order is inside P.
- *repurchase buyers*: buyers with two or more paid orders in P (per bucket: in
  that bucket); repurchase rate = repurchase buyers ÷ buyers.
- RFM rules and segments: `queries.members.rfm` (re-exported here); cohorts (retention by
  first-purchase month): `queries.members.cohorts`.

Every query starts from the scope's paid orders (`orders (vendor_id, paid_at)`
or `orders (paid_at)`), and finds a buyer's first order through `orders (member_id)`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_day, local_month, local_week, union_all
from queries.core.periods import TimeRange
from queries.figures import as_date, paid_in, paid_within, scope_paid_in
from queries.members.rfm import RFM_RULES, RFM_SEGMENTS, RfmRules, rfm_segments
from queries.reports import Report, ratio
from queries.rolled.coverage import Coverage, buyer_day_figures, buyer_days, coverage, scope_days
from queries.rolled.members import (
    firsts_cut,
    firsts_in_period,
)

__all__ = [
    "AGE_BANDS",
    "RFM_RULES",
    "RFM_SEGMENTS",
    "RfmRules",
    "age_bands",
    "MIXES",
    "buyer_mix",
    "buyer_mixes",
    "report",
    "rfm_segments",
    "summary",
    "summary_and_trend",
    "totals_by_vendor",
    "trend",
]

ORD = s.orders
MEM = s.members
GRAINS = {"day": local_day, "week": local_week, "month": local_month}

# (code, first birth year, last birth year); None = open end. "unknown" has no birth year.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("2000s", 2000, None),
    ("1995_1999", 1995, 1999),
    ("1990_1994", 1990, 1994),
    ("1985_1989", 1985, 1989),
    ("1980_1984", 1980, 1984),
    ("before_1980", None, 1979),
    ("unknown", None, None),
)


def _period_buyers(scope: Scope, period: TimeRange) -> sa.Select:
    """Members with a paid order of the scope in the period (for `IN`: no DISTINCT needed,
    which leaves the planner free to choose a semi-join)."""
    return sa.select(ORD.c.member_id).where(scope_paid_in(scope, period))


def _first_paid(scope: Scope, period: TimeRange) -> sa.Subquery:
    """Each period buyer's first paid order with the scope ever (through orders (member_id))."""
    return (
        sa.select(ORD.c.member_id, sa.func.min(ORD.c.paid_at).label("first_paid"))
        .where(
            ORD.c.member_id.in_(_period_buyers(scope, period)),
            ORD.c.paid_at.is_not(None),
            scope.owns(ORD.c.vendor_id),
        )
        .group_by(ORD.c.member_id)
        .subquery("first_paid")
    )


def _buyer_rows(
    scope: Scope,
    period: TimeRange,
    *,
    tz: str | None,
    grain: str | None,
    whole_period: bool,
    cut_at: datetime | None = None,
    covered: Coverage | None = None,
) -> sa.Select:
    """Buyers, new buyers and repurchase buyers per trend bucket of `grain` and, with
    `whole_period`, for the whole period in a row whose bucket is NULL.

    The buyers' first paid orders (the costly part: one look-up per buyer) are
    found once for both, whichever of the two the caller asks for. With `cut_at`
    (the member rollups' cut, after the period's start) the new buyers are counted
    from the rollup's first orders instead (`queries.rolled.members.firsts_in_period`), and
    with `covered` too (the period is whole days the sales rollups hold) buyers
    and repurchase buyers per day and in all come from the buyer days, no order read.
    """
    bucket_of = GRAINS[grain] if grain else None
    if cut_at is not None and covered is not None and grain in (None, "day"):
        counted = _rolled_counts(scope, covered, daily=grain == "day", whole=whole_period, tz=tz)
        return _buyer_rows_from_firsts(scope, period, counted, tz, bucket_of, whole_period, cut_at)

    def per_buyer(bucket, *keys) -> sa.Select:
        """The period's paid orders per (`keys`…, member), labelled with `bucket`."""
        return (
            sa.select(bucket.label("bucket"), ORD.c.member_id, sa.func.count().label("orders"))
            .where(scope_paid_in(scope, period))
            .group_by(*keys, ORD.c.member_id)
        )

    branches = []
    if bucket_of is not None:
        bucket = bucket_of(ORD.c.paid_at, sa.bindparam("tz", tz))
        branches.append(per_buyer(bucket, bucket))
    if whole_period:
        branches.append(per_buyer(sa.null()))
    grouped = union_all(branches).subquery("grouped")
    if cut_at is not None:
        counted = sa.select(
            grouped.c.bucket,
            sa.func.count().label("buyers"),
            sa.literal(0, sa.BigInteger).label("new_buyers"),
            sa.func.sum(sa.case((grouped.c.orders >= 2, 1), else_=0)).label("repurchase"),
        ).group_by(grouped.c.bucket)
        return _buyer_rows_from_firsts(
            scope, period, [counted], tz, bucket_of, whole_period, cut_at
        )
    first = _first_paid(scope, period)
    is_new = first.c.first_paid >= period.start
    if bucket_of is not None:
        # In a bucket, a buyer is new in the bucket holding their first paid order.
        same_bucket = bucket_of(first.c.first_paid, sa.bindparam("tz", tz)) == grouped.c.bucket
        is_new = sa.and_(is_new, sa.or_(grouped.c.bucket.is_(None), same_bucket))
    return (
        sa.select(
            grouped.c.bucket,
            sa.func.count().label("buyers"),
            sa.func.sum(sa.case((is_new, 1), else_=0)).label("new_buyers"),
            sa.func.sum(sa.case((grouped.c.orders >= 2, 1), else_=0)).label("repurchase"),
        )
        .select_from(grouped.join(first, first.c.member_id == grouped.c.member_id))
        .group_by(grouped.c.bucket)
        .order_by(grouped.c.bucket)
    )


def _rolled_counts(
    scope: Scope, covered: Coverage, *, daily: bool, whole: bool, tz: str | None
) -> list[sa.Select]:
    """(bucket, buyers, 0, repurchase) per day and (bucket NULL) for the whole period: the
    covered days from the buyer days, the rest (a start inside a day, today) from its orders."""
    b, zero = buyer_days, sa.literal(0, sa.BigInteger)
    live = list(covered.live)
    branches = []
    if daily:  # one row per member and day: a day's buyers are its rows
        branches.append(
            sa.select(
                b.c.paid_on.label("bucket"),
                sa.func.count().label("buyers"),
                zero.label("new_buyers"),
                sa.func.sum(sa.case((b.c.orders >= 2, 1), else_=0)).label("repurchase"),
            )
            .where(scope_days(b, "paid_on", covered, scope.vendor_id))
            .group_by(b.c.paid_on)
        )
        if live:  # the live days are others than the covered ones (before or after them)
            day = local_day(ORD.c.paid_at, sa.bindparam("tz", tz))
            per_buyer = (
                sa.select(day.label("bucket"), ORD.c.member_id, sa.func.count().label("orders"))
                .where(scope.owns(ORD.c.vendor_id), paid_within(ORD, live))
                .group_by(day, ORD.c.member_id)
                .subquery("live_buyers")
            )
            branches.append(_counted(per_buyer, per_buyer.c.bucket))
    if whole and not live:
        figures = buyer_day_figures(covered, vendor_id=scope.vendor_id).subquery("all_days")
        branches.append(
            sa.select(
                sa.null().label("bucket"),
                figures.c.buyers,
                zero.label("new_buyers"),
                figures.c.repurchase_buyers.label("repurchase"),
            )
        )
    elif whole:  # a member's orders in the period: their covered days' and the rest's
        days = sa.union_all(
            sa.select(b.c.member_id, b.c.orders).where(
                scope_days(b, "paid_on", covered, scope.vendor_id)
            ),
            sa.select(ORD.c.member_id, sa.literal(1, sa.BigInteger)).where(
                scope.owns(ORD.c.vendor_id), paid_within(ORD, live)
            ),
        ).subquery("buyer_orders")
        per_buyer = (
            sa.select(days.c.member_id, sa.func.sum(days.c.orders).label("orders"))
            .group_by(days.c.member_id)
            .subquery("period_buyers")
        )
        branches.append(_counted(per_buyer))
    return branches


def _counted(per_buyer: sa.Subquery, bucket=None) -> sa.Select:
    """(bucket, buyers, 0, repurchase) of rows of (member_id, orders): per `bucket`, or
    one row (bucket NULL) without it."""
    select = sa.select(
        (sa.null() if bucket is None else bucket).label("bucket"),
        sa.func.count().label("buyers"),
        sa.literal(0, sa.BigInteger).label("new_buyers"),
        sa.func.sum(sa.case((per_buyer.c.orders >= 2, 1), else_=0)).label("repurchase"),
    ).select_from(per_buyer)
    return select if bucket is None else select.group_by(bucket)


def _buyer_rows_from_firsts(scope, period, counted, tz, bucket_of, whole_period, cut_at):
    """`_buyer_rows` with the new buyers counted from the period's first orders.

    `counted` are selects of (bucket, buyers, 0, repurchase). A new buyer is new in the bucket
    of their first paid order, which is in the period: counting first orders by bucket
    gives the same figures as the live join.
    """
    zero = sa.literal(0, sa.BigInteger)
    firsts = firsts_in_period(scope, start=period.start, end=period.end, cut_at=cut_at)
    branches = list(counted)
    if bucket_of is not None:
        bucket = bucket_of(firsts.c.first_paid, sa.bindparam("tz", tz))
        branches.append(sa.select(bucket, zero, sa.func.count(), zero).group_by(bucket))
    if whole_period:
        branches.append(sa.select(sa.null(), zero, sa.func.count(), zero).select_from(firsts))
    both = sa.union_all(*branches).subquery("both")
    return (
        sa.select(
            both.c.bucket,
            sa.func.sum(both.c.buyers).label("buyers"),
            sa.func.sum(both.c.new_buyers).label("new_buyers"),
            sa.func.sum(both.c.repurchase).label("repurchase"),
        )
        .group_by(both.c.bucket)
        .order_by(both.c.bucket)
    )


def _figures(row) -> dict[str, object]:
    """A `_buyer_rows` row's figures (all zero for no row: nobody bought)."""
    if row is None:
        buyers = new = repurchase = 0
    else:
        buyers, new, repurchase = int(row.buyers), int(row.new_buyers), int(row.repurchase)
    return {
        "buyers": buyers,
        "new_buyers": new,
        "returning_buyers": buyers - new,
        "repurchase_buyers": repurchase,
        "repurchase_rate": ratio(repurchase, buyers),
    }


def summary(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> dict[str, object]:
    """Buyers, new / returning / repurchase buyers and the repurchase rate of the period.

    With `tz` (the platform's, which cuts the rollups' days) new buyers may come
    from the member rollups; without it they are read live.
    """
    cut_at = _cut_at(conn, scope, period, tz) if tz else None
    covered = _buyer_days_covered(conn, scope, period, tz) if tz else None
    stmt = _buyer_rows(
        scope, period, tz=None, grain=None, whole_period=True, cut_at=cut_at, covered=covered
    )
    rows = conn.execute(stmt).all()
    return _figures(rows[0] if rows else None)


def _buyer_days_covered(
    conn: sa.Connection, scope: Scope, period: TimeRange, tz: str
) -> Coverage | None:
    """The period's days the sales rollups' buyer days hold (the rest is read live), or None."""
    return coverage(conn, scope=scope, period=period, tz=tz)


def _cut_at(conn: sa.Connection, scope: Scope, period: TimeRange, tz: str) -> datetime | None:
    """The member rollups' cut if it falls after the period's start (else: read live)."""
    cut = firsts_cut(conn, scope=scope, tz=tz)
    return cut[1] if cut is not None and cut[1] > period.start else None


def trend(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, grain: str = "day"
) -> pd.DataFrame:
    """Per local day / week / month of the period: buyers, new, returning, repurchase, rate."""
    return summary_and_trend(conn, scope=scope, period=period, tz=tz, grain=grain, totals=False)[1]


def summary_and_trend(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    tz: str,
    grain: str = "day",
    totals: bool = True,
) -> tuple[dict[str, object] | None, pd.DataFrame]:
    """`summary` (None without `totals`) and `trend` of the period, from one statement."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    cut_at = _cut_at(conn, scope, period, tz)
    covered = _buyer_days_covered(conn, scope, period, tz) if grain == "day" else None
    stmt = _buyer_rows(
        scope, period, tz=tz, grain=grain, whole_period=totals, cut_at=cut_at, covered=covered
    )
    whole, rows = None, []
    for r in conn.execute(stmt):
        if r.bucket is None:
            whole = r
        else:
            rows.append({"bucket": as_date(r.bucket), **_figures(r)})
    columns = ["bucket", "buyers", "new_buyers", "returning_buyers", "repurchase_buyers"]
    frame = pd.DataFrame(rows, columns=[*columns, "repurchase_rate"])
    frame["repurchase_rate"] = pd.Series(
        [r["repurchase_rate"] for r in rows], dtype=object, index=frame.index
    )
    return (_figures(whole) if totals else None), frame


def _age_band():
    """CASE over members.birth_year giving the AGE_BANDS code."""
    year = MEM.c.birth_year
    whens = []
    for code, first, last in AGE_BANDS:
        if code == "unknown":
            continue
        conditions = [year.is_not(None)]
        if first is not None:
            conditions.append(year >= first)
        if last is not None:
            conditions.append(year <= last)
        whens.append((sa.and_(*conditions), code))
    return sa.case(*whens, else_="unknown")


MIXES = ("level", "city_tier", "age_band")


def _mix_key(by: str):
    return {"level": MEM.c.level, "city_tier": MEM.c.city_tier, "age_band": _age_band()}[by]


def buyer_mixes(
    conn: sa.Connection,
    *,
    scope: Scope,
    period: TimeRange,
    by: tuple[str, ...] = MIXES,
    tz: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The period's buyers counted by each of `by` (member level, city tier, age band).

    One statement: the buyers' member rows are read once (a CTE) and counted each way
    in a UNION ALL, instead of one semi-join of the period's orders per breakdown.
    With `tz` (the platform's), a period of whole days the buyer days hold takes its
    buyers from them (an index-only range) instead of the orders.
    """
    # A semi-join (members WHERE member_id IN the period's orders), not DISTINCT buyers
    # joined to members: the planner hashes the orders once instead of sorting them
    # for DISTINCT — 10× faster for the whole mall over a year.
    covered = _buyer_days_covered(conn, scope, period, tz) if tz else None
    if covered is None or covered.live:
        # With a live rest (today) the period's orders are read: the buyer days and the
        # rest's orders together were no quicker (the members' rows are the cost), and an
        # IN of their UNION was sized at 200 members by the planner (docs/performance.md).
        paid = _period_buyers(scope, period)
    else:  # every row, not only each member's first: the key alone, read from the index
        b = buyer_days
        paid = sa.select(b.c.member_id).where(scope_days(b, "paid_on", covered, scope.vendor_id))
    keyed = (
        sa.select(*[_mix_key(name).label(name) for name in by])
        .where(MEM.c.member_id.in_(paid))
        .cte("keyed")
    )
    branches = [
        sa.select(
            sa.literal_column(f"'{name}'").label("mix"),  # a fixed name, never input
            sa.cast(keyed.c[name], sa.String).label("key"),
            sa.func.count().label("buyers"),
        ).group_by(keyed.c[name])
        for name in by
    ]
    counts: dict[str, dict[str, int]] = {name: {} for name in by}
    for row in conn.execute(union_all(branches)):
        counts[row.mix][row.key] = int(row.buyers)
    return {name: _mix_frame(name, counts[name]) for name in by}


def _mix_frame(by: str, counts: dict[str, int]) -> pd.DataFrame:
    """Every key of one mix in its fixed order, with buyers and share (keys absent: 0)."""
    order = {
        "level": list(s.MEMBER_LEVELS),
        "city_tier": [1, 2, 3, 4],
        "age_band": [code for code, _, _ in AGE_BANDS],
    }[by]
    total = sum(counts.values())
    rows = [{by: k, "buyers": counts.get(str(k), 0), "share": ratio(counts.get(str(k), 0), total)}
            for k in order]  # fmt: skip
    frame = pd.DataFrame(rows, columns=[by, "buyers", "share"])
    frame["share"] = pd.Series([r["share"] for r in rows], dtype=object, index=frame.index)
    return frame


def buyer_mix(conn: sa.Connection, *, scope: Scope, period: TimeRange, by: str) -> pd.DataFrame:
    """The period's buyers counted by member `level`, `city_tier` or `age_band`."""
    return buyer_mixes(conn, scope=scope, period=period, by=(by,))[by]


def age_bands(conn: sa.Connection, *, scope: Scope, period: TimeRange) -> pd.DataFrame:
    """The period's buyers by birth-year band (AGE_BANDS)."""
    return buyer_mix(conn, scope=scope, period=period, by="age_band")


def totals_by_vendor(conn: sa.Connection, *, period: TimeRange, tz: str) -> dict[int, dict]:
    """`report(...).totals` of every vendor at once (vendors without buyers get zeros).

    One grouped statement instead of one report per vendor, for `--vendor all`.
    """
    ZoneInfo(tz)
    per_buyer = (
        sa.select(ORD.c.vendor_id, ORD.c.member_id, sa.func.count().label("orders"))
        .where(paid_in(ORD, period))
        .group_by(ORD.c.vendor_id, ORD.c.member_id)
        .subquery("per_buyer")
    )
    # A buyer is new for a vendor unless they paid that vendor before the period.
    earlier = (
        sa.select(ORD.c.order_id)
        .where(
            ORD.c.member_id == per_buyer.c.member_id,
            ORD.c.vendor_id == per_buyer.c.vendor_id,
            ORD.c.paid_at < period.start,
        )
        .exists()
    )
    query = sa.select(
        per_buyer.c.vendor_id,
        sa.func.count().label("buyers"),
        sa.func.sum(sa.case((earlier, 0), else_=1)).label("new"),
        sa.func.sum(sa.case((per_buyer.c.orders >= 2, 1), else_=0)).label("repurchase"),
    ).group_by(per_buyer.c.vendor_id)
    found = {int(r.vendor_id): r for r in conn.execute(query)}
    out: dict[int, dict] = {}
    for vendor_id in conn.execute(sa.select(s.vendors.c.vendor_id)).scalars():
        row = found.get(int(vendor_id))
        buyers = int(row.buyers) if row else 0
        new = int(row.new) if row else 0
        repurchase = int(row.repurchase) if row else 0
        out[int(vendor_id)] = {
            "buyers": buyers,
            "new_buyers": new,
            "returning_buyers": buyers - new,
            "repurchase_buyers": repurchase,
            "repurchase_rate": ratio(repurchase, buyers),
        }
    return out


def report(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> Report:
    """The members report for the page, the workbook and `python -m exports report members`."""
    ZoneInfo(tz)  # a bad zone name fails before any query
    totals = summary(conn, scope=scope, period=period, tz=tz)
    mixes = buyer_mixes(conn, scope=scope, period=period, tz=tz)
    return Report(
        totals=totals,
        breakdowns={
            "levels": mixes["level"],
            "tiers": mixes["city_tier"],
            "age_bands": mixes["age_band"],
            "rfm": rfm_segments(conn, scope=scope, period=period, tz=tz),
        },
    )
