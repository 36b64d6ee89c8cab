"""Cached reads and the status write of the Merchants page.

The list is cleared by the `vendors` topic (a status change or a new shop);
its 30-day figures come from orders the console never writes, so a TTL keeps
them fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import engine, read_engine, reread, settings
from queries.core.actors import Actor
from queries.core.errors import Conflict, NotFound
from queries.merchants.vendors import merchant_list, set_vendor_status

__all__ = ["merchants", "set_status"]


@cached(ttl=300, topics=("vendors",), max_entries=64)
def _merchants(search: str, statuses: tuple[str, ...], now: datetime, tz: str) -> pd.DataFrame:
    with read_engine().connect() as conn:
        return merchant_list(conn, search=search, statuses=statuses, now=now, tz=tz)


def merchants(search: str = "", statuses: Sequence[str] = ()) -> pd.DataFrame:
    """Every shop matching the filters, with main category and its last 30 days."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)  # one entry per hour
    return _merchants(search.strip(), tuple(statuses), now, settings().timezone)


def set_status(actor: Actor, vendor_id: int, **kwargs) -> None:
    """Suspend, reactivate or close a shop (never cached).

    A refusal because the shop changed meanwhile (perhaps outside this server, which
    announced nothing) clears the cached list, so that the page redraws the shop as it
    is now instead of offering the same refused change again.
    """
    try:
        set_vendor_status(engine(), actor, vendor_id, tz=settings().timezone, **kwargs)
    except (Conflict, NotFound):
        reread(("vendors",))
        raise
