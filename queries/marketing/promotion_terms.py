"""A promotion's terms and the contract's rules for them, and its state at a moment.

Pure: no database. `queries.marketing.promotions` reads and writes promotions with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from queries.core.errors import Invalid
from queries.core.messages import text
from queries.core.money import yuan
from queries.core.schema import PROMOTION_KINDS
from queries.core.validation import MAX_BUDGET_CENTS, TEXT_RULES, check_moment, parse_text

__all__ = [
    "DISCOUNT_FIELDS",
    "EDITABLE_BY_STATE",
    "FIELD_LABELS",
    "KIND_FIELDS",
    "STATES",
    "TERM_FIELDS",
    "UNSET",
    "PromotionTerms",
    "state_of",
    "validate_terms",
]

STATES = ("draft", "scheduled", "running", "ended", "cancelled")
# The discount fields each kind uses; the others must be empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "percent_off": ("percent_off",),
    "flash_sale": ("percent_off",),
    "amount_off": ("amount_off_cents",),
    "threshold_off": ("threshold_cents", "amount_off_cents"),
    "coupon": ("threshold_cents", "amount_off_cents"),
}
DISCOUNT_FIELDS = ("percent_off", "amount_off_cents", "threshold_cents")
TERM_FIELDS = ("name", "kind", "starts_at", "ends_at", *DISCOUNT_FIELDS, "budget_cents", "campaign")
# A scheduled promotion has been announced (coupons may be out): its kind and discount
# are frozen, its name, dates and budget may still move. A running one: end and budget.
EDITABLE_BY_STATE: dict[str, tuple[str, ...]] = {
    "draft": TERM_FIELDS,
    "scheduled": ("name", "starts_at", "ends_at", "budget_cents"),
    "running": ("ends_at", "budget_cents"),
    "ended": (),
    "cancelled": (),
}
FIELD_LABELS = {
    "name": text("label.marketing.promotion_terms.field_labels.name"),
    "kind": text("label.marketing.promotion_terms.field_labels.kind"),
    "starts_at": text("label.marketing.promotion_terms.field_labels.starts_at"),
    "ends_at": text("label.marketing.promotion_terms.field_labels.ends_at"),
    "percent_off": text("label.marketing.promotion_terms.field_labels.percent_off"),
    "amount_off_cents": text("label.marketing.promotion_terms.field_labels.amount_off_cents"),
    "threshold_cents": text("label.marketing.promotion_terms.field_labels.threshold_cents"),
    "budget_cents": text("label.marketing.promotion_terms.field_labels.budget_cents"),
    "campaign": text("label.marketing.promotion_terms.field_labels.campaign"),
}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: object = _Unset()


@dataclass(frozen=True)
class PromotionTerms:
    """What a promotion offers and when; discount fields a kind does not use are None."""

    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    percent_off: int | None = None
    amount_off_cents: int | None = None
    threshold_cents: int | None = None
    budget_cents: int | None = None
    campaign: str | None = None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_terms(terms: PromotionTerms) -> dict[str, tuple[str, str]]:
    """Every broken rule of the contract, by field (empty when the terms are valid)."""
    errors: dict[str, tuple[str, str]] = {}
    try:
        parse_text(terms.name, TEXT_RULES["promotion_name"])
    except Invalid as exc:
        errors.update(exc.details)
    if terms.kind not in PROMOTION_KINDS:
        errors["kind"] = text("error.marketing.promotion_terms.unknown_kind_promotion")
        return errors
    used = KIND_FIELDS[terms.kind]
    for name in DISCOUNT_FIELDS:
        value = getattr(terms, name)
        zh, en = FIELD_LABELS[name]
        if name not in used:
            if value is not None:
                errors[name] = text(
                    "error.marketing.promotion_terms.kind_promotion_has_no", zh=zh, en=en
                )
        elif value is None:
            errors[name] = text("error.marketing.promotion_terms.enter", zh=zh, en=en)
        elif not _is_int(value):
            errors[name] = text("error.marketing.promotion_terms.not_valid", zh=zh, en=en)
        elif name == "percent_off" and not 1 <= value <= 90:
            errors[name] = text("error.marketing.promotion_terms.percent_off_must_whole_number")
        elif name != "percent_off" and not 0 < value <= MAX_BUDGET_CENTS:
            errors[name] = text("error.marketing.promotion_terms.must_greater_than_0", zh=zh, en=en)
    amount, threshold = terms.amount_off_cents, terms.threshold_cents
    if (
        "amount_off_cents" not in errors
        and "threshold_cents" not in errors
        and _is_int(amount)
        and _is_int(threshold)
        and amount >= threshold
    ):
        errors["amount_off_cents"] = text(
            "error.marketing.promotion_terms.amount_off_must_below_threshold",
            threshold=yuan(threshold),
        )
    budget = terms.budget_cents
    if budget is not None and (not _is_int(budget) or not 0 <= budget <= MAX_BUDGET_CENTS):
        errors["budget_cents"] = text("error.marketing.promotion_terms.budget_must_0_more_none")
    # Times carry their zone and lie in the years 2000–2100 (`check_moment`).
    moments: dict[str, datetime] = {}
    for name in ("starts_at", "ends_at"):
        try:
            moments[name] = check_moment(getattr(terms, name), field=name, label=FIELD_LABELS[name])
        except Invalid as exc:
            errors.update(exc.details)
    if len(moments) == 2 and not moments["starts_at"] < moments["ends_at"]:
        errors["ends_at"] = text("error.marketing.promotion_terms.end_must_after_start")
    return errors


def state_of(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """The derived state of one promotion at `now`."""
    if status in ("draft", "cancelled"):
        return status
    if now < starts_at:
        return "scheduled"
    return "running" if now < ends_at else "ended"
