"""Optional sales rollups: read when the platform provides them, never required.

The contract holds no pre-aggregated data, and a year of a big shop's order lines
cannot be summed within the page targets on two cores (docs/performance.md). The
sales rollups are three tables that the platform maintains beside the contract's; the
demo loader, which plays the platform's part, builds them with `build_rollups`:

- `rollup_sales_daily`: per shop and local day, GMV, paid orders, buyers and the
  refunds completed that day (vendor_id −1 = the whole mall: buyers do not add up);
- `rollup_item_sales`: per shop, local day or month, and breakdown (top-level
  category, channel, city tier, local hour, product), item sales, units and paid
  orders (an order has one shop and one local day, so order counts add up); the
  mall (−1) has no product rows: its shops' are its products';
- `rollup_refunds_daily`: per shop, local day and reason, the refunds completed;
- `rollup_buyer_days`: per shop (−1: the mall), local day and member with a paid
  order that day, the member's paid orders that day and their previous and next
  such days: the distinct buyers of a period of whole days, and those with two or
  more orders in it, counted without `DISTINCT` (see `buyer_day_figures`);
- `rollup_state`: `complete_before`, the first local day the rollups do not hold,
  per layout and the zone its days were cut in (`state_key`).

The console reads them only for whole local days before `complete_before` and
reads the rest of a period live, so today's orders always count. Without the
tables every read is the live one: the contract alone stays enough. Buyers over
a period do not add up across days: they are counted from the buyer days for a
period of whole rolled days, else live; the Members page's own rollups (each
buyer's first order, cohort months) are `queries.rolled.members`.

Figures are those of the live queries at the moment the rollups were built:
paid orders keep their `paid_at` and completed refunds their `completed_at`, so a
closed day's sums never change; a product moved to another category or a member
to another city tier shows in the day rows at the next build (nightly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Date, Index, Table, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from queries.console.tables import metadata as console_metadata
from queries.console.tables import present
from queries.core.actors import Scope
from queries.core.periods import TimeRange, add_months, local_midnight
from queries.core.schema import vendors
from queries.core.types import UTCDateTime

__all__ = [
    "MALL",
    "Coverage",
    "buyer_day_figures",
    "buyer_days",
    "buyers_in_covered_days",
    "coverage",
    "covered_days",
    "item_sales",
    "item_sales_rows",
    "one_of",
    "refunds_daily",
    "refunds_by_reason_rows",
    "new_in_period",
    "read_rollups_up_to",
    "rollup_metadata",
    "rollup_vendor_id",
    "scope_ids",
    "rollup_state",
    "scope_days",
    "stale",
    "state_key",
    "stored_cut",
    "sales_daily",
    "sales_daily_rows",
]

MALL = -1  # the vendor_id of the whole mall's rows (shop ids are positive identity keys)
# The rollup_state row of these tables, with their layout's version: rows of another
# layout (an earlier build) are not read, and a build replaces them.
NAME = "sales/3"

# The console's own schema (`queries.console.tables`): created by the migrations, never
# among the contract's tables.
rollup_metadata = console_metadata

sales_daily = Table(
    "mallboard_rollup_sales_daily",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("local_day", Date, primary_key=True),
    Column("gmv_cents", BigInteger, nullable=False),
    Column("paid_orders", BigInteger, nullable=False),
    Column("buyers", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False),
)

item_sales = Table(
    "mallboard_rollup_item_sales",
    rollup_metadata,
    Column("vendor_id", BigInteger, nullable=False),
    Column("grain", Text, nullable=False),  # day | month
    Column("bucket", Date, nullable=False),  # the local day, or the month's first day
    Column("breakdown", Text, nullable=False),  # category | channel | city_tier | hour | product
    Column("key_int", BigInteger),
    Column("key_text", Text),
    Column("item_sales_cents", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Index("mallboard_rollup_item_sales_scope", "vendor_id", "grain", "bucket"),
)

refunds_daily = Table(
    "mallboard_rollup_refunds_daily",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("local_day", Date, primary_key=True),
    Column("reason", Text, primary_key=True),
    Column("refunds", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False),
)

buyer_days = Table(
    "mallboard_rollup_buyer_days",
    rollup_metadata,
    Column("vendor_id", BigInteger, primary_key=True),
    Column("paid_on", Date, primary_key=True),
    Column("member_id", BigInteger, primary_key=True),
    Column("orders", BigInteger, nullable=False),  # the member's paid orders that day
    Column("previous_on", Date),  # the member's previous paid_on with this scope
    Column("next_on", Date),  # and the next one
)

rollup_state = Table(
    "mallboard_rollup_state",
    rollup_metadata,
    Column("rollup", Text, primary_key=True),
    Column("complete_before", Date, nullable=False),
    # The last refresh of this family (`python -m rollups status`).
    Column("last_started_at", UTCDateTime),
    Column("last_finished_at", UTCDateTime),
    Column("last_duration_ms", BigInteger),
    Column("last_rows", BigInteger),
    Column("last_outcome", Text),  # ok | failed
    Column("last_message", Text),
)


class month_of(FunctionElement):  # noqa: N801 - reads like a SQL function
    """`(date column)` → the first day of its month."""

    type = sa.Date()
    inherit_cache = True


@compiles(month_of, "postgresql")
def _pg_month(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_of, "sqlite")
def _sqlite_month(element, compiler, **kw):
    return f"strftime('%Y-%m-01', {compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True)
class Coverage:
    """The whole local days `[first, end)` of a period that the rollups hold, and the rest."""

    first: date
    end: date
    live: tuple[TimeRange, ...]  # the parts of the period outside [first, end), read live
    cut: date  # the rollups' complete_before: `end` equals it when the period runs to it

    def runs_to_cut(self) -> bool:
        """The period is covered days alone, up to the cut (as "the last N days" after a build)."""
        return not self.live and self.end == self.cut

    def holds(self, day_column) -> sa.ColumnElement[bool]:
        """The condition that a rollup row's local day (`day_column`) is a covered day."""
        return sa.and_(day_column >= self.first, day_column < self.end)

    def months(self) -> list[date]:
        """The calendar months lying wholly inside the covered days."""
        month = self.first if self.first.day == 1 else add_months(self.first, 1)
        found = []
        while add_months(month, 1) <= self.end:
            found.append(month)
            month = add_months(month, 1)
        return found

    def day_spans(self) -> list[tuple[date, date]]:
        """The covered days outside those months, as half-open spans."""
        months = self.months()
        if not months:
            return [(self.first, self.end)]
        spans = [(self.first, months[0]), (add_months(months[-1], 1), self.end)]
        return [(a, b) for a, b in spans if a < b]


