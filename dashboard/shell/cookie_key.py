"""The session cookie's signing key: random, ≥ 32 bytes, kept in git-ignored secrets.

`ensure_cookie_key` writes one on first run; `cookie_problem` says why a key is
refused — missing, short, repetitive, sequential or made of words — from zxcvbn's
estimate of how many guesses it takes (the app shows the reason and stops).
"""

from __future__ import annotations

import functools
import math
import os
import secrets
import tomllib
from pathlib import Path

from queries.core.settings import SECRETS_PATH

__all__ = ["MIN_BITS", "configured_key", "cookie_key", "cookie_problem", "ensure_cookie_key"]

MIN_BYTES = 32
MIN_BITS = 128  # zxcvbn's guesses, as bits: a random 32-byte key is far above it
# zxcvbn's pattern names → the reason shown (keys of dashboard/strings/common.py).
_PATTERNS = {
    "repeat": "error.cookie_key.repeat",
    "sequence": "error.cookie_key.sequence",
    "dictionary": "error.cookie_key.words",
    "spatial": "error.cookie_key.keyboard",
    "date": "error.cookie_key.dates",
}


def _from_file(path: Path) -> str | None:
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return tomllib.load(fh).get("cookie_key")


def configured_key(path: Path = SECRETS_PATH) -> str | None:
    """The key as configured (environment, else secrets.toml), acceptable or not."""
    return _configured(path)


def _configured(path: Path) -> str | None:
    return os.environ.get("MALLBOARD_COOKIE_KEY") or _from_file(path)


@functools.lru_cache(maxsize=8)
def cookie_problem(key: str | None) -> tuple[str, dict] | None:
    """Why `key` may not sign cookies, as (strings key, its values); None if it may.

    Remembered per key: every run checks the configured key, and zxcvbn's estimate was
    a twelfth of a page run's time under load.
    """
    if not key:
        return "error.cookie_key.missing", {}
    if len(key.encode("utf-8")) < MIN_BYTES:
        return "error.cookie_key.short", {"length": MIN_BYTES}
    from zxcvbn import zxcvbn

    estimate = zxcvbn(key[:100])  # zxcvbn's time grows with length; 100 characters suffice
    bits = float(estimate["guesses_log10"]) * math.log2(10)
    if bits >= MIN_BITS:
        return None
    # The weakest part that made the estimate low names the reason.
    patterns = [m["pattern"] for m in estimate["sequence"] if m["pattern"] in _PATTERNS]
    reason = _PATTERNS[patterns[0]] if patterns else "error.cookie_key.low_entropy"
    return reason, {"bits": int(bits), "needed": MIN_BITS}


def cookie_key(path: Path = SECRETS_PATH) -> str | None:
    """The configured key if it is acceptable, else None."""
    key = _configured(path)
    return None if cookie_problem(key) else key


def ensure_cookie_key(path: Path = SECRETS_PATH) -> bool:
    """Write a fresh random key into secrets.toml if none is set; True if one was written."""
    if _configured(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'cookie_key = "{secrets.token_urlsafe(48)}"\n'
    path.write_text(line + existing, encoding="utf-8")
    os.chmod(path, 0o600)
    return True
