"""Cached reads of the Promotions page (list with results, one promotion, overlaps) and writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import engine, read_engine, reread, settings
from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict
from queries.marketing import promotion_edits as edits
from queries.marketing import promotions as q
from queries.marketing.campaigns import promotion_results

__all__ = [
    "PromotionFilter",
    "cancel",
    "create",
    "overlaps",
    "promotion_page",
    "publish",
    "update",
]


@dataclass(frozen=True)
class PromotionFilter:
    """What the filter form asked for."""

    states: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    platform_only: bool = False


@cached(ttl=120, topics=("promotions",), max_entries=256)
def promotion_page(
    vendor_id: int | None, filters: PromotionFilter, page: int, page_size: int
) -> tuple[pd.DataFrame, int]:
    """One page of promotions with their state and whole-life results (for the scope's orders)."""
    scope = Scope(vendor_id)
    with read_engine().connect() as conn:
        frame, total = q.list_promotions(
            conn,
            scope=scope,
            states=filters.states,
            kinds=filters.kinds,
            platform_only=filters.platform_only,
            now=datetime.now(UTC),
            page=page,
            page_size=page_size,
        )
        results = promotion_results(
            conn,
            scope=scope,
            promotion_ids=[int(i) for i in frame["promotion_id"]],
            tz=settings().timezone,
        )
    wanted = ["promotion_id", "paid_orders", "gmv_cents", "discount_cents", "roi"]
    merged = frame.merge(results[wanted], on="promotion_id", how="left")
    return merged, total


def overlaps(
    vendor_id: int | None, kind: str, starts_at: datetime, ends_at: datetime, exclude_id: int | None
) -> pd.DataFrame:
    """Running promotions of the same shop and kind overlapping the given time (not cached)."""
    with read_engine().connect() as conn:
        return q.overlapping_running(
            conn,
            vendor_id=vendor_id,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_id=exclude_id,
        )


def one(actor: Actor, promotion_id: int) -> dict:
    """One promotion the actor may see (fresh from the database)."""
    with read_engine().connect() as conn:
        return q.get_promotion(conn, actor=actor, promotion_id=promotion_id)


def create(actor: Actor, **fields) -> int:
    """`queries.marketing.promotion_edits.create_promotion` on the app's engine."""
    return edits.create_promotion(engine(), actor, **fields)


def _fresh_on_conflict(write, *args, **kwargs) -> int:
    """A write; on a conflict the page showed old values, so its cached reads are dropped."""
    try:
        return write(engine(), *args, **kwargs)
    except Conflict:
        reread(("promotions",))
        raise


def update(actor: Actor, promotion_id: int, **fields) -> int:
    """`queries.marketing.promotion_edits.update_promotion` on the app's engine."""
    return _fresh_on_conflict(edits.update_promotion, actor, promotion_id, **fields)


def publish(actor: Actor, promotion_id: int, *, expected_version: int) -> int:
    """`queries.marketing.promotion_edits.publish_promotion` on the app's engine."""
    return _fresh_on_conflict(
        edits.publish_promotion, actor, promotion_id, expected_version=expected_version
    )


def cancel(actor: Actor, promotion_id: int, *, expected_version: int, reason: str | None) -> int:
    """`queries.marketing.promotion_edits.cancel_promotion` on the app's engine."""
    return _fresh_on_conflict(
        edits.cancel_promotion,
        actor,
        promotion_id,
        expected_version=expected_version,
        reason=reason,
    )
