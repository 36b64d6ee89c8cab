"""Hostile text in a real browser, on PostgreSQL: shown literally, fetched nowhere, no formula.

The payload set (`tests.test_no_formulas.PAYLOADS`: Markdown bold, a remote image,
LaTeX, raw HTML with an `onerror`, a `javascript:` link, two spreadsheet formulas,
a 5,000-character name, a right-to-left override) is written as admin into fields
people write — shop_big's shop name and nine of its promotions, the pending supplier
applications' company and contact names, November's statements' adjustment notes,
payment references and shop names — before the app is opened. Then one page per role:

- the vendor (shop_big): Home (its shop name in the title) and Promotions, each
  payload's promotion picked in turn;
- the operator: Supplier onboarding, each pending application opened in turn;
- finance: Settlements, each statement picked in turn, then the month-end files.

On every view: each payload's text is on the page as typed (inside the page's
Markdown, headings, captions and messages — not only in the data grid), no `<img>`,
`<strong>`/`<b>`, `javascript:` link or KaTeX element was made from it, no dialog
opened and no request left for 127.0.0.1:9 (nor for the `x` of `<img src=x>`).
Every download of those pages is a workbook (or a zip of them) with no formula cell.
The data grid's own toolbar offers no "Download as CSV" and copies nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from queries.console.accounts import account
from queries.core.db import connect_engine
from queries.core.schema import settlements, supplier_applications, vendors
from tests.browser import login, open_page, until_done, wait_idle
from tests.builders import MallBuilder
from tests.test_no_formulas import PAYLOADS, assert_no_formulas

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Every Markdown / HTML / LaTeX trap in one heading (as in the reproduction).
COMBINED = " ".join(PAYLOADS[:5])
FORMULAS = (PAYLOADS[5], PAYLOADS[6])


# --- the data --------------------------------------------------------------------------


def _last_month() -> tuple[date, date]:
    """[first day of last month, first day of this month) in the platform's time."""
    from zoneinfo import ZoneInfo

    this = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return last, this


def _plant(url: str) -> dict:
    """Write the payloads into the demo mall at `url`; what went where."""
    engine = connect_engine(url, check=False)
    planted: dict = {}
    try:
        with engine.begin() as conn:
            shop = account(conn, username="shop_big").vendor_id
            conn.execute(vendors.update().where(vendors.c.vendor_id == shop).values(name=COMBINED))
            # Nine drafts, the latest first on the page: payload 0 is the one shown first.
            build = MallBuilder(conn)
            start = datetime(2027, 3, 20, 2, 0, tzinfo=UTC)
            planted["promotions"] = [
                (
                    build.promotion(
                        vendor_id=shop,
                        name=payload,
                        starts_at=start - timedelta(days=n),
                        ends_at=start - timedelta(days=n) + timedelta(hours=20),
                        status="draft",
                    ),
                    payload,
                )
                for n, payload in enumerate(PAYLOADS)
            ]
            a = supplier_applications.c
            pending = conn.execute(
                sa.select(a.application_id)
                .where(a.status == "pending")
                .order_by(a.submitted_at, a.application_id)
            ).scalars()
            planted["applications"] = []
            for n, application_id in enumerate(list(pending)[: len(PAYLOADS)]):
                company, contact = PAYLOADS[n], PAYLOADS[-1 - n]
                conn.execute(
                    supplier_applications.update()
                    .where(a.application_id == application_id)
                    .values(company_name=company, contact_name=contact)
                )
                planted["applications"].append((application_id, company, contact))
            first, end = _last_month()
            s = settlements.c
            issued = conn.execute(
                sa.select(s.settlement_id, s.vendor_id)
                .where(s.period_start == first, s.period_end == end)
                .order_by(s.settlement_id)
            ).all()
            planted["statements"] = []
            for n, (settlement_id, vendor_id) in enumerate(issued[: len(PAYLOADS)]):
                note, reference = PAYLOADS[n], PAYLOADS[(n + 4) % len(PAYLOADS)]
                conn.execute(
                    settlements.update()
                    .where(s.settlement_id == settlement_id)
                    .values(adjustment_note=note, payment_reference=reference)
                )
                if vendor_id != shop:
                    name = PAYLOADS[(n + 2) % len(PAYLOADS)]
                    conn.execute(
                        vendors.update().where(vendors.c.vendor_id == vendor_id).values(name=name)
                    )
                planted["statements"].append((settlement_id, note, reference))
    finally:
        engine.dispose()
    assert len(planted["applications"]) >= 3 and len(planted["statements"]) >= 3
    return planted


