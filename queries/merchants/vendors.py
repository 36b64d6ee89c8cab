"""Merchant management (商家管理): every shop with its last 30 days, and its status changes.

`merchant_list` is one statement: the last 30 days' paid orders grouped by
vendor (served by the `orders (paid_at)` index), completed refunds grouped by
vendor (`refunds (completed_at)`), and each shop's main category, all joined
to `vendors` — never one query per shop.

Main category (主营类目): the top-level category holding most of the shop's
products (any product status; a leaf counts for its parent; ties go to the
lower category id). A shop without products shows the category its supplier
application applied for, rolled up the same way. Products, not sales: a new
shop has products before it has sales, and the answer does not jump with one
big order.

`set_vendor_status` suspends, reactivates or closes a shop, conditional on the
status the operator saw, with the reason in the audit row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.audit import record
from queries.core.actors import Actor, require_role
from queries.core.errors import Conflict, Invalid, NotFound
from queries.core.invalidation import changed
from queries.core.messages import text
from queries.core.periods import TimeRange, preset_range
from queries.core.schema import (
    VENDOR_STATUSES,
    audit_log,
    categories,
    orders,
    products,
    supplier_applications,
    vendors,
)
from queries.core.validation import TEXT_RULES, parse_text
from queries.figures import as_int, gmv, paid_in, paid_orders, refunded_select
from queries.merchants.transitions import VENDOR_ACTIONS, vendor_allowed

__all__ = ["ENTITY", "MAX_REASON", "MERCHANT_COLUMNS", "merchant_list", "set_vendor_status"]

ENTITY = "vendor"
MAX_REASON = TEXT_RULES["vendor_reason"].max_length

MERCHANT_COLUMNS = (
    "vendor_id",
    "name",
    "status",
    "region",
    "joined_at",
    "contact_email",
    "application_id",
    "main_category_id",
    "main_category_name",
    "main_category_name_en",
    "products",
    "paid_orders",
    "gmv_cents",
    "refunded_cents",
    "refund_rate",
)


def last_30_days(now: datetime, tz: str) -> TimeRange:
    """The contract's "last 30 days": the 30 local days ending at today's start."""
    return preset_range("last_30", now, ZoneInfo(tz))


def _main_category() -> sa.Subquery:
    """(vendor_id, category_id) of each shop's top-level category with most products."""
    p, c = products.c, categories.c
    top = sa.func.coalesce(c.parent_id, c.category_id)
    per_category = (
        sa.select(p.vendor_id, top.label("category_id"), sa.func.count().label("n"))
        .join(categories, c.category_id == p.category_id)
        .group_by(p.vendor_id, top)
        .subquery("per_category")
    )
    rank = (
        sa.func.row_number()
        .over(
            partition_by=per_category.c.vendor_id,
            order_by=(per_category.c.n.desc(), per_category.c.category_id),
        )
        .label("rank")
    )
    ranked = sa.select(per_category.c.vendor_id, per_category.c.category_id, rank).subquery("rk")
    return (
        sa.select(ranked.c.vendor_id, ranked.c.category_id)
        .where(ranked.c.rank == 1)
        .subquery("main_category")
    )


def merchant_list(
    conn: sa.Connection,
    *,
    search: str | None = None,
    statuses: Sequence[str] = (),
    now: datetime,
    tz: str,
) -> pd.DataFrame:
    """Every shop (matching the filters) with main category, products and its last 30 days."""
    period = last_30_days(now, tz)
    v, o = vendors.c, orders.c
    sold = (
        sa.select(
            o.vendor_id,
            gmv(orders).label("gmv_cents"),
            paid_orders().label("paid_orders"),
        )
        .where(paid_in(orders, period))
        .group_by(o.vendor_id)
        .subquery("sold")
    )
    refunded = refunded_select(period, vendor_id=None, by_vendor=True).subquery("refunded")
    counted = (
        sa.select(products.c.vendor_id, sa.func.count().label("n"))
        .group_by(products.c.vendor_id)
        .subquery("counted")
    )
    main = _main_category()
    applied = supplier_applications.alias("applied")
    applied_category = categories.alias("applied_category")
    shown = categories.alias("shown")
    main_id = sa.func.coalesce(
        main.c.category_id,
        sa.func.coalesce(applied_category.c.parent_id, applied_category.c.category_id),
    )
    terms: list[sa.ColumnElement[bool]] = []
    if statuses:
        terms.append(v.status.in_(list(statuses)))
    if search and search.strip():
        text = search.strip()
        match = v.name.icontains(text, autoescape=True)
        if text.lstrip("#").isdigit():
            match = sa.or_(match, v.vendor_id == int(text.lstrip("#")))
        terms.append(match)
    stmt = (
        sa.select(
            v.vendor_id,
            v.name,
            v.status,
            v.region,
            v.joined_at,
            v.contact_email,
            v.application_id,
            shown.c.category_id.label("main_category_id"),
            shown.c.name.label("main_category_name"),
            shown.c.name_en.label("main_category_name_en"),
            counted.c.n.label("products"),
            sold.c.paid_orders,
            sold.c.gmv_cents,
            refunded.c.refunded_cents,
        )
        .select_from(
            vendors.outerjoin(sold, sold.c.vendor_id == v.vendor_id)
            .outerjoin(refunded, refunded.c.vendor_id == v.vendor_id)
            .outerjoin(counted, counted.c.vendor_id == v.vendor_id)
            .outerjoin(main, main.c.vendor_id == v.vendor_id)
            .outerjoin(applied, applied.c.application_id == v.application_id)
            .outerjoin(applied_category, applied_category.c.category_id == applied.c.category_id)
            .outerjoin(shown, shown.c.category_id == main_id)
        )
        .where(*terms)
        .order_by(v.vendor_id)
    )
    rows = []
    for r in conn.execute(stmt):
        gmv_cents, back = as_int(r.gmv_cents), as_int(r.refunded_cents)
        rows.append(
            (
                *r[:10],
                as_int(r.products),
                as_int(r.paid_orders),
                gmv_cents,
                back,
                back / gmv_cents if gmv_cents else None,
            )
        )
    frame = pd.DataFrame(rows, columns=list(MERCHANT_COLUMNS))
    for column in ("application_id", "main_category_id"):
        frame[column] = frame[column].astype("Int64")
    frame["refund_rate"] = pd.Series([r[-1] for r in rows], dtype=object)
    return frame


