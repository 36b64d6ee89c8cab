"""Password rules, hashing and one-time passwords.

Hashes are bcrypt's, as streamlit-authenticator makes them (`$2b$12$…`), so hashes
from the old accounts file import unchanged. Common passwords come from zxcvbn's
maintained frequency list (30,000 leaked passwords), and its estimate refuses
ones that are easy to guess in other ways (repeats, sequences, the username).
"""

from __future__ import annotations

import secrets
from functools import cache

import bcrypt

from queries.core.errors import Invalid
from queries.core.messages import text

__all__ = [
    "MAX_BYTES",
    "MIN_LENGTH",
    "check_new_password",
    "has_control_characters",
    "hash_password",
    "one_time_password",
    "password_matches",
]

MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt reads no further: longer passwords would match on their start
# zxcvbn's estimate, log10 of guesses: 10^8 is minutes offline, far below a person's
# ten-character passphrase ("demo-shop-big" scores 12.5).
MIN_GUESSES_LOG10 = 8


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a control character (tab and line breaks included)."""
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value)


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, *, username: str = "") -> None:
    """Raise `Invalid` (with the reason) unless `password` may be set."""
    if has_control_characters(password):
        raise Invalid(*text("error.console.passwords.control_characters"))
    if len(password) < MIN_LENGTH:
        raise Invalid(*text("error.console.passwords.too_short", length=MIN_LENGTH))
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise Invalid(*text("error.console.passwords.too_long", length=MAX_BYTES))
    if password.lower() in _common():
        raise Invalid(*text("error.console.passwords.common"))
    from zxcvbn import zxcvbn

    if zxcvbn(password, user_inputs=[username] if username else [])["guesses_log10"] < (
        MIN_GUESSES_LOG10
    ):
        raise Invalid(*text("error.console.passwords.guessable"))


def hash_password(password: str, *, rounds: int = 12) -> str:
    """A bcrypt hash of `password` (cost 12, as streamlit-authenticator's `Hasher`)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


@cache
def _decoy_hash() -> bytes:
    return bcrypt.hashpw(b"no account has this password", bcrypt.gensalt(rounds=12))


def password_matches(password: str, password_hash: str | None) -> bool:
    """Whether `password` matches `password_hash`; with no hash (an unknown username) a
    decoy is checked instead, so the answer takes as long as for a real account."""
    candidate = password.encode("utf-8")[:MAX_BYTES]
    if not password_hash:
        bcrypt.checkpw(candidate, _decoy_hash())
        return False
    try:
        return bcrypt.checkpw(candidate, password_hash.encode("ascii"))
    except ValueError:  # a malformed hash in the table matches nothing
        bcrypt.checkpw(candidate, _decoy_hash())
        return False


def one_time_password() -> str:
    """A random password to be changed at the first login (16 characters, 96 bits)."""
    return secrets.token_urlsafe(12)
