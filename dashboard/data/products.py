"""Cached reads of the Products page, its workbook builder, and the calls that save edits.

Reads take the vendor id as a plain argument (None = the whole mall) and are
cleared by the `products` topic after every product write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard.caching import cached
from dashboard.shell.context import engine, read_engine, reread, settings
from exports.products_workbook import (
    UploadPreview,
    preview_upload,
    products_workbook_bytes,
    read_products_workbook,
)
from queries.catalog.product_edits import bulk_update_products, update_product
from queries.catalog.products import ProductChange, category_options, list_products
from queries.core.actors import Actor, Scope
from queries.core.errors import Conflict

__all__ = [
    "ProductFilter",
    "categories",
    "preview_workbook",
    "product_page",
    "products_workbook_builder",
    "save_changes",
    "save_product",
]


@dataclass(frozen=True)
class ProductFilter:
    """What the filter form asked for."""

    search: str = ""
    statuses: tuple[str, ...] = ()
    category_id: int | None = None
    low_stock_below: int | None = None
    sort: str = "updated_desc"


@cached(ttl=120, topics=("products",), max_entries=256)
def product_page(
    vendor_id: int | None, filters: ProductFilter, page: int, page_size: int
) -> tuple[pd.DataFrame, int]:
    """One page of the shop's (or mall's) products and how many match."""
    with read_engine().connect() as conn:
        return list_products(
            conn,
            scope=Scope(vendor_id),
            search=filters.search,
            statuses=filters.statuses,
            category_id=filters.category_id,
            low_stock_below=filters.low_stock_below,
            sort=filters.sort,
            page=page,
            page_size=page_size,
        )


@cached(ttl=600)
def categories() -> list[tuple[int, str, str]]:
    """Every category (id, Chinese name, English name)."""
    with read_engine().connect() as conn:
        return category_options(conn)


def products_workbook_builder(
    vendor_id: int | None, filters: ProductFilter, lang: str
) -> Callable[[], bytes]:
    """A no-argument builder of the bulk-edit workbook, run when the download is clicked."""
    database, config = read_engine(), settings()

    def build() -> bytes:
        with database.connect() as conn:
            return products_workbook_bytes(
                conn,
                scope=Scope(vendor_id),
                lang=lang,
                tz=config.timezone,
                currency_symbol=config.currency_symbol,
                search=filters.search,
                statuses=filters.statuses,
                category_id=filters.category_id,
                low_stock_below=filters.low_stock_below,
            )

    return build


def preview_workbook(actor: Actor, data: bytes) -> UploadPreview:
    """Read an uploaded workbook and check it like a bulk save (never cached: it is per user)."""
    rows = read_products_workbook(data)
    with engine().connect() as conn:
        return preview_upload(conn, actor, rows)


def save_product(actor: Actor, product_id: int, **kwargs) -> int:
    """`queries.catalog.product_edits.update_product` on the app's engine.

    A conflict means the page showed old values: its cached reads are dropped, so
    the redrawn page shows what the database holds now.
    """
    try:
        return update_product(engine(), actor, product_id, **kwargs)
    except Conflict:
        reread(("products",))
        raise


def save_changes(actor: Actor, changes: Sequence[ProductChange]) -> int:
    """`product_edits.bulk_update_products` on the app's engine (a conflict: as above)."""
    try:
        return bulk_update_products(engine(), actor, list(changes))
    except Conflict:
        reread(("products",))
        raise
