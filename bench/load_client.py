"""A load client that speaks Streamlit's websocket protocol, as the browser's frontend does.

One `Client` is one browser tab: one websocket to `/_stcore/stream` (subprotocol
`streamlit`), the session cookie in its handshake, kept open for the whole run. Opening
a page sends a `BackMsg.rerun_script` — by page name for the first open (a URL typed in),
then by the page's script hash from the app's navigation (a click in the sidebar) — and
reads `ForwardMsg`s until the run's `script_finished`. The page time is from sending to
that message; the frontend's drawing is not in it (`bench.load_browser` times that).

A page counts only if it was really drawn for the logged-in vendor: the run was of the
page asked for, the sidebar says "Signed in as <username>", a title was drawn, and no
login form, exception or error box came with it.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.shell.session_cookie import COOKIE_NAME
from dashboard.strings.common import STRINGS

__all__ = ["PAGE_TIMEOUT", "Client", "PageOpen", "page_title"]

PAGE_TIMEOUT = 60.0  # seconds: a page not finished by then is an error (and the tab is lost)
_EN = 1  # STRINGS values are (zh, en); the clients ask for English (locale en-US)
_LOGIN_LABEL = STRINGS["login.username"][_EN]
ROUTE_COOKIE = "mb_route"  # deploy/nginx/mallboard.conf's sticky cookie


def _as_read(markdown: str) -> str:
    """Markdown as a person reads it: t()'s backslash escapes and zero-width spaces gone."""
    return markdown.replace("\\", "").replace("\u200b", "")


def page_title(page: str) -> str:
    """The page's name in the sidebar (English)."""
    return STRINGS[f"page.{page}"][_EN]


@dataclass
class PageOpen:
    """One page opened by one client: when, how long, and what went wrong if anything."""

    client: int
    page: str
    process: int
    started: float  # time.monotonic() when the rerun was sent
    seconds: float | None = None  # None: not finished (see error)
    error: str | None = None
    lost: bool = False  # the tab's session is gone (socket closed, logged out, no answer)


@dataclass
class _Run:
    """What one script run sent back, as far as the checks need it."""

    page_hash: str = ""
    headings: list[str] = field(default_factory=list)
    signed_in: bool = False
    login_form: bool = False
    problems: list[str] = field(default_factory=list)
    navigation: dict[str, str] = field(default_factory=dict)  # url path → page script hash
    status: int | None = None
    shown: str = ""  # the first heading or text drawn (says what came instead of the page)


