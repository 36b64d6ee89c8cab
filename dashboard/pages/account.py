"""My account (我的账号, every role): change the password, see the open sessions, log out
everywhere.

A new password needs the current one; the user's other sessions end, this browser's
stays. The sessions table marks this browser's session and never shows a session's id
or its hash. "Log out everywhere" (after a tick that confirms it) ends every session of
the account, this one included, and shows the login form.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data import account as data
from dashboard.i18n import lang, t, tn
from dashboard.shell.auth import current_session_hash, log_out
from dashboard.shell.context import current_actor, engine, settings
from dashboard.ui.formatting import DASH, as_datetime, local_datetime
from dashboard.ui.submitted import new_form_id, remember, submission
from dashboard.ui.widgets import literal, show_error
from queries.console.passwords import MIN_LENGTH
from queries.core.errors import UserError

FLASH = "account_flash"
FIELDS = ("account_current", "account_new", "account_again")


def _change(actor, form_id: str) -> None:
    """Change the password; the outcome (or the refusal) shows above the form next run.

    The fields are emptied whatever happened: passwords do not stay in the form. A
    double click's second callback shows the first one's outcome (`ui.submitted`).
    """
    state = st.session_state
    with submission(form_id, replay_to=FLASH) as earlier:
        if earlier is not None:
            return
        language = lang()
        current, new, again = (state.get(key, "") for key in FIELDS)
        for key in FIELDS:
            state[key] = ""
        if new != again:
            state[FLASH] = ("error", t("account.password.differ"))
            return
        # Made before the write: from the write until it is remembered nothing may touch
        # st.session_state (Streamlit could stop the callback there).
        done = ("ok", t("account.password.done"))
        keep = current_session_hash()
        try:
            data.change_password(
                actor, current_password=current, new_password=new, keep_session_hash=keep
            )
        except UserError as exc:
            state[FLASH] = ("error", literal(exc.message(language)))
            return
        remember(form_id, done)
        state[FLASH] = done


def _password_form(actor) -> None:
    st.subheader(t("account.password.heading"))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, message = flash
        if kind == "ok":
            st.success(message, icon=":material/check_circle:")
        else:
            st.error(message)
    with st.form("account_password"):
        st.text_input(
            t("account.password.current"),
            type="password",
            autocomplete="current-password",
            key="account_current",
        )
        st.text_input(
            t("account.password.new"),
            type="password",
            autocomplete="new-password",
            key="account_new",
        )
        st.text_input(
            t("account.password.again"),
            type="password",
            autocomplete="new-password",
            key="account_again",
        )
        st.caption(t("account.password.help", length=MIN_LENGTH))
        st.form_submit_button(
            t("account.password.submit"),
            type="primary",
            on_click=_change,
            # A new id for each drawing of the form: see `dashboard.ui.submitted`.
            args=(actor, new_form_id()),
        )


def _text(value: object) -> str:
    """A text cell as written (an address, a user agent), or the dash when empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value):
        return DASH
    return str(value)


def _sessions(actor) -> None:
    st.subheader(t("account.sessions.heading"))
    rows = data.my_sessions(actor.username)
    if rows.empty:
        st.caption(t("account.sessions.none"))
        return
    mine = current_session_hash()
    st.caption(tn("account.sessions.total", len(rows)))
    # A user agent is what the browser sent: shown as text in a table, never as Markdown.
    st.dataframe(
        pd.DataFrame(
            {
                t("account.sessions.col.this"): [
                    t("account.sessions.this") if h == mine else "" for h in rows["session_hash"]
                ],
                t("account.sessions.col.started"): [
                    local_datetime(as_datetime(v)) for v in rows["created_at"]
                ],
                t("account.sessions.col.last"): [
                    local_datetime(as_datetime(v)) for v in rows["last_seen_at"]
                ],
                t("account.sessions.col.address"): rows["client_address"].map(_text),
                t("account.sessions.col.browser"): rows["user_agent"].map(_text),
            }
        ),
        hide_index=True,
    )


def _everywhere(actor) -> None:
    st.subheader(t("account.everywhere.heading"))
    st.caption(t("account.everywhere.help"))
    sure = st.checkbox(t("account.everywhere.check"), key="account_everywhere_sure")
    if st.button(
        t("account.everywhere.button"),
        key="account_everywhere",
        disabled=not sure,
        icon=":material/logout:",
    ):
        try:
            ended = data.log_out_everywhere(actor)
        except UserError as exc:
            show_error(exc)
            return
        # This tab too: the login form shows next, saying what happened.
        log_out(engine(), settings(), "", notice=tn("account.everywhere.done", ended, count=ended))


actor = current_actor()
st.title(t("page.account"))
st.caption(t("account.signed_in", username=literal(actor.username), role=t(f"role.{actor.role}")))
_password_form(actor)
_sessions(actor)
_everywhere(actor)
