"""Progress lines of the bench commands on stderr: `[bench.x HH:MM:SS] …`."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

__all__ = ["progress"]


def progress(name: str) -> Callable[[str], None]:
    """A `say(line)` that writes `[name HH:MM:SS] line` to stderr at once."""

    def say(line: str) -> None:
        sys.stderr.write(f"[{name} {time.strftime('%H:%M:%S')}] {line}\n")
        sys.stderr.flush()

    return say
