"""Settlement workbooks at scale: a synthetic 1,000,000-order statement and the month-end run.

Each run happens in a child process (`python -m bench.workbooks <job> …`), so
its peak memory (`VmHWM`) is its own; the child prints one JSON line
(seconds, rows, peak RSS). Beside the console's writers
(`exports.settlement_workbook`) runs the plainest xlsxwriter writer in
constant-memory mode: a hand-written SQL cursor streamed into `write_row`,
with the same rows and cell formats, in the same benchmark run.

The synthetic statement lives in its own database (one shop, one month,
`rows` paid orders, an item and a payment each, a refund every 50th order), so
it never changes the demo mall the page timings read.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.core.types import UTCDateTime

__all__ = ["WorkbookResult", "ensure_synthetic", "run_job", "SYNTHETIC_MONTH"]

SYNTHETIC_MONTH = (date(2026, 1, 1), date(2026, 2, 1))
SYNTHETIC_VENDOR = 1
TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class WorkbookResult:
    """One child run: what it wrote and what it cost."""

    job: str
    seconds: float
    rows: int
    peak_rss_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --- the synthetic statement ----------------------------------------------------------

_PG_FILL = (
    """INSERT INTO categories (category_id, parent_id, name, name_en, commission_bps)
       VALUES (1, NULL, '合成', 'Synthetic', 550)""",
    """INSERT INTO vendors (vendor_id, name, status, region, joined_at, contact_email)
       VALUES (1, '基准店 Bench shop', 'active', '浙江', :start, 'bench@example.com')""",
    """INSERT INTO products (product_id, vendor_id, category_id, name, price_cents, stock,
         status, created_at, updated_at, version)
       VALUES (1, 1, 1, '基准商品', 12345, 100, 'on_sale', :start, :start, 1)""",
    """INSERT INTO members (member_id, registered_at, level, city, city_tier, channel)
       SELECT g, :start, 'regular', '杭州', 2, 'app' FROM generate_series(1, 5000) g""",
    """INSERT INTO orders (order_id, order_no, vendor_id, member_id, created_at, paid_at,
         completed_at, status, channel, goods_cents, discount_cents, platform_discount_cents,
         shipping_cents, paid_cents)
       SELECT g, 'B' || lpad(g::text, 10, '0'), 1, 1 + g % 5000, t, t, NULL, 'paid', 'app',
         12345 + g % 7 * 100, g % 3 * 100, g % 3 * 50, 800,
         12345 + g % 7 * 100 - g % 3 * 100 + 800
       FROM (SELECT g, :start + CAST(g AS BIGINT) * CAST(:step AS BIGINT)
               * INTERVAL '1 microsecond' AS t
             FROM generate_series(1, :rows) g) s""",
    """INSERT INTO order_items (order_item_id, order_id, product_id, quantity, unit_price_cents,
         discount_cents, amount_cents, commission_bps)
       SELECT order_id, order_id, 1, 1, goods_cents, discount_cents, goods_cents - discount_cents,
         550 FROM orders""",
    """INSERT INTO payments (payment_id, order_id, method, amount_cents, fee_cents, paid_at,
         transaction_no)
       SELECT order_id, order_id, 'wechat', paid_cents, (paid_cents * 6 + 500) / 1000, paid_at,
         'T' || order_id FROM orders""",
    """INSERT INTO refunds (refund_id, order_id, order_item_id, amount_cents, reason, status,
         requested_at, completed_at)
       SELECT order_id, order_id, order_id, 1000, '不想要了', 'completed', paid_at,
         paid_at + INTERVAL '1 hour' FROM orders WHERE order_id % 50 = 0
         AND paid_at + INTERVAL '1 hour' < :end""",
)


def _bounds(tz: str = TZ) -> tuple[datetime, datetime]:
    from queries.core.periods import local_midnight

    zone = ZoneInfo(tz)
    return local_midnight(SYNTHETIC_MONTH[0], zone), local_midnight(SYNTHETIC_MONTH[1], zone)


def ensure_synthetic(url: str, rows: int, say=print) -> None:
    """Make `url` hold exactly the synthetic statement of `rows` orders (PostgreSQL)."""
    from queries.core.db import connect_engine
    from queries.core.schema import create_schema

    engine = connect_engine(url, check=False)
    try:
        create_schema(engine)
        with engine.connect() as conn:
            have = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
        if have == rows:
            return
        say(f"Building the synthetic statement: {rows:,} orders …")
        began = time.perf_counter()
        start, end = _bounds()
        step = int((end - start).total_seconds() * 1_000_000 // (rows + 1))
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "TRUNCATE refunds, payments, order_items, orders, members, products, "
                    "vendors, categories CASCADE"
                )
            )
            for sql in _PG_FILL:
                stmt = sa.text(sql)
                names = set(stmt.compile().params)
                params = {"start": start, "end": end, "step": step, "rows": rows}
                typed = [
                    sa.bindparam(n, type_=UTCDateTime()) for n in ("start", "end") if n in names
                ]
                conn.execute(
                    stmt.bindparams(*typed), {k: v for k, v in params.items() if k in names}
                )
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
        say(f"… built in {time.perf_counter() - began:.0f} s")
    finally:
        engine.dispose()


# --- the jobs (run in a child process) ------------------------------------------------


def _peak_mb() -> float:
    """This process's peak resident memory in MiB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over `exec` from the parent
    (the benchmark itself), while VmHWM belongs to this program's own memory.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _statement_job(url: str, vendor_id: int, first: date, end: date, tz: str, folder: Path):
    from exports.settlement_workbook import write_statement_workbook
    from queries.core.db import connect_engine
    from queries.finance.settlements import statement_infos

    engine = connect_engine(url, check=False)
    began = time.perf_counter()
    with engine.connect() as conn:
        (info,) = statement_infos(
            conn, period_start=first, period_end=end, tz=tz, vendor_ids=[vendor_id]
        )
        write_statement_workbook(conn, folder / "statement.xlsx", info, tz=tz)
    return time.perf_counter() - began


