"""Promotions, writing: create a draft, edit its terms, publish it, cancel it.

Who may do what: a vendor edits their shop's (vendor-funded) promotions, an
operator the platform's and may cancel a shop's with a reason; finance changes
none. What may change depends on the state (`EDITABLE_BY_STATE`): a running
promotion's terms are frozen because orders have used them. Every write is
optimistic on `version`, audited in its transaction, and announced with
`changed("promotions")`. Reading is `queries.marketing.promotions`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from queries import audit
from queries.core.actors import Actor
from queries.core.errors import Conflict, Forbidden, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.messages import text
from queries.core.schema import promotions
from queries.core.types import as_utc
from queries.core.validation import TEXT_RULES, parse_campaign, parse_text
from queries.marketing.promotion_terms import (
    EDITABLE_BY_STATE,
    FIELD_LABELS,
    TERM_FIELDS,
    UNSET,
    PromotionTerms,
    state_of,
    validate_terms,
)
from queries.marketing.promotions import now_utc

__all__ = ["cancel_promotion", "create_promotion", "publish_promotion", "update_promotion"]


def _refuse(errors: dict[str, tuple[str, str]]) -> Invalid:
    first_zh, first_en = next(iter(errors.values()))
    return Invalid(first_zh, first_en, details=errors)


def _terms_of(row: dict) -> PromotionTerms:
    return PromotionTerms(**{name: row[name] for name in TERM_FIELDS})


def _clean(terms: PromotionTerms) -> PromotionTerms:
    """Names stripped, datetimes in UTC (validation already refused the wrong types)."""
    return replace(
        terms,
        name=terms.name.strip(),
        starts_at=as_utc(terms.starts_at),
        ends_at=as_utc(terms.ends_at),
    )


# How far in the past a new or moved start may lie: the rest of today in any zone, and a
# form left open overnight; a start a year off is a typo (`docs/decisions.md`).
START_GRACE = timedelta(days=1)


def _check_start(errors: dict, starts_at: object, now: datetime) -> None:
    """Add the start's error when it lies more than `START_GRACE` before `now`."""
    if "starts_at" in errors or not isinstance(starts_at, datetime):
        return
    if starts_at.tzinfo is not None and as_utc(starts_at) < now - START_GRACE:
        shown = as_utc(starts_at).strftime("%Y-%m-%d %H:%M UTC")
        errors["starts_at"] = text("error.marketing.promotion_edits.start_long_past", start=shown)


