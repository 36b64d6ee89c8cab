"""Login with streamlit-authenticator, then an `Actor` for the query layer.

The authenticator checks the password (bcrypt) and the signed re-login cookie.
After it says yes, the account's role and shop come from our accounts file,
and a vendor whose shop is suspended or closed is logged out again and told why.
"""

from __future__ import annotations

import threading
import time

import streamlit as st
import streamlit_authenticator as stauth

from dashboard.accounts import Account
from dashboard.i18n import t
from dashboard.shell.remember_cookie import QuietAuthenticator, RememberCookie
from queries.core.actors import Actor

__all__ = ["authenticate", "logout_button", "make_authenticator"]

COOKIE_NAME = "mallboard_auth"
COOKIE_DAYS = 7


class _Logouts:
    """When each account last logged out; re-login cookies issued before then are void.

    The browser deletes the cookie a moment after "Log out" is drawn, and a cookie
    login is followed by a fresh cookie the server never sees: so revoke by account
    and time, not by token. Logging out ends the account's remembered logins in every
    browser (open sessions stay open until they log out or reload).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[str, float] = {}

    def mark(self, username: str) -> None:
        with self._lock:
            self._at[username] = time.time()

    def voids(self, token: dict) -> bool:
        """Whether a decoded cookie ({username, exp_date}) was issued before a logout."""
        issued = float(token.get("exp_date", 0)) - COOKIE_DAYS * 86400
        with self._lock:
            return issued <= self._at.get(str(token.get("username")), float("-inf"))


@st.cache_resource(show_spinner=False)
def _logouts() -> _Logouts:
    return _Logouts()


def _remembered(authenticator: stauth.Authenticate) -> dict | None:
    """The browser's valid re-login cookie, decoded, or None."""
    try:
        token = authenticator.cookie_controller.get_cookie()
    except Exception:  # noqa: BLE001 - no browser context, or a cookie we cannot read
        return None
    return token if isinstance(token, dict) else None


def _credentials(accounts: dict[str, Account]) -> dict:
    """The authenticator's credentials: enabled accounts only."""
    return {
        "usernames": {
            a.username: {
                "name": a.name,
                "email": a.email or f"{a.username}@invalid",
                "password": a.password_hash,
                "roles": [a.role],
            }
            for a in accounts.values()
            if not a.disabled
        }
    }


def make_authenticator(accounts: dict[str, Account], key: str) -> stauth.Authenticate:
    """The authenticator for this run (built per run: accounts may have been added since)."""
    return QuietAuthenticator(_credentials(accounts), RememberCookie(COOKIE_NAME, key, COOKIE_DAYS))


def _shop_refusal(account: Account, vendor_status: str | None) -> str | None:
    """Why a vendor account may not log in now (None if it may)."""
    if account.role != "vendor":
        return None
    if vendor_status is None:
        return t("login.shop_missing")
    if vendor_status == "suspended":
        return t("login.shop_suspended")
    if vendor_status == "closed":
        return t("login.shop_closed")
    return None


def _login(authenticator: stauth.Authenticate) -> None:
    """A valid re-login cookie logs in; else the login form (the authenticator's, with
    a message for an empty submit, which the authenticator silently ignores)."""
    token = authenticator.cookie_controller.get_cookie()
    if token:
        authenticator.authentication_controller.login(token=token)
        if st.session_state.get("authentication_status"):
            return
    with st.form("login"):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"), autocomplete="off")
        password = st.text_input(t("login.password"), type="password", autocomplete="off")
        submitted = st.form_submit_button(t("login.submit"))
    if not submitted:
        return
    if not username.strip() or not password.strip():
        st.error(t("login.empty"))
        return
    authenticator.authentication_controller.login(username, password)


def authenticate(
    authenticator: stauth.Authenticate, accounts: dict[str, Account], vendor_status
) -> Actor | None:
    """The logged-in actor, or None after drawing the login form.

    `vendor_status(vendor_id) -> str | None` reads a shop's current status, so a
    suspension takes effect on the next page view, not only at the next login.
    """
    if not st.session_state.get("authentication_status"):
        authenticator.cookie_controller.flush()
        remembered = _remembered(authenticator)
        if remembered and _logouts().voids(remembered):
            st.session_state["logout"] = True  # the authenticator then ignores the cookie
        refused = st.session_state.pop("login_refused", None)
        if refused:
            st.error(refused)
        try:
            _login(authenticator)
        except Exception:  # noqa: BLE001 - the authenticator's own errors become a message
            st.error(t("login.failed"))
            return None
        if st.session_state.get("authentication_status") is False:
            st.error(t("login.failed"))
        if not st.session_state.get("authentication_status"):
            st.session_state.pop("actor", None)
            return None
        # Draw the pages without the login form above them; the cookie is written in
        # that next run, since a script sent in a run cut short may never run.
        authenticator.cookie_controller.set_cookie()
        st.rerun()
    account = accounts.get(st.session_state.get("username") or "")
    if account is None or account.disabled:
        _force_logout(authenticator, t("login.account_unknown"))
        return None
    refusal = _shop_refusal(
        account, vendor_status(account.vendor_id) if account.vendor_id else None
    )
    if refusal:
        _force_logout(authenticator, refusal)
        return None
    actor = Actor(username=account.username, role=account.role, vendor_id=account.vendor_id)
    st.session_state["actor"] = actor
    authenticator.cookie_controller.flush()
    return actor


_KEPT_AT_LOGOUT = frozenset({"lang", "lang_picker", "logout"})


def _end_session(authenticator: stauth.Authenticate) -> None:
    if st.session_state.get("username"):
        _logouts().mark(st.session_state["username"])
    try:
        authenticator.logout(location="unrendered")
    except Exception:  # noqa: BLE001 - already logged out
        pass
    # The next person in this browser starts from their own defaults: no shop, period,
    # filter or page of the one who left (only the language and the logout flag stay).
    for name in list(st.session_state.keys()):
        if name not in _KEPT_AT_LOGOUT:
            st.session_state.pop(name, None)
    authenticator.cookie_controller.delete_cookie()


def _force_logout(authenticator: stauth.Authenticate, reason: str) -> None:
    _end_session(authenticator)
    st.session_state["login_refused"] = reason
    st.rerun()


def logout_button(authenticator: stauth.Authenticate) -> None:
    """A sidebar button that logs out and forgets the session's actor."""
    if st.sidebar.button(t("app.logout"), key="mb_logout", icon=":material/logout:"):
        _end_session(authenticator)
        st.rerun()
