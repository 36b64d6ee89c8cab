"""Promotions, reading: the list by state, one promotion, the running ones that overlap.

States are derived from `status` and the dates against now: `draft`,
`scheduled` (published, not started), `running`, `ended`, `cancelled`.
A vendor's promotions are their shop's and vendor-funded; an operator's are
platform promotions (no vendor, platform-funded, in a campaign). What may
change depends on the state (see `EDITABLE_BY_STATE`): a running promotion's
terms are frozen because orders have used them. The writes (create, edit, publish,
cancel) are in `queries.marketing.promotion_edits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from queries.core.actors import Actor, Scope
from queries.core.errors import NotFound
from queries.core.messages import text
from queries.core.schema import PROMOTION_KINDS, promotions, vendors
from queries.core.types import UTCDateTime, as_utc
from queries.marketing.promotion_terms import (
    EDITABLE_BY_STATE,
    KIND_FIELDS,
    STATES,
    UNSET,
    PromotionTerms,
    state_of,
    validate_terms,
)

__all__ = [
    "EDITABLE_BY_STATE",
    "KIND_FIELDS",
    "STATES",
    "UNSET",
    "PromotionTerms",
    "get_promotion",
    "list_promotions",
    "now_utc",
    "overlapping_running",
    "state_of",
    "validate_terms",
]


def _state_sql(now: datetime) -> sa.ColumnElement[str]:
    at = sa.bindparam("now", now, type_=UTCDateTime())
    p = promotions.c
    return sa.case(
        (p.status == "cancelled", "cancelled"),
        (p.status == "draft", "draft"),
        (p.starts_at > at, "scheduled"),
        (p.ends_at > at, "running"),
        else_="ended",
    )


def now_utc(now: datetime | None) -> datetime:
    """`now` in UTC, or the current time when None."""
    return as_utc(now) if now is not None else datetime.now(UTC)


# --- reading --------------------------------------------------------------------------

LIST_COLUMNS = (
    "promotion_id",
    "vendor_id",
    "vendor_name",
    "campaign",
    "name",
    "kind",
    "threshold_cents",
    "percent_off",
    "amount_off_cents",
    "funded_by",
    "budget_cents",
    "starts_at",
    "ends_at",
    "status",
    "state",
    "updated_at",
    "version",
)


def _visible(scope: Scope, include_platform: bool) -> sa.ColumnElement[bool]:
    if scope.is_mall:
        return sa.true()
    own = promotions.c.vendor_id == scope.vendor_id
    return sa.or_(own, promotions.c.vendor_id.is_(None)) if include_platform else own


def list_promotions(
    conn: sa.Connection,
    *,
    scope: Scope,
    states: Sequence[str] = (),
    kinds: Sequence[str] = (),
    include_platform: bool = True,
    platform_only: bool = False,
    now: datetime | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[pd.DataFrame, int]:
    """One page of promotions with their derived state, newest start first, and the total."""
    state = _state_sql(now_utc(now)).label("state")
    p = promotions.c
    query = (
        sa.select(*(c for c in promotions.c if c.name in LIST_COLUMNS), state)
        .add_columns(vendors.c.name.label("vendor_name"))
        .select_from(promotions.outerjoin(vendors, vendors.c.vendor_id == p.vendor_id))
        .where(_visible(scope, include_platform))
    )
    if platform_only:
        query = query.where(p.vendor_id.is_(None))
    wanted_states = [s for s in states if s in STATES]
    if wanted_states:
        query = query.where(state.in_(wanted_states))
    wanted_kinds = [k for k in kinds if k in PROMOTION_KINDS]
    if wanted_kinds:
        query = query.where(p.kind.in_(wanted_kinds))
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page, page_size = max(int(page), 1), min(max(int(page_size), 1), 500)
    rows = conn.execute(
        query.order_by(p.starts_at.desc(), p.promotion_id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).mappings()
    frame = pd.DataFrame(
        [{c: r[c] for c in LIST_COLUMNS} for r in rows], columns=list(LIST_COLUMNS)
    )
    for column in (
        "vendor_id",
        "threshold_cents",
        "percent_off",
        "amount_off_cents",
        "budget_cents",
    ):
        frame[column] = frame[column].astype("Int64")
    return frame, int(total)


def get_promotion(conn: sa.Connection, *, actor: Actor, promotion_id: int) -> dict:
    """One promotion the actor may see (its row plus `state`), or `NotFound`."""
    row = conn.execute(sa.select(promotions).where(promotions.c.promotion_id == promotion_id))
    found = row.mappings().first()
    if found is None or (
        actor.role == "vendor" and found["vendor_id"] not in (None, actor.vendor_id)
    ):
        raise NotFound(*text("error.marketing.promotion_not_found"))
    out = dict(found)
    out["state"] = state_of(out["status"], out["starts_at"], out["ends_at"], now_utc(None))
    return out


def overlapping_running(
    conn: sa.Connection,
    *,
    vendor_id: int | None,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
    exclude_id: int | None = None,
) -> pd.DataFrame:
    """Published, not yet ended promotions of the same shop and kind whose time overlaps."""
    p = promotions.c
    query = sa.select(p.promotion_id, p.name, p.starts_at, p.ends_at).where(
        p.status == "published",
        p.kind == kind,
        p.vendor_id.is_(None) if vendor_id is None else p.vendor_id == vendor_id,
        p.starts_at < as_utc(ends_at),
        p.ends_at > as_utc(starts_at),
        p.ends_at > now_utc(now),
    )
    if exclude_id is not None:
        query = query.where(p.promotion_id != exclude_id)
    rows = conn.execute(query.order_by(p.starts_at)).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["promotion_id", "name", "starts_at", "ends_at"]
    )
