"""Products: the paged list, the checks of an edit, the price preview (writes: `product_edits`).

Vendors change price, stock and on sale / off shelf of their own products.
Operators ban a product (with a reason) and lift a ban (the product goes off
shelf); they never change prices or stock. A banned product stays banned until
an operator lifts it. Every write is optimistic (`version`), audited in the
same transaction, and announced with `changed("products")` after commit.
The ban reason lives only in the newest `product.ban` audit row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import pandas as pd
import sqlalchemy as sa

from queries import audit
from queries.core.actors import Actor, Scope
from queries.core.errors import Forbidden, Invalid, NotFound, UserError
from queries.core.messages import text
from queries.core.money import MAX_PRICE_CENTS, round_half_up_div, yuan
from queries.core.schema import PRODUCT_STATUSES, categories, products, vendors
from queries.core.validation import MAX_STOCK, search_text

__all__ = [
    "LIST_COLUMNS",
    "SORTS",
    "ChangeCheck",
    "ProductChange",
    "ProductFilters",
    "category_options",
    "change_value_error",
    "check_changes",
    "current_products",
    "editable_state",
    "iter_products",
    "list_products",
    "preview_price_change",
]

EDITABLE = ("price_cents", "stock", "status")
SORTS = {
    "updated_desc": (products.c.updated_at.desc(),),
    "name": (products.c.name.asc(),),
    "price_asc": (products.c.price_cents.asc(),),
    "price_desc": (products.c.price_cents.desc(),),
    "stock_asc": (products.c.stock.asc(),),
    "stock_desc": (products.c.stock.desc(),),
    "id": (),
}
LIST_COLUMNS = (
    "product_id",
    "vendor_id",
    "vendor_name",
    "category_id",
    "category_name",
    "category_name_en",
    "name",
    "price_cents",
    "stock",
    "status",
    "updated_at",
    "version",
)
MAX_REASON = 500


@dataclass(frozen=True)
class ProductChange:
    """One product's wanted values; None leaves a field as it is."""

    product_id: int
    expected_version: int
    price_cents: int | None = None
    stock: int | None = None
    status: str | None = None
    reason: str | None = None


@dataclass
class ChangeCheck:
    """What a batch of changes would do: rows to write, refused rows, stale rows."""

    writes: list[tuple[ProductChange, dict, dict]] = field(default_factory=list)
    refused: dict[int, tuple[str, str]] = field(default_factory=dict)
    errors: dict[int, UserError] = field(default_factory=dict)
    not_found: set[int] = field(default_factory=set)
    stale: dict[int, dict] = field(default_factory=dict)
    current: dict[int, dict] = field(default_factory=dict)


# --- reading --------------------------------------------------------------------------


class ProductFilters(TypedDict, total=False):
    """The list's filters, each optional: name or id text, statuses, category, stock below."""

    search: str | None
    statuses: Sequence[str]
    category_id: int | None
    low_stock_below: int | None


def _matching(scope: Scope, filters: ProductFilters) -> list:
    """The list filters, all on `products` columns."""
    unknown = set(filters) - set(ProductFilters.__annotations__)
    if unknown:
        raise TypeError(f"unknown product filters {sorted(unknown)}")
    p = products.c
    where = []
    if scope.vendor_id is not None:
        where.append(p.vendor_id == scope.vendor_id)
    text = search_text(filters.get("search"))
    if text:
        match = p.name.icontains(text, autoescape=True)
        if text.isascii() and text.isdigit() and len(text) <= 9:
            match = sa.or_(match, p.product_id == int(text))
        where.append(match)
    wanted = [s for s in filters.get("statuses", ()) if s in PRODUCT_STATUSES]
    if wanted:
        where.append(p.status.in_(wanted))
    if filters.get("category_id") is not None:
        where.append(p.category_id == filters["category_id"])
    if filters.get("low_stock_below") is not None:
        where.append(p.stock < filters["low_stock_below"])
    return where


def _list_select(scope: Scope, filters: ProductFilters) -> sa.Select:
    p = products.c
    return (
        sa.select(
            p.product_id,
            p.vendor_id,
            vendors.c.name.label("vendor_name"),
            p.category_id,
            categories.c.name.label("category_name"),
            categories.c.name_en.label("category_name_en"),
            p.name,
            p.price_cents,
            p.stock,
            p.status,
            p.updated_at,
            p.version,
        )
        .select_from(
            products.join(vendors, vendors.c.vendor_id == p.vendor_id).join(
                categories, categories.c.category_id == p.category_id
            )
        )
        .where(*_matching(scope, filters))
    )


