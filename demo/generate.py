"""The deterministic demo mall: `generate()` and `python -m demo`.

`generate(engine, scale=…, seed=…, as_of=…)` fills an empty contract database
with a realistic mall whose history ends at `as_of`; the same seed and as_of
give the same rows. The pieces: calendar, categories and members
(`demo_world`), shops, applications and products (`demo_shops`), promotions and
notes (`demo_promos`), each month's orders (`demo_orders`, `demo_after`),
statements (`demo_settle`) and the bulk loader (`demo_load`). See docs/demo-data.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from demo import catalog as cat
from demo.after import aftermath, batch_rows, coupons_and_views
from demo.load import Loader, bulk_mode, reset_sequences
from demo.orders import NULL, draw_orders
from demo.pick import demo_shops
from demo.promos import build_notes, build_promotions
from demo.settle import Ledger
from demo.shops import build_products, build_vendors
from demo.world import (
    HOUR,
    SCALES,
    World,
    build_calendar,
    build_categories,
    build_members,
)
from queries.core.errors import Invalid
from queries.core.schema import metadata
from queries.core.types import as_utc
from rollups.build import build_rollups, drop_rollups

__all__ = ["DEMO_TIMEZONE", "SCALES", "DemoSummary", "demo_shops", "generate"]

DEMO_TIMEZONE = "Asia/Shanghai"
MONTH_TABLES = (
    "live_sessions",
    "orders",
    "order_items",
    "payments",
    "refunds",
    "coupons",
    "note_views",
)


@dataclass(frozen=True)
class DemoSummary:
    """What `generate` made: rows per table, the shops demo logins use, planted anomalies."""

    scale: str
    seed: int
    as_of: datetime
    counts: dict[str, int]
    biggest_vendor_id: int
    small_vendor_id: int
    empty_vendor_id: int
    planted: tuple[tuple[str, str], ...]  # (kind, order_no) for reconciliation to find
    elapsed_seconds: float


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _audit_rows(entries: list[tuple]) -> dict[str, object]:
    entries = sorted(entries, key=lambda e: e[0])
    columns = list(zip(*entries, strict=True)) if entries else [[]] * 8
    n = len(entries)
    return {
        "audit_id": np.arange(1, n + 1),
        "at": np.array(columns[0], dtype=np.int64),
        "actor": np.array(columns[1], dtype=object),
        "role": np.array(columns[2], dtype=object),
        "action": np.array(columns[3], dtype=object),
        "entity": np.array(columns[4], dtype=object),
        "entity_id": np.array(columns[5], dtype=object),
        "vendor_id": np.array(columns[6], dtype=object),
        "reason": np.array(columns[7], dtype=object),
    }


def _application_rows(rows: dict[str, list]) -> dict[str, np.ndarray]:
    """Applications as columns, their shop links left for after the shops exist."""
    out = {k: np.array(v, dtype=object) for k, v in rows.items()}
    out["vendor_id"] = np.full(len(out["vendor_id"]), None, dtype=object)
    out["submitted_at"] = np.array(rows["submitted_at"], dtype=np.int64)
    out["reviewed_at"] = np.array([NULL if x is None else x for x in rows["reviewed_at"]])
    return out


def _world(scale: str, seed: int, as_of: datetime) -> tuple[World, object]:
    cal = build_calendar(as_of, ZoneInfo(DEMO_TIMEZONE))
    world = World(cal=cal, scale=SCALES[scale])
    hours = np.arange(24, dtype=np.int64) * HOUR
    world.slot_start = (cal.day_starts[:-1, None] + hours[None, :]).ravel()
    build_categories(world)
    build_vendors(world, _rng(seed, 1))
    build_products(world, _rng(seed, 2))
    build_members(world, _rng(seed, 3))
    promos = build_promotions(world, _rng(seed, 4))
    build_notes(world, _rng(seed, 5))
    audit = world.rows.setdefault("audit", [])
    for v in np.flatnonzero(world.vendor_status != "active"):
        suspended = world.vendor_status[v] == "suspended"
        reason = "多次发货超时，暂停经营整改" if suspended else "商家申请关店"
        action = "vendor.suspend" if suspended else "vendor.close"
        audit.append(
            (
                int(world.vendor_end[v]),
                cat.OPERATORS[0],
                "operator",
                action,
                "vendor",
                str(v + 1),
                int(v) + 1,
                reason,
            )
        )
    return world, promos


def _monthly_counts(world: World) -> np.ndarray:
    cal = world.cal
    month = cal.month_of(world.slot_start)
    weight = np.bincount(month, weights=cal.slot_weights, minlength=cal.months)[: cal.months]
    target = np.round(np.cumsum(weight) / weight.sum() * world.scale.orders).astype(np.int64)
    return np.diff(target, prepend=0)


def generate(
    engine: sa.Engine,
    *,
    scale: str,
    seed: int = 7,
    as_of: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    rollups: bool = True,
) -> DemoSummary:
    """Fill an empty contract database with the demo mall; same seed and as_of, same rows.

    With `rollups` the demo also plays the platform's part and builds
    the sales rollups for the days before `as_of` (`rollups.build`); without,
    the database holds the contract's tables only.
    """
    if scale not in SCALES:
        raise Invalid(f"未知规模：{scale}", f"Unknown scale: {scale} (tiny, small, medium, large)")
    began = time.perf_counter()
    say = progress or (lambda _line: None)
    as_of = as_utc(as_of) if as_of is not None else datetime.now(UTC)
    world, promos = _world(scale, seed, as_of)
    cal = world.cal
    say(f"Demo mall '{scale}' (seed {seed}) up to {as_of:%Y-%m-%d %H:%M} UTC")
    counts = _monthly_counts(world)
    ledger = Ledger(world)
    spend = np.zeros(len(promos.kind), np.int64)
    planted: list[tuple[str, str]] = []
    ids = dict.fromkeys(MONTH_TABLES, 1)
    pool = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # one big transaction; durability comes at its commit
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
            conn.commit()
        with conn.begin(), bulk_mode(conn):
            loader = Loader(conn)
            rows = world.rows
            loader.load("categories", rows["categories"])
            applications = _application_rows(rows["supplier_applications"])
            links = [
                (a, v)
                for a, v in zip(
                    applications["application_id"],
                    rows["supplier_applications"]["vendor_id"],
                    strict=True,
                )
                if v
            ]
            loader.load("supplier_applications", applications)
            loader.load("vendors", rows["vendors"])
            table = metadata.tables["supplier_applications"]
            if links:
                conn.execute(
                    table.update()
                    .where(table.c.application_id == sa.bindparam("a"))
                    .values(vendor_id=sa.bindparam("v")),
                    [{"a": a, "v": v} for a, v in links],
                )
            for name in (
                "products",
                "members",
                "promotions",
                "notes",
                "note_tags",
                "note_products",
            ):
                loader.load(name, rows[name])
            say("Shops, products, members, promotions and notes loaded")
            for m in range(cal.months):
                rng = _rng(seed, 100 + m)
                batch = draw_orders(world, promos, m, int(counts[m]), rng, ids, pool)
                batch.month = m
                found = aftermath(batch, world, rng, ids, plant=m == cal.months - 2)
                coupons_and_views(batch, world, promos, rng, ids)
                tables = batch_rows(batch, world, rng)
                for name in MONTH_TABLES:
                    if name in tables:
                        loader.load(name, tables[name])
                order_no = tables["orders"]["order_no"]
                first = int(batch.order_id[0]) if batch.n else 0
                planted += [(kind, str(order_no[oid - first])) for kind, oid in found]
                for name, key in (
                    ("orders", "order_id"),
                    ("order_items", "order_item_id"),
                    ("payments", "payment_id"),
                    ("refunds", "refund_id"),
                    ("coupons", "coupon_id"),
                ):
                    ids[name] += len(tables[name][key])
                if "live_sessions" in tables:
                    ids["live_sessions"] += len(tables["live_sessions"]["live_session_id"])
                ledger.add(batch)
                used = batch.paid & (batch.promo != NULL)
                np.add.at(spend, batch.promo[used], batch.discount[used])
                pool = _grow_pool(pool, batch, rng)
                elapsed = time.perf_counter() - began
                say(f"{cal.month_dates[m]:%Y-%m}: {batch.n:,} orders ({elapsed:.0f} s)")
            audit = rows["audit"]
            loader.load("settlements", ledger.statements(_rng(seed, 6), audit))
            loader.load("audit_log", _audit_rows(audit))
            _set_budgets(conn, promos, spend)
            reset_sequences(conn)
            shops = demo_shops(conn)
            elapsed = time.perf_counter() - began
            say(f"Statements written ({elapsed:.0f} s); checking keys, building indexes…")
        if sqlite:
            # Without statistics SQLite's planner walks a shop's whole history through
            # (vendor_id, paid_at) to tell new buyers from returning ones, instead of
            # the member's few orders: 36 s instead of 20 ms for the biggest shop's month.
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA synchronous = FULL")
            conn.commit()
        with conn.begin():
            if rollups:
                build_rollups(conn, tz=cal.tz.key, complete_before=as_of.astimezone(cal.tz).date())
            else:
                drop_rollups(conn)  # a reload must not leave rollups of other rows
        if rollups:
            say(f"Sales rollups (P5) built ({time.perf_counter() - began:.0f} s)")
    summary = DemoSummary(
        scale=scale,
        seed=seed,
        as_of=as_of,
        counts={t.name: loader.counts.get(t.name, 0) for t in metadata.sorted_tables},
        biggest_vendor_id=shops["big"],
        small_vendor_id=shops["small"],
        empty_vendor_id=shops["empty"],
        planted=tuple(planted),
        elapsed_seconds=round(time.perf_counter() - began, 2),
    )
    say(f"Done in {summary.elapsed_seconds:.1f} s: {summary.counts['orders']:,} orders")
    return summary


def _grow_pool(pool, batch, rng) -> tuple[np.ndarray, np.ndarray]:
    """Remember (member, shop) pairs of paid orders so that buyers come back."""
    members = np.concatenate([pool[0], batch.member[batch.paid]])
    shops = np.concatenate([pool[1], batch.vendor[batch.paid]])
    if len(members) > 400_000:
        keep = rng.choice(len(members), size=400_000, replace=False)
        members, shops = members[keep], shops[keep]
    return members, shops


def _set_budgets(conn: sa.Connection, promos, spend: np.ndarray) -> None:
    """Give every third promotion with spending (and the platform's) a budget above it."""
    table = metadata.tables["promotions"]
    chosen = [i for i in np.flatnonzero(spend > 0) if i % 3 == 0 or i in set(promos.platform)]
    if not chosen:
        return
    budgets = [
        {"p": int(i) + 1, "b": int(-(-spend[i] * 5 // 4 // 100_000) * 100_000)} for i in chosen
    ]
    conn.execute(
        table.update()
        .where(table.c.promotion_id == sa.bindparam("p"))
        .values(budget_cents=sa.bindparam("b")),
        budgets,
    )
