"""The running app's settings, engine, logged-in actor and the scope a page reads.

A vendor's scope always comes from their account: `page_scope` ignores any
`?vendor=` in the URL for vendors. Staff pick a shop (or the whole mall) in the
sidebar, remembered in the URL so a leaderboard row can open a vendor's view.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
import streamlit as st

from dashboard.caching import cached
from queries.core.actors import Actor, Scope, scope_for
from queries.core.db import connect_engine
from queries.core.settings import SECRETS_PATH, Settings, load_settings
from queries.rolled.coverage import read_rollups_up_to

__all__ = [
    "current_actor",
    "dispose_engines",
    "engine",
    "open_vendor_view",
    "page_scope",
    "settings",
    "vendor_choices",
]


_SETTING_NAMES = (
    "DATABASE_URL",
    "PLATFORM_TIMEZONE",
    "CURRENCY",
    "REVIEW_DEADLINE_DAYS",
    "QUERY_TIMEOUT_SECONDS",
)
_settings_memo: dict[tuple, Settings] = {}


def settings() -> Settings:
    """The validated settings, read again whenever the environment or secrets.toml changes.

    Keyed on what they are read from, so tests can point elsewhere, while formatting
    ten thousand cells does not parse secrets.toml ten thousand times.
    """
    try:
        stamp = SECRETS_PATH.stat().st_mtime_ns
    except OSError:
        stamp = None
    key = (stamp, *(os.environ.get(name) for name in _SETTING_NAMES))
    found = _settings_memo.get(key)
    if found is None:
        found = load_settings()  # raises (nothing remembered) when they are invalid
        _settings_memo.clear()
        _settings_memo[key] = found
    return found


_created_engines: list[sa.Engine] = []


@st.cache_resource(show_spinner=False)
def _engine(url: str, query_timeout: float) -> sa.Engine:
    # The app's engine alone has the time limit: shell tools (exports, rollups, the demo
    # loader, bench) run long statements on purpose. It never creates a SQLite file.
    engine = connect_engine(url, create=False, query_timeout=query_timeout)
    _created_engines.append(engine)
    return engine


def dispose_engines() -> None:
    """Close every engine this process opened and forget them (tests switch databases)."""
    _engine.clear()
    while _created_engines:
        _created_engines.pop().dispose()


def engine() -> sa.Engine:
    """The shared engine for the configured database (never mutated), every statement
    bounded by `QUERY_TIMEOUT_SECONDS`."""
    config = settings()
    # Rollups older than ROLLUP_MAX_AGE_DAYS are not read: the app's reads go live.
    read_rollups_up_to(config.rollup_max_age_days)
    return _engine(config.database_url, config.query_timeout_seconds)


def current_actor() -> Actor:
    """The logged-in user; the entry script sets it before any page runs."""
    actor = st.session_state.get("actor")
    if not isinstance(actor, Actor):
        st.stop()
    return actor


@cached(ttl=300, topics=("vendors",))
def _vendor_choices(database_url: str) -> list[tuple[int, str]]:
    from queries.merchants.names import vendor_names

    with _engine(database_url, settings().query_timeout_seconds).connect() as conn:
        return vendor_names(conn)


def vendor_choices() -> list[tuple[int, str]]:
    """(vendor_id, name) of every shop, for the staff's shop picker."""
    return _vendor_choices(settings().database_url)


def page_scope(actor: Actor | None = None) -> Scope:
    """The shop this page shows: the vendor's own, or the staff's pick (default: whole mall).

    The staff's pick is in the URL (`?vendor=ID`: a link or a leaderboard row opens
    that shop; a value this session has already seen does not undo a later pick) and
    follows them to the next page.
    """
    from dashboard.i18n import t, t_plain
    from dashboard.shell import url_state

    actor = actor or current_actor()
    if actor.role == "vendor":
        return scope_for(actor)  # never from the URL
    choices = vendor_choices()
    ids = [None] + [vendor_id for vendor_id, _ in choices]
    names = dict(choices)
    raw = url_state.incoming("scope_vendor", "vendor")
    requested = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    # The picker's value on the previous page, or the one kept: Streamlit would reset a
    # widget on a new page, so its value is handed over explicitly.
    current = st.session_state.get("scope_vendor", url_state.recall("vendor"))
    if requested in names:
        current = requested
    st.session_state["scope_vendor"] = current if current in ids else None
    picked = st.sidebar.selectbox(
        t("scope.label"),
        ids,
        format_func=lambda v: (
            # A select box's options are plain text, not Markdown: the name as written.
            t("scope.mall")
            if v is None
            else t_plain("scope.vendor_option", name=names[v], vendor_id=v)
        ),
        placeholder=t("scope.mall"),  # Streamlit shows a chosen None as the placeholder
        key="scope_vendor",
    )
    url_state.remember("vendor", picked)
    url_state.publish("scope_vendor", "vendor", lambda: None if picked is None else str(picked))
    return scope_for(actor, picked)


def open_vendor_view(vendor_id: int, page: str = "dashboard/pages/sales.py") -> None:
    """Staff only: switch the shop picker to `vendor_id` and open `page` for it."""
    from dashboard.shell import url_state

    url_state.remember("vendor", vendor_id)
    st.switch_page(page, query_params={"vendor": str(vendor_id)})