def state_key(rollup: str, tz: str) -> str:
    """`rollup_state.rollup` of a layout built with local days of the zone `tz`."""
    return f"{rollup}@{tz}"


# How old a cut may be before it is no longer read (`ROLLUP_MAX_AGE_DAYS`): set once by
# the app and the shell reports from the settings (`read_rollups_up_to`); None (the query
# layer's own default, and the tests') reads a cut of any age.
_max_age_days: dict[str, int | None] = {"days": None}


def read_rollups_up_to(max_age_days: int | None) -> None:
    """Read rollups only while their cut is at most `max_age_days` before today; a negative
    age reads none (`python -m exports report --live`)."""
    _max_age_days["days"] = max_age_days


def stale(cut: date, *, tz: str, today: date | None = None) -> bool:
    """Whether a cut is older than the configured age (never, when none is configured)."""
    days = _max_age_days["days"]
    if days is None:
        return False
    if days < 0:
        return True  # read live only
    today = today or datetime.now(ZoneInfo(tz)).date()
    return cut < today - timedelta(days=days)


def stored_cut(conn: sa.Connection, *, tz: str, rollup: str = NAME) -> date | None:
    """The cut `rollup`'s state row records for the zone `tz`, whatever its age (or None)."""
    if not present(conn, rollup_state):
        return None
    key = state_key(rollup, tz)
    stmt = sa.select(rollup_state.c.complete_before).where(rollup_state.c.rollup == key)
    return conn.execute(stmt).scalar()  # the Date type reads SQLite's text as a date


