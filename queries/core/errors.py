"""Errors a user can cause, each carrying its message in Chinese and English.

Pages catch `UserError` and show `message(lang)`; shell tools print it. A bare
database error never reaches a user: write functions translate them into these.

Trouble with the database itself while a statement runs (it is down, busy, or the
statement ran past the time limit) is a `DatabaseTrouble` instead, raised by every
engine of `queries.core.db.connect_engine`: not a `UserError`, so a page's own
`except UserError` lets it through to the app's database-trouble page; an
`SQLAlchemyError`, so shell tools' database handlers print its sentence.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

__all__ = [
    "Conflict",
    "DatabaseBusy",
    "DatabaseDown",
    "DatabaseTrouble",
    "DatabaseUnavailable",
    "Forbidden",
    "Invalid",
    "MissingContract",
    "NoDatabaseFile",
    "NotADatabase",
    "NotFound",
    "QueryTimeout",
    "UserError",
]


class UserError(Exception):
    """An error whose message is meant for the person who caused it."""

    def __init__(self, zh: str, en: str | None = None, *, details: object = None) -> None:
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh
        self.details = details

    def message(self, lang: str = "en") -> str:
        """The message in `lang` (`zh` or `en`)."""
        return self.zh if lang == "zh" else self.en


class NotFound(UserError):
    """The row does not exist, or is outside the actor's scope (the two look the same)."""


class Forbidden(UserError):
    """The actor's role may not do this."""


class Conflict(UserError):
    """Someone else changed the row since the user saw it; `details` holds the current values."""


class Invalid(UserError):
    """The input breaks a rule; `details` may map fields or rows to their messages."""


class DatabaseUnavailable(UserError):
    """The database cannot be opened (`connect_engine`): unreachable, or the setting is wrong."""


class NoDatabaseFile(DatabaseUnavailable):
    """A `sqlite:///` path names no file (nothing is created there)."""


class NotADatabase(DatabaseUnavailable):
    """The file a `sqlite:///` path names is not a SQLite database."""


class DatabaseTrouble(SQLAlchemyError):
    """A statement failed for the database's own reasons; `message(lang)` says so."""

    def __init__(self, zh: str, en: str | None = None) -> None:
        super().__init__(en or zh)
        self.zh = zh
        self.en = en or zh

    def message(self, lang: str = "en") -> str:
        """The message in `lang` (`zh` or `en`)."""
        return self.zh if lang == "zh" else self.en


class DatabaseDown(DatabaseTrouble):
    """The database stopped answering (down, refusing connections, gone): retry later."""


class DatabaseBusy(DatabaseTrouble):
    """Another program holds the database's lock (SQLite) longer than the app waits."""


class QueryTimeout(DatabaseTrouble):
    """A statement ran past the time limit and was stopped (its transaction rolled back)."""


class MissingContract(UserError):
    """The database lacks contract tables or columns; `details` lists them."""