class Client:
    """One browser tab of one vendor, through the real server."""

    def __init__(
        self,
        index: int,
        *,
        base_url: str,
        cookie: str,
        username: str,
        process: int,
        dial: str | None = None,
    ) -> None:
        """`dial`: the "host:port" to connect to when `base_url`'s host is a name that only
        the bench resolves (nginx's site on loopback)."""
        self.index = index
        self.process = process
        self.username = username
        self._url = base_url.replace("http://", "ws://").replace("https://", "wss://")
        self._url = self._url.rstrip("/") + "/_stcore/stream"
        self._cookie = cookie
        self._dial = dial
        # nginx's process-picking cookie, as the site sets it on a browser's first request
        # (a request id: 32 hex digits): the tab stays on the process it hashes to.
        self._route = secrets.token_hex(16)
        self._socket = None
        self._pages: dict[str, str] = {}  # url path ("" for Home) → page script hash
        self.lost: str | None = None  # why the tab was lost, once it is
        self._signed_in = STRINGS["app.signed_in_as"][_EN].split("{")[0] + username

    async def connect(self) -> None:
        """Open the websocket with the session cookie, as the page's script does."""
        options = {}
        if self._url.startswith("wss://"):
            # nginx's certificate on loopback is self-signed: encrypted, not verified.
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            options["ssl"] = context
        if self._dial:
            host, _, port = self._dial.rpartition(":")
            options.update(host=host, port=int(port))
        cookies = f"{COOKIE_NAME}={self._cookie}; {ROUTE_COOKIE}={self._route}"
        self._socket = await websockets.connect(
            self._url,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": cookies},
            max_size=None,
            open_timeout=PAGE_TIMEOUT,
            **options,
        )

    async def close(self) -> None:
        """Close the tab."""
        if self._socket is not None:
            await self._socket.close()

    @staticmethod
    def _rerun(path: str, page_hash: str | None) -> bytes:
        message = BackMsg()
        state = message.rerun_script
        if page_hash:  # a click on the sidebar's link, as the frontend sends it
            state.page_script_hash = page_hash
        else:  # the page's URL typed in (the first open)
            state.page_name = path
        state.query_string = ""
        state.context_info.locale = "en-US"
        state.context_info.timezone = "Asia/Shanghai"
        return message.SerializeToString()

    async def open(self, page: str) -> PageOpen:
        """Open `page` ("home", "sales", "orders", …) and wait for its run to finish."""
        result = PageOpen(self.index, page, self.process, time.monotonic())
        if self.lost:
            result.error, result.lost = self.lost, True
            return result
        path = "" if page == "home" else page
        by_hash = self._pages.get(path)  # known after the first run: a click in the sidebar
        began = time.perf_counter()
        try:
            await self._socket.send(self._rerun(path, by_hash))
            run = await asyncio.wait_for(self._read_run(), PAGE_TIMEOUT)
        except TimeoutError:
            self.lost = f"no answer within {PAGE_TIMEOUT:.0f} s"
        except websockets.ConnectionClosed as exc:
            self.lost = f"websocket closed ({exc.rcvd.code if exc.rcvd else 'no code'})"
        else:
            result.seconds = time.perf_counter() - began
            self._pages.update(run.navigation)
            result.error = self._check(run, page, by_hash)
            if run.login_form or not run.signed_in:
                self.lost = f"not signed in (the page showed {run.shown!r})"
        if self.lost:
            result.error, result.lost = result.error or self.lost, True
        return result

    async def _read_run(self) -> _Run:
        run = _Run()
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._socket.recv())
            kind = message.WhichOneof("type")
            if kind == "new_session":
                run.page_hash = message.new_session.page_script_hash
            elif kind == "navigation":
                run.navigation = {
                    p.url_pathname: p.page_script_hash for p in message.navigation.app_pages
                }
            elif kind == "delta":
                self._note(run, message.delta)
            elif kind == "script_finished":
                if message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run.status = message.script_finished
                    return run
                # The app reran itself (st.rerun): what counts is the last run.
                run = _Run(navigation=run.navigation)

    def _note(self, run: _Run, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if not run.shown and kind in ("heading", "markdown"):
            run.shown = _as_read(getattr(element, kind).body)[:80]
        if kind == "heading" and element.heading.tag == "h1":
            run.headings.append(element.heading.body)
        elif kind == "markdown" and self._signed_in in _as_read(element.markdown.body):
            run.signed_in = True
        elif kind == "text_input" and element.text_input.label == _LOGIN_LABEL:
            run.login_form = True
        elif kind == "exception":
            run.problems.append(f"exception: {element.exception.message[:120]}")
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.problems.append(f"error box: {element.alert.body[:120]}")

    def _check(self, run: _Run, page: str, by_hash: str | None) -> str | None:
        if run.status != ForwardMsg.FINISHED_SUCCESSFULLY:
            return f"run ended with status {run.status}"
        if run.login_form or not run.signed_in:
            return f"not signed in (the page showed {run.shown!r})"
        if run.problems:
            return run.problems[0]
        if by_hash and run.page_hash != by_hash:
            return f"another page ran ({run.page_hash[:8]})"
        if not run.headings:
            return "no title drawn"
        if page != "home" and run.headings[0] != page_title(page):
            return f"title {run.headings[0]!r}"
        return None