def _month_end_job(url: str, first: date, end: date, tz: str, folder: Path):
    from exports.settlement_workbook import write_month_end
    from queries.core.db import connect_engine

    engine = connect_engine(url, check=False)
    began = time.perf_counter()
    with engine.connect() as conn:
        write_month_end(conn, folder, period_start=first, period_end=end, tz=tz)
    return time.perf_counter() - began


PLAIN_ORDERS = """
SELECT o.order_no, o.paid_at, o.goods_cents, o.discount_cents, o.platform_discount_cents,
  o.shipping_cents, o.paid_cents,
  (SELECT coalesce(sum((2 * CAST(i.amount_cents AS BIGINT) * i.commission_bps + 10000) / 20000), 0)
   FROM order_items i WHERE i.order_id = o.order_id),
  (SELECT coalesce(sum(p.fee_cents), 0) FROM payments p WHERE p.order_id = o.order_id)
FROM orders o WHERE o.vendor_id = :v AND o.paid_at >= :s AND o.paid_at < :e
ORDER BY o.paid_at, o.order_id"""
PLAIN_REFUNDS = """
SELECT r.refund_id, o.order_no, r.completed_at, r.amount_cents,
  (2 * CAST(r.amount_cents AS BIGINT) * i.commission_bps + 10000) / 20000
FROM refunds r JOIN order_items i ON i.order_item_id = r.order_item_id
JOIN orders o ON o.order_id = r.order_id
WHERE o.vendor_id = :v AND r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e
ORDER BY r.completed_at, r.refund_id"""


