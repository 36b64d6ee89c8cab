"""Money in integer fen: half-up rounding and exact parsing of typed yuan amounts.

No float ever touches a money path: `parse_yuan("19.99")` is exactly 1999.
"""

from __future__ import annotations

import re
from decimal import Decimal

from queries.core import messages
from queries.core.errors import Invalid

__all__ = ["MAX_PRICE_CENTS", "parse_yuan", "round_half_up_div", "yuan"]

# A sane upper bound for one price: ¥10,000,000.00.
MAX_PRICE_CENTS = 1_000_000_000
_YUAN = re.compile(r"^\s*¥?\s*(\d{1,3}(,\d{3})+|\d+)(\.(\d{1,2}))?\s*$", re.ASCII)


def round_half_up_div(a: int, b: int, d: int) -> int:
    """round_half_up(a × b ÷ d) for a, b ≥ 0 and d > 0, in integers."""
    if a < 0 or b < 0 or d <= 0:
        raise ValueError("round_half_up_div takes a, b ≥ 0 and d > 0")
    return (2 * a * b + d) // (2 * d)


def parse_yuan(text: object, *, max_cents: int = MAX_PRICE_CENTS, allow_zero: bool = False) -> int:
    """Parse an amount typed in yuan (`19.99`, `1,299`, `¥5`) into fen, or raise `Invalid`."""
    if text is None or (isinstance(text, float) and text != text):
        raise Invalid(*messages.text("error.core.enter_amount"))
    if isinstance(text, bool):
        raise Invalid(*messages.text("error.core.not_valid_amount"))
    if isinstance(text, int):
        raw = str(text)
    elif isinstance(text, Decimal):
        raw = format(text, "f")
    elif isinstance(text, float):
        # Spreadsheet cells arrive as floats; repr gives the shortest exact decimal.
        raw = repr(text)
    else:
        raw = str(text)
    match = _YUAN.match(raw)
    if raw.strip() == "":
        raise Invalid(*messages.text("error.core.enter_amount"))
    if not match:
        raise Invalid(
            *messages.text("error.core.money.not_valid_amount_at_most", raw=raw),
        )
    whole = int(match.group(1).replace(",", ""))
    fraction = (match.group(4) or "").ljust(2, "0")
    cents = whole * 100 + int(fraction or "0")
    if cents == 0 and not allow_zero:
        raise Invalid(*messages.text("error.core.amount_must_greater_than_0"))
    if cents > max_cents:
        raise Invalid(
            *messages.text("error.core.money.amount_may_not_exceed", max_cents=yuan(max_cents))
        )
    return cents


def yuan(cents: int) -> str:
    """Plain `1234.56` text for fen, for messages (pages format with `dashboard.ui.formatting`)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"
