"""Mallboard's entry: settings → database → login → the role's pages via `st.navigation`.

Every failure a user can meet before the pages (bad settings, an unreachable
database, a database missing contract tables, no signing key) is a clear page
in their language, never a traceback. Database trouble at any point of a run (down,
busy, a statement past `QUERY_TIMEOUT_SECONDS`) gets its own page with a Retry
button, for every role and at the login form; the next run after the database is
back works again by itself (the pool reconnects).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashboard import caching
from dashboard.i18n import LANGS, lang, set_lang, t
from dashboard.shell import url_state
from dashboard.shell.auth import authenticate, logout_button
from dashboard.shell.context import engine, settings
from dashboard.shell.cookie_key import configured_key, cookie_key, cookie_problem
from dashboard.shell.navigation import PAGES, forbidden_for, pages_for
from queries.console.accounts import account_count, is_demo_database
from queries.console.migrate import pending
from queries.core.actors import Actor
from queries.core.db import database_trouble
from queries.core.errors import (
    DatabaseBusy,
    DatabaseTrouble,
    DatabaseUnavailable,
    MissingContract,
    NoDatabaseFile,
    NotADatabase,
    QueryTimeout,
    UserError,
)

st.set_page_config(page_title="Mallboard", page_icon="🏬", layout="wide")
caching.start_run()
url_state.start_run()
# Headline values such as ¥1,777,466.90 fit five to a row at 1280 px instead of "¥1,777,4…".
st.html("<style>[data-testid='stMetricValue'] { font-size: 1.7rem; }</style>")


def _language_switch() -> None:
    picked = st.sidebar.segmented_control(
        t("app.language"),
        LANGS,
        default=lang(),
        format_func=lambda code: t(f"app.language.{code}"),
        key="lang_picker",
    )
    if picked and picked != lang():
        set_lang(picked)
        st.rerun()


def _stop_with(title_key: str, message: str, hint_key: str | None = None) -> None:
    st.title(t("app.title"))
    st.error(f"**{t(title_key)}**\n\n{message}")
    if hint_key:
        st.caption(t(hint_key))
    st.stop()


def _show_trouble(trouble: DatabaseTrouble | DatabaseUnavailable, *, title: bool) -> NoReturn:
    """The database-trouble page: what happened in the user's words, and a Retry button."""
    kind = (
        "timeout"
        if isinstance(trouble, QueryTimeout)
        else "busy"
        if isinstance(trouble, DatabaseBusy)
        else "unavailable"
    )
    cause = trouble.__cause__ or trouble
    logging.getLogger("mallboard").warning(
        "database %s: %s", kind, (str(cause).splitlines() or [""])[0]
    )
    if title:
        st.title(t("app.title"))
    st.error(f"**{t(f'outage.{kind}_title')}**\n\n{trouble.message(lang())}")
    st.caption(t("outage.hint"))
    st.button(t("outage.retry"), key="mb_outage_retry", icon=":material/refresh:")  # reruns
    st.stop()


def _fail(exc: Exception, *, title: bool, where: str = "entry") -> NoReturn:
    """Database trouble → its page; anything else → a plain sentence (logged), no traceback.

    Tests set MALLBOARD_RAISE_ERRORS so that a bug fails them instead of hiding here.
    """
    trouble = database_trouble(exc)
    if trouble is not None:
        _show_trouble(trouble, title=title)
    if isinstance(exc, UserError):
        st.error(exc.message(lang()))
        st.stop()
    if os.environ.get("MALLBOARD_RAISE_ERRORS"):
        raise exc
    logging.getLogger("mallboard").exception("%s failed", where)
    if title:
        st.title(t("app.title"))
    st.error(t("error.unexpected"))
    st.stop()


