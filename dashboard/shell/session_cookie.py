"""The session cookie: the session's random id, signed, written by a script in the page.

The cookie carries the id only (no username); the server keeps the session
(`queries.console.sessions`). It is read from the request's own headers
(`st.context.cookies`) and written by a one-line script (`st.html`): Streamlit has no
response to set a header on, so it cannot be HttpOnly; SameSite=Strict, Secure
on HTTPS, and the Content-Security-Policy of deploy/nginx keep it to this site.
The HMAC with the cookie key means a guessed or altered id is refused unread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import streamlit as st

__all__ = ["COOKIE_NAME", "SessionCookie"]

COOKIE_NAME = "mallboard_session"
_PENDING = "_mb_cookie_pending"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class SessionCookie:
    """Read, schedule and write the signed session cookie."""

    def __init__(self, key: str, max_age_seconds: int) -> None:
        self._key = key.encode("utf-8")
        self._max_age = max_age_seconds

    def _mac(self, token: str) -> str:
        digest = hmac.new(self._key, token.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def sign(self, token: str) -> str:
        """The cookie's value for a session id."""
        return f"{token}.{self._mac(token)}"

    def token(self, raw: str | None) -> str | None:
        """The session id in a cookie value if its signature is ours, else None."""
        if not raw or "." not in raw or len(raw) > 200:
            return None
        token, _, mac = raw.partition(".")
        if not _TOKEN.match(token) or not hmac.compare_digest(mac, self._mac(token)):
            return None
        return token

    def browser_token(self) -> str | None:
        """The session id of the cookie the browser sent with this page, or None."""
        try:
            raw = st.context.cookies.get(COOKIE_NAME)
        except Exception:  # noqa: BLE001 - no browser context (a script run without one)
            return None
        return self.token(raw)

    def schedule_set(self, token: str) -> None:
        """Write the cookie for `token` in the next full run."""
        st.session_state[_PENDING] = ("set", token)

    def schedule_delete(self) -> None:
        """Remove the cookie in the next full run."""
        st.session_state[_PENDING] = ("delete", None)

    def flush(self) -> None:
        """Write (or delete) the cookie scheduled earlier, in this run's page.

        Scheduled, not written at once: a script sent in a run that then reruns may
        never reach the browser.
        """
        pending = st.session_state.pop(_PENDING, None)
        if not pending:
            return
        action, token = pending
        if action == "set" and token:
            self._write(f"{COOKIE_NAME}={self.sign(token)}; path=/; max-age={self._max_age}")
        elif action == "delete":
            self._write(f"{COOKIE_NAME}=; path=/; max-age=0")

    @staticmethod
    def _write(cookie: str) -> None:
        # json.dumps makes the value a safe JS string literal; the value is base64url anyway.
        script = (
            f"<script>document.cookie = {json.dumps(cookie + '; SameSite=Strict')}"
            " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
        )
        st.html(script, unsafe_allow_javascript=True)
