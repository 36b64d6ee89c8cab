"""A page's filters in its URL, so that a reload or a shared link opens it as it was.

A page calls `bind(key, param)` just before the widget (or session value) it keeps
under `key`. A value of `param` in the URL that this session has not seen there
yet is put into `st.session_state[key]`; after the page ran, `sync()` (called by the
entry script) writes every bound value back into the URL, leaving out defaults and
empty values. So a link wins once, when it arrives, and the user's later choices win
after that.

Some choices follow the user from page to page (`remember`/`recall`): the staff's
shop and the period. Streamlit forgets a page's widgets when another page opens,
and clears the URL's query on a page switch; these come back from the session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import streamlit as st

__all__ = [
    "bind",
    "encode_dates",
    "fit_page",
    "incoming",
    "keep_period",
    "month_period",
    "parse_dates",
    "publish",
    "recall",
    "remember",
    "restore_period",
    "start_run",
    "sync",
]

_BOUND = "_mb_url_bound"  # this run: {(key, param) joined: (key, param, encode)}
_SEEN = "_mb_url_seen"  # {key: the URL's value last applied to or written from key}
_MEMORY = "_mb_memory"  # choices that follow the user across pages


def start_run() -> None:
    """Forget the previous run's bindings (the entry script calls this first)."""
    st.session_state[_BOUND] = {}


def _seen() -> dict[str, str | None]:
    return st.session_state.setdefault(_SEEN, {})


def incoming(key: str, param: str) -> str | None:
    """The URL's `param` if it is new for `key` (a link, a reload), else None."""
    raw = st.query_params.get(param)
    seen = _seen()
    if key in seen and seen[key] == raw:
        return None
    seen[key] = raw
    return raw


def publish(key: str, param: str, encode: Callable[[], str | None]) -> None:
    """At the end of the run, put `encode()` into the URL as `param` (None: leave it out)."""
    st.session_state.setdefault(_BOUND, {})[f"{key}\x00{param}"] = (key, param, encode)


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def bind(
    key: str,
    param: str,
    *,
    options: Sequence[Any] | None = None,
    default: Any = None,
    kind: type = str,
) -> None:
    """Keep `st.session_state[key]` in the URL as `param`; call it before the widget.

    `options`: the values the widget accepts (compared as text); a value outside them
    in the URL is ignored. `kind=int` for numbers (page numbers: at least 1).
    `default`: the value that is not written into the URL (with `options`: the first).
    """
    if default is None and options:
        default = options[0]
    raw = incoming(key, param)
    if raw is not None:
        value: Any = None
        if options is not None:
            value = next((o for o in options if _text(o) == raw), None)
        elif kind is int:
            value = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**9 else None
        else:
            value = raw[:200]
        if value is not None:
            st.session_state[key] = value

    def encode() -> str | None:
        value = st.session_state.get(key)
        return None if value == default else _text(value)

    publish(key, param, encode)


def sync() -> None:
    """Make the URL's query exactly this run's bound values (the entry calls it after the page).

    Written on every run, not only on a change: on a page switch the browser clears its
    address bar's query while the server may still hold the previous page's, and a
    write of an equal query costs nothing (the browser ignores it).
    """
    seen = _seen()
    desired: dict[str, str] = {}
    for key, param, encode in st.session_state.get(_BOUND, {}).values():
        try:
            raw = encode()
        except Exception:  # noqa: BLE001 - a half-entered value is simply not written
            raw = None
        if raw is not None:
            desired[param] = raw
        seen[key] = raw
    st.query_params.from_dict(desired)


def remember(name: str, value: Any) -> None:
    """Keep a choice for the next pages of this session (a shop, a period)."""
    st.session_state.setdefault(_MEMORY, {})[name] = value


def recall(name: str, default: Any = None) -> Any:
    """A choice kept by `remember`, or `default`."""
    return st.session_state.get(_MEMORY, {}).get(name, default)