# --- status changes ---------------------------------------------------------------------


def _not_found(vendor_id: int) -> NotFound:
    return NotFound(*text("error.merchants.vendors.shop_does_not_exist", vendor_id=vendor_id))


# The statuses as the console's words (as `status.vendor.*` of the dashboard's strings),
# for the messages below: a user never reads a raw code.
_STATUS_WORDS = {
    "active": text("label.merchants.vendors.status_words.active"),
    "suspended": text("label.merchants.vendors.status_words.suspended"),
    "closed": text("label.merchants.vendors.status_words.closed"),
}


def _words(status: str) -> tuple[str, str]:
    """(Chinese, English) words for a shop status; an unknown code as itself."""
    return _STATUS_WORDS.get(status, (status, status))


def _set_status(after: str | None) -> str | None:
    """The status an audit row's `after` JSON set, if any."""
    try:
        value = json.loads(after) if after else None
    except ValueError:
        return None
    return value.get("status") if isinstance(value, dict) else None


def _changed_meanwhile(conn: sa.Connection, vendor_id: int, status: str, tz: str) -> Conflict:
    """The shop's current status, and who last changed it and when (from the audit log).

    The last status change in the audit log names who did it only if it set the
    status the shop has now: a change made outside the console is not pinned on
    the operator who happened to act before it.
    """
    a = audit_log.c
    last = conn.execute(
        sa.select(a.actor, a.at, a.after)
        .where(a.vendor_id == vendor_id, a.entity == ENTITY, a.action.startswith("vendor."))
        .order_by(a.at.desc(), a.audit_id.desc())
        .limit(1)
    ).first()
    details = {"status": status, "changed_by": None, "changed_at": None}
    zh, en = _words(status)
    if last is None or _set_status(last.after) != status:
        return Conflict(
            *text("error.merchants.vendors.shop_now_refresh_try_again", zh=zh, en=en),
            details=details,
        )
    details.update(changed_by=last.actor, changed_at=last.at)
    at = last.at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    return Conflict(
        *text("error.merchants.vendors.changed_shop_at_now", actor=last.actor, at=at, zh=zh, en=en),
        details=details,
    )


def set_vendor_status(
    engine: sa.Engine,
    actor: Actor,
    vendor_id: int,
    *,
    status: str,
    seen_status: str,
    reason: str,
    tz: str = "Asia/Shanghai",
    now: datetime | None = None,
) -> None:
    """Suspend, reactivate or close a shop (operators), with the reason in the audit row."""
    require_role(actor, "operator")
    if status not in VENDOR_STATUSES:
        raise Invalid(*text("error.merchants.vendors.unknown_shop_status", status=status))
    if not vendor_allowed(seen_status, status):
        if seen_status == "closed":
            raise Invalid(*text("error.merchants.vendors.closed_shop_cannot_reopened"))
        (seen_zh, seen_en), (zh, en) = _words(seen_status), _words(status)
        raise Invalid(
            *text(
                "error.merchants.vendors.shop_cannot_become",
                seen_zh=seen_zh,
                zh=zh,
                seen_en=seen_en,
                en=en,
            ),
            details={"status": seen_status, "target": status},
        )
    reason = parse_text(reason, TEXT_RULES["vendor_reason"])
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        result = conn.execute(
            vendors.update()
            .where(vendors.c.vendor_id == vendor_id, vendors.c.status == seen_status)
            .values(status=status)
        )
        if result.rowcount != 1:
            current = conn.execute(
                sa.select(vendors.c.status).where(vendors.c.vendor_id == vendor_id)
            ).scalar_one_or_none()
            if current is None:
                raise _not_found(vendor_id)
            raise _changed_meanwhile(conn, vendor_id, current, tz)
        record(
            conn,
            actor,
            action=VENDOR_ACTIONS[status],
            entity=ENTITY,
            entity_id=vendor_id,
            vendor_id=vendor_id,
            reason=reason,
            before={"status": seen_status},
            after={"status": status},
            at=moment,
        )
    changed("vendors", "audit")
