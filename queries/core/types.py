"""Column types shared by the contract: UTC timestamps and database-generated keys.

Timestamps are stored in UTC (`TIMESTAMP WITH TIME ZONE` on PostgreSQL, the
six-fraction-digit text SQLAlchemy writes on SQLite). `UTCDateTime` makes both
look the same to Python: it takes aware datetimes and always returns aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

__all__ = ["BigKey", "UTCDateTime", "as_utc"]


def as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime; naive values are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and returned as an aware UTC datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        utc = as_utc(value)
        # SQLite's DATETIME storage ignores tzinfo: hand it the UTC wall time.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return as_utc(value)


# A 64-bit key that is still SQLite's rowid alias (INTEGER PRIMARY KEY).
BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
