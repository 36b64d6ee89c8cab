"""The audit trail in words a business user reads, for the Audit page and its workbook.

`readable` turns the rows of `queries.audit.audit_entries` into the table the page
shows and the workbook holds — the same columns and values in both: actions, entity
types, roles, fields, statuses and yes / no in the chosen language; entities by name and
number (an account or a login address by its name);
money in fen as ¥ (`formatting.money_in`); instants in the platform timezone to the
minute; empty values as "—"; what users wrote (names, notes, reasons) as is.
It needs no Streamlit session, so the download can run it on click, off the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd
from babel.numbers import format_decimal

from dashboard.i18n import all_strings
from dashboard.shell.context import settings
from dashboard.ui.formatting import money_in

__all__ = ["Reading", "action_label", "entity_label", "readable", "word"]

DASH = "—"
COLUMNS = ("at", "actor", "role", "action", "entity", "shop", "reason", "changes")
_LOCALES = {"zh": "zh_CN", "en": "en_US"}
# The entity type → the status words of its `status` field (`status.<kind>.<code>`).
_STATUS_KIND = {
    "product": "product",
    "promotion": "promotion",
    "settlement": "settlement",
    "vendor": "vendor",
    "supplier_application": "application",
}
# Actions whose reason is a code of the console (why a login failed), not a person's words.
_CODED_REASONS = frozenset({"account.login_failed"})
# Entities whose id is a name (`account.*` rows: the username; `address.lock`: the address).
_NAMED_BY_ID = frozenset({"account", "address"})


@dataclass(frozen=True)
class Reading:
    """How to show the trail: the language, the platform timezone and currency symbol."""

    lang: str
    timezone: str
    currency_symbol: str

    @classmethod
    def for_page(cls, lang: str) -> Reading:
        config = settings()
        return cls(lang=lang, timezone=config.timezone, currency_symbol=config.currency_symbol)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- words --------------------------------------------------------------------------------


def word(key: str, lang: str, fallback: str | None = None) -> str:
    """The string of `key` in `lang`, without a session; `fallback` (or the key) if missing."""
    pair = all_strings().get(key)
    if pair is None:
        return key if fallback is None else fallback
    return pair[0] if lang == "zh" else pair[1]


def action_label(code: str, lang: str) -> str:
    """An action code (`settlement.confirm`) in words; an unknown code shows itself."""
    return word(f"audit.act.{code}", lang, code)


def entity_label(entity: str, lang: str) -> str:
    """An entity type (`product`) in words; an unknown one shows itself."""
    return word(f"audit.ent.{entity}", lang, entity)


def _headers(lang: str) -> dict[str, str]:
    return {key: word(f"audit.col.{key}", lang) for key in COLUMNS}


# --- values -------------------------------------------------------------------------------


def _empty(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _number(value: int | float, lang: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=_LOCALES[lang])


def _moment(value: object, how: Reading) -> str:
    """An instant (a datetime or its ISO text) in the platform timezone, to the minute."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return str(value)
    if value.tzinfo is None:  # stored instants are UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(how.tz).strftime("%Y-%m-%d %H:%M")


def _value(entity: str, field: str, value: object, how: Reading) -> str:
    """One field's value in words (see the module's docstring)."""
    lang = how.lang
    if _empty(value):
        return DASH
    if isinstance(value, bool):
        return word("audit.yes" if value else "audit.no", lang, str(value))
    if field == "role":
        return word(f"role.{value}", lang, str(value))
    if field.endswith("_cents"):
        if isinstance(value, int | float):
            return money_in(int(value), lang=lang, currency_symbol=how.currency_symbol)
        return str(value)
    if field.endswith(("_at", "_until")):  # an instant (a lock's end too)
        return _moment(value, how)
    if field == "status":
        kind = _STATUS_KIND.get(entity, entity)
        return word(f"status.{kind}.{value}", lang, str(value))
    if field == "state":
        return word(f"status.promotion_state.{value}", lang, str(value))
    if field == "kind" and entity == "promotion":
        return word(f"status.kind.{value}", lang, str(value))
    if field == "funded_by":
        return word(f"audit.funded_by.{value}", lang, str(value))
    if field == "percent_off" and isinstance(value, int | float):
        return f"{_number(value, lang)}%"
    if field == "vendor_id":
        return f"#{value}"
    if field == "carried_from":
        return f"{entity_label('settlement', lang)} #{value}"
    if field in ("version",):
        return str(value)
    if isinstance(value, int | float):
        return _number(value, lang)
    return str(value)  # what a user wrote (names, notes, references) stays as written


