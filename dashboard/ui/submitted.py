"""What a submitted form did, kept outside the session state and keyed by the form's id.

A double click sends two runs. Streamlit stops the first run and starts the second,
in another thread, often while the first one's callback is still writing: both
callbacks get what the form showed, so the second would be refused ("already
decided", "changed meanwhile", "username taken") while the first one's message is
lost when its run is stopped — at any `st.session_state` access or `st.*` call.

So a page draws each form with a fresh id (`new_form_id`) and its callback goes
through `submission(form_id)`: the first callback of that form claims it, writes,
and `remember`s what it did; a second one waits for the first to finish and gets
that outcome, to show it again. Outcomes are kept `KEEP_SECONDS` (a one-time password
in one must not linger).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

__all__ = ["KEEP_SECONDS", "new_form_id", "remember", "submission"]

KEEP_SECONDS = 120
WAIT_SECONDS = 30
_LIMIT = 1000
_lock = threading.Lock()
_outcomes: OrderedDict[str, tuple[float, object]] = OrderedDict()
_running: dict[str, threading.Event] = {}


def new_form_id() -> str:
    """An id for one drawing of a form (pass it to the submit button's callback)."""
    return uuid.uuid4().hex


def _forget_old(now: float) -> None:
    while _outcomes:
        form_id, (at, _) = next(iter(_outcomes.items()))
        if now - at < KEEP_SECONDS and len(_outcomes) <= _LIMIT:
            return
        del _outcomes[form_id]


def _recall(form_id: str) -> object | None:
    now = time.monotonic()
    with _lock:
        _forget_old(now)
        found = _outcomes.get(form_id)
    return None if found is None else found[1]


def remember(form_id: str, outcome: object) -> None:
    """Record what the form did: right after the write, before any `st.*` call."""
    now = time.monotonic()
    with _lock:
        _outcomes[form_id] = (now, outcome)
        _outcomes.move_to_end(form_id)
        _forget_old(now)


def _replayed(earlier: object | None, replay_to: str | None) -> object | None:
    if earlier is not None and replay_to is not None:
        st.session_state[replay_to] = earlier
    return earlier


@contextmanager
def submission(form_id: str, *, replay_to: str | None = None) -> Iterator[object | None]:
    """The earlier outcome of this form (show it, write nothing), or None: go ahead.

    A callback already running for the form is waited for (up to `WAIT_SECONDS`); if it
    ended without an outcome (refused, or stopped before its write), this one goes ahead.
    With `replay_to`, an earlier outcome is also put in the session state at that key,
    for the next run to show it again.
    """
    with _lock:
        running = _running.get(form_id)
        if running is None:
            _running[form_id] = mine = threading.Event()
    if running is not None:
        running.wait(WAIT_SECONDS)
        yield _replayed(_recall(form_id), replay_to)
        return
    try:
        yield _replayed(_recall(form_id), replay_to)
    finally:
        with _lock:
            _running.pop(form_id, None)
        mine.set()
