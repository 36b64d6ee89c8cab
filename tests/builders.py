"""Small hand-built malls for exact-figure tests.

`MallBuilder` inserts rows that satisfy the contract with the fewest words:
an order's goods, paid and discount totals are derived from its items, so a
test states only what its hand-worked answer depends on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from queries.core import schema as s

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def day(text: str) -> date:
    """The date of a `YYYY-MM-DD` text (rollup cuts, period bounds)."""
    return date.fromisoformat(text)


def local(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """`'2026-10-31 23:59:59'` in Shanghai time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@dataclass(frozen=True)
class Item:
    """One order line: product, quantity, unit price, line discount, commission snapshot."""

    product_id: int
    quantity: int = 1
    unit_price_cents: int = 10000
    discount_cents: int = 0
    commission_bps: int = 500

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents - self.discount_cents


@dataclass(frozen=True)
class BuiltOrder:
    order_id: int
    order_no: str
    item_ids: list[int]
    paid_cents: int


class MallBuilder:
    """Insert contract rows on one connection; ids come from the database."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._seq = itertools.count(1)

    def _insert(self, table: sa.Table, **values) -> int:
        result = self.conn.execute(table.insert().values(**values))
        return result.inserted_primary_key[0]

    def category(
        self,
        name: str = "美妆",
        name_en: str = "Beauty",
        *,
        commission_bps: int = 500,
        parent_id: int | None = None,
    ) -> int:
        return self._insert(
            s.categories,
            name=name,
            name_en=name_en,
            commission_bps=commission_bps,
            parent_id=parent_id,
        )

    def vendor(
        self,
        name: str = "Shop",
        *,
        status: str = "active",
        region: str = "浙江",
        joined_at: datetime = T0,
        application_id: int | None = None,
    ) -> int:
        return self._insert(
            s.vendors,
            name=name,
            status=status,
            region=region,
            joined_at=joined_at,
            application_id=application_id,
            contact_email=f"shop{next(self._seq)}@example.com",
        )

    def member(
        self,
        *,
        registered_at: datetime = T0,
        level: str = "regular",
        birth_year: int | None = 1996,
        gender: str | None = "f",
        city: str = "杭州",
        city_tier: int = 2,
        channel: str = "app",
    ) -> int:
        return self._insert(
            s.members,
            registered_at=registered_at,
            level=level,
            birth_year=birth_year,
            gender=gender,
            city=city,
            city_tier=city_tier,
            channel=channel,
        )

    def product(
        self,
        vendor_id: int,
        category_id: int,
        name: str | None = None,
        *,
        price_cents: int = 10000,
        stock: int = 10,
        status: str = "on_sale",
    ) -> int:
        return self._insert(
            s.products,
            vendor_id=vendor_id,
            category_id=category_id,
            name=name or f"Product {next(self._seq)}",
            price_cents=price_cents,
            stock=stock,
            status=status,
            created_at=T0,
            updated_at=T0,
            version=1,
        )

    def order(
        self,
        vendor_id: int,
        member_id: int,
        items: list[Item],
        *,
        paid_at: datetime | None,
        created_at: datetime | None = None,
        status: str | None = None,
        channel: str = "app",
        shipping_cents: int = 0,
        order_discount_cents: int = 0,
        platform_discount_cents: int = 0,
        promotion_id: int | None = None,
        live_session_id: int | None = None,
        payments: list[tuple[int, int]] | None = None,
        order_no: str | None = None,
        method: str = "wechat",
    ) -> BuiltOrder:
        """An order with its items and payments.

        `discount_cents` of the order = Σ item discounts + `order_discount_cents`;
        `payments` is a list of (amount, fee); by default one payment of the whole
        paid amount with no fee, at `paid_at`.
        """
        goods = sum(i.quantity * i.unit_price_cents for i in items)
        discount = sum(i.discount_cents for i in items) + order_discount_cents
        paid = goods - discount + shipping_cents
        if status is None:
            status = "pending_payment" if paid_at is None else "paid"
        created = created_at or paid_at or T0
        order_no = order_no or f"NO{next(self._seq):08d}"
        order_id = self._insert(
            s.orders,
            order_no=order_no,
            vendor_id=vendor_id,
            member_id=member_id,
            created_at=created,
            paid_at=paid_at,
            completed_at=None,
            status=status,
            channel=channel,
            live_session_id=live_session_id,
            promotion_id=promotion_id,
            goods_cents=goods,
            discount_cents=discount,
            platform_discount_cents=platform_discount_cents,
            shipping_cents=shipping_cents,
            paid_cents=paid,
        )
        item_ids = [
            self._insert(
                s.order_items,
                order_id=order_id,
                product_id=i.product_id,
                quantity=i.quantity,
                unit_price_cents=i.unit_price_cents,
                discount_cents=i.discount_cents,
                amount_cents=i.amount_cents,
                commission_bps=i.commission_bps,
            )
            for i in items
        ]
        if paid_at is not None:
            for n, (amount, fee) in enumerate(payments or [(paid, 0)]):
                self._insert(
                    s.payments,
                    order_id=order_id,
                    method=method,
                    amount_cents=amount,
                    fee_cents=fee,
                    paid_at=paid_at,
                    transaction_no=f"{order_no}-{n}",
                )
        return BuiltOrder(order_id, order_no, item_ids, paid)

    def refund(
        self,
        order: BuiltOrder,
        item_index: int,
        amount_cents: int,
        *,
        status: str = "completed",
        requested_at: datetime | None = None,
        completed_at: datetime | None = None,
        reason: str = "质量问题",
    ) -> int:
        requested = requested_at or completed_at or T0
        return self._insert(
            s.refunds,
            order_id=order.order_id,
            order_item_id=order.item_ids[item_index],
            amount_cents=amount_cents,
            reason=reason,
            status=status,
            requested_at=requested,
            completed_at=completed_at,
        )

    def promotion(
        self,
        *,
        vendor_id: int | None,
        name: str = "Promo",
        kind: str = "amount_off",
        starts_at: datetime,
        ends_at: datetime,
        status: str = "published",
        funded_by: str | None = None,
        campaign: str | None = None,
        threshold_cents: int | None = None,
        percent_off: int | None = None,
        amount_off_cents: int | None = 1000,
        budget_cents: int | None = None,
    ) -> int:
        return self._insert(
            s.promotions,
            vendor_id=vendor_id,
            campaign=campaign,
            name=name,
            kind=kind,
            threshold_cents=threshold_cents,
            percent_off=percent_off,
            amount_off_cents=amount_off_cents,
            funded_by=funded_by or ("platform" if vendor_id is None else "vendor"),
            budget_cents=budget_cents,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
            created_at=T0,
            updated_at=T0,
            version=1,
        )

    def live_session(
        self,
        vendor_id: int,
        *,
        started_at: datetime,
        ended_at: datetime,
        viewers: int = 100,
        title: str = "Live",
    ) -> int:
        return self._insert(
            s.live_sessions,
            vendor_id=vendor_id,
            title=title,
            started_at=started_at,
            ended_at=ended_at,
            viewers=viewers,
            peak_viewers=viewers,
            likes=0,
        )


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every contract table, in key order: compare before and after a refused write."""
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns or table.c))
            out[table.name] = [tuple(r) for r in rows]
    return out


