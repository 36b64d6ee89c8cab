"""What an edit page keeps between a click's callback and the next run: messages, errors, keys.

A callback runs before the page redraws, so it cannot draw: it leaves its success
message (`flash`) or its error (`keep_error`) in the session state, and the page
shows them where they belong. `refresh` gives the forms new keys, so they show the
database's values again after a save or a conflict. Keys are `<page>_nonce`,
`<page>_flash` and `<page>_error[_<where>]`.
"""

from __future__ import annotations

import streamlit as st

from queries.core.errors import Conflict, UserError

__all__ = ["PageState", "step_page"]


class PageState:
    """The session keys of one edit page's forms, messages and kept errors."""

    def __init__(self, page: str) -> None:
        self.page = page

    def nonce(self) -> int:
        """The forms' key suffix; a new one redraws them from the database."""
        return st.session_state.get(f"{self.page}_nonce", 0)

    def refresh(self) -> None:
        """New keys for the edit forms and tables: they show the database's values again."""
        st.session_state[f"{self.page}_nonce"] = self.nonce() + 1

    def flash(self, message: object) -> None:
        """Keep a message to show at the top of the next run."""
        st.session_state[f"{self.page}_flash"] = message

    def pop_flash(self) -> object | None:
        """The message a callback left, once."""
        return st.session_state.pop(f"{self.page}_flash", None)

    def _error_key(self, where: str) -> str:
        return f"{self.page}_error_{where}" if where else f"{self.page}_error"

    def keep_error(self, error: UserError | dict, where: str = "") -> None:
        """Keep a callback's error for its section; a conflict also redraws the forms."""
        st.session_state[self._error_key(where)] = error
        if isinstance(error, Conflict):
            self.refresh()

    def pop_error(self, where: str = "") -> UserError | dict | None:
        """The error a callback left for this section, once."""
        return st.session_state.pop(self._error_key(where), None)


def step_page(key: str, delta: int, pages: int) -> None:
    """Move the page number kept at `key` by `delta`, within 1..pages (a button's callback)."""
    st.session_state[key] = min(max(st.session_state.get(key, 1) + delta, 1), pages)