@pytest.fixture
def planted(running_app_pg) -> dict:
    # The app reads on demand (its caches start empty), so writing after it started is
    # the same as before: nothing has been read yet.
    return _plant(running_app_pg.database_url)


# --- what must never happen ----------------------------------------------------------


class Watch:
    """Dialogs opened and requests sent by the page, recorded from the start."""

    def __init__(self, page, app_url: str) -> None:
        self.dialogs: list[str] = []
        self.bad_requests: list[str] = []
        self._app = urlsplit(app_url)
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self._request(request.url))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return
        if (parts.hostname, parts.port) == ("127.0.0.1", 9):
            self.bad_requests.append(url)
        elif parts.netloc == self._app.netloc and parts.path.rstrip("/").endswith(("/x", "x.png")):
            self.bad_requests.append(url)  # `<img src=x>` made into an element

    def assert_clean(self, page) -> None:
        """Nothing was made from the payloads on the page as it is now."""
        made = {
            "img": page.locator("img[src='x'], img[src*='127.0.0.1:9']").count(),
            "bold": page.locator("strong, b").filter(has_text=re.compile(r"^\s*b\s*$")).count(),
            "link": page.locator("a[href^='javascript' i]").count(),
            "katex": page.locator(".katex, .katex-display, math").count(),
        }
        assert made == {"img": 0, "bold": 0, "link": 0, "katex": 0}
        assert self.dialogs == []
        assert self.bad_requests == []


# Where a page writes text itself: Markdown (headings, captions, messages too) and st.text.
_OWN_TEXT = "[data-testid='stMarkdownContainer'], [data-testid='stText']"


def shows(main, text: str, *, timeout: float = 15_000) -> None:
    """`text` is on the page as typed, in the page's own text (not only in a grid)."""
    prefix = text[:60].strip().split("javascript:")[0]
    box = main.locator(_OWN_TEXT).filter(has_text=prefix).first
    box.wait_for(timeout=timeout)
    # Zero-width spaces are how the page keeps "javascript:" or "--" from being read as
    # a link or a dash: invisible, so not part of what a person reads.
    seen = box.text_content().replace("\u200b", "")
    assert text in seen, (prefix, seen[:200])


def _pick(page, main, label: str, option_id: int) -> None:
    """Open the select box labelled `label` and choose the option starting `#<id>`."""
    box = main.get_by_test_id("stSelectbox").filter(has_text=label).first
    choice = page.get_by_role("option", name=re.compile(rf"^#{option_id}\b"))

    def open_it() -> None:
        box.click()
        page.keyboard.type(f"#{option_id} ")

    until_done(page, open_it, choice.first.wait_for, timeout=10_000)
    choice.first.click()
    wait_idle(page)


def _download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def _workbooks(data: bytes) -> list[bytes]:
    """The workbook, or every workbook in a zip."""
    if data[:2] != b"PK":
        raise AssertionError("a download that is not a workbook or a zip")
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        names = parts.namelist()
        if "[Content_Types].xml" in names:
            return [data]
        return [parts.read(n) for n in names]


def _download_all(page, main, *, holds: tuple[str, ...] = ()) -> int:
    """Every download button of the page: each yields workbooks without a formula;
    together they hold each of `holds` as text. Returns how many were clicked."""
    from tests.test_no_formulas import strings

    buttons = main.get_by_test_id("stDownloadButton").get_by_role("button")
    count = buttons.count()
    texts: list[str] = []
    for n in range(count):
        for book in _workbooks(_download(page, buttons.nth(n))):
            assert_no_formulas(book)
            texts += strings(book)
    missing = [p[:40] for p in holds if not any(p in v for v in texts)]
    assert missing == []
    return count


