"""Supplier onboarding (供应商入驻, operators): the review queue, one application, decisions.

Status tabs with counts (a segmented control: only the chosen list is read) →
filter form → `QueueFilters` → one cached read → the queue, oldest first, with
those past the review deadline highlighted. Opening an application shows every
field, the licence check, possible duplicates and its decision history, and
the decision form. Approving may also create the shop's login account; its
one-time password is shown once, right after.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.data.onboarding import (
    QueueFilters,
    choices,
    counts,
    decide_with_account,
    detail,
    queue,
)
from dashboard.i18n import lang, status_label, t, tn
from dashboard.shell.context import current_actor, settings
from dashboard.shell.url_state import bind
from dashboard.ui.formatting import local_datetime, number
from dashboard.ui.submitted import new_form_id, remember, submission
from dashboard.ui.widgets import (
    download_table,
    empty_state,
    freshness,
    literal,
    show_error,
    today_local,
)
from exports.xlsx import Column
from queries.core.actors import require_role
from queries.core.errors import Invalid, UserError
from queries.core.schema import APPLICATION_STATUSES
from queries.merchants.onboarding import MAX_NOTE, MAX_SHOP_NAME, QUEUE_LIMIT, ApplicationDetail
from queries.merchants.transitions import DECISIONS, application_targets

TEMPLATES = {
    "needs_info": ("licence_photo", "brand", "contact"),
    "reject": ("category", "licence", "duplicate"),
}
FLASH = "onboarding_flash"
_SHOP_ID = "\x00shop\x00"  # stands for the new shop's id in a message made before the write


def _moment(value):
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _waited(hours: float) -> str:
    if hours < 48:
        return t("onboarding.waited_hours", hours=number(hours, 1))
    return t("onboarding.waited_days", days=number(hours / 24, 1))


def _category_label(category_id: int | None) -> str:
    if category_id is None:
        return t("onboarding.any_category")
    for cid, name, name_en, parent in choices().categories:
        if cid == category_id:
            label = name if lang() == "zh" else name_en
            return f"— {label}" if parent is not None else label
    return str(category_id)


def _read_filters(status: str) -> QueueFilters | None:
    """The filter form; None (with the reason shown) when its dates cannot be used."""
    offered = choices()
    today = today_local()
    with st.form("onboarding_filters"):
        a, b, c = st.columns([2, 2, 3])
        category_id = a.selectbox(
            t("onboarding.category"),
            [None, *(cid for cid, *_ in offered.categories)],
            format_func=_category_label,
            placeholder=_category_label(None),  # Streamlit shows a chosen None as this
            key="onboarding_category",
        )
        region = b.selectbox(
            t("onboarding.region"),
            [None, *offered.regions],
            format_func=lambda r: t("onboarding.any_region") if r is None else r,
            placeholder=t("onboarding.any_region"),  # a chosen None shows the placeholder
            key="onboarding_region",
        )
        bind("onboarding_search", "q")
        search = c.text_input(t("onboarding.search"), key="onboarding_search")
        a, b = st.columns([1, 2])
        use_dates = a.checkbox(t("onboarding.use_dates"), key="onboarding_use_dates")
        dates = b.date_input(
            t("onboarding.dates"),
            value=(today - timedelta(days=29), today),
            key="onboarding_dates",
        )
        st.form_submit_button(t("onboarding.apply"), icon=":material/search:")
    first = last = None
    if use_dates:
        if not isinstance(dates, tuple | list) or len(dates) != 2:
            st.warning(t("onboarding.bad_dates"))
            return None
        first, last = sorted(dates)
    return QueueFilters(
        status=status,
        category_id=category_id,
        region=region,
        submitted_from=first,
        submitted_to=last,
        search=search.strip() or None,
    )


def _category_name(row) -> str:
    return row["category_name"] if lang() == "zh" else row["category_name_en"]


def _show_queue(rows: pd.DataFrame, filters: QueueFilters) -> None:
    """The queue table (overdue rows highlighted) and its workbook."""
    deadline = settings().review_deadline_days
    overdue = int(rows["overdue"].sum())
    if overdue:
        st.warning(t("onboarding.overdue_count", count=overdue, days=deadline))
    if len(rows) >= QUEUE_LIMIT:
        st.caption(t("onboarding.limited", count=number(QUEUE_LIMIT)))
    decided = filters.status in ("approved", "rejected")
    shown = pd.DataFrame(
        {
            t("onboarding.col.id"): rows["application_id"].astype(str),
            t("onboarding.col.company"): rows["company_name"],
            t("onboarding.col.licence"): rows["business_license_no"],
            t("onboarding.col.category"): [_category_name(r) for _, r in rows.iterrows()],
            t("onboarding.col.region"): rows["region"],
            t("onboarding.col.submitted"): [
                local_datetime(_moment(v)) for v in rows["submitted_at"]
            ],
            t("onboarding.col.waited"): rows["waited_hours"].map(_waited),
            t("onboarding.col.overdue"): [
                t("onboarding.overdue_yes") if o else "" for o in rows["overdue"]
            ],
        }
    )
    if decided:
        shown[t("onboarding.col.reviewed_by")] = rows["reviewed_by"].fillna("")
    flags = dict(zip(rows.index, rows["overdue"], strict=True))

    def highlight(row: pd.Series) -> list[str]:
        color = "background-color: #fde2e1" if flags[row.name] else ""
        return [color] * len(row)

    st.dataframe(shown.style.apply(highlight, axis=1), hide_index=True, width="stretch")
    export = rows.assign(
        status_label=[status_label("application", s) for s in rows["status"]],
        category=[_category_name(r) for _, r in rows.iterrows()],
        overdue_label=[t("onboarding.overdue_yes") if o else "" for o in rows["overdue"]],
    )
    spec = [
        ("application_id", "onboarding.col.id", "int"),
        ("company_name", "onboarding.col.company", "text"),
        ("business_license_no", "onboarding.col.licence", "text"),
        ("category", "onboarding.col.category", "text"),
        ("region", "onboarding.col.region", "text"),
        ("contact_name", "onboarding.col.contact", "text"),
        ("contact_email", "onboarding.col.email", "text"),
        ("contact_phone", "onboarding.col.phone", "text"),
        ("submitted_at", "onboarding.col.submitted", "datetime"),
        ("status_label", "onboarding.col.status", "text"),
        ("waited_days", "onboarding.col.waited_days", "number"),
        ("overdue_label", "onboarding.col.overdue", "text"),
        ("reviewed_by", "onboarding.col.reviewed_by", "text"),
        ("reviewed_at", "onboarding.col.reviewed_at", "datetime"),
        ("review_note", "onboarding.col.note", "text"),
    ]
    download_table(
        export[[c for c, _, _ in spec]],
        [Column(t(h), kind) for _, h, kind in spec],
        file_name=f"{t('onboarding.file_name')}-{filters.status}",
        key="onboarding_download",
    )


def _show_fields(app: ApplicationDetail) -> None:
    """Every field; what the applicant wrote is shown as plain text, never as Markdown."""
    f = app.fields
    category = app.category_name if lang() == "zh" else app.category_name_en
    colon = "：" if lang() == "zh" else ": "
    shop = "—" if f["vendor_id"] is None else f"#{f['vendor_id']}"
    left, right = st.columns(2)
    for column, pairs in (
        (
            left,
            (
                ("onboarding.col.company", f["company_name"]),
                ("onboarding.col.licence", f["business_license_no"]),
                ("onboarding.col.category", category),
                ("onboarding.col.region", f["region"]),
                ("onboarding.col.submitted", local_datetime(f["submitted_at"])),
                ("onboarding.col.status", status_label("application", f["status"])),
            ),
        ),
        (
            right,
            (
                ("onboarding.col.contact", f["contact_name"]),
                ("onboarding.col.email", f["contact_email"]),
                ("onboarding.col.phone", f["contact_phone"]),
                ("onboarding.col.reviewed_by", f["reviewed_by"] or "—"),
                ("onboarding.col.reviewed_at", local_datetime(f["reviewed_at"])),
                ("onboarding.col.note", f["review_note"] or "—"),
                ("onboarding.col.shop", shop),
            ),
        ),
    ):
        column.text("\n".join(f"{t(key)}{colon}{value}" for key, value in pairs))


def _show_checks(app: ApplicationDetail) -> None:
    st.markdown(f"**{t('onboarding.checks')}**")
    number_ = literal(app.licence.number)
    if app.licence.valid:
        st.success(t("onboarding.licence_ok", number=number_), icon=":material/verified:")
    else:
        st.error(t(f"onboarding.licence.{app.licence.problem}", number=number_))
    dups = app.duplicates
    if dups.empty:
        st.success(t("onboarding.no_duplicates"), icon=":material/check:")
        return
    st.warning(tn("onboarding.duplicates", len(dups)))
    st.dataframe(
        pd.DataFrame(
            {
                t("onboarding.dup.kind"): [t(f"onboarding.dup.kind.{k}") for k in dups["kind"]],
                t("onboarding.dup.id"): dups["id"].astype(str),
                t("onboarding.dup.name"): dups["name"],
                t("onboarding.dup.status"): [
                    status_label("application" if k == "application" else "vendor", s)
                    for k, s in zip(dups["kind"], dups["status"], strict=True)
                ],
                t("onboarding.dup.matched"): [
                    t(f"onboarding.dup.matched.{m}") for m in dups["matched_on"]
                ],
            }
        ),
        hide_index=True,
    )


def _action_label(action: str) -> str:
    key = f"onboarding.action.{action}"
    label = t(key)
    return action if label == key else label


def _show_history(app: ApplicationDetail) -> None:
    st.markdown(f"**{t('onboarding.history')}**")
    history = app.history
    if history.empty:
        st.caption(t("onboarding.no_history"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("onboarding.hist.at"): [local_datetime(_moment(v)) for v in history["at"]],
                t("onboarding.hist.actor"): history["actor"],
                t("onboarding.hist.action"): history["action"].map(_action_label),
                t("onboarding.hist.reason"): history["reason"].fillna(""),
            }
        ),
        hide_index=True,
    )


def _note(template: str | None, free: str) -> str | None:
    """The note to the applicant: the template's sentence, then the operator's own words."""
    parts = [t(f"onboarding.tpl.{template}")] if template else []
    if free.strip():
        parts.append(free.strip())
    joined = ("；" if lang() == "zh" else " ").join(parts)
    return joined or None


def _template_label(key: str | None) -> str:
    if key is None:
        return t("onboarding.no_template")
    decision = key.split(".")[0]
    return f"{t(f'onboarding.decision.{decision}')} · {t(f'onboarding.tpl.{key}')}"


def _decision_form(actor, app: ApplicationDetail) -> None:
    """The decision form for a pending or needs-info application.

    The submit button's callback receives the status shown in *this* run: if
    someone decides meanwhile, the decision is refused with who and when,
    even though the next run already shows the new status.
    """
    f, app_id = app.fields, app.application_id
    targets = application_targets(f["status"])
    decisions = [d for d, status in DECISIONS.items() if status in targets]
    templates = [None] + [f"{d}.{k}" for d in decisions for k in TEMPLATES.get(d, ())]
    with st.form(f"onboarding_decide_{app_id}"):
        st.radio(
            t("onboarding.decision"),
            decisions,
            format_func=lambda d: t(f"onboarding.decision.{d}"),
            horizontal=True,
            key=f"onboarding_decision_{app_id}",
        )
        left, right = st.columns(2)
        left.text_input(
            t("onboarding.shop_name"),
            value=f["company_name"][:MAX_SHOP_NAME],
            max_chars=MAX_SHOP_NAME,
            key=f"onboarding_shop_name_{app_id}",
        )
        right.checkbox(
            t("onboarding.create_account"), value=True, key=f"onboarding_with_account_{app_id}"
        )
        right.text_input(
            t("onboarding.username"),
            value=f"shop{app_id}",
            help=t("onboarding.username_help"),
            key=f"onboarding_username_{app_id}",
        )
        st.selectbox(
            t("onboarding.template"),
            templates,
            format_func=_template_label,
            key=f"onboarding_template_{app_id}",
        )
        st.text_area(
            t("onboarding.note"),
            max_chars=MAX_NOTE,
            help=t("onboarding.note_help"),
            key=f"onboarding_note_{app_id}",
        )
        st.form_submit_button(
            t("onboarding.submit"),
            type="primary",
            on_click=_submit,
            # A new id for each drawing of the form: see `dashboard.ui.submitted`.
            args=(actor, app_id, f["status"], f["contact_email"], new_form_id()),
        )


def _submit(actor, app_id: int, seen_status: str, contact_email: str, form_id: str) -> None:
    """Record the decision; the outcome (or the refusal) is shown at the top of the next run.

    A second callback of the form just submitted (a double click) decides nothing and
    shows the first one's outcome again, one-time password included, rather than
    "already decided" or "username taken" (see `dashboard.ui.submitted`).
    """
    state = st.session_state
    with submission(form_id) as earlier:
        if earlier is not None:  # a double click: the first click's outcome, again
            state[FLASH] = earlier
            return
        language = lang()
        decision = state[f"onboarding_decision_{app_id}"]
        template = state[f"onboarding_template_{app_id}"]
        shop_name = state[f"onboarding_shop_name_{app_id}"]
        note = _note(template, state[f"onboarding_note_{app_id}"])
        wants_account = decision == "approve" and state[f"onboarding_with_account_{app_id}"]
        username = state[f"onboarding_username_{app_id}"].strip() if wants_account else None
        # The message is made now: from the write until the outcome is remembered, nothing
        # may touch st.session_state (Streamlit could stop the callback there).
        name = literal((shop_name or "").strip())
        done = t(f"onboarding.done.{decision}", id=app_id, vendor_id=_SHOP_ID, name=name)
        try:
            if template and not template.startswith(f"{decision}."):
                raise Invalid(t("onboarding.template_mismatch"))
            outcome = decide_with_account(
                actor,
                app_id,
                decision=decision,
                seen_status=seen_status,
                note=note,
                shop_name=shop_name,
                username=username,
                contact_email=contact_email,
            )
        except UserError as exc:
            state[FLASH] = {"error": literal(exc.message(language))}
            return
        flash = {"message": done.replace(_SHOP_ID, str(outcome.vendor_id))}
        if outcome.password:
            flash.update(username=literal(outcome.username), password=outcome.password)
        if outcome.account_error:
            flash["account_error"] = literal(outcome.account_error.message(language))
        remember(form_id, flash)
        state[FLASH] = flash


def _show_flash() -> None:
    """The last decision's outcome; a one-time password is popped, so it shows only once."""
    flash = st.session_state.pop(FLASH, None)
    if not flash:
        return
    if "error" in flash:
        st.error(flash["error"])
        return
    st.success(flash["message"], icon=":material/check_circle:")
    if "password" in flash:
        st.warning(t("onboarding.account_created", username=flash["username"]))
        st.code(flash["password"], language=None)
    if "account_error" in flash:
        st.error(t("onboarding.account_failed", reason=flash["account_error"]))


