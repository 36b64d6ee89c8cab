"""Validators for what people type or upload: each returns the exact value or raises `Invalid`.

Every refusal carries a Chinese and an English message, and `details` names the
field. Nothing here ever lets another exception escape: a value from a form,
an `st.data_editor` cell (numpy scalars included) or a spreadsheet cell is
either parsed exactly or refused. Money never passes through a float: a float
cell is read through `repr` (the shortest decimal that round-trips), so the
19.99 in a cell is exactly 1999 fen.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from queries.core import messages
from queries.core.errors import Invalid
from queries.core.money import MAX_PRICE_CENTS, parse_yuan

__all__ = [
    "MAX_BUDGET_CENTS",
    "MAX_PRICE_CHANGE_BPS",
    "MAX_STOCK",
    "MIN_PRICE_CHANGE_BPS",
    "PRODUCT_STATUS_LABELS",
    "local_datetime",
    "parse_campaign",
    "parse_money",
    "parse_percent",
    "parse_price",
    "parse_price_change",
    "parse_product_status",
    "parse_stock",
    "parse_text",
]

# Stock is an INT column; a shop never holds a hundred million of one thing.
MAX_STOCK = 99_999_999
# Budgets, thresholds and amounts off are capped like prices (¥10,000,000.00) times ten.
MAX_BUDGET_CENTS = 10 * MAX_PRICE_CENTS
# A bulk price change is a percentage with at most two decimals, kept as basis points:
# -90 % (a tenth of the price) to +300 % (four times the price).
MIN_PRICE_CHANGE_BPS = -9_000
MAX_PRICE_CHANGE_BPS = 30_000

PRODUCT_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "on_sale": messages.text("error.core.validation.on_sale"),
    "off_shelf": messages.text("error.core.validation.off_shelf"),
    "banned": messages.text("error.core.validation.banned"),
}

_INT = re.compile(r"^\s*[+]?(\d{1,3}(,\d{3})+|\d+)(\.0*)?\s*$", re.ASCII)
_PERCENT = re.compile(r"^\s*([+-])?(\d{1,4})(\.(\d{1,2}))?\s*%?\s*$", re.ASCII)
_NEGATIVE = re.compile(r"^\s*(-\s*¥?|¥\s*-)\s*((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)\s*$", re.ASCII)
_CAMPAIGN = re.compile(r"^[0-9A-Za-z_\-]{1,40}$", re.ASCII)


def _plain(value: object) -> object:
    """numpy / pandas scalars as plain Python values (`np.float64(19.99)` → `19.99`)."""
    if value is None or type(value) in (str, int, float, bool, Decimal):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from an empty table cell
        return True
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, str) and value.strip() == ""


def _show(value: object) -> str:
    """The value as the user typed it, shortened for a message."""
    if isinstance(value, int) and abs(value) > 10**30:
        return "…"  # str() of a huge int is slow, and refused past 4300 digits
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= 30 else text[:27] + "…"


def _is_negative(value: object) -> bool:
    """A number below zero (`-5`, `-¥19.99`, `¥-1,200`, a cell's -3.5), however many decimals."""
    if isinstance(value, str):
        return bool(_NEGATIVE.match(value))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value.is_finite() and value < 0 if isinstance(value, Decimal) else value < 0
    if isinstance(value, float):
        return value == value and repr(value).startswith("-")  # NaN is not negative
    return False


def _invalid(field: str, zh: str, en: str) -> Invalid:
    return Invalid(zh, en, details={field: (zh, en)})


def parse_price(value: object, *, field: str = "price") -> int:
    """A price in yuan (`19.99`, `¥1,299`, a spreadsheet number) as fen: > 0, ≤ ¥10,000,000.00."""
    return parse_money(value, field=field, allow_zero=False, max_cents=MAX_PRICE_CENTS)


def parse_money(
    value: object,
    *,
    field: str = "amount",
    allow_zero: bool = False,
    max_cents: int = MAX_BUDGET_CENTS,
) -> int:
    """An amount in yuan as fen, via `queries.core.money.parse_yuan`, every edge refused cleanly."""
    value = _plain(value)
    if _is_blank(value):
        raise _invalid(field, *messages.text("error.core.enter_amount"))
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _invalid(field, *messages.text("error.core.not_valid_amount"))
    if isinstance(value, int) and abs(value) > 10**12:
        # str() of a huge int is slow or refused outright; no price is that large anyway.
        raise _invalid(
            field, *messages.text("error.core.validation.amount_larger_than_any_allowed")
        )
    if isinstance(value, str):
        # Full-width digits and ￥ typed with a Chinese input method become plain ones.
        value = unicodedata.normalize("NFKC", value)
        if len(value) > 40 or not value.replace("¥", "").isascii():
            raise _invalid(
                field,
                *messages.text(
                    "error.core.validation.not_valid_amount_at_most", value=_show(value)
                ),
            )
    if _is_negative(value):
        # "-5" is a number, only not an allowed one: say so, not "at most two decimals".
        if allow_zero:
            raise _invalid(field, *messages.text("error.core.validation.amount_cannot_negative"))
        raise _invalid(field, *messages.text("error.core.amount_must_greater_than_0"))
    try:
        return parse_yuan(value, max_cents=max_cents, allow_zero=allow_zero)
    except Invalid as exc:
        raise Invalid(exc.zh, exc.en, details={field: (exc.zh, exc.en)}) from None
    except (ValueError, TypeError, ArithmeticError):
        raise _invalid(field, *messages.text("error.core.not_valid_amount")) from None


def parse_stock(value: object, *, field: str = "stock") -> int:
    """Stock as a whole number from 0 to MAX_STOCK (`12`, `"1,200"`, a spreadsheet `12.0`)."""
    value = _plain(value)
    if _is_blank(value):
        raise _invalid(field, *messages.text("error.core.validation.enter_stock"))
    bad = _invalid(
        field,
        *messages.text("error.core.validation.stock_must_whole_number_0", value=_show(value)),
    )
    if isinstance(value, bool):
        raise bad
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise bad
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise bad
        number = int(value)
    elif isinstance(value, str) and len(value) <= 40:
        match = _INT.match(value)
        if not match:
            raise bad
        number = int(match.group(1).replace(",", ""))
    else:
        raise bad
    if number < 0:
        raise bad
    if number > MAX_STOCK:
        raise _invalid(
            field, *messages.text("error.core.validation.stock_may_not_exceed", MAX_STOCK=MAX_STOCK)
        )
    return number


def parse_percent(
    value: object, *, field: str = "percent_off", low: int = 1, high: int = 90
) -> int:
    """A whole percentage from `low` to `high` (a promotion's percent off: 1–90)."""
    value = _plain(value)
    if _is_blank(value):
        raise _invalid(field, *messages.text("error.core.validation.enter_percentage"))
    bad = _invalid(
        field,
        *messages.text(
            "error.core.validation.percentage_must_whole_number_from", low=low, high=high
        ),
    )
    try:
        number = parse_stock(value, field=field)
    except Invalid:
        raise bad from None
    if not low <= number <= high:
        raise bad
    return number


def parse_price_change(value: object, *, field: str = "percent") -> int:
    """A bulk price change in percent (`-10`, `2.5`, `+15 %`) as basis points (-9000 … 30000).

    Decimals are allowed, at most two (2.5 % → 250), so the new price stays an
    exact integer computation: round_half_up(price × (10000 + bps) ÷ 10000).
    """
    value = _plain(value)
    if _is_blank(value):
        raise _invalid(field, *messages.text("error.core.validation.enter_percentage_2"))
    bad = _invalid(
        field,
        *messages.text(
            "error.core.validation.change_must_from_at_most",
            min_percent=MIN_PRICE_CHANGE_BPS // 100,
            max_percent=MAX_PRICE_CHANGE_BPS // 100,
            shown=_show(value),
        ),
    )
    if isinstance(value, bool):
        raise bad
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise bad
        text = repr(value)
    elif isinstance(value, int):
        if abs(value) > 10**6:
            raise bad
        text = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > 10**6:
            raise bad
        text = format(value, "f")
    elif isinstance(value, str) and len(value) <= 40:
        text = value
    else:
        raise bad
    match = _PERCENT.match(text)
    if not match:
        raise bad
    sign, whole, _, fraction = match.groups()
    bps = int(whole) * 100 + int((fraction or "").ljust(2, "0"))
    if sign == "-":
        bps = -bps
    if bps == 0 or not MIN_PRICE_CHANGE_BPS <= bps <= MAX_PRICE_CHANGE_BPS:
        raise bad
    return bps


def parse_product_status(value: object, *, field: str = "status") -> str:
    """A product status given as its code or its label in either language (`在售`, `Off shelf`)."""
    value = _plain(value)
    if _is_blank(value):
        raise _invalid(field, *messages.text("error.core.validation.enter_status"))
    text = str(value).strip() if isinstance(value, str) else None
    if text is not None:
        folded = text.casefold().replace(" ", "_")
        for code, (zh, en) in PRODUCT_STATUS_LABELS.items():
            if folded in (code, en.casefold().replace(" ", "_")) or text == zh:
                return code
    zh_list, en_list = messages.joined(PRODUCT_STATUS_LABELS.values())
    raise _invalid(
        field,
        *messages.text(
            "error.core.validation.status_must_one",
            zh_list=zh_list,
            value=_show(value),
            en_list=en_list,
        ),
    )


def parse_text(value: object, *, field: str, label: tuple[str, str], max_length: int = 200) -> str:
    """Required free text (a name, a reason), stripped, at most `max_length` characters."""
    value = _plain(value)
    if _is_blank(value) or not isinstance(value, str):
        raise _invalid(
            field,
            *messages.text("error.core.validation.enter", label_zh=label[0], label_en=label[1]),
        )
    text = value.strip()
    if len(text) > max_length:
        raise _invalid(
            field,
            *messages.text(
                "error.core.validation.may_not_exceed_characters",
                label_zh=label[0],
                max_length=max_length,
                label_en=label[1],
            ),
        )
    if any(ord(c) < 32 and c not in "\t\n" for c in text):
        raise _invalid(
            field,
            *messages.text(
                "error.core.validation.contains_control_characters",
                label_zh=label[0],
                label_en=label[1],
            ),
        )
    return text


def parse_campaign(value: object, *, field: str = "campaign") -> str:
    """A platform campaign code such as `618` or `double11` (letters, digits, `_`, `-`)."""
    value = _plain(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if _is_blank(value) or not isinstance(value, str):
        raise _invalid(field, *messages.text("error.core.validation.enter_campaign_e_g_618"))
    text = value.strip()
    if not _CAMPAIGN.match(text):
        raise _invalid(
            field,
            *messages.text("error.core.validation.campaign_code_has_only_letters"),
        )
    return text


def local_datetime(day: object, clock: object, tz: ZoneInfo, *, field: str) -> datetime:
    """A local date and time picked on a page, as an aware UTC datetime."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise _invalid(field, *messages.text("error.core.validation.pick_date"))
    if clock is None:
        clock = time(0)
    if not isinstance(clock, time):
        raise _invalid(field, *messages.text("error.core.validation.pick_time"))
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz).astimezone(UTC)
