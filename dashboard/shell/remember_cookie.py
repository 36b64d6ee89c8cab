"""The signed re-login cookie, written by a script in the page instead of a component.

streamlit-authenticator keeps this cookie through extra-streamlit-components'
CookieManager: an iframe component that reports the browser's cookies back to the
server when it loads and after each change. Every report reruns the script with the
page the browser showed *when the report was sent*, so a click on another page in the
second after a (re)load or a login was undone: the user saw the page open, then Home
again. This cookie reports nothing: it is read from the request's own headers
(`st.context.cookies`) and written by a one-line script (`st.html`), and it keeps the
authenticator's token format (an HS256 JWT of {username, exp_date}), so cookies issued
before still work.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.controllers import AuthenticationController
from streamlit_authenticator.utilities import Encryptor

__all__ = ["QuietAuthenticator", "RememberCookie"]

_PENDING = "_mb_cookie_pending"


class RememberCookie:
    """The re-login cookie, with the methods the authenticator calls on its own cookie.

    `set_cookie` and `delete_cookie` only schedule the change: a script written in a run
    that then reruns may never reach the browser, so `flush` writes it in a full run.
    """

    def __init__(self, name: str, key: str, days: float) -> None:
        self.name, self.key, self.days = name, key, days

    def get_cookie(self) -> dict[str, Any] | None:
        """The browser's valid token ({username, exp_date}), or None."""
        if st.session_state.get("logout"):  # the authenticator's "ignore the cookie" flag
            return None
        return self.decode(st.context.cookies.get(self.name))

    def decode(self, raw: str | None) -> dict[str, Any] | None:
        """A cookie's token if it is ours, signed with our key and not expired, else None."""
        if not raw:
            return None
        try:
            token = jwt.decode(raw, self.key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        if not isinstance(token, dict) or "username" not in token:
            return None
        return token if float(token.get("exp_date", 0)) > time.time() else None

    def set_cookie(self) -> None:
        """Schedule a fresh cookie for the logged-in user."""
        st.session_state[_PENDING] = "set"

    def delete_cookie(self) -> None:
        """Schedule the cookie's removal."""
        st.session_state[_PENDING] = "delete"

    def flush(self) -> None:
        """Write (or delete) the cookie scheduled earlier, in this run's page."""
        pending = st.session_state.pop(_PENDING, None)
        username = st.session_state.get("username")
        if pending == "set" and username:
            expires = time.time() + self.days * 86400
            token = jwt.encode(
                {"username": username, "exp_date": expires}, self.key, algorithm="HS256"
            )
            self._write(token, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(expires)))
        elif pending == "delete":
            self._write("", "Thu, 01 Jan 1970 00:00:00 GMT")

    def _write(self, value: str, expires: str) -> None:
        cookie = f"{self.name}={value}; path=/; expires={expires}; SameSite=Strict"
        # json.dumps makes the value a safe JS string literal; the token is base64url anyway.
        script = (
            f"<script>document.cookie = {json.dumps(cookie)}"
            " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
        )
        st.html(script, unsafe_allow_javascript=True)


class QuietAuthenticator(stauth.Authenticate):
    """streamlit-authenticator's `Authenticate` with `RememberCookie` as its cookie.

    `Authenticate.__init__` mounts the CookieManager component as it builds its cookie
    controller, so it is not called: this sets up the same parts (for the pinned 0.4.2;
    tests/test_auth_cookie.py checks them) with our cookie in its place.
    """

    def __init__(self, credentials: dict, cookie: RememberCookie) -> None:  # noqa: D107
        self.api_key = None
        self.attrs = {"login_sleep_time": 0}
        self.secret_key = cookie.key
        self.path = None
        self.cookie_controller = cookie
        self.authentication_controller = AuthenticationController(
            credentials=credentials, auto_hash=True, secret_key=cookie.key
        )
        self.encryptor = Encryptor(cookie.key)
