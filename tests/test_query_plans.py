"""Every vendor-scoped page read reaches orders and order_items through an index (PostgreSQL).

On a database the project created (the contract's indexes only) with the tiny
demo mall and fresh statistics, every SQL statement that a page's data calls
(`bench.pages`) issue for one vendor's month is captured with the
`before_cursor_execute` event and EXPLAINed with `enable_seqscan = off` in the
same transaction. With sequential scans priced out, a "Seq Scan on orders" or
"Seq Scan on order_items" left in a plan means no index path exists for it:
at 2M orders that statement would read the whole table for one shop.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from bench.pages import PAGES
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.periods import month_range

TZ = "Asia/Shanghai"
FORBIDDEN = ("Seq Scan on orders", "Seq Scan on order_items")


def _busiest_vendor_month(conn: sa.Connection) -> tuple[int, date]:
    """The vendor with the most paid orders, and the last full local month before its last one."""
    o = s.orders
    vendor_id, last_paid = conn.execute(
        sa.select(o.c.vendor_id, sa.func.max(o.c.paid_at))
        .where(o.c.paid_at.is_not(None))
        .group_by(o.c.vendor_id)
        .order_by(sa.func.count().desc(), o.c.vendor_id)
        .limit(1)
    ).one()
    first = last_paid.date().replace(day=1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return int(vendor_id), previous


@pytest.fixture(scope="module")
def captured(db_factory) -> tuple[sa.Engine, list[tuple[str, str, object]]]:
    """(engine, [(call name, statement, parameters)]) for one vendor's month on PostgreSQL."""
    from demo.generate import generate

    engine = db_factory.engine("postgresql")
    generate(engine, scale="tiny", seed=7)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    with engine.connect() as conn:
        vendor_id, month = _busiest_vendor_month(conn)
    from zoneinfo import ZoneInfo

    period = month_range(month.year, month.month, ZoneInfo(TZ))
    scope = Scope(vendor_id)
    seen: list[tuple[str, str, object]] = []
    current = {"name": ""}

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((current["name"], statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as conn:
            for page in PAGES:
                for call in page.calls_for(scope):
                    current["name"] = call.name
                    call.read(conn, scope, period, TZ)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return engine, seen


def _plan(conn: sa.Connection, statement: str, parameters) -> list[str]:
    rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return [row[0] for row in rows]


def test_every_page_call_issued_sql(captured) -> None:
    _, seen = captured
    names = {name for name, _, _ in seen}
    expected = {call.name for page in PAGES for call in page.calls_for(Scope(1))}
    # Every call reached the database at least once (none answered from Python alone).
    assert expected <= names, sorted(expected - names)


def test_no_sequential_scan_over_orders_or_items(captured) -> None:
    engine, seen = captured
    problems: list[str] = []
    checked = 0
    with engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for name, statement, parameters in seen:
            head = statement.lstrip().split(None, 1)[0].upper()
            if head not in ("SELECT", "WITH"):
                continue
            checked += 1
            for line in _plan(conn, statement, parameters):
                if any(bad in line for bad in FORBIDDEN):
                    problems.append(f"{name}: {line.strip()}\n    {statement[:300]}")
        conn.rollback()
    assert checked >= 20, f"only {checked} statements captured"
    assert not problems, "statements without an index path:\n" + "\n".join(problems)


def test_capture_is_for_the_month(captured) -> None:
    _, seen = captured
    # The month's bounds travel as bound parameters, never as literals in the SQL.
    stamps = [
        v
        for _, _, params in seen
        if isinstance(params, dict)
        for v in params.values()
        if isinstance(v, datetime)
    ]
    assert stamps