def complete_before(conn: sa.Connection, *, tz: str, rollup: str = NAME) -> date | None:
    """The first local day the rollups of `rollup` (a layout name) do not hold, or None.

    None too when they were built in another zone than `tz` (the console's): their
    days would be cut at other instants than the live rest's; and when the cut is older
    than `ROLLUP_MAX_AGE_DAYS` (a refresh stopped running): reading live is slower but
    never misses a late payment or refund.
    """
    cut = stored_cut(conn, tz=tz, rollup=rollup)
    return None if cut is None or stale(cut, tz=tz) else cut


def coverage(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str, rollup: str = NAME
) -> Coverage | None:
    """The share of the period that `rollup`'s tables hold, or None (none of its whole days).

    A shop whose id is the mall's marker (never a real shop: ids are positive) reads
    live rather than the mall's rows.
    """
    if scope.vendor_id == MALL:
        return None
    cut = complete_before(conn, rollup=rollup, tz=tz)
    return None if cut is None else covered_days(period, tz=tz, cut=cut)


def covered_days(period: TimeRange, *, tz: str, cut: date) -> Coverage | None:
    """The whole local days of the period before the `cut` (its coverage), and the rest; or None."""
    zone = ZoneInfo(tz)
    first = period.first_day(zone)
    if local_midnight(first, zone) < period.start:
        first += timedelta(days=1)  # the period starts inside its first day
    end = period.end_date(zone)
    if local_midnight(end, zone) > period.end:
        end -= timedelta(days=1)  # the period ends inside its last day (today)
    end = min(end, cut)
    if first >= end:
        return None
    edges = [
        (period.start, local_midnight(first, zone)),
        (local_midnight(end, zone), period.end),
    ]
    live = tuple(TimeRange(a, b, period.kind) for a, b in edges if a < b)
    return Coverage(first=first, end=end, live=live, cut=cut)


class _one_of(FunctionElement):  # noqa: N801 - reads like a SQL function
    """`(column, scalar subquery)` → the column is one of the subquery's values."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(_one_of, "postgresql")
def _pg_one_of(element, compiler, **kw):
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    # An array computed once (an InitPlan): the column's index is read for each value.
    # `IN (SELECT …)` becomes a semi-join, which PostgreSQL runs by scanning the table.
    return f"{column} = ANY(ARRAY{values})"


@compiles(_one_of, "sqlite")
def _sqlite_one_of(element, compiler, **kw):
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    # SQLite reads the column's index for each value of the list (a join would scan).
    return f"{column} IN {values}"


def one_of(column, values: sa.Select) -> sa.ColumnElement[bool]:
    """`column` is one of the values of `values` (a select of one column, few rows), read
    through `column`'s index on both databases."""
    return _one_of(column, values.scalar_subquery())


def scope_ids(conn: sa.Connection, *, mall: bool = True) -> list[int]:
    """Every shop's id (and the mall's marker): the rollup tables' keys and indexes lead
    with vendor_id, so a statement over a range of days names the shops to read each
    shop's range through the index rather than scan the whole table."""
    shops = list(conn.scalars(sa.select(vendors.c.vendor_id)))
    return [*shops, MALL] if mall else shops


def rollup_vendor_id(vendor_id: int | None) -> int:
    """The vendor_id of a scope's rollup rows (the mall's marker for the whole mall)."""
    return MALL if vendor_id is None else vendor_id


