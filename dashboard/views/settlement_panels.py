"""The Settlements page's panels that act: issue, adjust, discard, confirm, pay, carry, month-end.

Each action calls one write, keeps its message for the next run and reruns, so the
table shows what the write did.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.data import settlements as data
from dashboard.i18n import status_label, t, t_plain
from dashboard.shell.auth import guarded
from dashboard.ui.formatting import as_datetime, local_date, local_datetime, money
from dashboard.ui.widgets import literal, show_error, today_local
from dashboard.views.statement_table import PeriodPick
from queries.core.errors import UserError
from queries.core.money import parse_yuan

__all__ = ["issue_panel", "month_end_panel", "show_flash", "statement_panel"]

FLASH = "settlements_flash"
MONTH_END = "settlements_month_end"
PICK = "settlements_pick"
# What the page showed when the person last saw it: statement id → version, and the
# vendor picked to issue for. A click reruns the script, which reads fresh rows (a
# write elsewhere on this server clears the cache); acting on those would overwrite a
# change the person never saw. Every write checks what they saw instead.
SEEN = "settlements_seen_versions"
SEEN_ISSUE = "settlements_seen_issue_vendor"
SEEN_PICK = "settlements_seen_pick"
SEEN_CARRY = "settlements_seen_carry"


def _act(run: Callable[[], object], message: str | Callable[[object], str]) -> None:
    """Run one write; on success keep its message for the next run and rerun, else show why."""
    try:
        result = run()
    except UserError as exc:
        show_error(exc)
        return
    st.session_state[FLASH] = message(result) if callable(message) else message
    for key in (SEEN, SEEN_ISSUE, SEEN_PICK, SEEN_CARRY):  # the rerun shows what the write did
        st.session_state.pop(key, None)
    st.rerun()


def _seen_version(settlement_id: int, now: int) -> int:
    """The version of a statement the person last saw (this run's when never shown)."""
    return st.session_state.get(SEEN, {}).get(settlement_id, now)


_DONE = {
    "settlement.adjust": "settlements.adjust.done",
    "settlement.confirm": "settlements.confirm.done",
    "settlement.discard": "settlements.discard.done",
    "settlement.pay": "settlements.pay.done",
}


def _own_change(actor, settlement_id: int) -> bool:
    """Whether the change the person has not seen yet is their own, and if so say it again.

    A double click sends a second run while the first one writes; Streamlit stops the
    first before it keeps its message, and the second finds the statement changed.
    """
    change = data.changed_by(settlement_id)
    if change is None or change["actor"] != actor.username or change["action"] not in _DONE:
        return False
    st.success(t(_DONE[change["action"]]))
    return True


def show_flash() -> None:
    """The message the last write left, once."""
    text = st.session_state.pop(FLASH, None)
    if text:
        st.success(text)


def issue_panel(actor, pick: PeriodPick, frame: pd.DataFrame) -> None:
    """Issue the period's statements, for every waiting vendor or one."""
    st.subheader(t("settlements.issue.heading"))
    if pick.end > today_local():
        st.info(t("settlements.issue.not_ended", end=local_date(pick.end)))
        return
    waiting = frame[frame["status"] == "not_issued"]
    seen_pick, shown = st.session_state.pop(SEEN_ISSUE, (None, None))
    if seen_pick != pick.key:  # picked for another period
        shown = None
    if shown is not None and shown not in set(waiting["vendor_id"].astype(int)):
        # The vendor the person had picked got its statement meanwhile: by someone else,
        # or by the first run of their own double click (whose message was lost).
        issued = frame.loc[frame["vendor_id"] == shown, "settlement_id"].dropna()
        change = data.changed_by(int(issued.iloc[0])) if len(issued) else None
        if change and (change["actor"], change["action"]) == (actor.username, "settlement.issue"):
            st.success(t("settlements.issue.done", count=1))
        else:
            st.warning(t("settlements.issue.taken", id=shown))
    if waiting.empty:
        st.caption(t("settlements.issue.none_left"))
        return
    names = {int(v): n for v, n in zip(waiting["vendor_id"], waiting["vendor_name"], strict=True)}
    labels = {None: t("settlements.issue.all"), **{v: f"{n} (#{v})" for v, n in names.items()}}
    choice = st.selectbox(
        t("settlements.issue.vendor"),
        [None, *names],
        format_func=labels.get,
        placeholder=labels[None],  # Streamlit shows a chosen None as the placeholder
        key="settlements_issue_vendor",
    )
    st.session_state[SEEN_ISSUE] = (pick.key, choice)
    if st.button(t("settlements.issue.button"), key="settlements_issue", type="primary"):
        # A vendor picked on the screen that got its statement meanwhile is no longer an
        # option, and the picker fell back to "all": issue for the one picked (refused).
        wanted = shown if shown is not None and shown != choice else choice
        vendor_ids = None if wanted is None else [int(wanted)]

        def message(result) -> str:
            text = t("settlements.issue.done", count=len(result.settlement_ids))
            # Only vendors this page listed as waiting: the others already had theirs.
            skipped = [v for v, _ in result.skipped if v in names]
            if skipped:
                ids = ", ".join(f"{names[v]} (#{v})" for v in skipped)  # t() escapes it once
                text += " " + t("settlements.issue.skipped", count=len(skipped), ids=ids)
            return text

        _act(lambda: data.issue(actor, pick.start, pick.end, vendor_ids), message)


def _drawn(row) -> str:
    """A widget key suffix naming the statement and its version."""
    return f"{int(row['settlement_id'])}_{int(row['version'])}"


def _adjust_form(actor, row) -> None:
    # Keys name the statement and its version: another statement, or this one changed
    # (saved here, carried into, or changed elsewhere), starts from its current values;
    # what the person typed stays while the statement stays as it was.
    drawn = _drawn(row)
    with st.form("settlements_adjust"):
        st.markdown(f"**{t('settlements.adjust.heading')}**")
        current = int(row["adjustment_cents"])
        direction = st.radio(
            t("settlements.adjust.direction"),
            ("add", "deduct"),
            index=1 if current < 0 else 0,
            format_func={d: t(f"settlements.adjust.{d}") for d in ("add", "deduct")}.get,
            horizontal=True,
            key=f"settlements_adjust_direction_{drawn}",
        )
        amount = st.text_input(
            t("settlements.adjust.amount"),
            value=f"{abs(current) // 100}.{abs(current) % 100:02d}",
            key=f"settlements_adjust_amount_{drawn}",
        )
        note = st.text_area(
            t("settlements.adjust.note"),
            value=_text(row["adjustment_note"]),
            key=f"settlements_adjust_note_{drawn}",
        )
        if st.form_submit_button(t("settlements.adjust.submit")):

            def run() -> dict:
                cents = parse_yuan(amount, allow_zero=True)
                cents = -cents if direction == "deduct" else cents
                settlement_id = int(row["settlement_id"])
                version = _seen_version(settlement_id, int(row["version"]))
                return data.adjust(actor, settlement_id, version, cents, note)

            _act(run, t("settlements.adjust.done"))


def _carry_panel(actor, row, pick: PeriodPick, seen: dict[int, int]) -> None:
    st.markdown(f"**{t('settlements.carry.heading')}**")
    offered = st.session_state.pop(SEEN_CARRY, None)
    done = data.carried_to(int(row["vendor_id"]), int(row["settlement_id"]))
    if done is not None:
        # A warning when the person was just offered the carry: someone else did it.
        show = st.warning if offered == int(row["settlement_id"]) else st.caption
        show(t("settlements.carry.already", id=done))
        return
    drafts = data.statement_list(int(row["vendor_id"]), ("draft",))
    later = drafts[drafts["period_start"] >= pick.end] if not drafts.empty else drafts
    if later.empty:
        st.caption(t("settlements.carry.none"))
        return
    options = {
        int(r.settlement_id): (
            _seen_version(int(r.settlement_id), int(r.version)),
            f"#{r.settlement_id} · {r.period_start}",
        )
        for r in later.itertuples()
    }
    seen.update({i: int(r.version) for i, r in zip(options, later.itertuples(), strict=True)})
    target = st.selectbox(
        t("settlements.carry.target"),
        list(options),
        format_func=lambda i: options[i][1],
        key="settlements_carry_target",
    )
    st.session_state[SEEN_CARRY] = int(row["settlement_id"])
    if st.button(t("settlements.carry.button"), key="settlements_carry"):
        _act(
            lambda: data.carry(actor, int(row["settlement_id"]), target, options[target][0]),
            t("settlements.carry.done", id=target),
        )


def statement_panel(actor, frame: pd.DataFrame, pick: PeriodPick) -> None:
    """Pick an issued statement and act on it as its state allows."""
    st.subheader(t("settlements.act.heading"))
    issued = frame[frame["status"] != "not_issued"]
    rows = {int(r["settlement_id"]): r for _, r in issued.iterrows()}
    before = st.session_state.get(SEEN_PICK)
    if before is not None and before[0] == pick.key and before[1] not in rows:
        if not _own_change(actor, before[1]):
            st.warning(t("settlements.act.gone", id=before[1]))
    if not rows:
        st.session_state.pop(SEEN_PICK, None)
        st.caption(t("settlements.act.none"))
        return
    if st.session_state.get(PICK) in rows:
        # The browser holds the picked option by its label, which names the state.
        # Setting the value again makes this run send the current label, so a
        # statement just confirmed (here or by someone else) no longer reads "Draft".
        st.session_state[PICK] = st.session_state[PICK]
    picked = st.selectbox(
        t("settlements.act.pick"),
        list(rows),
        # A select box's options are plain text (not Markdown): the shop's name as written.
        format_func={
            i: t_plain(
                "settlements.act.option",
                id=i,
                vendor=r["vendor_name"],
                state=status_label("settlement", r["status"]),
            )
            for i, r in rows.items()
        }.get,
        key=PICK,
    )
    row = rows[picked]
    seen = {i: int(r["version"]) for i, r in rows.items()}
    _statement_actions(actor, row, picked, pick, seen)
    # Reached when no write succeeded (a success reruns first): now the person has seen these.
    st.session_state[SEEN] = seen
    st.session_state[SEEN_PICK] = (pick.key, picked)


def _statement_actions(actor, row, picked: int, pick: PeriodPick, seen: dict[int, int]) -> None:
    """One statement's figures and the actions its state allows."""
    net = int(row["net_cents"])
    st.markdown(
        f"**{t('settlements.line.net_cents')}**: {money(net)} · "
        f"**{t('settlements.col.created_at')}**: {local_datetime(as_datetime(row['created_at']))}"
    )
    # What finance typed is shown literally, never as Markdown.
    for column, key in (
        ("adjustment_note", "settlements.col.note"),
        ("payment_reference", "settlements.col.reference"),
    ):
        if _text(row[column]):
            st.markdown(f"**{t(key)}**: {literal(row[column])}")
    if net < 0:
        st.warning(t("settlements.act.owed", amount=money(-net)))
    if row["differs"]:
        st.warning(t("settlements.act.differs"))
    status = row["status"]
    version = _seen_version(picked, int(row["version"]))
    if version != int(row["version"]) and not _own_change(actor, picked):
        # Changed elsewhere since the person last saw it; what they click now is refused.
        st.warning(t("settlements.act.changed", state=status_label("settlement", row["status"])))
    if status == "draft":
        _adjust_form(actor, row)
        left, right = st.columns(2)
        if left.button(t("settlements.confirm.button"), key="settlements_confirm", type="primary"):
            _act(lambda: data.confirm(actor, picked, version), t("settlements.confirm.done"))
        # Ticked for this statement as it is: another one (or this one changed) asks again.
        sure = right.checkbox(
            t("settlements.discard.check"), key=f"settlements_discard_sure_{_drawn(row)}"
        )
        if right.button(
            t("settlements.discard.button"), key="settlements_discard", disabled=not sure
        ):
            _act(lambda: data.discard(actor, picked, version), t("settlements.discard.done"))
    elif status == "confirmed":
        with st.form("settlements_pay"):
            reference = st.text_input(
                t("settlements.pay.reference"), key=f"settlements_reference_{_drawn(row)}"
            )
            if st.form_submit_button(t("settlements.pay.submit")):
                _act(
                    lambda: data.pay(actor, picked, version, reference),
                    t("settlements.pay.done"),
                )
    else:
        st.caption(t("settlements.no_actions"))
    if status in ("confirmed", "paid") and net < 0:
        _carry_panel(actor, row, pick, seen)


def _text(value) -> str:
    """A text cell of the table: empty for None and for pandas' NaN (which is truthy)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def month_end_panel(pick: PeriodPick) -> None:
    """On a click, build the period's overview workbook and statements archive; offer both."""
    st.subheader(t("settlements.month_end.heading"))
    st.caption(t("settlements.month_end.help"))
    if st.button(t("settlements.month_end.build"), key="settlements_month_end_build"):
        bar = st.progress(0.0)

        def progress(done: int, total: int, name: str) -> None:
            bar.progress(
                done / total,
                text=t("settlements.month_end.progress", done=done, total=total, name=name),
            )

        overview, archive = data.month_end_files(pick.start, pick.end, progress)
        st.session_state[MONTH_END] = (pick.key, overview, archive)
    built = st.session_state.get(MONTH_END)
    if built and built[0] == pick.key:
        stem = f"{pick.start}_{pick.end}"
        left, right = st.columns(2)
        left.download_button(
            t("settlements.month_end.overview"),
            data=guarded(built[1]),
            file_name=f"overview_{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="settlements_overview_download",
            on_click="ignore",
            icon=":material/download:",
        )
        right.download_button(
            t("settlements.month_end.zip"),
            data=guarded(built[2]),
            file_name=f"statements_{stem}.zip",
            mime="application/zip",
            key="settlements_zip_download",
            on_click="ignore",
            icon=":material/folder_zip:",
        )
