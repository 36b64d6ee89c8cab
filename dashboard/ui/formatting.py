"""Money, numbers, ratios and dates for the chosen language; `None` shows as "—".

Money arrives in integer fen and is shown as ¥1,234.56 with the locale's grouping
and decimal symbols (Babel), in integer arithmetic so that no float rounding sneaks in.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

import pandas as pd
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

from dashboard.i18n import lang, t_plain
from dashboard.shell.context import settings

__all__ = [
    "as_datetime",
    "change",
    "local_date",
    "short_day",
    "local_datetime",
    "money",
    "money_in",
    "number",
    "percent",
    "pp",
]

DASH = "—"
_LOCALES = {"zh": "zh_CN", "en": "en_US"}


def _locale() -> str:
    return _LOCALES[lang()]


@lru_cache(maxsize=8)
def _symbols(locale: str) -> tuple[str, str]:
    """The locale's grouping and decimal symbols (Babel), looked up once."""
    return get_group_symbol(locale=locale), get_decimal_symbol(locale=locale)


def money(cents: int | None) -> str:
    """Fen as `¥1,234.56` (`-¥5.00` for negatives).

    Integer arithmetic with the locale's symbols: exact, and cheap enough for the
    thousands of cells of a statement's order table.
    """
    if cents is None:
        return DASH
    return money_in(cents, lang=lang(), currency_symbol=settings().currency_symbol)


def money_in(cents: int | None, *, lang: str, currency_symbol: str) -> str:
    """`money` for a given language and symbol, outside a page run (e.g. a download's thread)."""
    if cents is None:
        return DASH
    cents = int(cents)
    group, decimal = _symbols(_LOCALES[lang])
    yuan, fen = divmod(abs(cents), 100)
    whole = f"{yuan:,}".replace(",", group)
    return f"{'-' if cents < 0 else ''}{currency_symbol}{whole}{decimal}{fen:02d}"


def number(value: int | float | Decimal | None, digits: int = 0) -> str:
    """A count or quantity with grouping (`12,345`)."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale())


def percent(ratio: float | Decimal | None, digits: int = 1) -> str:
    """A ratio as a percentage (`0.1234` → `12.3%`)."""
    if ratio is None:
        return DASH
    return number(Decimal(str(ratio)) * 100, digits) + "%"


def pp(points: float | Decimal | None, digits: int = 1) -> str:
    """A change of a rate in percentage points (`+1.2 pp` / `+1.2 个百分点`)."""
    if points is None:
        return DASH
    sign = "+" if points > 0 else ""
    # Plain text, like the other formats here: a number the app wrote needs no escaping.
    return sign + t_plain("format.pp", points=number(points, digits))


def change(current: int | float | Decimal | None, previous: int | float | Decimal | None) -> str:
    """The relative change between two amounts (`+12.3%`); "—" when there is no base."""
    if current is None or previous in (None, 0):
        return DASH
    ratio = (Decimal(str(current)) - Decimal(str(previous))) / Decimal(str(previous))
    return ("+" if ratio > 0 else "") + percent(ratio)


def as_datetime(value: object) -> datetime | None:
    """A timestamp cell of a frame (or NaT, NaN, None) as a datetime, or None."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def local_datetime(moment: datetime | None) -> str:
    """An instant in the platform timezone, `2026-11-26 14:05`."""
    if moment is None:
        return DASH
    return moment.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M")


def short_day(day: date) -> str:
    """A day as people write it in the session's language (`Dec 6`; in Chinese month and
    day), Babel's skeleton for the locale."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=_locale())


def local_date(day: date | None) -> str:
    """A date as `2026-11-26`."""
    return DASH if day is None else day.isoformat()
