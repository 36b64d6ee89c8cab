"""The Promotions page's forms: create a promotion, and manage one (edit, publish, cancel).

The create form shows only the fields of the chosen kind; managing offers only what
the promotion's state allows. Saves run in the buttons' callbacks with the version
the person saw; their outcome is kept for the next run (`dashboard.ui.actions`).
"""

from __future__ import annotations

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from dashboard.data import promotions as data
from dashboard.i18n import lang, pick, status_label, t
from dashboard.shell.context import settings
from dashboard.ui.actions import PageState
from dashboard.ui.formatting import money
from dashboard.ui.widgets import empty_state, literal, today_local
from queries.core.actors import Actor
from queries.core.errors import Invalid, UserError
from queries.core.schema import PROMOTION_KINDS
from queries.core.validation import local_datetime as to_utc
from queries.core.validation import parse_money, parse_percent
from queries.marketing.promotions import EDITABLE_BY_STATE, KIND_FIELDS

__all__ = ["STATE", "create", "kind_labels", "manage", "show_error", "terms"]

STATE = PageState("promotions")


def terms(row) -> str:
    """A promotion's offer in words: 20% off, ¥10 off, ¥20 off ¥200."""
    kind = row["kind"]
    if kind in ("percent_off", "flash_sale"):
        return t("promotions.terms.percent", percent=row["percent_off"])
    if kind == "amount_off":
        return t("promotions.terms.amount", amount=money(row["amount_off_cents"]))
    return t(
        "promotions.terms.threshold",
        threshold=money(row["threshold_cents"]),
        amount=money(row["amount_off_cents"]),
    )


def kind_labels() -> dict[str, str]:
    """Kinds in words, fixed at drawing time (AppTest formats options outside the run)."""
    return {k: status_label("kind", k) for k in PROMOTION_KINDS}


def _when(prefix: str, label: str, default_day, default_time: time, disabled: bool = False):
    """A local date and time picker pair, returned as a UTC instant (or the Invalid)."""
    left, right = st.columns(2)
    day = left.date_input(
        f"{label} · {t('promotions.date')}",
        value=default_day,
        key=f"{prefix}_day",
        disabled=disabled,
    )
    clock = right.time_input(
        f"{label} · {t('promotions.time')}",
        value=default_time,
        key=f"{prefix}_time",
        disabled=disabled,
        step=timedelta(minutes=30),
    )
    return day, clock


def _collect(kind: str, values: dict) -> tuple[dict, dict[str, tuple[str, str]]]:
    """Parse the form's text into the write's keyword arguments, with a message per bad field."""
    out: dict = {}
    errors: dict[str, tuple[str, str]] = {}
    parsers = {
        "percent_off": lambda v: parse_percent(v, field="percent_off"),
        "amount_off_cents": lambda v: parse_money(v, field="amount_off_cents"),
        "threshold_cents": lambda v: parse_money(v, field="threshold_cents"),
        "budget_cents": lambda v: (
            None if not str(v).strip() else parse_money(v, field="budget_cents", allow_zero=True)
        ),
        "starts_at": lambda v: to_utc(*v, settings().tz, field="starts_at"),
        "ends_at": lambda v: to_utc(*v, settings().tz, field="ends_at"),
    }
    for name, value in values.items():
        try:
            out[name] = parsers[name](value) if name in parsers else value
        except Invalid as exc:
            errors.update(exc.details or {name: (exc.zh, exc.en)})
    return out, errors


def _show_field_errors(errors: dict[str, tuple[str, str]]) -> None:
    st.error(
        "\n".join(f"- {t(f'promotions.field.{k}')}: {literal(pick(*v))}" for k, v in errors.items())
    )


def show_error(exc: UserError) -> None:
    """A user's error in their language, with its messages per field; quoted values as typed."""
    st.error(literal(exc.message(lang())))
    if isinstance(exc.details, dict) and exc.details:
        fields = {k: v for k, v in exc.details.items() if isinstance(v, tuple)}
        if fields:
            _show_field_errors(fields)