@contextmanager
def _guarded() -> Iterator[None]:
    """Run the entry's database steps (checks before the pages, the login) under `_fail`."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - every failure gets a page, never a traceback
        _fail(exc, title=True)


_language_switch()

try:
    config = settings()
except UserError as exc:
    _stop_with("error.settings_title", exc.message(lang()))

signing_key = cookie_key()
if signing_key is None:
    reason_key, values = cookie_problem(configured_key())
    _stop_with("error.settings_title", f"{t(reason_key, **values)} {t('error.cookie_key')}")

if config.is_demo:
    from dashboard.bootstrap import ensure_demo_database

    with st.spinner(t("app.demo_notice") + " …"):
        ensure_demo_database()

try:
    database = engine()
except (NoDatabaseFile, NotADatabase) as exc:  # the setting names the wrong file
    _stop_with("error.database_title", exc.message(lang()), "error.database_hint")
except DatabaseUnavailable as exc:  # down or busy: Retry once it is back
    _show_trouble(exc, title=True)
except MissingContract as exc:
    listed = "\n".join(f"- `{name}`" for name in exc.details)
    _stop_with("error.contract_title", f"{t('error.contract_hint')}\n\n{listed}")


def _stop_with_command(title_key: str, intro_key: str, command: str, after_key: str | None) -> None:
    st.title(t("app.title"))
    st.subheader(t(title_key))
    st.write(t(intro_key))
    st.code(command, language="bash")
    if after_key:
        st.caption(t(after_key))
    st.stop()


with _guarded():
    needs_migration = pending(database)
    if not needs_migration:
        with database.connect() as conn:
            no_accounts = account_count(conn) == 0
            demo_database = is_demo_database(conn)
if needs_migration:
    _stop_with_command("setup.migrate_title", "setup.migrate", "python -m dashboard.migrate", None)
if no_accounts:
    _stop_with_command(
        "setup.no_accounts_title",
        "setup.no_accounts",
        "python -m dashboard.accounts add NAME --role operator",
        "setup.no_accounts_after",
    )


def _no_such_page() -> None:
    """The page of an unknown path: never run (the entry opens Home instead)."""


def _unknown_path() -> str | None:
    """The path of this run's URL when it names no page (a typo, an old link), else None.

    Registered as a hidden page of its own, it opens Home with a sentence in the
    user's language instead of Streamlit's English "Page not found" dialog.
    """
    ctx = get_script_run_ctx()
    name = getattr(getattr(ctx, "pages_manager", None), "intended_page_name", None) or ""
    name = name.strip("/")
    if name in PAGES or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        return None
    return name


UNKNOWN_PATH = "_mb_unknown_path"
unknown_path = _unknown_path()

if not isinstance(st.session_state.get("actor"), Actor):
    # Every page's URL is known before login, so a link (or a reload) shows the login
    # form on that URL, and the login's rerun then opens that page with its query.
    # (Registered, never run: the login form above is all a visitor sees.)
    st.navigation(
        [
            st.Page(spec.path, title=t("login.title"), url_path=name, default=name == "home")
            for name, spec in PAGES.items()
        ]
        + (
            [st.Page(_no_such_page, title=t("login.title"), url_path=unknown_path)]
            if unknown_path
            else []
        ),
        position="hidden",
    )
    if unknown_path:  # the login's rerun names the page by its hash only: keep the path
        st.session_state[UNKNOWN_PATH] = unknown_path

with _guarded():
    actor = authenticate(database, config, signing_key)

if actor is None:
    st.stop()

st.sidebar.caption(
    t("app.signed_in_as", name=actor.username, role=t(f"role.{actor.role}"))
    + (f" · {t('app.demo_notice')}" if demo_database else "")
)
with _guarded():
    logout_button(database, config, signing_key)

NAV_FLASH = "_mb_nav_flash"
sections = {
    t(title_key): [
        st.Page(
            spec.path,
            title=t(spec.title_key),
            icon=spec.icon,
            url_path=spec.name,
            default=spec.name == "home",
        )
        for spec in specs
    ]
    for title_key, specs in pages_for(actor.role)
}
home_page = next(p for pages in sections.values() for p in pages if p.url_path == "")  # default


# A page the role may not open still has its URL (hidden, never run), so a link to it
# opens Home with a sentence saying so instead of Streamlit's English "Page not found".
forbidden = {spec.name: spec for spec in forbidden_for(actor.role)}
next(iter(sections.values())).extend(
    st.Page(spec.path, title=t(spec.title_key), url_path=spec.name, visibility="hidden")
    for spec in forbidden.values()
)
kept_path = st.session_state.pop(UNKNOWN_PATH, None)
unknown_path = unknown_path or kept_path
if unknown_path:
    next(iter(sections.values())).append(
        st.Page(_no_such_page, title=t("page.home"), url_path=unknown_path, visibility="hidden")
    )
page = st.navigation(sections, expanded=True)
if page.url_path in forbidden:
    st.session_state[NAV_FLASH] = t("nav.forbidden", page=t(forbidden[page.url_path].title_key))
    st.switch_page(home_page)
if unknown_path and page.url_path == unknown_path:
    st.session_state[NAV_FLASH] = t("nav.unknown", path=unknown_path)  # t() escapes it
    st.switch_page(home_page)
flash = st.session_state.pop(NAV_FLASH, None)
if flash and page is home_page:
    st.warning(flash, icon=":material/block:")
try:
    page.run()
except StopException:
    url_state.sync()  # a page that stops early keeps its filters in the URL too
    raise
except DatabaseTrouble as exc:  # down, busy, or past the time limit: its own page
    _show_trouble(exc, title=False)
except UserError as exc:
    st.error(exc.message(lang()))
except Exception as exc:  # noqa: BLE001 - logged for the engineers; the user gets a sentence
    _fail(exc, title=False, where=f"page {page.url_path}")
else:
    url_state.sync()
