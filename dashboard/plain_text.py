"""Text that users wrote, made safe to put inside a Markdown sentence.

Streamlit renders alerts, subheaders and `st.markdown` as Markdown (with emoji
shortcodes, colour directives and `$…$` maths). A company name such as
`*Best* Co. [2]` must show exactly as typed: `literal()` backslash-escapes
every character that could start a Markdown construct (CommonMark renders an
escaped ASCII punctuation character as itself). Where no sentence is needed,
prefer `st.text`, which never parses Markdown.
"""

from __future__ import annotations

import re

__all__ = ["literal", "unescape"]

# Inline constructs anywhere in a line; block constructs only at a line's start.
_INLINE = re.compile(r"([\\`*_\[\]<>$~:&|])")
_LINE_START = re.compile(r"^(\s*\d*)([#>+=-]|(?<=\d)[.)])", re.MULTILINE)


def literal(text: object) -> str:
    """`text` escaped so that Markdown shows it as typed."""
    escaped = _INLINE.sub(r"\\\1", str(text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def unescape(markdown: str) -> str:
    """What a reader sees of `literal(text)` (and of any backslash escape): for tests."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
