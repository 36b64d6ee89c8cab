"""The audit trail: every write inserts its `audit_log` row in the same transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from queries.actors import Actor
from queries.schema import audit_log

__all__ = ["record"]


def _json(value: dict | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    conn: sa.Connection,
    actor: Actor,
    *,
    action: str,
    entity: str,
    entity_id: object,
    vendor_id: int | None,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> int:
    """Insert one audit row on `conn` (inside the caller's transaction); return its id."""
    result = conn.execute(
        audit_log.insert().values(
            at=at or datetime.now(UTC),
            actor=actor.username,
            role=actor.role,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            vendor_id=vendor_id,
            reason=reason,
            before=_json(before),
            after=_json(after),
        )
    )
    return result.inserted_primary_key[0]
