"""`python -m bench.load` works: one session and the browser through a served tiny mall.

Its times are never checked. The app is served by the bench itself (`streamlit run`,
as the console's role `mallboard_app`) on a fresh PostgreSQL database holding the tiny
demo mall; the bench's accounts are gone afterwards. A client whose cookie the app
refuses is counted as lost, not as a page.
"""

from __future__ import annotations

import asyncio
import re

import pytest
import sqlalchemy as sa

from bench import load as bench_load
from bench.load_client import Client
from bench.load_serve import ACCOUNT_PREFIX, AppProcesses
from queries.console.tables import accounts
from queries.core.db import connect_engine
from tests.app_role import grant_app_role
from tests.browser import TEST_COOKIE_KEY, _fill_demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def tiny_mall(db_factory) -> tuple[str, str]:
    """(administrator's URL, the app role's URL) of a fresh tiny demo mall."""
    url = db_factory.url("postgresql")
    _fill_demo(url)
    return url, grant_app_role(url)


def _row(text: str) -> list[str]:
    """The cells of the results table's one row (1 process, no replica, 1 session)."""
    line = next(line for line in text.splitlines() if line.startswith("| 1 | no | 1 |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_one_session_and_the_browser_open_pages(tiny_mall, tmp_path) -> None:
    url, app = tiny_mall
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n## Before\n\nkept\n", encoding="utf-8")
    argv = ["--db", url, "--app-db", app, "--sessions", "1", "--processes", "1"]
    argv += ["--duration", "4", "--every", "1.5", "--out", str(out)]
    assert bench_load.main(argv) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count(bench_load.START) == text.count(bench_load.END) == 1
    assert "## Before\n\nkept" in text
    cells = _row(text)
    pages, errors, lost = int(cells[3]), int(cells[9]), int(cells[10])
    assert pages >= 2 and errors == 0 and lost == 0, cells
    assert re.fullmatch(r"[\d.]+ / [\d.]+ \([1-9]\d*\)", cells[8]), cells  # the browser's pages
    assert "Errors" not in text
    engine = connect_engine(url, check=False)
    try:
        with engine.connect() as conn:
            left = conn.execute(
                sa.select(accounts.c.username).where(accounts.c.username.startswith(ACCOUNT_PREFIX))
            ).all()
    finally:
        engine.dispose()
    assert left == []  # the bench's accounts and sessions are removed


def test_a_refused_cookie_is_a_lost_session_not_a_page(tiny_mall, tmp_path) -> None:
    _, app = tiny_mall
    env = {"DATABASE_URL": app, "MALLBOARD_COOKIE_KEY": TEST_COOKIE_KEY}

    async def open_home(base_url: str):
        client = Client(0, base_url=base_url, cookie="forged.cookie", username="x", process=0)
        await client.connect()
        try:
            return await client.open("home"), await client.open("sales")
        finally:
            await client.close()

    with AppProcesses(1, env, tmp_path) as apps:
        first, second = asyncio.run(open_home(apps.urls[0]))
    assert first.lost and "not signed in" in first.error, first
    assert second.lost and second.seconds is None  # a lost tab opens nothing more
