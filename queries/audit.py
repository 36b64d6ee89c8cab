"""The audit trail: every write inserts its `audit_log` row in the same transaction.

`record` writes one row; `audit_entries` reads a page of the trail for the
audit page, limited to what the viewer may see (`AuditScope.for_actor`), with
the names of what each row touched (shop, product, promotion, statement and its
period, application's company) joined in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from queries.core.actors import Actor
from queries.core.periods import TimeRange
from queries.core.schema import (
    audit_log,
    products,
    promotions,
    settlements,
    supplier_applications,
    vendors,
)

__all__ = [
    "AUDIT_COLUMNS",
    "ENTITY_TYPES",
    "NAMED_COLUMNS",
    "AuditChoices",
    "AuditScope",
    "audit_actions",
    "audit_choices",
    "audit_entries",
    "latest_reasons",
    "record",
]


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


# --- reading the trail ----------------------------------------------------------------


VENDOR_HIDDEN_ACTIONS = ("settlement.issue", "settlement.adjust", "settlement.discard")


@dataclass(frozen=True)
class AuditScope:
    """Which audit rows a viewer may read: one shop's, one action family, or all."""

    vendor_id: int | None = None
    action_prefix: str | None = None
    hidden_actions: tuple[str, ...] = ()

    @classmethod
    def for_actor(cls, actor: Actor) -> AuditScope:
        """Operators read everything; a vendor their own shop; finance the settlement actions."""
        if actor.role == "vendor":
            # Drafts are finance's: their issue / adjust / discard rows carry draft totals.
            return cls(vendor_id=actor.vendor_id, hidden_actions=VENDOR_HIDDEN_ACTIONS)
        if actor.role == "finance":
            return cls(action_prefix="settlement.")
        return cls()


AUDIT_COLUMNS = (
    "audit_id",
    "at",
    "actor",
    "role",
    "action",
    "entity",
    "entity_id",
    "vendor_id",
    "reason",
    "before",
    "after",
)
# What the trail's rows are joined to: the entity's name, the shop's name, a statement's period.
NAMED_COLUMNS = ("entity_name", "shop_name", "period_start", "period_end")

# The entity types the console writes (`record(entity=…)`), in the filter's order.
ENTITY_TYPES = ("product", "promotion", "settlement", "vendor", "supplier_application")


