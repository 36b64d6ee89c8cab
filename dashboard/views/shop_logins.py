"""The Merchants page's logins of one shop: who they are, their state, and what an operator
does to them — reset the password to a one-time one, disable or enable, unlock.

Each button calls one write of `queries.console.accounts` (which writes its audit row)
with the login's version as this run showed it, so a click on a login someone changed
meanwhile is refused with the Conflict message. The outcome is kept for the next run and
shown once above the table; a new one-time password is popped with it, so it shows once.
A double click's second callback shows the first one's outcome (`dashboard.ui.submitted`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import account as data
from dashboard.i18n import lang, t, t_plain
from dashboard.shell.context import settings
from dashboard.ui.formatting import as_datetime
from dashboard.ui.submitted import new_form_id, remember, submission
from dashboard.ui.widgets import literal
from queries.core.errors import UserError

__all__ = ["show_shop_logins"]

FLASH = "shop_logins_flash"


def _locked_until(value: object) -> str | None:
    """A lock's end as HH:MM in the platform timezone (as the login form says it), or None."""
    moment = as_datetime(value)
    return None if moment is None else moment.astimezone(settings().tz).strftime("%H:%M")


def _status(row) -> str:
    """Disabled, locked until HH:MM, one-time password pending — or active (a table cell:
    plain text)."""
    parts = []
    if row["disabled"]:
        parts.append(t_plain("shop_logins.status.disabled"))
    until = _locked_until(row["locked_until"])
    if until:
        parts.append(t_plain("shop_logins.status.locked", until=until))
    if row["must_change_password"]:
        parts.append(t_plain("shop_logins.status.one_time"))
    return " · ".join(parts) or t_plain("shop_logins.status.active")


def _table(rows: pd.DataFrame) -> None:
    # Usernames and names are shown in a table: as written, never as Markdown.
    st.dataframe(
        pd.DataFrame(
            {
                t("shop_logins.col.username"): rows["username"],
                t("shop_logins.col.name"): rows["name"],
                t("shop_logins.col.status"): [_status(r) for _, r in rows.iterrows()],
                t("shop_logins.col.sessions"): rows["sessions"].astype(int),
            }
        ),
        hide_index=True,
    )


def _act(action: str, actor, username: str, seen_version: int, form_id: str) -> None:
    """Run one button's write; keep its outcome (or refusal) for the next run."""
    state = st.session_state
    with submission(form_id, replay_to=FLASH) as earlier:
        if earlier is not None:  # a double click: the first click's outcome is shown again
            return
        language = lang()
        name = literal(username)
        # Every message is made now: from the write until the outcome is remembered,
        # nothing may touch st.session_state (Streamlit could stop the callback there).
        done = {"ok": t(f"shop_logins.{action}.done", username=name)}
        not_locked = {"info": t("shop_logins.unlock.not_locked", username=name)}
        try:
            if action == "reset":
                password = data.reset_password(actor, username, seen_version)
                outcome = {**done, "password": password}
            elif action in ("disable", "enable"):
                data.set_disabled(actor, username, action == "disable", seen_version)
                outcome = done
            else:
                outcome = done if data.unlock(actor, username) else not_locked
        except UserError as exc:
            state[FLASH] = {"error": literal(exc.message(language))}
            return
        remember(form_id, outcome)
        state[FLASH] = outcome


def _show_flash() -> None:
    """The last action's outcome, once (a one-time password included)."""
    flash = st.session_state.pop(FLASH, None)
    if not flash:
        return
    if "error" in flash:
        st.error(flash["error"])
    elif "info" in flash:
        st.info(flash["info"])
    else:
        st.success(flash["ok"], icon=":material/check_circle:")
    if "password" in flash:
        st.warning(t("shop_logins.reset.password"))
        st.code(flash["password"], language=None)


def _actions(actor, row) -> None:
    """The buttons of one login, each with the version this run shows."""
    username, version = str(row["username"]), int(row["version"])
    key = f"shop_logins_{username}"
    st.caption(t("shop_logins.reset.help"))
    # Ticked for this login as it is now: once it changes, the tick is asked again.
    sure = st.checkbox(t("shop_logins.reset.check"), key=f"{key}_reset_sure_{version}")
    left, middle, right = st.columns(3)
    left.button(
        t("shop_logins.reset.button"),
        key=f"{key}_reset",
        disabled=not sure,
        icon=":material/password:",
        on_click=_act,
        args=("reset", actor, username, version, new_form_id()),
    )
    toggle = "enable" if row["disabled"] else "disable"
    middle.button(
        t(f"shop_logins.{toggle}.button"),
        key=f"{key}_{toggle}",
        icon=":material/person_off:" if toggle == "disable" else ":material/person:",
        on_click=_act,
        args=(toggle, actor, username, version, new_form_id()),
    )
    if _locked_until(row["locked_until"]):
        right.button(
            t("shop_logins.unlock.button"),
            key=f"{key}_unlock",
            icon=":material/lock_open:",
            on_click=_act,
            args=("unlock", actor, username, version, new_form_id()),
        )


def show_shop_logins(actor, vendor_id: int) -> None:
    """The shop's logins and, for the one picked, reset / disable or enable / unlock."""
    st.subheader(t("shop_logins.heading"))
    _show_flash()
    rows = data.shop_logins(vendor_id)
    if rows.empty:
        st.caption(t("shop_logins.none"))
        return
    _table(rows)
    names = rows["username"].tolist()
    picked = st.selectbox(t("shop_logins.pick"), names, key=f"shop_logins_pick_{vendor_id}")
    _actions(actor, rows.loc[rows["username"] == picked].iloc[0])