def _grid_exports_nothing(page, main) -> None:
    """The grid's toolbar (shown on hover) has no CSV download; a copy copies nothing."""
    grid = main.get_by_test_id("stDataFrame").first
    grid.hover()
    toolbar = main.get_by_test_id("stElementToolbar").first
    toolbar.get_by_role("button", name="Search").wait_for()
    expect(page.get_by_role("button", name=re.compile("Download as CSV", re.I))).to_have_count(0)
    page.evaluate("navigator.clipboard.writeText('nothing copied')")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 55)  # a cell of the first row
    page.keyboard.press("Control+c")
    page.wait_for_timeout(300)
    assert page.evaluate("navigator.clipboard.readText()") == "nothing copied"


@pytest.fixture
def page(browser_page):
    browser_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return browser_page


# --- one page per role -----------------------------------------------------------------


def test_vendor_sees_its_promotions_as_typed(running_app_pg, planted, page):
    watch = Watch(page, running_app_pg.url)
    login(page, running_app_pg, "shop_big", "demo-shop-big")
    main = page.get_by_test_id("stMain")
    shows(main, COMBINED)  # Home's title names the shop
    watch.assert_clean(page)

    main = open_page(page, "Promotions")
    _grid_exports_nothing(page, main)
    shows(main, PAYLOADS[0])  # the latest promotion, picked by default
    watch.assert_clean(page)
    for promotion_id, name in planted["promotions"][1:]:
        _pick(page, main, "Promotion", promotion_id)
        shows(main, name)
        watch.assert_clean(page)
    assert _download_all(page, main, holds=PAYLOADS) >= 1  # the listed promotions' names
    watch.assert_clean(page)


def test_operator_sees_applications_as_typed(running_app_pg, planted, page):
    watch = Watch(page, running_app_pg.url)
    login(page, running_app_pg, "operator", "demo-operator")
    main = open_page(page, "Supplier onboarding")
    main.get_by_text("Applications by status").wait_for()
    _grid_exports_nothing(page, main)
    for application_id, company, contact in planted["applications"]:
        _pick(page, main, "Open an application", application_id)
        main.get_by_text("Decision history").wait_for()
        shows(main, company)
        shows(main, contact)
        watch.assert_clean(page)
    written = [p for _, company, contact in planted["applications"] for p in (company, contact)]
    assert _download_all(page, main, holds=tuple(written)) >= 1  # the queue's workbook
    watch.assert_clean(page)


def test_finance_sees_statement_notes_as_typed(running_app_pg, planted, page):
    watch = Watch(page, running_app_pg.url)
    login(page, running_app_pg, "finance", "demo-finance")
    main = open_page(page, "Settlements")
    main.get_by_role("heading", name="Issue statements").wait_for()
    _grid_exports_nothing(page, main)
    for settlement_id, note, reference in planted["statements"]:
        _pick(page, main, "Statement", settlement_id)
        shows(main, note)
        shows(main, reference)
        watch.assert_clean(page)
    main.get_by_role("button", name="Build month-end files").click()
    main.get_by_role("button", name="Download all statements (zip)").wait_for(timeout=120_000)
    wait_idle(page)
    watch.assert_clean(page)  # the progress text named every shop
    written = [p for _, note, reference in planted["statements"] for p in (note, reference)]
    # The period's table, the overview and every statement of the zip.
    assert _download_all(page, main, holds=(*written, *FORMULAS)) >= 3
    watch.assert_clean(page)


def test_the_checks_catch_what_they_look_for(page):
    """The journeys' checks themselves, on a page that did render the payloads."""
    watch = Watch(page, "http://127.0.0.1:1")
    page.set_content(
        "<div data-testid='stMain'><div data-testid='stMarkdownContainer'>"
        "<strong>b</strong> <img src='http://127.0.0.1:9/x.png'>"
        "<a href='javascript:alert(1)'>l</a> <span class='katex'>x</span></div>"
        "<img src=x onerror='alert(1)'></div>"
    )
    page.wait_for_timeout(500)
    assert watch.dialogs == ["1"]
    assert any(":9/x.png" in url for url in watch.bad_requests)
    with pytest.raises(AssertionError):
        watch.assert_clean(page)
    watch.dialogs.clear()
    watch.bad_requests.clear()
    with pytest.raises(AssertionError, match="img"):
        watch.assert_clean(page)
    main = page.get_by_test_id("stMain")
    with pytest.raises(PlaywrightTimeout):
        shows(main, "**b**", timeout=2_000)  # shown as bold: the literal text is not on the page
