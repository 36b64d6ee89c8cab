"""The Products page's edit panels: one product, many in a table, prices by N %, a ban.

Every save runs in the button's callback with the versions the person saw; its
outcome is kept for the next run (`dashboard.ui.actions.PageState`) and shown where
the click was.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.products import save_changes, save_product
from dashboard.i18n import lang, pick, status_label, t, tn
from dashboard.ui.actions import PageState
from dashboard.ui.formatting import money, number
from dashboard.ui.widgets import literal
from queries.catalog.products import ProductChange, preview_price_change
from queries.core.actors import Actor
from queries.core.errors import UserError
from queries.core.schema import PRODUCT_STATUSES
from queries.core.validation import (
    parse_price,
    parse_price_change,
    parse_product_status,
    parse_stock,
)

__all__ = ["STATE", "ban", "edit_one", "edit_table", "saved", "show_error", "show_report"]

STATE = PageState("products")


def show_error(exc: UserError) -> None:
    """A user's error in their language; what it quotes (typed text, a ban reason) as typed."""
    st.error(literal(exc.message(lang())))


def show_report(exc: UserError) -> None:
    """An error, with the rows it names (refused rows or someone else's current values)."""
    show_error(exc)
    if isinstance(exc.details, dict) and exc.details:
        lines = []
        for key, value in exc.details.items():
            if isinstance(value, tuple):
                lines.append(f"- #{key}: {literal(pick(*value))}")
            elif isinstance(value, dict) and "price_cents" in value:
                lines.append(
                    f"- #{key}: {money(value['price_cents'])} · {number(value['stock'])} · "
                    f"{status_label('product', value['status'])}"
                )
        if lines:
            st.markdown("\n".join(lines))


def saved(count: int, *, rerun: bool = True) -> None:
    """Say what was saved (at the top, after the rerun) and redraw the forms from the database."""
    STATE.refresh()
    if count == 0:  # already as wanted (a repeated click): nothing was written
        STATE.flash(t("products.nothing_changed"))
    else:
        STATE.flash(tn("products.saved", count, count=number(count)))
    if rerun:
        st.rerun()


def _outcome(where: str) -> None:
    """The error a callback left for this section, shown once."""
    found = STATE.pop_error(where)
    if found is not None:
        show_report(found)


def _save_one(actor: Actor, product_id: int, version: int, prefix: str) -> None:
    """The form's save: runs on the click, with the version the person saw (not a newer one)."""
    state = st.session_state
    try:
        new_version = save_product(
            actor,
            product_id,
            expected_version=version,
            price_cents=parse_price(state[f"{prefix}_price"]),
            stock=parse_stock(state[f"{prefix}_stock"]),
            status=state[f"{prefix}_status"],
        )
    except UserError as exc:
        STATE.keep_error(exc, "one")
        return
    saved(1 if new_version != version else 0, rerun=False)


def edit_one(actor: Actor, rows: pd.DataFrame) -> None:
    """One product: price typed in yuan, stock, on sale / off shelf."""
    ids = rows["product_id"].tolist()
    picked = st.selectbox(
        t("products.pick"),
        ids,
        key="products_one_pick",
        format_func=lambda i: f"#{i} {rows.loc[rows['product_id'] == i, 'name'].iloc[0]}",
    )
    row = rows.loc[rows["product_id"] == picked].iloc[0]
    if row["status"] == "banned":
        st.warning(t("products.banned_notice", reason=literal(row["ban_reason"] or "—")))
    prefix = f"products_one_{picked}_{STATE.nonce()}"
    price = int(row["price_cents"])
    with st.form(prefix):
        st.text_input(
            t("products.price_yuan"),
            value=f"{price // 100}.{price % 100:02d}",
            key=f"{prefix}_price",
        )  # the typed text is parsed exactly on save
        st.text_input(t("products.stock"), value=str(row["stock"]), key=f"{prefix}_stock")
        options = ["on_sale", "off_shelf"] + (["banned"] if row["status"] == "banned" else [])
        st.radio(
            t("products.status"),
            options,
            index=options.index(row["status"]),
            horizontal=True,
            format_func={c: status_label("product", c) for c in options}.__getitem__,
            key=f"{prefix}_status",
        )
        st.form_submit_button(
            t("products.save"),
            type="primary",
            on_click=_save_one,
            args=(actor, int(picked), int(row["version"]), prefix),
        )
    _outcome("one")