@lru_cache(maxsize=1)
def _field_order() -> dict[str, int]:
    """Fields in the order the strings table lists them (price before stock, …)."""
    prefix = "audit.field."
    keys = [k[len(prefix) :] for k in all_strings() if k.startswith(prefix)]
    return {field: i for i, field in enumerate(keys)}


def _field_rank(field: str) -> tuple[int, str]:
    order = _field_order()
    return (order.get(field, len(order)), field)


def _loads(text: object) -> dict | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _changes(entity: str, before: dict | None, after: dict | None, how: Reading) -> str:
    """`Field: old → new` per changed field; a creation or a deletion lists its values."""
    colon, sep = word("format.colon", how.lang), word("label.note_separator", how.lang)
    old, new = before or {}, after or {}
    parts: list[str] = []
    for field in sorted(dict.fromkeys([*old, *new]), key=_field_rank):
        label = word(f"audit.field.{field}", how.lang, field)
        was, now = old.get(field), new.get(field)
        if before is None or after is None:  # created or deleted: its values, not a change
            value = now if before is None else was
            if not _empty(value):
                parts.append(f"{label}{colon}{_value(entity, field, value, how)}")
            continue
        if (_empty(was) and _empty(now)) or was == now:
            continue
        shown_was, shown_now = _value(entity, field, was, how), _value(entity, field, now, how)
        parts.append(f"{label}{colon}{shown_was} → {shown_now}")
    return sep.join(parts) or DASH


def _period(start: object, end: object) -> str | None:
    """A statement's period as first – last day (`period_end` is exclusive)."""
    try:
        first = start if isinstance(start, date) else date.fromisoformat(str(start)[:10])
        stop = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
    except (TypeError, ValueError):
        return None
    if isinstance(first, datetime):
        first = first.date()
    if isinstance(stop, datetime):
        stop = stop.date()
    return f"{first.isoformat()} – {(stop - timedelta(days=1)).isoformat()}"


def _entity(row: dict, before: dict | None, after: dict | None, lang: str) -> str:
    """`Product #11 · name`; a statement with its shop and period."""
    kind = row["entity"]
    if kind in _NAMED_BY_ID:  # a username or an address is its own name: no "#"
        return f"{entity_label(kind, lang)} {row['entity_id']}"
    parts = [f"{entity_label(kind, lang)} #{row['entity_id']}"]
    if kind == "settlement":
        values = {**(before or {}), **(after or {})}
        period = None
        if values.get("period_start") and values.get("period_end"):
            period = _period(values["period_start"], values["period_end"])
        if period is None and not _empty(row["period_start"]) and not _empty(row["period_end"]):
            period = _period(row["period_start"], row["period_end"])
        if not _empty(row["shop_name"]):
            parts.append(str(row["shop_name"]))
        if period:
            parts.append(period)
    elif not _empty(row["entity_name"]):
        parts.append(str(row["entity_name"]))
    return " · ".join(parts)


def _shop(name: object, vendor_id: object) -> str:
    if _empty(vendor_id):
        return DASH
    return f"#{vendor_id}" if _empty(name) else f"{name} (#{vendor_id})"


def _reason(action: str, reason: object, lang: str) -> str:
    """What a user wrote as is; the code of an action the console itself explains, in words."""
    if _empty(reason):
        return DASH
    if action in _CODED_REASONS:
        return word(f"audit.reason.{action}.{reason}", lang, str(reason))
    return str(reason)


def readable(rows: pd.DataFrame, how: Reading) -> pd.DataFrame:
    """The trail's rows in words, under the translated headers (page and workbook alike)."""
    heads = _headers(how.lang)
    out: dict[str, list[str]] = {heads[key]: [] for key in COLUMNS}
    columns = [out[heads[key]] for key in COLUMNS]
    for row in rows.to_dict("records"):
        before, after = _loads(row["before"]), _loads(row["after"])
        values = (
            _moment(row["at"], how),
            str(row["actor"]),
            word(f"role.{row['role']}", how.lang, str(row["role"])),
            action_label(str(row["action"]), how.lang),
            _entity(row, before, after, how.lang),
            _shop(row["shop_name"], row["vendor_id"]),
            _reason(str(row["action"]), row["reason"], how.lang),
            _changes(str(row["entity"]), before, after, how),
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return pd.DataFrame(out, dtype=object)