def _show_detail(actor, application_id: int) -> None:
    app = detail(application_id)
    company = literal(app.fields["company_name"])
    st.subheader(t("onboarding.detail", id=app.application_id, company=company))
    _show_fields(app)
    _show_checks(app)
    _show_history(app)
    st.markdown(f"**{t('onboarding.decide')}**")
    if application_targets(app.status):
        _decision_form(actor, app)
    else:
        st.info(t("onboarding.final", status=status_label("application", app.status)))


actor = current_actor()
st.title(t("page.onboarding"))
st.caption(t("onboarding.intro"))
try:
    require_role(actor, "operator")
except UserError as exc:
    show_error(exc)
    st.stop()

_show_flash()
try:
    tally = counts()
    st.subheader(t("onboarding.by_status"))
    bind("onboarding_status", "status", options=APPLICATION_STATUSES, default="pending")
    status = (
        st.segmented_control(
            t("onboarding.col.status"),
            APPLICATION_STATUSES,
            default="pending",
            format_func=lambda s: t(
                "onboarding.tab", status=status_label("application", s), count=number(tally[s])
            ),
            key="onboarding_status",
            label_visibility="collapsed",
        )
        or "pending"
    )
    filters = _read_filters(status)
    if filters is not None:
        rows = queue(filters)
        if rows.empty:
            if filters == QueueFilters(status=status):
                empty_state(
                    t("onboarding.empty_status", status=status_label("application", status))
                )
            else:
                empty_state(t("onboarding.empty"))
        else:
            _show_queue(rows, filters)
            ids = [int(i) for i in rows["application_id"]]
            names = dict(zip(ids, rows["company_name"], strict=True))
            picked = st.selectbox(
                t("onboarding.open"),
                ids,
                index=0 if len(ids) == 1 else None,
                format_func=lambda i: f"#{i} {names[i]}",
                placeholder=t("onboarding.open_placeholder"),
                key=f"onboarding_pick_{status}",
            )
            if picked is not None:
                _show_detail(actor, int(picked))
    freshness("onboarding_refresh")
except UserError as exc:
    show_error(exc)
