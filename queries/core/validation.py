"""Validators for what people type or upload: each returns the exact value or raises `Invalid`.

Every refusal carries a Chinese and an English message, and `details` names the
field. Nothing here ever lets another exception escape: a value from a form,
an `st.data_editor` cell (numpy scalars included) or a spreadsheet cell is
either parsed exactly or refused. Money never passes through a float: a float
cell is read through `repr` (the shortest decimal that round-trips), so the
19.99 in a cell is exactly 1999 fen.

Free text (names, reasons, notes, references) goes through `parse_text` with the
field's `TextRule` from `TEXT_RULES`: trimmed, a length limit, no control
characters (multi-line fields keep line breaks and tabs), no text-direction
overrides. Dates and times lie in the contract's years 2000–2100 and times carry
their zone (`check_moment`, `parse_day`, `parse_month`, `local_datetime`);
whole numbers typed as text (`parse_whole_number`) are ASCII digits within bounds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from queries.core import messages
from queries.core.errors import Invalid
from queries.core.money import MAX_PRICE_CENTS, parse_yuan

__all__ = [
    "search_text",
    "BIDI_CONTROLS",
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_BUDGET_CENTS",
    "MAX_ID",
    "MAX_PRICE_CHANGE_BPS",
    "MAX_STOCK",
    "MAX_YEAR",
    "MIN_PRICE_CHANGE_BPS",
    "MIN_YEAR",
    "PRODUCT_STATUS_LABELS",
    "TEXT_RULES",
    "TextRule",
    "check_day",
    "check_moment",
    "local_datetime",
    "parse_campaign",
    "parse_day",
    "parse_money",
    "parse_month",
    "parse_percent",
    "parse_price",
    "parse_price_change",
    "parse_product_status",
    "parse_stock",
    "parse_text",
    "parse_whole_number",
    "text_problem",
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
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
# Full-width digits (what a Chinese input method types) read as plain ones; nothing else
# is folded: NFKC would also turn a superscript ² into 2, which nobody meant as a number.
_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}

# The contract's dates and times lie in the years 2000–2100.
MIN_YEAR = 2000
MAX_YEAR = 2100
FIRST_DAY = date(MIN_YEAR, 1, 1)
LAST_DAY = date(MAX_YEAR, 12, 31)
# Keys and ids are at most BIGINT; a larger number would overflow the driver or SQLite.
MAX_ID = 2**63 - 1

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make stored text
# display in another order than it reads ("exe.txt" shown for "txt.exe"), on every page
# and in every workbook that shows it.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line and paragraph separators break a line like a line break does.
_LINE_SEPARATORS = frozenset("\u2028\u2029")


@dataclass(frozen=True)
class TextRule:
    """One free-text field: its key in `details`, its words, its limit, whether it holds lines.

    `missing` is the messages key said when a required field is blank (default: "Enter
    the …"). A multi-line field keeps line breaks (`\\r\\n` read as `\\n`) and tabs.
    """

    field: str
    label: str  # messages key of the field's (zh, en) words
    max_length: int
    multiline: bool = False
    missing: str | None = None

    @property
    def words(self) -> tuple[str, str]:
        """The field's (zh, en) words, as messages name it."""
        return messages.text(self.label)


# Every free-text field a write function takes, with its limit: one table, one validator.
TEXT_RULES: dict[str, TextRule] = {
    "promotion_name": TextRule(
        "name",
        "label.core.text.promotion_name",
        100,
        missing="error.marketing.promotion_terms.enter_promotion_name",
    ),
    "cancel_reason": TextRule(
        "reason",
        "label.core.text.cancel_reason",
        500,
        multiline=True,
        missing="error.marketing.promotion_edits.reason",
    ),
    "ban_reason": TextRule(
        "reason",
        "label.core.text.ban_reason",
        500,
        multiline=True,
        missing="error.catalog.products.give_reason_ban",
    ),
    "vendor_reason": TextRule(
        "reason",
        "label.core.text.vendor_reason",
        500,
        multiline=True,
        missing="error.merchants.vendors.give_reason",
    ),
    "adjustment_note": TextRule(
        "note",
        "label.core.text.adjustment_note",
        500,
        multiline=True,
        missing="error.finance.actions.enter_note_adjustment",
    ),
    "payment_reference": TextRule(
        "payment_reference",
        "label.core.text.payment_reference",
        100,
        missing="error.finance.actions.enter_transfer_reference",
    ),
    "review_note": TextRule(
        "note",
        "label.core.text.review_note",
        500,
        multiline=True,
        missing="error.merchants.onboarding.write_note_applicant",
    ),
    "shop_name": TextRule(
        "shop_name",
        "label.core.text.shop_name",
        60,
        missing="error.merchants.onboarding.shop_name_may_not_blank",
    ),
}


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
    text = text if len(text) <= 30 else text[:27] + "…"
    # The message quotes it: invisible and direction-changing characters shown as �.
    return "".join("\ufffd" if _invisible(c) else c for c in text)


def _invisible(char: str) -> bool:
    """A control, surrogate, direction override or line separator (never shown as is)."""
    return (
        unicodedata.category(char) in ("Cc", "Cs")
        or char in BIDI_CONTROLS
        or char in _LINE_SEPARATORS
    )


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


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong with the characters of `text`: `control`, `bidi` or None.

    Controls are C0 (NUL, backspace, escape…), DEL and C1, lone surrogates (which no
    database can store) and, in a single-line field, line breaks, tabs and the Unicode
    line / paragraph separators. A multi-line field keeps `\n` and `\t`.
    """
    allowed = "\n\t" if multiline else ""
    for char in text:
        if char in BIDI_CONTROLS:
            return "bidi"
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or (
            not multiline and char in _LINE_SEPARATORS
        ):
            return "control"
    return None


def parse_text(
    value: object,
    rule: TextRule | None = None,
    *,
    field: str | None = None,
    label: tuple[str, str] | None = None,
    max_length: int = 200,
    multiline: bool = False,
    required: bool = True,
) -> str | None:
    """Free text by its `rule` (or `field`, `label`, `max_length`, `multiline`): trimmed,
    within the limit, without control or direction-override characters.

    Blank: `Invalid` when `required`, else None. Every refusal names the field in
    both languages and carries `details={field: (zh, en)}`.
    """
    if rule is None:
        if field is None or label is None:
            raise TypeError("parse_text needs a rule, or a field and its label")
        name, (label_zh, label_en), missing = field, label, None
    else:
        name, (label_zh, label_en), missing = rule.field, rule.words, rule.missing
        max_length, multiline = rule.max_length, rule.multiline
    words = {"label_zh": label_zh, "label_en": label_en}
    value = _plain(value)
    if _is_blank(value):
        if not required:
            return None
        if missing is not None:
            raise _invalid(name, *messages.text(missing))
        raise _invalid(name, *messages.text("error.core.text.enter", **words))
    if not isinstance(value, str):
        raise _invalid(name, *messages.text("error.core.text.not_text", **words))
    text = value.strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_length:
        raise _invalid(
            name,
            *messages.text(
                "error.core.text.too_long", limit=max_length, length=f"{len(text):,}", **words
            ),
        )
    problem = text_problem(text, multiline=multiline)
    if problem == "bidi":
        raise _invalid(name, *messages.text("error.core.text.bidi", **words))
    if problem == "control":
        key = "error.core.text.controls_multiline" if multiline else "error.core.text.controls"
        raise _invalid(name, *messages.text(key, **words))
    return text


def parse_whole_number(
    value: object,
    *,
    field: str,
    label: tuple[str, str],
    low: int = 1,
    high: int = MAX_ID,
    required: bool = True,
) -> int | None:
    """A whole number typed as text (an id, a count): ASCII digits (full-width ones read as
    such), from `low` to `high`. Never an OverflowError or a superscript read as a digit."""
    value = _plain(value)
    words = {"label_zh": label[0], "label_en": label[1]}
    if _is_blank(value):
        if not required:
            return None
        raise _invalid(field, *messages.text("error.core.text.enter", **words))
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        digits = value.strip().translate(_FULL_WIDTH_DIGITS)
        if not _DIGITS.fullmatch(digits):
            raise _invalid(
                field, *messages.text("error.core.number.digits", value=_show(value), **words)
            )
        # More digits than the bound has cannot be within it (and int() of a very
        # long string is slow or refused): say "too large" without converting.
        number = int(digits) if len(digits.lstrip("0")) <= len(str(high)) else None
    else:
        raise _invalid(
            field, *messages.text("error.core.number.digits", value=_show(value), **words)
        )
    if number is None or not low <= number <= high:
        raise _invalid(
            field,
            *messages.text(
                "error.core.number.range", low=low, high=high, value=_show(value), **words
            ),
        )
    return number


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


def check_day(day: object, *, field: str, label: tuple[str, str]) -> date:
    """A date (not a datetime) within the contract's years 2000–2100."""
    words = {"label_zh": label[0], "label_en": label[1]}
    if not isinstance(day, date) or isinstance(day, datetime):
        raise _invalid(field, *messages.text("error.core.when.pick_day", **words))
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _invalid(
            field, *messages.text("error.core.when.out_of_range", value=day.isoformat(), **words)
        )
    return day


def check_moment(value: object, *, field: str, label: tuple[str, str]) -> datetime:
    """An aware datetime within the years 2000–2100, as UTC; a time without zone is refused
    (it would silently be read as UTC, eight hours off for Beijing time)."""
    words = {"label_zh": label[0], "label_en": label[1]}
    if not isinstance(value, datetime):
        raise _invalid(field, *messages.text("error.core.when.pick_time", **words))
    if value.tzinfo is None or value.utcoffset() is None:
        raise _invalid(field, *messages.text("error.core.when.no_zone", **words))
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _invalid(
            field,
            *messages.text("error.core.when.out_of_range", value=value.isoformat(), **words),
        )
    return value.astimezone(UTC)


def parse_day(
    value: object,
    *,
    field: str,
    label: tuple[str, str],
    exclusive_end: bool = False,
) -> date:
    """A date `YYYY-MM-DD` (or a `date`) within 2000–2100; an exclusive end may be 2101-01-01."""
    words = {"label_zh": label[0], "label_en": label[1]}
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else None
        match = _DAY.fullmatch(text) if text is not None else None
        day = None
        if match:
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:  # year 0, month 13, February 30
                day = None
        if day is None:
            raise _invalid(
                field, *messages.text("error.core.when.not_a_day", value=_show(value), **words)
            )
    if exclusive_end and day == date(MAX_YEAR + 1, 1, 1):
        return day
    return check_day(day, field=field, label=label)


def parse_month(value: object, *, field: str, label: tuple[str, str]) -> tuple[int, int]:
    """A calendar month `YYYY-MM` within 2000–2100, as (year, month)."""
    words = {"label_zh": label[0], "label_en": label[1]}
    text = value.strip() if isinstance(value, str) else None
    match = _MONTH.fullmatch(text) if text is not None else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise _invalid(
            field, *messages.text("error.core.when.not_a_month", value=_show(value), **words)
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(field, *messages.text("error.core.when.out_of_range", value=text, **words))
    return year, month


def local_datetime(day: object, clock: object, tz: ZoneInfo, *, field: str) -> datetime:
    """A local date and time picked on a page, as an aware UTC datetime (years 2000–2100)."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise _invalid(field, *messages.text("error.core.validation.pick_date"))
    if clock is None:
        clock = time(0)
    if not isinstance(clock, time):
        raise _invalid(field, *messages.text("error.core.validation.pick_time"))
    check_day(day, field=field, label=messages.text("label.core.when.date"))
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz).astimezone(UTC)


_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def search_text(value: object, *, max_length: int = 100) -> str:
    """A search box's text as a query can use it: control and direction-override characters
    removed (PostgreSQL refuses a NUL in text; neither can be typed on purpose), trimmed,
    at most `max_length` characters. Never raises: a search never fails on what was typed."""
    return _INVISIBLE.sub("", str(value or "")).strip()[:max_length]
