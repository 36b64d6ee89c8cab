"""Timings: a page's data cold and warm with the plain SQL beside each call, and page renders.

Cold is the page's query calls made straight to `queries/` (nothing from
Streamlit's cache), one connection per run, summed, in the page's own order and
with nothing else between them: `runs` page totals, never cut short by the
budget (the issue asks for at least 20 runs of each measurement). Then each call
with a plain twin runs beside it on the same connection, so both see the same
database cache; the two take turns going first (whichever runs second finds the
pages the first just read, and the connection already in a transaction). Only
these pairs stop at the budget: a twin of a heavy page can take seconds a run.
Warm is the page's `dashboard.data` wrapper called again right after one
priming call (that first call is kept as `wrapper_cold`: the cold time through
the wrapper, pickling included); the priming call also warms the database's
own cache before the cold runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.pages import Page
from bench.plain import plain_for
from queries.core.actors import Scope
from queries.core.periods import TimeRange

__all__ = ["CallResult", "PageResult", "Timing", "time_page", "time_render", "timed"]


@dataclass
class Timing:
    """Samples in seconds, with the median and the 95th percentile (nearest rank)."""

    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    @property
    def p95(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def timed(runs: int, fn, *args) -> Timing:
    """`fn(*args)` once unrecorded (warms the database's cache), then `runs` timed calls."""
    timing = Timing()
    fn(*args)
    for _ in range(runs):
        began = time.perf_counter()
        fn(*args)
        timing.add(time.perf_counter() - began)
    return timing


@dataclass
class CallResult:
    """One query call of a page and its plain twin (None: no twin)."""

    name: str
    timing: Timing
    plain: Timing | None


@dataclass
class PageResult:
    """A page's data for one subject (largest / median vendor, mall) and period."""

    page: str
    subject: str
    vendor_id: int | None
    period: str
    cold: Timing
    warm: Timing
    wrapper_cold: float | None
    calls: list[CallResult]
    error: str | None = None


def _clock(fn, *args) -> float:
    began = time.perf_counter()
    fn(*args)
    return time.perf_counter() - began


def time_page(
    engine: sa.Engine,
    page: Page,
    *,
    subject: str,
    vendor_id: int | None,
    period: TimeRange,
    period_name: str,
    tz: str,
    runs: int,
    budget: float | None = None,
    min_runs: int = 3,
    plain: bool = True,
    warm: bool = True,
) -> PageResult:
    """Time one page's data warm, then `runs` times cold, then each call beside its twin."""
    scope = Scope(vendor_id)
    calls = page.calls_for(scope)
    dialect = engine.dialect.name
    twins = {c.name: plain_for(c.name, dialect) if plain else None for c in calls}
    timings = {c.name: Timing() for c in calls}
    plains = {name: Timing() for name, twin in twins.items() if twin is not None}
    cold, warm_timing = Timing(), Timing()
    result = PageResult(page.name, subject, vendor_id, period_name, cold, warm_timing, None, [])
    args = (scope, period, tz)
    try:
        if warm:
            # The first call through the wrapper warms the database's cache and fills
            # Streamlit's; warm calls follow at once (before any TTL can expire).
            page.clear()
            result.wrapper_cold = _clock(page.cached, vendor_id, period, tz)
            for _ in range(runs):
                warm_timing.add(_clock(page.cached, vendor_id, period, tz))
        else:
            with engine.connect() as conn:  # warm the database's cache, unrecorded
                for call in calls:
                    call.read(conn, *args)
        alone = {c.name: Timing() for c in calls}
        for _ in range(runs):  # the page's totals: its calls alone, in its order
            total = 0.0
            with engine.connect() as conn:
                for call in calls:
                    spent = _clock(call.read, conn, *args)
                    alone[call.name].add(spent)
                    total += spent
                conn.rollback()
            cold.add(total)
        for name in timings:
            if name not in plains:  # no twin: the call's own times are its page runs'
                timings[name] = alone[name]
        began = time.perf_counter()
        for done in range(1, 2 * runs + 1 if plains else 1):  # `2 * runs` call pairs
            ours_first = done % 2 == 1
            with engine.connect() as conn:
                for call in calls:
                    twin = twins[call.name]
                    if twin is None:  # still run: the next call finds what it left
                        call.read(conn, *args)
                        continue
                    # The call and its twin take turns going first: whichever runs
                    # second finds the pages the first just read (and the connection
                    # already in a transaction), so a fixed order favours the twin.
                    if not ours_first:
                        plains[call.name].add(_clock(twin, conn, *args))
                    timings[call.name].add(_clock(call.read, conn, *args))
                    if ours_first:
                        plains[call.name].add(_clock(twin, conn, *args))
                conn.rollback()
            # min_runs pairs in each order, and stop after an even run: as many call
            # pairs in each order (a call right after a heavy one pays for it).
            enough = done >= 2 * min_runs and done % 2 == 0
            if budget and enough and time.perf_counter() - began > budget:
                break
    except Exception as exc:  # noqa: BLE001 - one failing page must not lose the whole run
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    result.calls = [CallResult(c.name, timings[c.name], plains.get(c.name)) for c in calls]
    return result


@dataclass
class RenderResult:
    """A full page render with AppTest (warm: the first, cold run is not counted)."""

    page: str
    subject: str
    timing: Timing
    first: float | None = None
    error: str | None = None


def time_render(
    url: str, page: Page, *, subject: str, vendor_id: int | None, runs: int, folder: Path
) -> RenderResult:
    """Open the page in AppTest as its user, then time `runs` reruns (served from the cache)."""
    from tests.apptest import AppSession

    target, role = page.render_target(vendor_id)
    result = RenderResult(target, subject, Timing())
    try:
        session = AppSession(url, folder)
        user = f"bench_{role}"
        session.add(user, role=role, vendor_id=vendor_id if role == "vendor" else None)
        query = {"vendor": str(vendor_id)} if role != "vendor" and vendor_id else None
        began = time.perf_counter()
        at = session.open(target, as_user=user, query=query)
        result.first = time.perf_counter() - began
        if at.exception:
            raise RuntimeError(str(at.exception[0].value)[:300])
        for _ in range(runs):
            began = time.perf_counter()
            at.run()
            result.timing.add(time.perf_counter() - began)
            if at.exception:
                raise RuntimeError(str(at.exception[0].value)[:300])
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
    return result