def _audit_filters(
    *,
    scope: AuditScope,
    actor_filter: str | None,
    action_prefix: str | None,
    vendor_id: int | None,
    period: TimeRange | None,
    action: str | None = None,
    entity: str | None = None,
    actor: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """One WHERE term per filled filter; the scope's own limits always apply."""
    a = audit_log.c
    terms: list[sa.ColumnElement[bool]] = []
    if scope.vendor_id is not None:
        terms.append(a.vendor_id == scope.vendor_id)
    if scope.action_prefix:
        terms.append(a.action.startswith(scope.action_prefix, autoescape=True))
    if scope.hidden_actions:
        terms.append(a.action.not_in(scope.hidden_actions))
    if vendor_id is not None and scope.vendor_id is None:
        terms.append(a.vendor_id == vendor_id)
    if actor_filter and actor_filter.strip():
        terms.append(a.actor.icontains(actor_filter.strip(), autoescape=True))
    if action_prefix and action_prefix.strip():
        terms.append(a.action.startswith(action_prefix.strip(), autoescape=True))
    if action:
        terms.append(a.action == action)
    if entity:
        terms.append(a.entity == entity)
    if actor:
        terms.append(a.actor == actor)
    if period is not None:
        terms.extend([a.at >= period.start, a.at < period.end])
    return terms


def _entity_key(entity_id: sa.ColumnElement, entity: sa.ColumnElement, kind: str, dialect: str):
    """The row's `entity_id` as an integer key when the row is about `kind`, else NULL.

    `entity_id` is text; the cast only runs on digits (PostgreSQL would raise on
    anything else), so a key joins the entity table's primary key by its index.
    """
    if dialect == "postgresql":
        digits = entity_id.regexp_match("^[0-9]{1,18}$")
    else:
        digits = sa.and_(entity_id != "", entity_id.op("NOT GLOB", is_comparison=True)("*[^0-9]*"))
    return sa.case((sa.and_(entity == kind, digits), sa.cast(entity_id, sa.BigInteger)), else_=None)


def _named(page: sa.Subquery, dialect: str) -> sa.Select:
    """The page's rows with the names of what they touched (LEFT JOINs: a row never drops).

    A product, promotion or statement is only named when it is still the same
    shop's (ids of discarded drafts may be reused on SQLite).
    """
    p = page.c
    product, promotion = products.alias("product"), promotions.alias("promotion")
    statement = settlements.alias("statement")
    shop_entity, shop = vendors.alias("shop_entity"), vendors.alias("shop")
    application = supplier_applications.alias("application")

    def key(kind: str):
        return _entity_key(p.entity_id, p.entity, kind, dialect)

    joined = (
        page.outerjoin(
            product,
            sa.and_(product.c.product_id == key("product"), product.c.vendor_id == p.vendor_id),
        )
        .outerjoin(
            promotion,
            sa.and_(
                promotion.c.promotion_id == key("promotion"),
                promotion.c.vendor_id.is_not_distinct_from(p.vendor_id),
            ),
        )
        .outerjoin(
            statement,
            sa.and_(
                statement.c.settlement_id == key("settlement"),
                statement.c.vendor_id == p.vendor_id,
            ),
        )
        .outerjoin(shop_entity, shop_entity.c.vendor_id == key("vendor"))
        .outerjoin(application, application.c.application_id == key("supplier_application"))
        .outerjoin(shop, shop.c.vendor_id == p.vendor_id)
    )
    return (
        sa.select(
            *(p[name] for name in AUDIT_COLUMNS),
            sa.func.coalesce(
                product.c.name, promotion.c.name, shop_entity.c.name, application.c.company_name
            ).label("entity_name"),
            shop.c.name.label("shop_name"),
            statement.c.period_start,
            statement.c.period_end,
        )
        .select_from(joined)
        .order_by(p.at.desc(), p.audit_id.desc())
    )


def audit_entries(
    conn: sa.Connection,
    *,
    scope: AuditScope,
    actor_filter: str | None = None,
    action_prefix: str | None = None,
    vendor_id: int | None = None,
    period: TimeRange | None = None,
    action: str | None = None,
    entity: str | None = None,
    actor: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[pd.DataFrame, int]:
    """One page of audit rows, newest first, and how many rows match in all.

    `vendor_id` narrows an operator's view to one shop; a vendor's scope is
    always their own shop whatever is asked. `action`, `entity` and `actor`
    are exact matches (the filters' choices). Paged in SQL: the
    `audit_log (vendor_id, at)` index serves a shop's trail; only the page's
    rows are then joined to the names of what they touched (`NAMED_COLUMNS`).
    """
    terms = _audit_filters(
        scope=scope,
        actor_filter=actor_filter,
        action_prefix=action_prefix,
        vendor_id=vendor_id,
        period=period,
        action=action,
        entity=entity,
        actor=actor,
    )
    total = conn.execute(
        sa.select(sa.func.count()).select_from(audit_log).where(*terms)
    ).scalar_one()
    page = max(int(page), 1)
    page_size = min(max(int(page_size), 1), 50_000)
    one_page = (
        sa.select(*(audit_log.c[name] for name in AUDIT_COLUMNS))
        .where(*terms)
        .order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
        .subquery("page")
    )
    rows = conn.execute(_named(one_page, conn.dialect.name)).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=[*AUDIT_COLUMNS, *NAMED_COLUMNS], dtype=object
    )
    frame["vendor_id"] = frame["vendor_id"].astype("Int64")
    if not frame.empty:
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame, int(total)


def audit_actions(conn: sa.Connection, *, scope: AuditScope) -> list[str]:
    """The distinct actions a viewer's scope holds, for the action filter."""
    return _distinct(conn, scope, audit_log.c.action)


@dataclass(frozen=True)
class AuditChoices:
    """What the filters offer: the actions, entity types and people of the viewer's trail."""

    actions: tuple[str, ...]
    entities: tuple[str, ...]
    people: tuple[str, ...]


def audit_choices(conn: sa.Connection, *, scope: AuditScope) -> AuditChoices:
    """The distinct actions, entity types and actors within the viewer's scope."""
    return AuditChoices(
        actions=tuple(_distinct(conn, scope, audit_log.c.action)),
        entities=tuple(_distinct(conn, scope, audit_log.c.entity)),
        people=tuple(_distinct(conn, scope, audit_log.c.actor)),
    )


def _distinct(conn: sa.Connection, scope: AuditScope, column: sa.Column) -> list[str]:
    terms = _audit_filters(
        scope=scope, actor_filter=None, action_prefix=None, vendor_id=None, period=None
    )
    rows = conn.execute(sa.select(column).where(*terms).group_by(column).order_by(column))
    return [r[0] for r in rows]


def latest_reasons(
    conn: sa.Connection,
    *,
    action: str,
    entity: str,
    entity_ids: list[int] | list[str],
    vendor_id: int | None = None,
) -> dict[str, str | None]:
    """The reason of the newest `action` row of each entity id (e.g. why a product was banned).

    `audit_log` is the only place a ban reason is kept: the contract has no
    column for it. Pass the shop's `vendor_id` where known so the
    `(vendor_id, at)` index narrows the search.
    """
    ids = sorted({str(i) for i in entity_ids})
    if not ids:
        return {}
    a = audit_log.c
    out: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        terms = [a.action == action, a.entity == entity, a.entity_id.in_(chunk)]
        if vendor_id is not None:
            terms.append(a.vendor_id == vendor_id)
        newest = (
            sa.select(a.entity_id, sa.func.max(a.audit_id).label("audit_id"))
            .where(*terms)
            .group_by(a.entity_id)
            .subquery()
        )
        rows = conn.execute(
            sa.select(a.entity_id, a.reason).join(newest, newest.c.audit_id == a.audit_id)
        )
        out.update((row.entity_id, row.reason) for row in rows)
    return out