def encode_dates(value: Any) -> str | None:
    """A (first, last) pair of dates as "2026-11-01..2026-11-30"; None if incomplete."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        return None
    if not all(isinstance(d, date) for d in value):
        return None
    return f"{value[0].isoformat()}..{value[1].isoformat()}"


def parse_dates(raw: str | None) -> tuple[date, date] | None:
    """The inverse of `encode_dates`; None for anything else."""
    if not raw or ".." not in raw:
        return None
    first, _, last = raw.partition("..")
    try:
        pair = (date.fromisoformat(first), date.fromisoformat(last))
    except ValueError:
        return None
    return (min(pair), max(pair))


def _usable_dates(pair: Any, today: date) -> bool:
    """Dates a period picker's date input accepts (its range is about ten years back)."""
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        return False
    earliest = today.replace(year=today.year - 9, day=1)
    latest = date.fromordinal(today.toordinal() + 366)
    return all(isinstance(d, date) and earliest <= d <= latest for d in pair)


def restore_period(key: str, presets: Sequence[str], today: date) -> None:
    """Before a period picker's widgets: the URL's period if new, else the one kept."""
    preset_key, dates_key = f"{key}_preset", f"{key}_dates"
    raw = incoming(preset_key, "period")
    raw_dates = parse_dates(incoming(dates_key, "dates"))
    if raw in presets:
        st.session_state[preset_key] = raw
        if raw == "custom" and _usable_dates(raw_dates, today):
            st.session_state[dates_key] = raw_dates
        return
    if preset_key in st.session_state:
        return
    kept = recall("period")
    if kept and kept[0] in presets:
        st.session_state[preset_key] = kept[0]
        if _usable_dates(kept[1], today):
            st.session_state[dates_key] = tuple(kept[1])


def keep_period(key: str, preset: str, picked: Any, default: str) -> None:
    """After a period picker's widgets: keep the choice for other pages and the URL."""
    remember("period", (preset, picked))
    publish(f"{key}_preset", "period", lambda: None if preset == default else preset)
    publish(f"{key}_dates", "dates", lambda: encode_dates(picked) if preset == "custom" else None)


def month_period(key: str, months: Sequence[date], default: date) -> None:
    """A month-or-dates period form (Settlements, Reconciliation) kept in the URL.

    Call it before the form whose widgets are `{key}_mode` ("month" / "custom"),
    `{key}_month` (one of `months`) and `{key}_dates`. The URL says `month=2026-10`
    or `dates=2026-10-01..2026-10-15` (nothing for `default`, last month); the choice
    follows the user to the other page that has this form.
    """
    mode_key, month_key, dates_key = f"{key}_mode", f"{key}_month", f"{key}_dates"
    raw_month = incoming(month_key, "month")
    raw_dates = parse_dates(incoming(dates_key, "dates"))
    month = next((m for m in months if m.strftime("%Y-%m") == raw_month), None)
    if month is not None:
        st.session_state[mode_key] = "month"
        st.session_state[month_key] = month
    elif raw_dates is not None and _usable_dates(raw_dates, date.today()):
        st.session_state[mode_key] = "custom"
        st.session_state[dates_key] = raw_dates
    elif mode_key not in st.session_state:
        kept = recall("month_period")
        if kept and kept[0] in ("month", "custom") and kept[1] in months:
            st.session_state[mode_key], st.session_state[month_key] = kept[0], kept[1]
            if _usable_dates(kept[2], date.today()):
                st.session_state[dates_key] = tuple(kept[2])

    def encode_month() -> str | None:
        mode, picked = st.session_state.get(mode_key), st.session_state.get(month_key)
        remember("month_period", (mode, picked, st.session_state.get(dates_key)))
        if mode != "month" or picked == default or not isinstance(picked, date):
            return None
        return picked.strftime("%Y-%m")

    def encode_dates_if_custom() -> str | None:
        if st.session_state.get(mode_key) != "custom":
            return None
        return encode_dates(st.session_state.get(dates_key))

    publish(month_key, "month", encode_month)
    publish(dates_key, "dates", encode_dates_if_custom)


def fit_page(key: str, pages: int) -> None:
    """After a list counted its pages: a page number past the end (an old link, fewer
    rows since) becomes the last page, read again."""
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
        st.rerun()
