"""Products (商品管理): find and page through products; vendors edit, operators ban.

Filter form → `ProductFilter` → one cached page → render. A vendor edits one
product in a form, many in an editable table (with a "raise / lower by N %"
preview), or thousands through a workbook (批量导入). An operator picks a shop
(or the whole mall) and bans a product with a reason, or lifts a ban.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.context import current_actor, page_scope
from dashboard.data.products import (
    ProductFilter,
    categories,
    preview_workbook,
    product_page,
    products_workbook_builder,
    save_changes,
    save_product,
)
from dashboard.formatting import local_datetime, money, number
from dashboard.i18n import lang, status_label, t
from dashboard.widgets import download_table, empty_state, freshness, show_error
from exports.xlsx import Column
from queries.errors import UserError
from queries.products import SORTS, ProductChange, preview_price_change
from queries.schema import PRODUCT_STATUSES
from queries.validation import parse_price, parse_price_change, parse_product_status, parse_stock

PAGE_SIZE = 50
PAGE_KEY = "products_page_no"

actor = current_actor()
scope = page_scope(actor)
st.title(t("page.products"))


def _category_label(category_id: int | None) -> str:
    if category_id is None:
        return t("products.any_category")
    names = {cid: (zh, en) for cid, zh, en in categories()}
    zh, en = names.get(category_id, ("?", "?"))
    return zh if lang() == "zh" else en


def _read_filters() -> ProductFilter:
    with st.form("products_filters"):
        a, b, c = st.columns([2, 2, 1])
        search = a.text_input(t("products.search"), key="products_search")
        statuses = b.multiselect(
            t("products.statuses"),
            PRODUCT_STATUSES,
            format_func=lambda code: status_label("product", code),
            key="products_statuses",
        )
        sort = c.selectbox(
            t("products.sort"),
            list(SORTS),
            format_func=lambda s: t(f"products.sort.{s}"),
            key="products_sort",
        )
        a, b, c = st.columns([2, 1, 1])
        category_id = a.selectbox(
            t("products.category"),
            [None, *(cid for cid, _, _ in categories())],
            format_func=_category_label,
            key="products_category",
        )
        low = b.checkbox(t("products.low_stock"), key="products_low")
        below = c.number_input(
            t("products.low_stock_below"),
            min_value=1,
            max_value=100_000,
            value=10,
            step=1,
            key="products_below",
        )
        st.form_submit_button(t("products.apply"), icon=":material/search:")
    return ProductFilter(
        search=search.strip(),
        statuses=tuple(statuses),
        category_id=category_id,
        low_stock_below=int(below) if low else None,
        sort=sort,
    )


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    """The page's rows in words and yuan, for reading."""
    frame = {
        t("products.col.id"): rows["product_id"].astype(str),
        t("products.col.name"): rows["name"],
        t("products.col.category"): rows["category_name" if lang() == "zh" else "category_name_en"],
        t("products.col.price"): rows["price_cents"].map(money),
        t("products.col.stock"): rows["stock"].map(number),
        t("products.col.status"): rows["status"].map(lambda c: status_label("product", c)),
        t("products.col.ban_reason"): rows["ban_reason"].fillna(""),
        t("products.col.updated"): [local_datetime(v.to_pydatetime()) for v in rows["updated_at"]],
    }
    if scope.is_mall:
        frame = {t("products.col.shop"): rows["vendor_name"], **frame}
    return pd.DataFrame(frame)


def _report(exc: UserError) -> None:
    """An error, with the rows it names (refused rows or someone else's current values)."""
    show_error(exc)
    if isinstance(exc.details, dict) and exc.details:
        lines = []
        for key, value in exc.details.items():
            if isinstance(value, tuple):
                lines.append(f"- #{key}: {value[0] if lang() == 'zh' else value[1]}")
            elif isinstance(value, dict) and "price_cents" in value:
                lines.append(
                    f"- #{key}: {money(value['price_cents'])} · {number(value['stock'])} · "
                    f"{status_label('product', value['status'])}"
                )
        if lines:
            st.markdown("\n".join(lines))


def _saved(count: int) -> None:
    st.session_state["products_flash"] = t("products.saved", count=number(count))
    st.rerun()


def _edit_one(rows: pd.DataFrame) -> None:
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
        st.warning(t("products.banned_notice", reason=row["ban_reason"] or "—"))
    with st.form(f"products_one_{picked}_{row['version']}"):
        price_text = st.text_input(
            t("products.price_yuan"), value=f"{row['price_cents'] / 100:.2f}"
        )  # shown only; the typed text is parsed exactly below
        stock_text = st.text_input(t("products.stock"), value=str(row["stock"]))
        options = ["on_sale", "off_shelf"] + (["banned"] if row["status"] == "banned" else [])
        status = st.radio(
            t("products.status"),
            options,
            index=options.index(row["status"]),
            horizontal=True,
            format_func=lambda c: status_label("product", c),
        )
        submitted = st.form_submit_button(t("products.save"), type="primary")
    if not submitted:
        return
    try:
        version = save_product(
            actor,
            int(picked),
            expected_version=int(row["version"]),
            price_cents=parse_price(price_text),
            stock=parse_stock(stock_text),
            status=status,
        )
    except UserError as exc:
        _report(exc)
        return
    _saved(1 if version != row["version"] else 0)