def _plain_write(conn, path: Path, vendor_id: int, start, end, zone: ZoneInfo) -> None:
    """The plainest constant-memory writer: cursor rows → write_row, money in yuan."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    money = book.add_format({"num_format": '"¥"#,##0.00'})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    params = {"v": vendor_id, "s": start, "e": end}
    for name, sql, at in (("Orders", PLAIN_ORDERS, 1), ("Refunds", PLAIN_REFUNDS, 2)):
        sheet = book.add_worksheet(name)
        stmt = sa.text(sql).bindparams(
            sa.bindparam("s", type_=UTCDateTime()), sa.bindparam("e", type_=UTCDateTime())
        )
        result = conn.execute(stmt, params, execution_options={"yield_per": 5000})
        row = 1
        for values in result:
            if name == "Orders":
                sheet.write_string(row, 0, values[0])
            else:
                sheet.write_number(row, 0, values[0])
                sheet.write_string(row, 1, values[1])
            sheet.write_datetime(row, at, values[at].astimezone(zone).replace(tzinfo=None), stamp)
            for col in range(at + 1, len(values)):
                sheet.write_number(row, col, int(values[col]) / 100, money)
            row += 1
    book.close()


def _plain_statement_job(url, vendor_id, first, end, tz, folder):
    from queries.core.db import connect_engine
    from queries.finance.lines import period_range

    engine = connect_engine(url, check=False)
    period = period_range(first, end, tz)
    began = time.perf_counter()
    with engine.connect() as conn:
        _plain_write(conn, folder / "plain.xlsx", vendor_id, period.start, period.end, ZoneInfo(tz))
    return time.perf_counter() - began


def _plain_month_end_job(url, first, end, tz, folder):
    from queries.core.db import connect_engine
    from queries.finance.lines import period_range

    engine = connect_engine(url, check=False)
    period = period_range(first, end, tz)
    began = time.perf_counter()
    with (
        engine.connect() as conn,
        zipfile.ZipFile(folder / "plain.zip", "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        vendor_ids = conn.execute(sa.text("SELECT vendor_id FROM vendors ORDER BY 1")).scalars()
        for vendor_id in list(vendor_ids):
            part = folder / "part.xlsx"
            _plain_write(conn, part, vendor_id, period.start, period.end, ZoneInfo(tz))
            zf.write(part, f"plain_{vendor_id}.xlsx")
    return time.perf_counter() - began


def count_rows(url: str, first: date, end: date, tz: str, vendor_id: int | None) -> int:
    """Order and refund rows the workbooks of the period hold (one vendor, or all)."""
    from queries.core.db import connect_engine
    from queries.finance.lines import period_range

    period = period_range(first, end, tz)
    vendor = "" if vendor_id is None else "AND o.vendor_id = :v"
    sql = f"""
    SELECT (SELECT count(*) FROM orders o WHERE o.paid_at >= :s AND o.paid_at < :e {vendor})
         + (SELECT count(*) FROM refunds r JOIN orders o ON o.order_id = r.order_id
            WHERE r.status = 'completed' AND r.completed_at >= :s AND r.completed_at < :e
            {vendor})"""  # noqa: S608 - only the fixed vendor condition is put in
    stmt = sa.text(sql).bindparams(
        sa.bindparam("s", type_=UTCDateTime()), sa.bindparam("e", type_=UTCDateTime())
    )
    engine = connect_engine(url, check=False)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    stmt, {"s": period.start, "e": period.end, "v": vendor_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def run_job(job: str, url: str, first: date, end: date, tz: str, rows: int, vendor_id: int = 0):
    """Run one job in a child process and read its result."""
    command = [
        sys.executable, "-m", "bench.workbooks", job, "--db", url, "--first", first.isoformat(),
        "--end", end.isoformat(), "--tz", tz, "--vendor", str(vendor_id),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise RuntimeError(f"{job} failed: {done.stderr.strip()[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return WorkbookResult(job=job, seconds=data["seconds"], rows=rows, peak_rss_mb=data["peak_mb"])


JOBS = {
    "statement": lambda a, f: _statement_job(a.db, a.vendor, a.first, a.end, a.tz, f),
    "plain-statement": lambda a, f: _plain_statement_job(a.db, a.vendor, a.first, a.end, a.tz, f),
    "month-end": lambda a, f: _month_end_job(a.db, a.first, a.end, a.tz, f),
    "plain-month-end": lambda a, f: _plain_month_end_job(a.db, a.first, a.end, a.tz, f),
}


def main(argv: list[str] | None = None) -> int:
    """Child entry: run one job, print {"seconds", "peak_mb"} as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.workbooks")
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("--db", required=True)
    parser.add_argument("--first", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--tz", default=TZ)
    parser.add_argument("--vendor", type=int, default=SYNTHETIC_VENDOR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mallboard-bench-") as folder:
        seconds = JOBS[args.job](args, Path(folder))
    print(json.dumps({"seconds": seconds, "peak_mb": round(_peak_mb(), 1)}))
    return 0


def month_before(day: date) -> tuple[date, date]:
    """The calendar month before the one holding `day`."""
    first = day.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1), first


if __name__ == "__main__":
    raise SystemExit(main())
