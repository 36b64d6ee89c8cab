"""Shared checks of the rollup tests: live figures first, then the same with rollups cut on days."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import sqlalchemy as sa

from rollups.build import build_rollups, drop_rollups
from tests.builders import day

TZ = "Asia/Shanghai"


def assert_same_figures(expected: dict, got: dict, where: str) -> None:
    """Every value of `expected` equals the one in `got` (frames exactly, dtypes included)."""
    for name, value in expected.items():
        try:
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(got[name], value)
            else:
                assert got[name] == value
        except AssertionError as failed:
            raise AssertionError(f"{where}: {name}") from failed


def live_then_rolled(
    engine: sa.Engine,
    read: Callable[[sa.Engine, int | None, object], dict],
    scopes: Iterable[int | None],
    periods: dict,
    cuts: Iterable[str],
    at_cut: Callable[[sa.Connection, str], None] | None = None,
) -> dict:
    """Read every (scope, period) live, then with rollups cut on each of `cuts`: the same.

    `at_cut(conn, cut)`, if given, checks the freshly built rollups before the reads.
    Returns the live figures by (scope, period name); leaves no rollups behind.
    """
    with engine.begin() as conn:
        drop_rollups(conn)
    live = {(v, p): read(engine, v, period) for v in scopes for p, period in periods.items()}
    for cut in cuts:
        with engine.begin() as conn:
            build_rollups(conn, tz=TZ, complete_before=day(cut))
            if at_cut is not None:
                at_cut(conn, cut)
        for (vendor_id, name), expected in live.items():
            got = read(engine, vendor_id, periods[name])
            assert_same_figures(expected, got, f"{vendor_id} {name} {cut}")
    with engine.begin() as conn:
        drop_rollups(conn)
    return live