def sales_daily_rows(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """The covered days' GMV, paid orders, buyers and refunds of one shop (or the mall)."""
    d = sales_daily
    return sa.select(
        d.c.local_day, d.c.gmv_cents, d.c.paid_orders, d.c.buyers, d.c.refunded_cents
    ).where(scope_days(d, "local_day", covered, vendor_id))


def item_sales_rows(
    covered: Coverage, *, vendor_id: int | None, shops: list[int] | None = None
) -> sa.Select:
    """The covered part's item-sales rows (breakdown, key_int, key_text, three figures).

    Whole months come from the month rows (a year is twelve of them, not 365 days). The
    mall's product rows are its shops' (`shops`: every shop's id; a product belongs to
    one shop, so the mall's would only repeat them): read through each shop's range of
    the scope index, as its own rows would be.
    """
    r = item_sales
    months = covered.months()
    parts = [
        sa.and_(r.c.grain == "day", r.c.bucket >= a, r.c.bucket < b) for a, b in covered.day_spans()
    ]
    if months:
        parts.append(
            sa.and_(r.c.grain == "month", r.c.bucket >= months[0], r.c.bucket <= months[-1])
        )
    figures = (
        r.c.breakdown,
        r.c.key_int,
        r.c.key_text,
        r.c.item_sales_cents,
        r.c.units,
        r.c.orders,
    )
    if vendor_id is not None:
        return sa.select(*figures).where(r.c.vendor_id == vendor_id, sa.or_(*parts))
    if shops is None:
        raise ValueError("the mall's item-sales rows need every shop's id")
    # One select (SQLite takes no compound select inside another): the mall's rows and
    # its shops' product rows, each scope's range of the index read.
    scopes = sa.bindparam("item_scopes", [MALL, *shops], expanding=True, literal_execute=True)
    return sa.select(*figures).where(
        r.c.vendor_id.in_(scopes),
        sa.or_(r.c.vendor_id == MALL, r.c.breakdown == "product"),
        sa.or_(*parts),
    )


def refunds_by_reason_rows(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """The covered days' completed refunds of one shop (or the mall): reason, count, sum."""
    f = refunds_daily
    return sa.select(
        f.c.reason, f.c.refunds.label("refunds"), f.c.refunded_cents.label("refunded_cents")
    ).where(scope_days(f, "local_day", covered, vendor_id))


def new_in_period(previous_on, covered: Coverage) -> sa.ColumnElement[bool]:
    """The row is its member's first in the covered days: its `previous_on` (the member's
    previous day with a row for the same key) lies before them, or there is none."""
    return sa.or_(previous_on.is_(None), previous_on < covered.first)


def scope_days(table: Table, day: str, covered: Coverage, vendor_id: int | None):
    """`table`'s rows of the scope whose `day` column is one of the covered days."""
    return sa.and_(table.c.vendor_id == rollup_vendor_id(vendor_id), covered.holds(table.c[day]))


def buyers_in_covered_days(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """member_id of each buyer of the scope in the covered days, once (no DISTINCT needed)."""
    b = buyer_days
    return sa.select(b.c.member_id).where(
        scope_days(b, "paid_on", covered, vendor_id), new_in_period(b.c.previous_on, covered)
    )


def buyer_day_figures(covered: Coverage, *, vendor_id: int | None) -> sa.Select:
    """(buyers, repurchase_buyers) of the scope over the covered days alone.

    A member is counted at their first row in the days; they bought once only if that
    row is also their last in the days (next day past them) and holds one order.
    """
    b = buyer_days
    first = new_in_period(b.c.previous_on, covered)
    last = sa.or_(b.c.next_on.is_(None), b.c.next_on >= covered.end)
    once = sa.and_(first, last, b.c.orders == 1)
    buyers = sa.func.coalesce(sa.func.sum(sa.case((first, 1), else_=0)), 0)
    single = sa.func.coalesce(sa.func.sum(sa.case((once, 1), else_=0)), 0)
    return sa.select(buyers.label("buyers"), (buyers - single).label("repurchase_buyers")).where(
        scope_days(b, "paid_on", covered, vendor_id)
    )
