"""Logging in and staying logged in: server-side sessions, checked on every run.

A login (`queries.console.logins.log_in`) opens a session row; the browser keeps
only its signed random id (`session_cookie`). Every script run — every click, and
every download, which runs without the page — asks the database whether that
session may go on (`check_session`): a logout anywhere, an expired or idle session,
a disabled account, a changed password or a suspended shop ends it at once, in every
app process. An account with a one-time password sees only the form that replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
import streamlit as st

from dashboard.i18n import t
from dashboard.shell.client_address import client_address
from dashboard.shell.context import SESSION_HASH
from dashboard.shell.session_cookie import SessionCookie
from queries.console.accounts import set_first_password
from queries.console.logins import LoginOutcome, log_in
from queries.console.policy import LoginPolicy, login_policy
from queries.console.sessions import check_session, end_session
from queries.core.actors import Actor
from queries.core.errors import UserError
from queries.core.rls import STAFF, current_scope, scope_of, set_scope, use_scope
from queries.core.settings import Settings

__all__ = [
    "TOKEN",
    "authenticate",
    "current_session_hash",
    "guard_download",
    "guarded",
    "log_out",
    "logout_button",
]

TOKEN = "_mb_session"  # this browser tab's session id (the cookie's, or a fresh login's)
LOGGED_OUT = "_mb_logged_out"  # the tab logged out: ignore the cookie it was opened with
REFUSED = "login_refused"
NOTICE = "_mb_login_notice"  # a plain sentence above the login form (after "log out everywhere")
_KEPT_AT_LOGOUT = frozenset(
    {"lang", "lang_picker", LOGGED_OUT, REFUSED, NOTICE, "_mb_cookie_pending"}
)


class _Auth:
    """What every step here needs: the database, the policy and the cookie."""

    def __init__(self, database: sa.Engine, config: Settings, key: str) -> None:
        self.database = database
        self.config = config
        self.policy: LoginPolicy = login_policy(config)
        self.cookie = SessionCookie(key, config.session_hours * 3600)


def _refusal(reason: str) -> str:
    return {
        "disabled": t("login.account_disabled"),
        "shop_suspended": t("login.shop_suspended"),
        "shop_closed": t("login.shop_closed"),
        "shop_missing": t("login.shop_missing"),
    }.get(reason, t("login.session_ended"))


def _forget(auth: _Auth) -> None:
    """Forget this tab's login: no shop, period or filter of the one who left stays."""
    for name in list(st.session_state.keys()):
        if name not in _KEPT_AT_LOGOUT:
            st.session_state.pop(name, None)
    st.session_state[LOGGED_OUT] = True
    auth.cookie.schedule_delete()


def authenticate(database: sa.Engine, config: Settings, key: str) -> Actor | None:
    """The logged-in actor, or None after drawing the login (or new-password) form.

    Sets the run's row scope (`queries.core.rls`): staff for the console's own checks
    here (the session, the login, a shop's status), then the actor's for the pages.
    """
    set_scope(STAFF)
    auth = _Auth(database, config, key)
    token = st.session_state.get(TOKEN)
    from_cookie = False
    if token is None and not st.session_state.get(LOGGED_OUT):
        token = auth.cookie.browser_token()
        from_cookie = token is not None
    if token:
        check = check_session(database, token=token, policy=auth.policy)
        if check.reason is None:
            st.session_state[TOKEN] = token
            st.session_state[SESSION_HASH] = check.session_hash
            actor = Actor(username=check.username, role=check.role, vendor_id=check.vendor_id)
            auth.cookie.flush()
            if check.must_change_password:
                _first_password_form(auth, actor, check.session_hash)
                return None
            st.session_state["actor"] = actor
            set_scope(scope_of(actor))  # a vendor's pages read only its shop's rows
            return actor
        _forget(auth)
        if not (from_cookie and check.reason == "ended"):  # a stale cookie needs no words
            st.session_state[REFUSED] = _refusal(check.reason)
        st.rerun()
    auth.cookie.flush()
    refused = st.session_state.pop(REFUSED, None)
    if refused:
        st.error(refused)
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(notice)
    _login_form(auth)
    return None


def _client(auth: _Auth) -> str | None:
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no request context (AppTest): no address
        return None
    return client_address(peer, forwarded, auth.config.trusted_proxies)


