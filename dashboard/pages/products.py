"""Products (商品管理): find and page through products; vendors edit, operators ban.

Filter form → `ProductFilter` → one cached page → render. A vendor edits one
product in a form, many in an editable table (with a "raise / lower by N %"
preview), or thousands through a workbook (批量导入). An operator picks a shop
(or the whole mall) and bans a product with a reason, or lifts a ban.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.data.products import (
    ProductFilter,
    categories,
    preview_workbook,
    product_page,
    products_workbook_builder,
    save_changes,
    save_product,
)
from dashboard.i18n import choose_placeholder, lang, status_label, t, tn
from dashboard.shell.context import current_actor, page_scope
from dashboard.shell.url_state import bind, fit_page
from dashboard.ui.formatting import local_datetime, money, number
from dashboard.ui.widgets import download_table, empty_state, freshness, literal
from exports.xlsx import Column
from queries.catalog.products import SORTS, ProductChange, preview_price_change
from queries.core.errors import Conflict, UserError
from queries.core.schema import PRODUCT_STATUSES
from queries.core.validation import (
    parse_price,
    parse_price_change,
    parse_product_status,
    parse_stock,
)

PAGE_SIZE = 50
PAGE_KEY = "products_page_no"

actor = current_actor()
scope = page_scope(actor)
st.title(t("page.products"))


def _category_labels() -> dict[int | None, str]:
    """Category names in the session's language (fixed now: AppTest formats outside the run)."""
    names = {cid: zh if lang() == "zh" else en for cid, zh, en in categories()}
    return {None: t("products.any_category"), **names}


def _read_filters() -> ProductFilter:
    with st.form("products_filters"):
        a, b, c = st.columns([2, 2, 1])
        bind("products_search", "q")
        search = a.text_input(t("products.search"), key="products_search")
        statuses = b.multiselect(
            t("products.statuses"),
            PRODUCT_STATUSES,
            format_func={c: status_label("product", c) for c in PRODUCT_STATUSES}.__getitem__,
            placeholder=choose_placeholder(many=True),
            key="products_statuses",
        )
        sort = c.selectbox(
            t("products.sort"),
            list(SORTS),
            format_func={s: t(f"products.sort.{s}") for s in SORTS}.__getitem__,
            key="products_sort",
        )
        a, b, c = st.columns([2, 1, 1])
        category_id = a.selectbox(
            t("products.category"),
            [None, *(cid for cid, _, _ in categories())],
            format_func=_category_labels().__getitem__,
            placeholder=_category_labels()[None],  # Streamlit shows a chosen None as this
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


def _error(exc: UserError) -> None:
    """A user's error in their language; what it quotes (typed text, a ban reason) as typed."""
    st.error(literal(exc.message(lang())))


def _report(exc: UserError) -> None:
    """An error, with the rows it names (refused rows or someone else's current values)."""
    _error(exc)
    if isinstance(exc.details, dict) and exc.details:
        lines = []
        for key, value in exc.details.items():
            if isinstance(value, tuple):
                lines.append(f"- #{key}: {literal(value[0] if lang() == 'zh' else value[1])}")
            elif isinstance(value, dict) and "price_cents" in value:
                lines.append(
                    f"- #{key}: {money(value['price_cents'])} · {number(value['stock'])} · "
                    f"{status_label('product', value['status'])}"
                )
        if lines:
            st.markdown("\n".join(lines))


def _saved(count: int, *, rerun: bool = True) -> None:
    """Say what was saved (at the top, after the rerun) and redraw the forms from the database."""
    _refresh()
    if count == 0:  # already as wanted (a repeated click): nothing was written
        st.session_state["products_flash"] = t("products.nothing_changed")
    else:
        st.session_state["products_flash"] = tn("products.saved", count, count=number(count))
    if rerun:
        st.rerun()


def _refresh() -> None:
    """New keys for the edit forms and the table: they show the database's values again."""
    st.session_state["products_nonce"] = st.session_state.get("products_nonce", 0) + 1


def _failed(where: str, exc: UserError) -> None:
    """Keep a callback's error for its section; a conflict also redraws it with current values."""
    st.session_state[f"products_error_{where}"] = exc
    if isinstance(exc, Conflict):
        _refresh()


def _outcome(where: str) -> None:
    """The error a callback left for this section, shown once."""
    found = st.session_state.pop(f"products_error_{where}", None)
    if found is not None:
        _report(found)


def _save_one(product_id: int, version: int, prefix: str) -> None:
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
        _failed("one", exc)
        return
    _saved(1 if new_version != version else 0, rerun=False)


def _nonce() -> int:
    return st.session_state.get("products_nonce", 0)


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
        st.warning(t("products.banned_notice", reason=literal(row["ban_reason"] or "—")))
    prefix = f"products_one_{picked}_{_nonce()}"
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
            args=(int(picked), int(row["version"]), prefix),
        )
    _outcome("one")


