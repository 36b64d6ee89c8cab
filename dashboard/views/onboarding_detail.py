"""The Onboarding page's application detail: its fields, checks, history and the decision form.

The decision runs in the submit button's callback; its outcome (a one-time password
included) is kept for the next run and shown once at the top (`show_flash`). A double
click's second callback shows the first one's outcome (`dashboard.ui.submitted`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.onboarding import decide_with_account, detail
from dashboard.i18n import lang, pick, status_label, t, t_plain, tn
from dashboard.ui.formatting import as_datetime, local_datetime
from dashboard.ui.submitted import new_form_id, remember, submission
from dashboard.ui.widgets import literal
from queries.core.errors import Invalid, UserError
from queries.merchants.onboarding import MAX_NOTE, MAX_SHOP_NAME, ApplicationDetail
from queries.merchants.transitions import DECISIONS, application_targets

__all__ = ["show_detail", "show_flash"]

TEMPLATES = {
    "needs_info": ("licence_photo", "brand", "contact"),
    "reject": ("category", "licence", "duplicate"),
}
FLASH = "onboarding_flash"
_SHOP_ID = "\x00shop\x00"  # stands for the new shop's id in a message made before the write


def _show_fields(app: ApplicationDetail) -> None:
    """Every field; what the applicant wrote is shown as plain text, never as Markdown."""
    f = app.fields
    category = pick(app.category_name, app.category_name_en)
    colon = t("format.colon")
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
                t("onboarding.hist.at"): [local_datetime(as_datetime(v)) for v in history["at"]],
                t("onboarding.hist.actor"): history["actor"],
                t("onboarding.hist.action"): history["action"].map(_action_label),
                t("onboarding.hist.reason"): history["reason"].fillna(""),
            }
        ),
        hide_index=True,
    )


def _note(template: str | None, free: str) -> str | None:
    """The note to the applicant: the template's sentence, then the operator's own words."""
    # Stored in the database and read by the applicant: plain text, never escaped.
    sentence, own = (t_plain(f"onboarding.tpl.{template}") if template else ""), free.strip()
    if sentence and own:
        return t_plain("onboarding.note.template_then_own", template=sentence, own=own)
    return sentence or own or None


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
    with submission(form_id, replay_to=FLASH) as earlier:
        if earlier is not None:  # a double click: the first click's outcome is shown again
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


def show_flash() -> None:
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


def show_detail(actor, application_id: int) -> None:
    """One application: its fields, checks, history and, while undecided, the decision form."""
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
