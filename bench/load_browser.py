"""One real Chromium beside the load clients: what a person sees when opening a page.

Debian's Chromium (`/usr/bin/chromium`) driven by Playwright's async API, logged in by
its own vendor's session cookie. Like the clients it opens Home, Sales and Orders in
turn, one page every `every` seconds, by clicking the sidebar's link; a page's time is
from the click until the page's title is shown and the app says it is no longer running
(`data-test-script-state` of the app's root), i.e. until the page is drawn.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from bench.load_client import PAGE_TIMEOUT, PageOpen, page_title
from dashboard.shell.session_cookie import COOKIE_NAME

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "BrowserTab"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The page is drawn: its title is the one expected and the script run is over.
_DRAWN = """([title, home]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!app || !h1 || app.dataset.testScriptState !== 'notRunning') return false;
  const text = h1.innerText.trim();
  return home ? text.length > 0 && text !== title.other : text === title.want;
}"""


class BrowserTab:
    """A Chromium tab of one vendor on one app process."""

    def __init__(
        self,
        playwright,
        base_url: str,
        cookie: str,
        *,
        client: int,
        process: int,
        dial: str | None = None,
    ):
        """`dial`: the "host:port" that `base_url`'s host name stands for (nginx's site)."""
        self._playwright = playwright
        self._dial = dial
        self._url = base_url
        self._cookie = cookie
        self.client, self.process = client, process
        self._browser = self._context = self._page = None

    async def __aenter__(self) -> BrowserTab:
        args = list(CHROMIUM_ARGS)
        if self._dial:  # the site's host name → loopback, for Chromium alone
            host = urlsplit(self._url).hostname
            args.append(f"--host-resolver-rules=MAP {host} {self._dial.rpartition(':')[0]}")
        self._browser = await self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=args
        )
        self._context = await self._browser.new_context(
            locale="en-US",
            viewport={"width": 1400, "height": 1000},
            ignore_https_errors=True,  # nginx's self-signed certificate on loopback
        )
        await self._context.add_cookies(
            [{"name": COOKIE_NAME, "value": self._cookie, "url": self._url}]
        )
        self._page = await self._context.new_page()
        self._page.set_default_timeout(PAGE_TIMEOUT * 1000)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._context.close()
        await self._browser.close()

    async def first_open(self) -> PageOpen:
        """Load the app's URL (Home) and wait until it is drawn."""
        result = PageOpen(self.client, "home", self.process, time.monotonic())
        began = time.perf_counter()
        try:
            await self._page.goto(self._url)
            await self._wait("home", other="")
            result.seconds = time.perf_counter() - began
        except Exception as exc:  # noqa: BLE001 - any failure is this page's error
            result.error, result.lost = f"{type(exc).__name__}: {str(exc)[:100]}", True
        return result

    async def open(self, page: str) -> PageOpen:
        """Click `page`'s link in the sidebar and wait until the page is drawn."""
        result = PageOpen(self.client, page, self.process, time.monotonic())
        main = self._page.get_by_test_id("stMain")
        try:
            shown = await main.locator("h1").first.inner_text(timeout=5_000)
            link = self._page.get_by_test_id("stSidebar").get_by_role("link", name=page_title(page))
            began = time.perf_counter()
            await link.click()
            await self._wait(page, other=shown.strip())
            result.seconds = time.perf_counter() - began
        except Exception as exc:  # noqa: BLE001 - any failure is this page's error
            result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
        return result

    async def _wait(self, page: str, *, other: str) -> None:
        title = {"want": page_title(page), "other": other}
        await self._page.wait_for_function(_DRAWN, arg=[title, page == "home"], polling="raf")
