"""Cached reads of the Orders page, and the on-click builder of its workbook.

Orders change all the time on the platform and the console never writes them,
so no write topic clears these reads: a short TTL keeps them fresh instead.
Every function takes the vendor id as a plain argument (None = the whole mall).
"""

from __future__ import annotations

from collections.abc import Callable

from dashboard.caching import cached
from dashboard.shell.context import read_engine, settings
from exports.orders_workbook import orders_workbook_bytes
from queries.core.actors import Scope
from queries.orders.detail import OrderDetail, order_detail
from queries.orders.search import OrderFilter, OrderPage, search_orders

__all__ = ["order_page", "order_workbook_builder", "one_order"]


@cached(ttl=60, max_entries=256)
def order_page(vendor_id: int | None, filters: OrderFilter, page: int, page_size: int) -> OrderPage:
    """One page of the shop's (or mall's) orders matching `filters`, and the total."""
    with read_engine().connect() as conn:
        return search_orders(
            conn,
            scope=Scope(vendor_id),
            filters=filters,
            tz=settings().timezone,
            page=page,
            page_size=page_size,
        )


@cached(ttl=60, max_entries=256)
def one_order(vendor_id: int | None, order_no: str) -> OrderDetail | None:
    """One order of the shop (or mall) with its lines, payments and refunds; None if not theirs."""
    with read_engine().connect() as conn:
        return order_detail(conn, scope=Scope(vendor_id), order_no=order_no)


def order_workbook_builder(
    vendor_id: int | None, filters: OrderFilter, lang: str
) -> Callable[[], bytes]:
    """A no-argument function that streams the whole filtered list into a workbook.

    `st.download_button` calls it only when clicked, on another thread, so the
    engine and settings are taken here, in the page's run.
    """
    database, config = read_engine(), settings()

    def build() -> bytes:
        with database.connect() as conn:
            return orders_workbook_bytes(
                conn,
                scope=Scope(vendor_id),
                filters=filters,
                tz=config.timezone,
                lang=lang,
                currency_symbol=config.currency_symbol,
            )

    return build
