"""One translation table for every visible string, in Chinese and English.

Strings live in `dashboard/strings/<area>.py`; this module merges them (a key
defined twice is an error) and looks them up in the session's language, which
defaults to the browser's locale and is switched in the sidebar.

Data is text: `t()` inserts every string value through `literal()`, which escapes it
for Streamlit's Markdown, so a heading made with `t(key, name=shop_name)` shows a shop named
`**b**` as typed. Its result is a `Literal` (Markdown-safe), which later `t()` and
`literal()` calls leave alone. For the few places that are not Markdown (table cells,
select-box options, chart labels, file names), `t_plain()` or `plain()` gives the same
text unescaped.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

import streamlit as st

import dashboard.strings as strings_package
from exports.strings import STRINGS
from queries.core.messages import MESSAGES

__all__ = [
    "LANGS",
    "Literal",
    "all_strings",
    "choose_placeholder",
    "lang",
    "literal",
    "localized",
    "pick",
    "plain",
    "set_lang",
    "status_label",
    "t",
    "t_plain",
    "tn",
    "tn_plain",
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


class Literal(str):
    """Text that is safe to place in Streamlit's Markdown as it is.

    Made by `literal()` (a value escaped) and by `t()` (our own string with escaped
    values); `t()` and `literal()` never escape it again. `.plain` is the same text as a
    person reads it, for places that are not Markdown. Any string operation (`+`, an
    f-string) gives a plain `str` again, which the next `t()` escapes: safe, if visible.
    """

    plain: str

    def __new__(cls, markdown: str, plain: str | None = None) -> Literal:
        made = super().__new__(cls, markdown)
        made.plain = str(markdown) if plain is None else plain
        return made

    def __reduce__(self):  # pickled (session state, caches) with its plain text
        return (Literal, (str(self), self.plain))


_MARKDOWN_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Streamlit turns " -- " into a dash, "->" into an arrow, ":smile:" into an emoji in the text
# it has already parsed; a zero-width space between the two characters keeps them as typed.
_TYPOGRAPHY = re.compile(r"(?<=[-<>~])(?=[->=])|(?<=:)(?=[A-Za-z_+-])")


def literal(text: object) -> Literal:
    """Text users or the platform wrote (a name, a reason, a value) made safe for Markdown.

    Every ASCII punctuation mark is backslash-escaped, so `**x**`, `[a](b)`, `$x$`,
    `:red[x]` or `<b>` show exactly as typed inside `st.markdown`, `st.error`, a widget's
    label, a radio's options, etc. Text already made safe (a `Literal`) is returned as is.
    """
    if isinstance(text, Literal):
        return text
    typed = str(text)
    return Literal(_MARKDOWN_PUNCTUATION.sub(r"\\\1", _TYPOGRAPHY.sub("\u200b", typed)), typed)


def plain(text: object) -> str:
    """Text as a person reads it: a `Literal`'s unescaped form, anything else as `str`.

    For places Streamlit does not read as Markdown: table cells and headers, select-box
    and multiselect options, `st.text`, `st.code`, file names, chart labels.
    """
    return text.plain if isinstance(text, Literal) else str(text)


def _template(key: str) -> str | None:
    pair = all_strings().get(key)
    if pair is None:
        return None
    return pair[0] if lang() == "zh" else pair[1]


def t(key: str, **fmt: object) -> Literal:
    """The string for `key` in the session's language, formatted with `fmt`.

    Every `str` value is inserted through `literal()` (numbers, dates and other values
    as the format makes them), so the result is safe Markdown whatever the data holds.
    """
    text = _template(key)
    if text is None:
        return Literal(key)  # a missing key shows itself; tests/test_i18n.py keeps them all defined
    if not fmt:
        return Literal(text)
    escaped = {k: literal(v) if isinstance(v, str) else v for k, v in fmt.items()}
    unescaped = {k: plain(v) if isinstance(v, str) else v for k, v in fmt.items()}
    return Literal(text.format(**escaped), text.format(**unescaped))


def t_plain(key: str, **fmt: object) -> str:
    """`t()` for a place that is not Markdown (a table cell, a select-box option, a chart):
    the values inserted as they are."""
    return t(key, **fmt).plain


def _count_key(key: str, count: int) -> str:
    return f"{key}.one" if count == 1 and f"{key}.one" in all_strings() else key


def tn(key: str, count: int, /, **fmt: object) -> Literal:
    """`t(key)` for a count: the `key + ".one"` variant when `count` is 1 and it exists.

    English needs "1 product" beside "2 products"; Chinese has one form, so its
    `.one` text may equal the plain key's. `count` is also passed to the format,
    unless the caller gives its own (grouped) text: `tn(key, n, count=number(n))`.
    """
    return t(_count_key(key, count), **{"count": count, **fmt})


def tn_plain(key: str, count: int, /, **fmt: object) -> str:
    """`tn()` for a place that is not Markdown."""
    return tn(key, count, **fmt).plain


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