def _licence_for(n: int) -> str:
    """A valid unified social credit code, different for each `n`."""
    from stdnum.cn import uscc

    body = f"91330100MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def _application(
    self: MallBuilder,
    company_name: str = "杭州好物商贸有限公司",
    *,
    category_id: int,
    status: str = "pending",
    submitted_at: datetime = T0,
    business_license_no: str | None = None,
    region: str = "浙江",
    contact_email: str | None = None,
    reviewed_by: str | None = None,
    reviewed_at: datetime | None = None,
    review_note: str | None = None,
    vendor_id: int | None = None,
) -> int:
    """A supplier application (a valid licence number unless one is given)."""
    n = next(self._seq)
    if status in ("needs_info", "rejected") and review_note is None:
        review_note = "资料不全"
    return self._insert(
        s.supplier_applications,
        company_name=company_name,
        contact_name="张伟",
        contact_email=contact_email or f"bd{n}@example.com",
        contact_phone="13800000000",
        business_license_no=business_license_no or _licence_for(n),
        category_id=category_id,
        region=region,
        submitted_at=submitted_at,
        status=status,
        reviewed_by=reviewed_by,
        reviewed_at=reviewed_at,
        review_note=review_note,
        vendor_id=vendor_id,
    )


MallBuilder.application = _application  # appended helper: keeps the class above untouched