def _user_agent() -> str | None:
    try:
        return st.context.headers.get("User-Agent")
    except Exception:  # noqa: BLE001 - no request context
        return None


def _locked_text(auth: _Auth, until: datetime | None) -> str:
    shown = until.astimezone(auth.config.tz).strftime("%H:%M") if until else "--:--"
    return t("login.locked", until=shown)


def _outcome_text(auth: _Auth, outcome: LoginOutcome) -> str:
    if outcome.status == "locked":
        return _locked_text(auth, outcome.locked_until)
    if outcome.status == "failed":
        return t("login.failed")
    return _refusal(outcome.status)


def _login_form(auth: _Auth) -> None:
    with st.form("login"):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"), autocomplete="username")
        password = st.text_input(t("login.password"), type="password", autocomplete="off")
        submitted = st.form_submit_button(t("login.submit"))
    if not submitted:
        return
    try:
        outcome = log_in(
            auth.database,
            username=username,
            password=password,
            client_address=_client(auth),
            user_agent=_user_agent(),
            policy=auth.policy,
        )
    except UserError as exc:
        st.error(exc.message(st.session_state.get("lang", "en")))
        return
    if outcome.status != "ok":
        st.error(_outcome_text(auth, outcome))
        return
    st.session_state.pop(LOGGED_OUT, None)
    st.session_state[TOKEN] = outcome.token
    auth.cookie.schedule_set(outcome.token)
    st.rerun()  # draw the pages without the login form above them


def _first_password_form(auth: _Auth, actor: Actor, session_hash: str) -> None:
    """The only page of an account with a one-time password: choose a new one."""
    st.title(t("login.new_password_title"))
    st.info(t("login.new_password_intro", name=actor.username))
    with st.form("first_password"):
        new = st.text_input(t("login.new_password"), type="password", autocomplete="new-password")
        again = st.text_input(
            t("login.new_password_again"), type="password", autocomplete="new-password"
        )
        submitted = st.form_submit_button(t("login.new_password_submit"))
    if st.sidebar.button(t("app.logout"), key="mb_logout", icon=":material/logout:"):
        log_out(auth.database, auth.config, "")
    if not submitted:
        return
    if new != again:
        st.error(t("login.new_password_differ"))
        return
    try:
        set_first_password(auth.database, actor, session_hash=session_hash, new_password=new)
    except UserError as exc:
        st.error(exc.message(st.session_state.get("lang", "en")))
        return
    st.session_state["_mb_flash_password"] = True
    st.rerun()


def current_session_hash() -> str | None:
    """The stored form of this tab's session id (My account marks it "this browser")."""
    return st.session_state.get(SESSION_HASH)


def log_out(database: sa.Engine, config: Settings, key: str, notice: str | None = None) -> None:
    """End this tab's session (in the database, so everywhere) and show the login form,
    with `notice` above it if given."""
    end_session(database, token=st.session_state.get(TOKEN))
    _forget(_Auth(database, config, key or "-"))
    if notice:
        st.session_state[NOTICE] = notice
    st.rerun()


def logout_button(database: sa.Engine, config: Settings, key: str) -> None:
    """The sidebar's "Log out" button."""
    if st.sidebar.button(t("app.logout"), key="mb_logout", icon=":material/logout:"):
        log_out(database, config, key)


def guard_download(data: Callable[[], bytes] | bytes, *, database: sa.Engine, config: Settings):
    """`data` for `st.download_button`, made only while this tab's session still holds.

    Streamlit runs a download's callable on its own, without the page's script: this
    asks the database first, so a download clicked after a logout elsewhere, a disabled
    account or a suspended shop delivers nothing.
    """
    token = st.session_state.get(TOKEN)
    policy = login_policy(config)
    scope = current_scope()  # the page's; the download runs in another thread

    def build() -> bytes:
        with use_scope(STAFF):
            ended = check_session(database, token=token, policy=policy).reason is not None
        if ended:
            raise PermissionError("the session has ended: no download")
        with use_scope(scope):
            return data() if callable(data) else data

    return build


def guarded(data: Callable[[], bytes] | bytes) -> Callable[[], bytes]:
    """`guard_download` on the app's own database and settings: what pages pass as `data`."""
    from dashboard.shell.context import engine, settings

    return guard_download(data, database=engine(), config=settings())