def _save_table(actor: Actor, table: pd.DataFrame, versions: list[int], editor_key: str) -> None:
    """The table's save: the edits applied to the rows as the person saw them, with their versions.

    The edit state holds positions; applied to a fresh page (re-sorted after someone
    else's change) they would land on other products.
    """
    edited = table.astype(object)
    for position, cells in (st.session_state.get(editor_key) or {}).get("edited_rows", {}).items():
        for column, value in cells.items():
            if column in ("price", "stock", "status", "select"):
                edited.iloc[int(position), edited.columns.get_loc(column)] = value
    changes, problems = _table_changes(versions, table, edited)
    if problems:
        st.session_state["products_table_problems"] = problems
    elif not changes:
        st.session_state["products_table_nothing"] = True
    else:
        try:
            saved(save_changes(actor, changes), rerun=False)
        except UserError as exc:
            STATE.keep_error(exc, "table")


def edit_table(actor: Actor, rows: pd.DataFrame) -> None:
    """Many products at once: only changed rows are saved, all or none."""
    labels = {code: status_label("product", code) for code in PRODUCT_STATUSES}
    table = pd.DataFrame(
        {
            "select": False,
            "product_id": rows["product_id"],
            "name": rows["name"],
            "price": [f"{c // 100}.{c % 100:02d}" for c in rows["price_cents"]],
            "stock": rows["stock"].astype("int64"),
            "status": rows["status"].map(labels),
        }
    )
    versions = [int(v) for v in rows["version"]]
    # A new key when the rows differ (another page, someone's save): edits never move rows.
    shown = hash((tuple(int(i) for i in rows["product_id"]), tuple(versions))) & 0xFFFFFFFF
    editor_key = f"products_editor_{STATE.nonce()}_{shown:08x}"
    edited = st.data_editor(
        table,
        key=editor_key,
        hide_index=True,
        disabled=["product_id", "name"],
        column_config={
            "select": st.column_config.CheckboxColumn(t("products.col.select")),
            "product_id": st.column_config.TextColumn(t("products.col.id")),
            "name": st.column_config.TextColumn(t("products.col.name")),
            "price": st.column_config.TextColumn(t("products.col.price_yuan")),
            "stock": st.column_config.NumberColumn(t("products.col.stock"), min_value=0, step=1),
            "status": st.column_config.SelectboxColumn(
                t("products.col.status"), options=list(labels.values()), required=True
            ),
        },
    )
    st.button(
        t("products.save_table"),
        type="primary",
        key="products_save_table",
        on_click=_save_table,
        args=(actor, table, versions, editor_key),
    )
    problems = st.session_state.pop("products_table_problems", None)
    if problems:
        st.error(tn("products.rows_refused", len(problems)))
        st.markdown("\n".join(f"- #{pid}: {literal(msg)}" for pid, msg in problems.items()))
    if st.session_state.pop("products_table_nothing", False):
        st.info(t("products.nothing_changed"))
    _outcome("table")
    _percent_change(actor, rows, edited)


def _table_changes(versions, table, edited) -> tuple[list[ProductChange], dict[int, str]]:
    """The changed rows as ProductChanges, or a message per row that cannot be read."""
    changes, problems = [], {}
    for (_, old), (_, new), version in zip(
        table.iterrows(), edited.iterrows(), versions, strict=True
    ):
        if (old["price"], old["stock"], old["status"]) == (
            new["price"],
            new["stock"],
            new["status"],
        ):
            continue
        pid = int(old["product_id"])
        try:
            price = parse_price(new["price"])
            stock = parse_stock(new["stock"])
            status = parse_product_status(new["status"])
        except UserError as exc:
            problems[pid] = exc.message(lang())
            continue
        old_price = parse_price(old["price"])
        changes.append(
            ProductChange(
                pid,
                int(version),
                price_cents=price if price != old_price else None,
                stock=stock if stock != int(old["stock"]) else None,
                status=status if new["status"] != old["status"] else None,
            )
        )
    return changes, problems


