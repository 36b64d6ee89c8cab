"""One bench module's section of a Markdown report, kept between its own markers.

Each module that writes into docs/performance.md (or bench/FINDINGS.md) owns one
section: `<!-- bench.x: start -->`, its heading, its lines, `<!-- bench.x: end -->`.
A rerun replaces that section and nothing else.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_section"]


def write_section(path: Path, lines: list[str], *, start: str, end: str, heading: str) -> None:
    """Replace the section in `path` (between `start` and `end`, else from `heading` to the
    next heading or marker), or append it."""
    section = "\n".join(lines) + "\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
    elif heading in text.splitlines():
        # Written by hand without markers: the heading up to the next section is replaced.
        head, rest = text.split(heading + "\n", 1)
        kept = rest.splitlines(keepends=True)
        cut = next(
            (i for i, line in enumerate(kept) if line.startswith(("## ", "<!--"))), len(kept)
        )
        tail = "".join(kept[cut:])
    else:
        head, tail = text.rstrip("\n") + ("\n\n" if text.strip() else ""), ""
    text = head + section + ("\n" + tail if tail else "")
    path.write_text(text, encoding="utf-8")