def list_products(
    conn: sa.Connection,
    *,
    scope: Scope,
    sort: str = "updated_desc",
    page: int = 1,
    page_size: int = 50,
    **filters: Unpack[ProductFilters],
) -> tuple[pd.DataFrame, int]:
    """One page of products (with `ban_reason` for banned ones) and how many match in all."""
    query = _list_select(scope, filters)
    # Counted on products alone: every product has its (non-null, foreign-key) shop and
    # category, so the joins change no count, and skipping them halves a mall-wide count.
    count = sa.select(sa.func.count()).select_from(products).where(*_matching(scope, filters))
    total = conn.execute(count).scalar_one()
    page_size = min(max(int(page_size), 1), 1000)
    page = max(int(page), 1)
    order = (*SORTS.get(sort, SORTS["updated_desc"]), products.c.product_id.asc())
    rows = conn.execute(query.order_by(*order).limit(page_size).offset((page - 1) * page_size))
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(LIST_COLUMNS))
    banned = frame.loc[frame["status"] == "banned", "product_id"].tolist()
    reasons = _ban_reasons(conn, banned, scope.vendor_id)
    frame["ban_reason"] = [reasons.get(int(i)) for i in frame["product_id"]]
    return frame, int(total)


def iter_products(
    conn: sa.Connection, *, scope: Scope, **filters: Unpack[ProductFilters]
) -> Iterator[sa.Row]:
    """Every matching product, streamed in id order (for the bulk-edit workbook)."""
    query = _list_select(scope, filters).order_by(products.c.product_id)
    # Per statement: Connection.execution_options would stream every later statement too.
    yield from conn.execute(query, execution_options={"yield_per": 2000})


def _ban_reasons(conn: sa.Connection, ids: list, vendor_id: int | None) -> dict[int, str | None]:
    found = audit.latest_reasons(
        conn, action="product.ban", entity="product", entity_ids=ids, vendor_id=vendor_id
    )
    return {int(k): v for k, v in found.items()}


def current_products(
    conn: sa.Connection, ids: Sequence[int], vendor_id: int | None
) -> dict[int, dict]:
    """The editable state of `ids` (only the vendor's own when `vendor_id` is given)."""
    out: dict[int, dict] = {}
    p = products.c
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        query = sa.select(
            p.product_id, p.vendor_id, p.name, p.price_cents, p.stock, p.status, p.version
        ).where(p.product_id.in_(unique[start : start + 500]))
        if vendor_id is not None:
            query = query.where(p.vendor_id == vendor_id)
        out.update({row.product_id: dict(row._mapping) for row in conn.execute(query)})
    return out


# --- checking -------------------------------------------------------------------------


def change_value_error(change: ProductChange) -> Invalid | None:
    """Refuse impossible values before touching the database."""
    price, stock = change.price_cents, change.stock
    if price is not None and (
        isinstance(price, bool) or not isinstance(price, int) or not 0 < price <= MAX_PRICE_CENTS
    ):
        return Invalid(
            *text(
                "error.catalog.products.price_must_above_0_at",
                MAX_PRICE_CENTS=yuan(MAX_PRICE_CENTS),
            ),
        )
    if stock is not None and (
        isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK
    ):
        return Invalid(*text("error.catalog.products.stock_must_whole_number_0"))
    if change.status is not None and change.status not in PRODUCT_STATUSES:
        return Invalid(*text("error.catalog.products.unknown_status"))
    if change.reason is not None and len(change.reason) > MAX_REASON:
        return Invalid(
            *text("error.catalog.products.reason_may_not_exceed_characters", MAX_REASON=MAX_REASON)
        )
    return None