def _percent_change(actor: Actor, rows: pd.DataFrame, edited: pd.DataFrame) -> None:
    """Raise or lower the selected rows' prices by N %, previewed before saving."""
    st.subheader(t("products.percent_title"))
    selected = rows.loc[edited["select"].to_numpy(dtype=bool)]
    left, right = st.columns([1, 3])
    text = left.text_input(
        t("products.percent"), key="products_percent", help=t("products.percent_help")
    )
    if right.button(t("products.preview"), key="products_preview"):
        try:
            bps = parse_price_change(text)
        except UserError as exc:
            show_error(exc)
            return
        if selected.empty:
            st.warning(t("products.select_rows"))
            return
        st.session_state["products_percent_preview"] = preview_price_change(
            selected, change_bps=bps
        )
    preview = st.session_state.get("products_percent_preview")
    if preview is None:
        return
    shown = pd.DataFrame(
        {
            t("products.col.id"): preview["product_id"].astype(str),
            t("products.col.name"): preview["name"],
            t("products.col.price"): preview["price_cents"].map(money),
            t("products.col.new_price"): [
                money(None if pd.isna(v) else int(v)) for v in preview["new_price_cents"]
            ],
            t("products.col.problem"): preview[pick("problem_zh", "problem_en")].fillna(""),
        }
    )
    st.dataframe(shown, hide_index=True)
    ok = preview["new_price_cents"].notna().all()
    if st.button(
        t("products.apply_percent"), type="primary", disabled=not ok, key="products_apply_percent"
    ):
        changes = [
            ProductChange(int(r.product_id), int(r.version), price_cents=int(r.new_price_cents))
            for r in preview.itertuples()
        ]
        st.session_state.pop("products_percent_preview", None)
        try:
            saved(save_changes(actor, changes))
        except UserError as exc:
            show_report(exc)


def _save_ban(actor: Actor, product_id: int, version: int, banned: bool, prefix: str) -> None:
    """Ban (or lift the ban) as the operator saw the product: its version and its status."""
    reason = st.session_state.get(f"{prefix}_reason") or ""
    try:
        new_version = save_product(
            actor,
            product_id,
            expected_version=version,
            status="off_shelf" if banned else "banned",
            reason=reason.strip() or None,
        )
    except UserError as exc:
        STATE.keep_error(exc, "ban")
        return
    STATE.refresh()
    if new_version == version:
        STATE.flash(t("products.nothing_changed"))
    else:
        STATE.flash(
            t(
                "products.unbanned_done" if banned else "products.banned_done",
                product_id=product_id,
            )
        )


def ban(actor: Actor, rows: pd.DataFrame) -> None:
    """Operators: ban a product with a reason, or lift a ban (it stays off shelf)."""
    ids = rows["product_id"].tolist()
    picked = st.selectbox(
        t("products.pick"),
        ids,
        key="products_ban_pick",
        format_func=lambda i: f"#{i} {rows.loc[rows['product_id'] == i, 'name'].iloc[0]}",
    )
    row = rows.loc[rows["product_id"] == picked].iloc[0]
    banned = row["status"] == "banned"
    prefix = f"products_ban_{picked}_{STATE.nonce()}"
    with st.form(prefix):
        if banned:
            st.warning(t("products.banned_notice", reason=literal(row["ban_reason"] or "—")))
        st.text_area(t("products.ban_reason"), max_chars=500, key=f"{prefix}_reason")
        label = t("products.lift_ban") if banned else t("products.ban")
        st.form_submit_button(
            label,
            type="primary",
            on_click=_save_ban,
            args=(actor, int(picked), int(row["version"]), bool(banned), prefix),
        )
    _outcome("ban")