def _for_audit(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def create_promotion(
    engine: sa.Engine,
    actor: Actor,
    *,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    percent_off: int | None = None,
    amount_off_cents: int | None = None,
    threshold_cents: int | None = None,
    budget_cents: int | None = None,
    campaign: str | None = None,
    now: datetime | None = None,
) -> int:
    """A new draft: the vendor's own (vendor-funded) or, for operators, a platform promotion.

    Its start may lie at most a day in the past (`docs/decisions.md`: a start typed a
    year off is refused, a promotion "from today" made in the evening is not).
    """
    if actor.role == "finance":
        raise Forbidden(*text("error.marketing.promotion_edits.finance_does_not_create_promotions"))
    terms = PromotionTerms(
        name,
        kind,
        starts_at,
        ends_at,
        percent_off,
        amount_off_cents,
        threshold_cents,
        budget_cents,
        campaign,
    )
    now = now_utc(now)
    errors = validate_terms(terms)
    _check_start(errors, terms.starts_at, now)
    if actor.role == "operator":
        try:
            terms = replace(terms, campaign=parse_campaign(campaign))
        except Invalid as exc:
            errors.update(exc.details)
    elif campaign is not None:
        errors["campaign"] = text("error.marketing.promotion_edits.shop_promotion_has_no_campaign")
    if errors:
        raise _refuse(errors)
    terms = _clean(terms)
    vendor_id = actor.vendor_id if actor.role == "vendor" else None
    values = asdict(terms) | {
        "vendor_id": vendor_id,
        "funded_by": "vendor" if vendor_id is not None else "platform",
        "status": "draft",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    with _transaction(engine) as conn:
        promotion_id = conn.execute(promotions.insert().values(**values)).inserted_primary_key[0]
        audit.record(
            conn,
            actor,
            action="promotion.create",
            entity="promotion",
            entity_id=promotion_id,
            vendor_id=vendor_id,
            after=_for_audit(asdict(terms) | {"funded_by": values["funded_by"]}),
        )
    changed("promotions", "audit")
    return int(promotion_id)


def _load(conn: sa.Connection, actor: Actor, promotion_id: int, *, manage: bool) -> dict:
    """The row an actor acts on; NotFound for another shop's, Forbidden where the role may not."""
    if actor.role == "finance":
        raise Forbidden(*text("error.marketing.promotion_edits.finance_does_not_change_promotions"))
    row = (
        conn.execute(sa.select(promotions).where(promotions.c.promotion_id == promotion_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(*text("error.marketing.promotion_not_found"))
    row = dict(row)
    if actor.role == "vendor":
        if row["vendor_id"] is None:
            raise Forbidden(
                *text("error.marketing.promotion_edits.platform_promotions_are_managed_by")
            )
        if row["vendor_id"] != actor.vendor_id:
            raise NotFound(*text("error.marketing.promotion_not_found"))
    elif manage and row["vendor_id"] is not None:
        raise Forbidden(
            *text("error.marketing.promotion_edits.operators_cannot_edit_shop_promotion"),
        )
    return row


def _conflict(row: dict, now: datetime) -> Conflict:
    state = state_of(row["status"], row["starts_at"], row["ends_at"], now)
    current = _for_audit({k: row[k] for k in (*TERM_FIELDS, "status", "version")}) | {
        "state": state
    }
    return Conflict(
        *text(
            "error.marketing.promotion_edits.someone_else_changed_promotion_now",
            version=row["version"],
        ),
        details=current,
    )


def _save(conn, actor, row, *, expected_version, values, action, before, after, reason=None, now):
    """Conditional UPDATE on version plus the audit row; Conflict when someone came first."""
    result = conn.execute(
        promotions.update()
        .where(promotions.c.promotion_id == row["promotion_id"])
        .where(promotions.c.version == expected_version)
        .values(**values, updated_at=datetime.now(UTC), version=promotions.c.version + 1)
    )
    if result.rowcount != 1:
        fresh = (
            conn.execute(
                sa.select(promotions).where(promotions.c.promotion_id == row["promotion_id"])
            )
            .mappings()
            .one()
        )
        raise _conflict(dict(fresh), now)
    audit.record(
        conn,
        actor,
        action=action,
        entity="promotion",
        entity_id=row["promotion_id"],
        vendor_id=row["vendor_id"],
        reason=reason,
        before=_for_audit(before),
        after=_for_audit(after),
    )


@contextmanager
def _transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction; a database rule violation becomes `Invalid` (and nothing is saved)."""
    try:
        with engine.begin() as conn:
            yield conn
    except IntegrityError:
        raise Invalid(*text("error.values_break_database_rule")) from None


def update_promotion(
    engine: sa.Engine,
    actor: Actor,
    promotion_id: int,
    *,
    now: datetime | None = None,
    expected_version: int,
    **fields: object,
) -> int:
    """Change some terms (keyword per field); what may change depends on the state."""
    unknown = set(fields) - set(TERM_FIELDS)
    if unknown:
        raise TypeError(f"unknown promotion fields {sorted(unknown)}")
    now = now_utc(now)
    with _transaction(engine) as conn:
        row = _load(conn, actor, promotion_id, manage=True)
        current = _terms_of(row)
        wanted = replace(current, **{k: v for k, v in fields.items() if v is not UNSET})
        # In UTC when aware; a time without zone stays as given and is refused below
        # (as_utc would silently read it as UTC).
        wanted = replace(
            wanted,
            **{
                k: as_utc(v)
                for k in ("starts_at", "ends_at")
                if isinstance(v := getattr(wanted, k), datetime) and v.tzinfo is not None
            },
        )
        if isinstance(wanted.name, str):
            wanted = replace(wanted, name=wanted.name.strip())
        diff = [k for k in TERM_FIELDS if getattr(wanted, k) != getattr(current, k)]
        if not diff:
            return row["version"]  # nothing differs: a repeat of a saved change
        if row["version"] != expected_version:
            raise _conflict(row, now)
        state = state_of(row["status"], row["starts_at"], row["ends_at"], now)
        frozen = [k for k in diff if k not in EDITABLE_BY_STATE[state]]
        if frozen:
            raise _refuse(
                {
                    k: text(
                        "error.marketing.promotion_edits.promotion_can_no_longer_change",
                        state_zh=_STATE_ZH[state],
                        field_zh=FIELD_LABELS[k][0],
                        state=state,
                        field_en=FIELD_LABELS[k][1],
                    )
                    for k in frozen
                }
            )
        errors = validate_terms(wanted)
        if "starts_at" in diff:
            _check_start(errors, wanted.starts_at, now)
        if "campaign" in diff:
            if row["vendor_id"] is not None:
                errors["campaign"] = text(
                    "error.marketing.promotion_edits.shop_promotion_has_no_campaign"
                )
            else:
                try:
                    wanted = replace(wanted, campaign=parse_campaign(wanted.campaign))
                except Invalid as exc:
                    errors.update(exc.details)
        if state != "draft" and "ends_at" in diff and not wanted.ends_at > now:
            errors["ends_at"] = text(
                "error.marketing.promotion_edits.published_promotion_must_end_future"
            )
        if errors:
            raise _refuse(errors)
        before = {k: getattr(current, k) for k in diff}
        after = {k: getattr(wanted, k) for k in diff}
        _save(
            conn,
            actor,
            row,
            expected_version=expected_version,
            values=after,
            action="promotion.update",
            before=before,
            after=after,
            now=now,
        )
    changed("promotions", "audit")
    return expected_version + 1


# A promotion's state as the Chinese messages word it ("此活动{…}").
_STATE_ZH = {
    state: text(f"label.marketing.promotion_edits.state.{state}")[0]
    for state in ("draft", "scheduled", "running", "ended", "cancelled")
}


def _row_to_move(conn, actor, promotion_id, expected_version, now, *, to: str) -> dict | None:
    """The row whose status moves `to`; None when this very click already moved it.

    Conflict when someone else changed it first. Publishing manages the promotion;
    cancelling does not (an operator may cancel a shop's promotion).
    """
    row = _load(conn, actor, promotion_id, manage=to != "cancelled")
    if row["status"] == to and row["version"] == expected_version + 1:
        return None
    if row["version"] != expected_version:
        raise _conflict(row, now)
    return row


def publish_promotion(
    engine: sa.Engine,
    actor: Actor,
    promotion_id: int,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> int:
    """Draft → published; its end must lie in the future."""
    now = now_utc(now)
    with _transaction(engine) as conn:
        row = _row_to_move(conn, actor, promotion_id, expected_version, now, to="published")
        if row is None:
            return expected_version + 1  # the same click twice
        if row["status"] != "draft":
            raise Invalid(*text("error.marketing.promotion_edits.only_draft_can_published"))
        errors = validate_terms(_terms_of(row))
        if not row["ends_at"] > now:
            errors["ends_at"] = text(
                "error.marketing.promotion_edits.promotion_end_has_passed_cannot"
            )
        if errors:
            raise _refuse(errors)
        _save(
            conn,
            actor,
            row,
            expected_version=expected_version,
            values={"status": "published"},
            action="promotion.publish",
            before={"status": "draft"},
            after={"status": "published"},
            now=now,
        )
    changed("promotions", "audit")
    return expected_version + 1


def cancel_promotion(
    engine: sa.Engine,
    actor: Actor,
    promotion_id: int,
    *,
    expected_version: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> int:
    """Draft or published (not ended) → cancelled; operators may cancel any, with a reason."""
    now = now_utc(now)
    reason = parse_text(reason, TEXT_RULES["cancel_reason"], required=False)
    with _transaction(engine) as conn:
        row = _row_to_move(conn, actor, promotion_id, expected_version, now, to="cancelled")
        if row is None:
            return expected_version + 1  # the same click twice
        state = state_of(row["status"], row["starts_at"], row["ends_at"], now)
        if state in ("ended", "cancelled"):
            raise Invalid(
                *text(
                    "error.marketing.promotion_edits.promotion_cannot_cancelled",
                    state_zh=_STATE_ZH[state],
                    state=state,
                ),
            )
        if actor.role == "operator" and not reason:
            raise _refuse({"reason": text("error.marketing.promotion_edits.reason")})
        _save(
            conn,
            actor,
            row,
            expected_version=expected_version,
            values={"status": "cancelled"},
            action="promotion.cancel",
            before={"status": row["status"]},
            after={"status": "cancelled"},
            reason=reason or None,
            now=now,
        )
    changed("promotions", "audit")
    return expected_version + 1