def _rule_error(
    actor: Actor, row: dict, change: ProductChange, reason: str | None
) -> UserError | None:
    """Who may change what: the product rules of the contract."""
    if actor.role == "finance":
        return Forbidden(*text("error.catalog.finance_does_not_edit_products"))
    if actor.role == "vendor":
        if change.status == "banned" and row["status"] != "banned":
            return Forbidden(*text("error.catalog.products.only_operators_can_ban_product"))
        if row["status"] == "banned" and change.status not in (None, "banned"):
            why = reason or "—"
            return Forbidden(
                *text("error.catalog.products.product_was_banned_by_platform", why=why),
            )
        return None
    if change.price_cents is not None or change.stock is not None:
        return Forbidden(*text("error.catalog.products.operators_do_not_change_prices"))
    if change.status is None or change.status == row["status"]:
        return None  # nothing to do: a repeated click on "ban" or "lift ban" saves once
    if change.status == "banned":
        if not (change.reason or "").strip():
            return Invalid(*text("error.catalog.products.give_reason_ban"))
        return None
    if change.status == "off_shelf" and row["status"] == "banned":
        return None
    return Forbidden(
        *text("error.catalog.products.operators_can_only_ban_product"),
    )


def _diff(row: dict, change: ProductChange) -> tuple[dict, dict]:
    before, after = {}, {}
    for name in EDITABLE:
        wanted = getattr(change, name)
        if wanted is not None and wanted != row[name]:
            before[name], after[name] = row[name], wanted
    return before, after


def editable_state(row: dict) -> dict:
    """The fields a conflict message shows of a product row."""
    return {k: row[k] for k in ("product_id", "price_cents", "stock", "status", "version")}


def check_changes(
    conn: sa.Connection, actor: Actor, changes: Sequence[ProductChange]
) -> ChangeCheck:
    """Check every change against the values, the rules and the current rows; write nothing."""
    check = ChangeCheck()
    seen: set[int] = set()
    for change in changes:
        error = change_value_error(change)
        if change.product_id in seen:
            error = Invalid(*text("error.catalog.products.same_product_appears_more_than"))
        seen.add(change.product_id)
        if error is not None:
            _refuse(check, change.product_id, error)
    vendor_id = actor.vendor_id if actor.role == "vendor" else None
    check.current = current_products(conn, [c.product_id for c in changes], vendor_id)
    banned = [i for i, row in check.current.items() if row["status"] == "banned"]
    reasons = _ban_reasons(conn, banned, vendor_id)
    for change in changes:
        pid = change.product_id
        if pid in check.refused:
            continue
        row = check.current.get(pid)
        if row is None:
            check.not_found.add(pid)
            _refuse(check, pid, NotFound(*text("error.catalog.products.product_not_found")))
            continue
        error = _rule_error(actor, row, change, reasons.get(pid))
        if error is not None:
            _refuse(check, pid, error)
            continue
        before, after = _diff(row, change)
        if not after:
            continue  # already as wanted (unchanged row, or a double submit that was saved)
        if row["version"] != change.expected_version:
            check.stale[pid] = editable_state(row)
            continue
        check.writes.append((change, before, after))
    return check


def _refuse(check: ChangeCheck, product_id: int, error: UserError) -> None:
    check.errors[product_id] = error
    check.refused[product_id] = (error.zh, error.en)


def preview_price_change(rows: pd.DataFrame, *, change_bps: int) -> pd.DataFrame:
    """New prices for a "raise / lower by N %" on `rows` (product_id, price_cents, version, …).

    new = round_half_up(price × (10000 + bps) ÷ 10000), in integers; bps ≥ -9000
    keeps the multiplier positive, so negative changes round half up too.
    A row whose new price would be 0 or above the cap gets a message instead.
    """
    if not -10_000 < change_bps:
        raise Invalid(*text("error.catalog.products.price_cannot_lowered_by_100"))
    out = rows.copy()
    new_prices, zh, en = [], [], []
    for price in out["price_cents"].tolist():
        new = round_half_up_div(int(price), 10_000 + change_bps, 10_000)
        if new <= 0 or new > MAX_PRICE_CENTS:
            new_prices.append(None)
            problem_zh, problem_en = text("error.catalog.products.new_price_out_of_range")
            zh.append(problem_zh)
            en.append(problem_en)
        else:
            new_prices.append(new)
            zh.append(None)
            en.append(None)
    out["new_price_cents"] = pd.array(new_prices, dtype="Int64")
    out["problem_zh"] = zh
    out["problem_en"] = en
    return out


def category_options(conn: sa.Connection) -> list[tuple[int, str, str]]:
    """(category_id, name, name_en) of every category, for the filter."""
    c = categories.c
    rows = conn.execute(sa.select(c.category_id, c.name, c.name_en).order_by(c.category_id))
    return [tuple(r) for r in rows]