def _overlap_note(vendor_id, kind, starts_at, ends_at, exclude_id=None) -> str | None:
    found = data.overlaps(vendor_id, kind, starts_at, ends_at, exclude_id)
    if found.empty:
        return None
    # Joined as written: t() escapes the whole list once.
    names = t("label.list_separator").plain.join(
        f"#{i} {n}" for i, n in zip(found["promotion_id"], found["name"], strict=True)
    )
    return t("promotions.overlap", names=names)


def _done(message: str, warning: str | None = None, *, rerun: bool = True) -> None:
    """Say what was done (at the top) and redraw the forms from the database."""
    STATE.flash((message, warning))
    STATE.refresh()
    if rerun:
        st.rerun()


def _outcome() -> None:
    found = STATE.pop_error()
    if isinstance(found, dict):
        _show_field_errors(found)
    elif found is not None:
        show_error(found)


def create(actor: Actor) -> None:
    """The create form: the fields of the chosen kind; a saved promotion is said at the top."""
    kind = st.selectbox(
        t("promotions.kind"),
        PROMOTION_KINDS,
        format_func=kind_labels().__getitem__,
        key="promotions_new_kind",
    )
    nonce = STATE.nonce()
    today = today_local()
    with st.form(f"promotions_create_{kind}_{nonce}"):
        values: dict = {"name": st.text_input(t("promotions.name"), max_chars=100)}
        values["starts_at"] = _when(
            "promotions_new_start", t("promotions.starts"), today + timedelta(days=1), time(0)
        )
        values["ends_at"] = _when(
            "promotions_new_end", t("promotions.ends"), today + timedelta(days=8), time(0)
        )
        for name in KIND_FIELDS[kind]:
            values[name] = st.text_input(
                t(f"promotions.field.{name}"), key=f"promotions_new_{name}"
            )
        values["budget_cents"] = st.text_input(
            t("promotions.field.budget_cents"),
            help=t("promotions.budget_help"),
            key="promotions_new_budget",
        )
        if actor.role == "operator":
            values["campaign"] = st.text_input(
                t("promotions.field.campaign"), help=t("promotions.campaign_help")
            )
        submitted = st.form_submit_button(t("promotions.create"), type="primary")
    if not submitted:
        return
    fields, errors = _collect(kind, values)
    if errors:
        _show_field_errors(errors)
        return
    try:
        new_id = data.create(actor, kind=kind, **fields)
    except UserError as exc:
        show_error(exc)
        return
    note = _overlap_note(actor.vendor_id, kind, fields["starts_at"], fields["ends_at"], new_id)
    _done(t("promotions.created", promotion_id=new_id), note)


def _manageable(actor: Actor, rows: pd.DataFrame) -> pd.DataFrame:
    if actor.role == "vendor":
        return rows[rows["vendor_id"].eq(actor.vendor_id).fillna(False).astype(bool)]
    return rows


def manage(actor: Actor, rows: pd.DataFrame) -> None:
    """Pick one of the listed promotions the actor may manage; edit, publish or cancel it."""
    rows = _manageable(actor, rows)
    if rows.empty:
        empty_state(t("promotions.nothing_to_manage"))
        return
    ids = rows["promotion_id"].tolist()
    picked = st.selectbox(
        t("promotions.pick"),
        ids,
        key="promotions_pick",
        format_func=lambda i: f"#{i} {rows.loc[rows['promotion_id'] == i, 'name'].iloc[0]}",
    )
    try:
        promo = data.one(actor, int(picked))
    except UserError as exc:
        show_error(exc)
        return
    state = promo["state"]
    st.markdown(
        f"**{literal(promo['name'])}** · {status_label('kind', promo['kind'])} · "
        f"{status_label('promotion_state', state)} · {literal(terms(promo))}"
    )
    editable = EDITABLE_BY_STATE[state]
    mine = promo["vendor_id"] is None or actor.role == "vendor"
    if editable and mine:
        _edit(actor, promo, editable)
    elif not editable:
        st.caption(t("promotions.frozen"))
    _actions(actor, promo, state, mine)
    _outcome()


def _prefix(kind: str, promo: dict) -> str:
    """Widget keys of one promotion's form, new after every save or conflict."""
    return f"promotions_{kind}_{promo['promotion_id']}_{STATE.nonce()}"


