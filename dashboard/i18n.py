"""One translation table for every visible string, in Chinese and English.

Strings live in `dashboard/strings/<area>.py`; this module merges them (a key
defined twice is an error) and looks them up in the session's language, which
defaults to the browser's locale and is switched in the sidebar.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

import streamlit as st

import dashboard.strings as strings_package
from exports.strings import STRINGS
from queries.core.messages import MESSAGES

__all__ = [
    "LANGS",
    "all_strings",
    "choose_placeholder",
    "lang",
    "localized",
    "pick",
    "set_lang",
    "status_label",
    "t",
    "tn",
]

LANGS = ("zh", "en")
T = TypeVar("T")


@lru_cache(maxsize=1)
def all_strings() -> dict[str, tuple[str, str]]:
    """Every (zh, en) pair of every strings module, the queries' messages and the workbooks'
    strings, merged; duplicate keys raise."""
    table: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(strings_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{strings_package.__name__}.{info.name}")
        for key, pair in getattr(module, "STRINGS", {}).items():
            if key in table:
                raise KeyError(f"translation key {key!r} is defined twice ({info.name})")
            table[key] = pair
    for where, extra in (("queries.core.messages", MESSAGES), ("exports.strings", STRINGS)):
        for key, pair in extra.items():
            if key in table:
                raise KeyError(f"translation key {key!r} is defined twice ({where})")
            table[key] = pair
    return table


def _browser_lang() -> str:
    try:
        locale = st.context.locale or ""
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        locale = ""
    return "zh" if locale.lower().startswith("zh") else "en"


def lang() -> str:
    """The session's language: `zh` or `en`."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = _browser_lang()
    return st.session_state["lang"]


def set_lang(value: str) -> None:
    """Switch the session's language."""
    if value in LANGS:
        st.session_state["lang"] = value


def pick(zh: T, en: T) -> T:
    """The Chinese or the English one of two, by the session's language (a message pair, …)."""
    return zh if lang() == "zh" else en


def localized(column: str) -> str:
    """The data column in the session's language: `column` (Chinese) or `column_en`."""
    return pick(column, f"{column}_en")


def t(key: str, **fmt: object) -> str:
    """The string for `key` in the session's language, formatted with `fmt`."""
    pair = all_strings().get(key)
    if pair is None:
        return key  # a missing key shows itself; tests/test_i18n.py keeps them all defined
    text = pair[0] if lang() == "zh" else pair[1]
    return text.format(**fmt) if fmt else text


def tn(key: str, count: int, /, **fmt: object) -> str:
    """`t(key)` for a count: the `key + ".one"` variant when `count` is 1 and it exists.

    English needs "1 product" beside "2 products"; Chinese has one form, so its
    `.one` text may equal the plain key's. `count` is also passed to the format,
    unless the caller gives its own (grouped) text: `tn(key, n, count=number(n))`.
    """
    chosen = f"{key}.one" if count == 1 and f"{key}.one" in all_strings() else key
    return t(chosen, **{"count": count, **fmt})


def choose_placeholder(options: Sequence[object] | None = None, *, many: bool = False) -> str:
    """A select box's or multiselect's placeholder in the session's language.

    Streamlit's own ("Choose options", "No options to select") are English only.
    """
    if options is not None and len(options) == 0:
        return t("widget.no_options")
    return t("widget.choose_options" if many else "widget.choose_option")


def status_label(kind: str, code: str | None) -> str:
    """A status code (`on_sale`, `paid`, …) as words; `kind` is the table (`product`, …)."""
    if code is None:
        return "—"
    return t(f"status.{kind}.{code}")