def _edit_table(rows: pd.DataFrame) -> None:
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
    edited = st.data_editor(
        table,
        key="products_editor",
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
    if st.button(t("products.save_table"), type="primary", key="products_save_table"):
        changes, problems = _table_changes(rows, table, edited)
        if problems:
            st.error(t("products.rows_refused", count=len(problems)))
            st.markdown("\n".join(f"- #{pid}: {msg}" for pid, msg in problems.items()))
        elif not changes:
            st.info(t("products.nothing_changed"))
        else:
            try:
                _saved(save_changes(actor, changes))
            except UserError as exc:
                _report(exc)
    _percent_change(rows, edited)


def _table_changes(rows, table, edited) -> tuple[list[ProductChange], dict[int, str]]:
    """The changed rows as ProductChanges, or a message per row that cannot be read."""
    changes, problems = [], {}
    for (_, old), (_, new), version in zip(
        table.iterrows(), edited.iterrows(), rows["version"], strict=True
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


def _percent_change(rows: pd.DataFrame, edited: pd.DataFrame) -> None:
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
            t("products.col.problem"): preview[
                "problem_zh" if lang() == "zh" else "problem_en"
            ].fillna(""),
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
            _saved(save_changes(actor, changes))
        except UserError as exc:
            _report(exc)


def _workbook(filters: ProductFilter) -> None:
    """批量导入: download, edit in Excel or WPS, upload, preview, apply all or nothing."""
    st.caption(t("products.workbook_help"))
    st.download_button(
        t("products.workbook_download"),
        data=products_workbook_builder(scope.vendor_id, filters, lang()),
        file_name="products.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="products_workbook_download",
        on_click="ignore",
        icon=":material/download:",
    )
    upload = st.file_uploader(t("products.workbook_upload"), type=["xlsx"], key="products_upload")
    if upload is None:
        return
    try:
        preview = preview_workbook(actor, upload.getvalue())
    except UserError as exc:
        show_error(exc)
        return
    st.markdown(
        t(
            "products.workbook_summary",
            changes=number(len(preview.changes)),
            refused=number(len(preview.refused)),
            unchanged=number(preview.unchanged),
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
                    t("products.col.problem"): preview.refused[
                        "reason_zh" if lang() == "zh" else "reason_en"
                    ],
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
            _saved(save_changes(actor, preview.changes))
        except UserError as exc:
            _report(exc)


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


def _ban(rows: pd.DataFrame) -> None:
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
    with st.form(f"products_ban_{picked}_{row['version']}"):
        if banned:
            st.warning(t("products.banned_notice", reason=row["ban_reason"] or "—"))
        reason = st.text_area(t("products.ban_reason"), max_chars=500)
        label = t("products.lift_ban") if banned else t("products.ban")
        submitted = st.form_submit_button(label, type="primary")
    if not submitted:
        return
    try:
        save_product(
            actor,
            int(picked),
            expected_version=int(row["version"]),
            status="off_shelf" if banned else "banned",
            reason=reason.strip() or None,
        )
    except UserError as exc:
        _report(exc)
        return
    _saved(1)


def _step(delta: int, pages: int) -> None:
    st.session_state[PAGE_KEY] = min(max(st.session_state.get(PAGE_KEY, 1) + delta, 1), pages)


flash = st.session_state.pop("products_flash", None)
if flash:
    st.success(flash)
filters = _read_filters()
seen = (scope.vendor_id, filters)
if st.session_state.get("products_seen") != seen:
    st.session_state["products_seen"] = seen
    st.session_state[PAGE_KEY] = 1
try:
    rows, total = product_page(
        scope.vendor_id, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE
    )
except UserError as exc:
    show_error(exc)
    st.stop()
freshness("products_refresh")
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
if total == 0:
    empty_state(t("products.empty") if filters != ProductFilter() else t("products.empty_shop"))
    if actor.role == "vendor":
        _workbook(filters)
    st.stop()

st.caption(t("products.total", total=number(total), page=st.session_state[PAGE_KEY], pages=pages))
st.dataframe(_shown(rows), hide_index=True)
prev_col, next_col, _ = st.columns([1, 1, 4])
prev_col.button(
    t("products.prev"),
    on_click=_step,
    args=(-1, pages),
    key="products_prev",
    disabled=st.session_state[PAGE_KEY] <= 1,
)
next_col.button(
    t("products.next"),
    on_click=_step,
    args=(1, pages),
    key="products_next",
    disabled=st.session_state[PAGE_KEY] >= pages,
)
download_table(
    rows[["product_id", "name", "price_cents", "stock", "status"]].assign(
        status=rows["status"].map(lambda c: status_label("product", c))
    ),
    [
        Column(t("products.col.id"), "int"),
        Column(t("products.col.name")),
        Column(t("products.col.price"), "money"),
        Column(t("products.col.stock"), "int"),
        Column(t("products.col.status")),
    ],
    file_name="products_page",
    key="products_page_download",
)

if actor.role == "vendor":
    modes = ["one", "table", "workbook"]
    mode = st.segmented_control(
        t("products.mode"),
        modes,
        default="one",
        format_func=lambda m: t(f"products.mode.{m}"),
        key="products_mode",
    )
    if mode == "table":
        _edit_table(rows)
    elif mode == "workbook":
        _workbook(filters)
    else:
        _edit_one(rows)
elif actor.role == "operator":
    st.subheader(t("products.ban_title"))
    _ban(rows)