def _save_edit(
    actor: Actor, promotion_id: int, version: int, kind: str, fields: tuple, prefix: str
) -> None:
    """The edit form's save, with the version the person saw (not a newer one)."""
    state = st.session_state
    values: dict = {}
    for name in fields:
        if name in ("starts_at", "ends_at"):
            values[name] = (state[f"{prefix}_{name}_day"], state[f"{prefix}_{name}_time"])
        else:
            values[name] = state[f"{prefix}_{name}"]
    parsed, errors = _collect(kind, values)
    if errors:
        STATE.keep_error(errors)
        return
    try:
        data.update(actor, promotion_id, expected_version=version, **parsed)
    except UserError as exc:
        STATE.keep_error(exc)
        return
    _done(t("promotions.saved"), rerun=False)


def _edit(actor: Actor, promo: dict, editable: tuple[str, ...]) -> None:
    prefix = _prefix("edit", promo)
    tz = settings().tz
    starts = promo["starts_at"].astimezone(tz)
    ends = promo["ends_at"].astimezone(tz)
    with st.form(prefix):
        st.text_input(
            t("promotions.name"),
            value=promo["name"],
            disabled="name" not in editable,
            key=f"{prefix}_name",
        )
        _when(
            f"{prefix}_starts_at",
            t("promotions.starts"),
            starts.date(),
            starts.time(),
            disabled="starts_at" not in editable,
        )
        _when(f"{prefix}_ends_at", t("promotions.ends"), ends.date(), ends.time())
        for field in KIND_FIELDS[promo["kind"]]:
            current = promo[field]
            shown = (
                str(current) if field == "percent_off" else f"{current // 100}.{current % 100:02d}"
            )
            st.text_input(
                t(f"promotions.field.{field}"),
                value=shown,
                disabled=field not in editable,
                key=f"{prefix}_{field}",
            )
        budget = promo["budget_cents"]
        st.text_input(
            t("promotions.field.budget_cents"),
            help=t("promotions.budget_help"),
            value="" if budget is None else f"{budget // 100}.{budget % 100:02d}",
            key=f"{prefix}_budget_cents",
        )
        fields = tuple(
            name for name in ("name", "starts_at", *KIND_FIELDS[promo["kind"]]) if name in editable
        ) + ("ends_at", "budget_cents")
        st.form_submit_button(
            t("promotions.save"),
            type="primary",
            on_click=_save_edit,
            args=(
                actor,
                int(promo["promotion_id"]),
                int(promo["version"]),
                promo["kind"],
                fields,
                prefix,
            ),
        )


def _publish(actor: Actor, promo: dict) -> None:
    """Publish the draft the person saw (its version): a draft changed meanwhile is refused."""
    pid = int(promo["promotion_id"])
    try:
        data.publish(actor, pid, expected_version=int(promo["version"]))
    except UserError as exc:
        STATE.keep_error(exc)
        return
    note = _overlap_note(
        promo["vendor_id"], promo["kind"], promo["starts_at"], promo["ends_at"], pid
    )
    _done(t("promotions.published"), note, rerun=False)


def _cancel(actor: Actor, promotion_id: int, version: int, prefix: str) -> None:
    reason = st.session_state.get(f"{prefix}_reason") or ""
    try:
        data.cancel(actor, promotion_id, expected_version=version, reason=reason.strip() or None)
    except UserError as exc:
        STATE.keep_error(exc)
        return
    _done(t("promotions.cancelled"), rerun=False)


def _actions(actor: Actor, promo: dict, state: str, mine: bool) -> None:
    pid, version = int(promo["promotion_id"]), int(promo["version"])
    left, right = st.columns(2)
    if state == "draft" and mine:
        left.button(
            t("promotions.publish"),
            key="promotions_publish",
            on_click=_publish,
            args=(actor, promo),
        )
    if state in ("draft", "scheduled", "running"):
        prefix = _prefix("cancel", promo)
        with right.form(prefix):
            st.text_input(t("promotions.cancel_reason"), max_chars=500, key=f"{prefix}_reason")
            st.form_submit_button(
                t("promotions.cancel"), on_click=_cancel, args=(actor, pid, version, prefix)
            )
