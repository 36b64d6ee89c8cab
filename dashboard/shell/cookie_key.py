"""The login cookie's signing key: random, ≥ 32 bytes, kept in git-ignored secrets.

`ensure_cookie_key` writes one on first run; `cookie_key` refuses a missing,
short or well-known key (the app shows `error.cookie_key` and stops).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from queries.core.settings import SECRETS_PATH

__all__ = ["WELL_KNOWN", "cookie_key", "ensure_cookie_key"]

MIN_BYTES = 32
WELL_KNOWN = {
    "some_key",
    "some_signature_key",
    "random_signature_key",
    "abcdef",
    "secret",
    "changeme",
    "change-me",
    "password",
    "cookie_key",
    "your_secret_key",
    "mallboard",
}


def _from_file(path: Path) -> str | None:
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return tomllib.load(fh).get("cookie_key")


def cookie_key(path: Path = SECRETS_PATH) -> str | None:
    """The configured key if it is acceptable, else None."""
    key = os.environ.get("MALLBOARD_COOKIE_KEY") or _from_file(path)
    if not key or len(key.encode("utf-8")) < MIN_BYTES or key.strip().lower() in WELL_KNOWN:
        return None
    if len(set(key)) < 8:  # "aaaa…" is long but not random
        return None
    return key


def ensure_cookie_key(path: Path = SECRETS_PATH) -> bool:
    """Write a fresh random key into secrets.toml if none is set; True if one was written."""
    if os.environ.get("MALLBOARD_COOKIE_KEY") or _from_file(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'cookie_key = "{secrets.token_urlsafe(48)}"\n'
    path.write_text(line + existing, encoding="utf-8")
    os.chmod(path, 0o600)
    return True
