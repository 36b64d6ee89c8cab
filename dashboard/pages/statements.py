"""Statements (结算单): a vendor's own confirmed and paid statements; operators read any shop's.

Scope → one cached list → pick a statement → its lines, and beneath them every
order and refund that makes them up, and the workbook. Drafts are finance's:
they never show here. Read-only for everyone.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.data import settlements as data
from dashboard.i18n import status_label, t
from dashboard.shell.auth import guarded
from dashboard.shell.context import current_actor, page_scope
from dashboard.ui.formatting import as_datetime, local_date, local_datetime, money, number
from dashboard.ui.widgets import download_table, empty_state, freshness, literal, show_error
from dashboard.views.statement_table import download_statements
from exports.xlsx import Column
from queries.core.errors import UserError
from queries.finance.lines import LINES
from queries.finance.settlements import StatementDetail

DETAIL_LIMIT = 2000  # rows on screen; the workbook holds them all


def _when(value) -> str:
    return local_datetime(as_datetime(value))


def _period_text(start, end) -> str:
    return f"{local_date(start)} – {local_date(end - timedelta(days=1))}"


def _list(frame: pd.DataFrame, mall: bool) -> None:
    shown = {
        t("settlements.col.period"): [
            _period_text(a, b)
            for a, b in zip(frame["period_start"], frame["period_end"], strict=True)
        ],
        t("settlements.col.statement"): frame["settlement_id"].map(lambda v: f"#{v}"),
        t("settlements.col.state"): frame["status"].map(lambda s: status_label("settlement", s)),
        t("settlements.line.net_cents"): frame["net_cents"].map(money),
        t("settlements.col.confirmed_at"): frame["confirmed_at"].map(
            lambda v: local_datetime(as_datetime(v))
        ),
        t("settlements.col.paid_at"): frame["paid_at"].map(
            lambda v: local_datetime(as_datetime(v))
        ),
        t("settlements.col.reference"): frame["payment_reference"].fillna(""),
    }
    if mall:
        shown = {t("settlements.col.vendor"): frame["vendor_name"], **shown}
    st.dataframe(pd.DataFrame(shown), hide_index=True)
    columns = [
        ("vendor_name", "settlements.col.vendor", "text"),
        ("settlement_id", "settlements.col.statement", "int"),
        ("period_start", "settlements.col.period_start", "date"),
        ("period_end", "settlements.col.period_end", "date"),
        ("status", "settlements.col.state", "text"),
        *((line, f"settlements.line.{line}", "money") for line in LINES),
        ("adjustment_note", "settlements.col.note", "text"),
        ("confirmed_at", "settlements.col.confirmed_at", "datetime"),
        ("paid_at", "settlements.col.paid_at", "datetime"),
        ("payment_reference", "settlements.col.reference", "text"),
    ]
    download_statements(
        frame, columns, file_name=t("page.statements"), key="statements_list_download"
    )


def _lines(detail: StatementDetail) -> None:
    info = detail.info
    row = info.settlement or {}
    st.subheader(
        f"#{row.get('settlement_id')} · {literal(info.vendor_name)} · "
        f"{_period_text(info.period_start, info.period_end)}"
    )
    st.caption(
        f"{t('settlements.col.state')}: {status_label('settlement', info.status)} · "
        f"{t('settlements.col.confirmed_at')}: {local_datetime(row.get('confirmed_at'))} · "
        f"{t('settlements.col.paid_at')}: {local_datetime(row.get('paid_at'))}"
        + (
            f" · {t('settlements.col.reference')}: {literal(row['payment_reference'])}"
            if row.get("payment_reference")
            else ""
        )
    )
    values = info.totals.as_dict()
    st.metric(t("settlements.line.net_cents"), money(values["net_cents"]))
    if values["net_cents"] < 0:
        st.warning(t("settlements.act.owed", amount=money(-values["net_cents"])))
    st.markdown(f"**{t('settlements.st.lines')}**")
    st.dataframe(
        pd.DataFrame(
            {
                t("settlements.st.label"): [t(f"settlements.line.{line}") for line in LINES],
                t("settlements.st.amount"): [money(values[line]) for line in LINES],
            }
        ),
        hide_index=True,
    )
    if row.get("adjustment_note"):
        st.info(f"{t('settlements.col.note')}: {literal(row['adjustment_note'])}")
    if info.differences:
        st.caption(t("settlements.st.differs"))


ORDER_SPEC = [
    ("order_no", "settlements.col.order_no", "text"),
    ("paid_at", "settlements.col.paid_time", "datetime"),
    ("goods_cents", "settlements.col.goods", "money"),
    ("discount_cents", "settlements.col.discount", "money"),
    ("platform_discount_cents", "settlements.col.subsidy", "money"),
    ("shipping_cents", "settlements.col.shipping", "money"),
    ("paid_cents", "settlements.col.paid", "money"),
    ("commission_cents", "settlements.col.commission", "money"),
    ("payment_fee_cents", "settlements.col.fee", "money"),
]
REFUND_SPEC = [
    ("refund_id", "settlements.col.refund_id", "int"),
    ("order_no", "settlements.col.order_no", "text"),
    ("completed_at", "settlements.col.completed_at", "datetime"),
    ("amount_cents", "settlements.col.refund_amount", "money"),
    ("commission_refund_cents", "settlements.col.commission_returned", "money"),
]


def _rows(frame: pd.DataFrame, spec, truncated: bool, heading: str, empty: str, key: str) -> None:
    st.markdown(f"**{t(heading, count=number(len(frame)) + ('+' if truncated else ''))}**")
    if frame.empty:
        empty_state(t(empty))
        return
    shown = {}
    for column, header, kind in spec:
        if kind == "money":
            shown[t(header)] = frame[column].map(money)
        elif kind == "datetime":
            shown[t(header)] = frame[column].map(_when)
        else:
            shown[t(header)] = frame[column].astype(str)
    st.dataframe(pd.DataFrame(shown), hide_index=True)
    if truncated:
        st.caption(t("settlements.st.truncated", limit=number(DETAIL_LIMIT)))
    download_table(
        frame[[c for c, _, _ in spec]],
        [Column(t(h), kind) for _, h, kind in spec],
        file_name=f"{t('page.statements')}-{key}",
        key=f"statements_{key}_download",
    )


st.title(t("page.statements"))
actor = current_actor()
scope = page_scope(actor)
st.caption(
    t("settlements.st.intro_vendor" if actor.role == "vendor" else "settlements.st.intro_staff")
)
try:
    statements = data.statement_list(scope.vendor_id, data.VENDOR_STATUSES)
    freshness("statements_refresh")
    if statements.empty:
        empty_state(t("settlements.st.none"))
    else:
        _list(statements, scope.is_mall)
        labels = {
            int(r.settlement_id): f"#{r.settlement_id} · {r.vendor_name} · "
            f"{_period_text(r.period_start, r.period_end)}"
            for r in statements.itertuples()
        }
        picked = st.selectbox(
            t("settlements.act.pick"),
            list(labels),
            format_func=lambda i: labels[i],
            key="statements_pick",
        )
        detail = data.statement(scope.vendor_id, picked, data.VENDOR_STATUSES)
        if detail is None:
            empty_state(t("settlements.st.not_found"))
        else:
            _lines(detail)
            st.download_button(
                t("settlements.st.workbook"),
                data=guarded(
                    data.statement_workbook_builder(
                        detail.info.vendor_id, detail.info.period_start, detail.info.period_end
                    )
                ),
                file_name=f"statement_{detail.info.vendor_id}_{detail.info.period_start}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                on_click="ignore",
                icon=":material/download:",
                help=t("widget.download_help"),  # made on the click: the button spins meanwhile
                key="statements_workbook",
            )
            _rows(
                detail.orders,
                ORDER_SPEC,
                detail.orders_truncated,
                "settlements.st.orders",
                "settlements.st.no_orders",
                "orders",
            )
            _rows(
                detail.refunds,
                REFUND_SPEC,
                detail.refunds_truncated,
                "settlements.st.refunds",
                "settlements.st.no_refunds",
                "refunds",
            )
except UserError as exc:
    show_error(exc)
