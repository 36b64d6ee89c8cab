"""The pages say how far the rollups reach, and operators are warned when they are too old."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard.i18n import all_strings
from queries.rolled.coverage import rollup_state
from tests.apptest import AppSession, texts

TZ = ZoneInfo("Asia/Shanghai")
EN = {key: pair[1] for key, pair in all_strings().items()}


@pytest.fixture
def mall(backend, db_factory, tmp_path):
    """A tiny demo mall with its rollups (cut today), a vendor and an operator."""
    from demo.generate import generate
    from demo.pick import demo_shops

    engine = db_factory.engine(backend)
    generate(engine, scale="tiny", seed=7)
    with engine.connect() as conn:
        shop = demo_shops(conn)["big"]
    session = AppSession(engine.url, tmp_path)
    session.add("ops", role="operator")
    session.add("shop", role="vendor", vendor_id=shop)
    yield session, engine
    db_factory.drop(engine)


def _cut(engine, days_ago: int) -> None:
    day = datetime.now(TZ).date() - timedelta(days=days_ago)
    with engine.begin() as conn:
        conn.execute(rollup_state.update().values(complete_before=day))


@pytest.mark.parametrize("page", ["sales", "home"])
def test_a_page_reading_rollups_says_how_far_they_reach(mall, page):
    session, engine = mall
    _cut(engine, 0)
    at = session.open(page, as_user="shop")
    assert not at.exception
    yesterday = datetime.now(TZ).date() - timedelta(days=1)
    expected = EN["freshness.rolled"].format(day=f"{yesterday:%b} {yesterday.day}")
    assert expected in texts(at)
    assert "stop at" not in texts(at)


def test_rollups_too_old_are_not_read_and_operators_are_told(mall):
    session, engine = mall
    _cut(engine, 5)  # the nightly refresh has not run for five days (max age 2)
    operator = session.open("sales", as_user="ops")
    assert not operator.exception
    warnings = " ".join(str(w.value) for w in operator.warning)
    assert "python -m rollups refresh" in warnings and "more than 2 days" in warnings
    assert "rolled up to" not in texts(operator)  # read live
    vendor = session.open("sales", as_user="shop")
    assert not vendor.exception
    assert "python -m rollups refresh" not in texts(vendor)  # the fix is the platform's
    assert "rolled up to" not in texts(vendor)
    jobs = session.open("data_jobs", as_user="ops")
    assert not jobs.exception
    assert "python -m rollups refresh" in " ".join(str(w.value) for w in jobs.warning)
