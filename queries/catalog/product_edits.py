"""Products, writing: one product's edit and the all-or-nothing bulk edit.

Vendors change price, stock and on sale / off shelf of their own products;
operators ban a product (with a reason) and lift a ban. The checks are
`queries.catalog.products.check_changes`. Every write is optimistic (`version`),
audited in the same transaction, and announced with `changed("products")` after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from queries import audit
from queries.catalog.products import (
    ProductChange,
    change_value_error,
    check_changes,
    current_products,
    editable_state,
)
from queries.core import messages
from queries.core.actors import Actor
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.messages import text
from queries.core.money import yuan
from queries.core.schema import products
from queries.core.validation import PRODUCT_STATUS_LABELS, TEXT_RULES, parse_text

__all__ = ["ProductChange", "bulk_update_products", "update_product"]


def _action(actor: Actor, after: dict, default: str) -> str:
    if actor.role == "operator":
        return "product.ban" if after.get("status") == "banned" else "product.unban"
    return default


def _write(
    conn: sa.Connection, actor: Actor, change: ProductChange, row: dict, before, after, action
):
    """The conditional UPDATE of one row and its audit row; Conflict if someone came first."""
    values = dict(after, version=products.c.version + 1, updated_at=datetime.now(UTC))
    result = conn.execute(
        products.update()
        .where(products.c.product_id == change.product_id)
        .where(products.c.version == change.expected_version)
        .values(**values)
    )
    if result.rowcount != 1:
        current = current_products(conn, [change.product_id], None)[change.product_id]
        raise _conflict({change.product_id: editable_state(current)})
    audit.record(
        conn,
        actor,
        action=_action(actor, after, action),
        entity="product",
        entity_id=change.product_id,
        vendor_id=row["vendor_id"],
        reason=(change.reason or "").strip() or None,
        before=before,
        after=after,
    )


def _conflict(stale: dict[int, dict]) -> Conflict:
    lines = [
        messages.text(
            "label.catalog.product_edits.stale_product",
            pid=pid,
            price=yuan(row["price_cents"]),
            stock=row["stock"],
            status=PRODUCT_STATUS_LABELS[row["status"]],
        )
        for pid, row in stale.items()
    ]
    stale_lines = messages.joined(lines, "label.note_separator")
    return Conflict(
        *messages.text("error.catalog.product_edits.stale_products", lines=stale_lines),
        details=stale,
    )


def _translate(exc: IntegrityError) -> Invalid:
    return Invalid(*text("error.values_break_database_rule"))


def _reason(reason: object) -> str | None:
    """A ban's reason through the text validator: trimmed, no control characters, or None."""
    return parse_text(reason, TEXT_RULES["ban_reason"], required=False)


def _with_clean_reasons(changes: Sequence[ProductChange]) -> list[ProductChange]:
    """The changes with their reasons checked; `Invalid` naming every refused row."""
    cleaned, refused = [], {}
    for change in changes:
        try:
            cleaned.append(replace(change, reason=_reason(change.reason)))
        except Invalid as exc:
            refused[change.product_id] = (exc.zh, exc.en)
    if refused:
        count = len(refused)
        raise Invalid(
            *text(
                "error.catalog.product_edits.saved_nothing_was_saved",
                count=count,
                rows_cannot="row cannot" if count == 1 else "rows cannot",
            ),
            details=refused,
        )
    return cleaned


def update_product(
    engine: sa.Engine,
    actor: Actor,
    product_id: int,
    *,
    expected_version: int,
    price_cents: int | None = None,
    stock: int | None = None,
    status: str | None = None,
    reason: str | None = None,
) -> int:
    """Change one product; return its version afterwards (unchanged when nothing differed)."""
    try:
        reason = _reason(reason)
    except Invalid as exc:  # one product: the message alone (details list refused rows)
        raise Invalid(exc.zh, exc.en) from None
    change = ProductChange(product_id, expected_version, price_cents, stock, status, reason)
    error = change_value_error(change)
    if error is not None:
        raise error
    if actor.role == "finance":
        raise Forbidden(*text("error.catalog.finance_does_not_edit_products"))
    try:
        with engine.begin() as conn:
            check = check_changes(conn, actor, [change])
            if product_id in check.errors:
                raise check.errors[product_id]
            if check.stale:
                raise _conflict(check.stale)
            if not check.writes:
                return check.current[product_id]["version"]
            _, before, after = check.writes[0]
            _write(conn, actor, change, check.current[product_id], before, after, "product.update")
    except IntegrityError as exc:
        raise _translate(exc) from None
    changed("products", "audit")
    return expected_version + 1


def bulk_update_products(engine: sa.Engine, actor: Actor, changes: Sequence[ProductChange]) -> int:
    """Apply every change or none, in one transaction; return how many products changed.

    Raises `NotFound` (some id is not the actor's), `Invalid` (a message per
    refused row in `details`, keyed by product id) or `Conflict` (current
    values of the stale rows in `details`); then nothing is written.
    """
    if actor.role == "finance":
        raise Forbidden(*text("error.catalog.finance_does_not_edit_products"))
    if not changes:
        return 0
    changes = _with_clean_reasons(changes)
    try:
        with engine.begin() as conn:
            check = check_changes(conn, actor, changes)
            if check.refused:
                cls = NotFound if check.not_found else Invalid
                count = len(check.refused)
                raise cls(
                    *text(
                        "error.catalog.product_edits.saved_nothing_was_saved",
                        count=count,
                        rows_cannot="row cannot" if count == 1 else "rows cannot",
                    ),
                    details=check.refused,
                )
            if check.stale:
                raise _conflict(check.stale)
            for change, before, after in check.writes:
                row = check.current[change.product_id]
                _write(conn, actor, change, row, before, after, "product.bulk_update")
    except IntegrityError as exc:
        raise _translate(exc) from None
    if check.writes:
        changed("products", "audit")
    return len(check.writes)
