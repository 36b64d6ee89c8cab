"""The Products page's workbook panel (批量导入): download, upload, preview, apply all or none."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.products import (
    ProductFilter,
    preview_workbook,
    products_workbook_builder,
    save_changes,
)
from dashboard.i18n import lang, pick, status_label, t, tn
from dashboard.shell.auth import guarded
from dashboard.ui.formatting import money, number
from dashboard.views.products_edit import STATE, saved, show_error, show_report
from queries.core.actors import Actor
from queries.core.errors import UserError

__all__ = ["workbook"]


def workbook(actor: Actor, vendor_id: int | None, filters: ProductFilter) -> None:
    """批量导入: download, edit in Excel or WPS, upload, preview, apply all or nothing."""
    st.caption(t("products.workbook_help"))
    st.download_button(
        t("products.workbook_download"),
        data=guarded(products_workbook_builder(vendor_id, filters, lang())),
        file_name="products.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="products_workbook_download",
        on_click="ignore",
        icon=":material/download:",
        help=t("widget.download_help"),  # made on the click: the button spins meanwhile
    )
    upload = st.file_uploader(  # a new key after a save: the applied file is not offered again
        t("products.workbook_upload"), type=["xlsx"], key=f"products_upload_{STATE.nonce()}"
    )
    if upload is None:
        return
    try:
        preview = preview_workbook(actor, upload.getvalue())
    except UserError as exc:
        show_error(exc)
        return
    counts = len(preview.changes), len(preview.refused), preview.unchanged
    st.markdown(
        t(
            "products.workbook_summary",
            changes=number(counts[0]),
            refused=number(counts[1]),
            unchanged=number(counts[2]),
            changes_text=tn("products.n_products", counts[0], count=number(counts[0])),
            refused_text=tn("products.n_rows", counts[1], count=number(counts[1])),
            unchanged_text=tn("products.n_rows", counts[2], count=number(counts[2])),
        )
    )
    if not preview.changed.empty:
        st.dataframe(_changes_frame(preview.changed), hide_index=True)
    if not preview.refused.empty:
        st.error(t("products.workbook_refused"))
        st.dataframe(
            pd.DataFrame(
                {
                    t("products.col.row"): preview.refused["row_number"],
                    t("products.col.id"): preview.refused["product_id"].astype("string"),
                    t("products.col.problem"): preview.refused[pick("reason_zh", "reason_en")],
                }
            ),
            hide_index=True,
        )
    if st.button(
        t("products.workbook_apply"),
        type="primary",
        disabled=not preview.can_apply,
        key="products_workbook_apply",
    ):
        try:
            saved(save_changes(actor, preview.changes))
        except UserError as exc:
            show_report(exc)


def _changes_frame(changed: pd.DataFrame) -> pd.DataFrame:
    def shown(field: str, value) -> str:
        if field == "price_cents":
            return money(int(value))
        if field == "status":
            return status_label("product", value)
        return number(int(value))

    return pd.DataFrame(
        {
            t("products.col.row"): changed["row_number"],
            t("products.col.id"): changed["product_id"].astype(str),
            t("products.col.name"): changed["name"],
            t("products.col.field"): changed["field"].map(lambda f: t(f"products.field.{f}")),
            t("products.col.before"): [
                shown(f, v) for f, v in zip(changed["field"], changed["before"], strict=True)
            ],
            t("products.col.after"): [
                shown(f, v) for f, v in zip(changed["field"], changed["after"], strict=True)
            ],
        }
    )
