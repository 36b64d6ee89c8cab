"""A promotion's terms and the contract's rules for them, and its state at a moment.

Pure: no database. `queries.marketing.promotions` reads and writes promotions with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from queries.core.money import yuan
from queries.core.schema import PROMOTION_KINDS
from queries.core.types import as_utc
from queries.core.validation import MAX_BUDGET_CENTS

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
    "name": ("名称", "name"),
    "kind": ("类型", "kind"),
    "starts_at": ("开始时间", "start"),
    "ends_at": ("结束时间", "end"),
    "percent_off": ("折扣百分比", "percent off"),
    "amount_off_cents": ("优惠金额", "amount off"),
    "threshold_cents": ("门槛金额", "threshold"),
    "budget_cents": ("预算", "budget"),
    "campaign": ("大促", "campaign"),
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
    if not isinstance(terms.name, str) or not terms.name.strip():
        errors["name"] = ("请填写活动名称", "Enter the promotion's name")
    elif len(terms.name.strip()) > 100:
        errors["name"] = ("名称不能超过 100 个字", "The name may not exceed 100 characters")
    if terms.kind not in PROMOTION_KINDS:
        errors["kind"] = ("活动类型不正确", "Unknown kind of promotion")
        return errors
    used = KIND_FIELDS[terms.kind]
    for name in DISCOUNT_FIELDS:
        value = getattr(terms, name)
        zh, en = FIELD_LABELS[name]
        if name not in used:
            if value is not None:
                errors[name] = (f"此类活动不使用{zh}", f"This kind of promotion has no {en}")
        elif value is None:
            errors[name] = (f"请填写{zh}", f"Enter the {en}")
        elif not _is_int(value):
            errors[name] = (f"{zh}格式不正确", f"The {en} is not valid")
        elif name == "percent_off" and not 1 <= value <= 90:
            errors[name] = ("折扣百分比须为 1–90 的整数", "Percent off must be a whole number 1–90")
        elif name != "percent_off" and not 0 < value <= MAX_BUDGET_CENTS:
            errors[name] = (f"{zh}须大于 0", f"The {en} must be greater than 0")
    amount, threshold = terms.amount_off_cents, terms.threshold_cents
    if (
        "amount_off_cents" not in errors
        and "threshold_cents" not in errors
        and _is_int(amount)
        and _is_int(threshold)
        and amount >= threshold
    ):
        errors["amount_off_cents"] = (
            f"优惠金额须低于门槛金额（{yuan(threshold)} 元）",
            f"The amount off must be below the threshold ({yuan(threshold)})",
        )
    budget = terms.budget_cents
    if budget is not None and (not _is_int(budget) or not 0 <= budget <= MAX_BUDGET_CENTS):
        errors["budget_cents"] = (
            "预算须为 0 或正数，或不设",
            "The budget must be 0 or more, or none",
        )
    starts, ends = terms.starts_at, terms.ends_at
    if not isinstance(starts, datetime):
        errors["starts_at"] = ("请选择开始时间", "Pick the start")
    if not isinstance(ends, datetime):
        errors["ends_at"] = ("请选择结束时间", "Pick the end")
    elif isinstance(starts, datetime) and not as_utc(starts) < as_utc(ends):
        errors["ends_at"] = ("结束时间须晚于开始时间", "The end must be after the start")
    return errors


def state_of(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """The derived state of one promotion at `now`."""
    if status in ("draft", "cancelled"):
        return status
    if now < starts_at:
        return "scheduled"
    return "running" if now < ends_at else "ended"