def _save_table(table: pd.DataFrame, versions: list[int], editor_key: str) -> None:
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
            _saved(save_changes(actor, changes), rerun=False)
        except UserError as exc:
            _failed("table", exc)


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
    versions = [int(v) for v in rows["version"]]
    # A new key when the rows differ (another page, someone's save): edits never move rows.
    shown = hash((tuple(int(i) for i in rows["product_id"]), tuple(versions))) & 0xFFFFFFFF
    editor_key = f"products_editor_{_nonce()}_{shown:08x}"
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
        args=(table, versions, editor_key),
    )
    problems = st.session_state.pop("products_table_problems", None)
    if problems:
        st.error(tn("products.rows_refused", len(problems)))
        st.markdown("\n".join(f"- #{pid}: {literal(msg)}" for pid, msg in problems.items()))
    if st.session_state.pop("products_table_nothing", False):
        st.info(t("products.nothing_changed"))
    _outcome("table")
    _percent_change(rows, edited)


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
            _error(exc)
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
        help=t("widget.download_help"),  # made on the click: the button spins meanwhile
    )
    upload = st.file_uploader(  # a new key after a save: the applied file is not offered again
        t("products.workbook_upload"), type=["xlsx"], key=f"products_upload_{_nonce()}"
    )
    if upload is None:
        return
    try:
        preview = preview_workbook(actor, upload.getvalue())
    except UserError as exc:
        _error(exc)
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


def _save_ban(product_id: int, version: int, banned: bool, prefix: str) -> None:
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
        _failed("ban", exc)
        return
    _refresh()
    if new_version == version:
        st.session_state["products_flash"] = t("products.nothing_changed")
    else:
        st.session_state["products_flash"] = t(
            "products.unbanned_done" if banned else "products.banned_done", product_id=product_id
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
    prefix = f"products_ban_{picked}_{_nonce()}"
    with st.form(prefix):
        if banned:
            st.warning(t("products.banned_notice", reason=literal(row["ban_reason"] or "—")))
        st.text_area(t("products.ban_reason"), max_chars=500, key=f"{prefix}_reason")
        label = t("products.lift_ban") if banned else t("products.ban")
        st.form_submit_button(
            label,
            type="primary",
            on_click=_save_ban,
            args=(int(picked), int(row["version"]), bool(banned), prefix),
        )
    _outcome("ban")


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
bind(PAGE_KEY, "page", kind=int, default=1)
try:
    rows, total = product_page(
        scope.vendor_id, filters, st.session_state.get(PAGE_KEY, 1), PAGE_SIZE
    )
except UserError as exc:
    _error(exc)
    st.stop()
freshness("products_refresh")
pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
fit_page(PAGE_KEY, pages)
if total == 0:
    empty_state(t("products.empty") if filters != ProductFilter() else t("products.empty_shop"))
    if actor.role == "vendor":
        _workbook(filters)
    st.stop()

st.caption(
    tn("products.total", total, total=number(total), page=st.session_state[PAGE_KEY], pages=pages)
)
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
        format_func={m: t(f"products.mode.{m}") for m in modes}.__getitem__,
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
