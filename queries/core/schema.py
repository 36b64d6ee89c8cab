"""The commerce contract (`shared/commerce-schema.md`) as SQLAlchemy Core tables.

Every table, column, key, status list and rule of the contract is declared
here, with the contract's indexes beside their tables. `create_schema` builds
it on an empty SQLite file or PostgreSQL database; a platform database that
the console did not create is checked against it by `queries.core.db.check_contract`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

from queries.core.types import BigKey, UTCDateTime

__all__ = [
    "APPLICATION_STATUSES",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "PRODUCT_STATUSES",
    "PROMOTION_KINDS",
    "PROMOTION_STATUSES",
    "REFUND_STATUSES",
    "SETTLEMENT_LINES",
    "SETTLEMENT_STATUSES",
    "VENDOR_STATUSES",
    "create_schema",
    "metadata",
]

APPLICATION_STATUSES = ("pending", "needs_info", "approved", "rejected")
VENDOR_STATUSES = ("active", "suspended", "closed")
PRODUCT_STATUSES = ("on_sale", "off_shelf", "banned")
MEMBER_LEVELS = ("regular", "silver", "gold", "diamond")
MEMBER_CHANNELS = ("app", "mini_program", "h5")
ORDER_STATUSES = ("pending_payment", "paid", "shipped", "completed", "cancelled")
ORDER_CHANNELS = ("app", "mini_program", "h5", "live")
PAYMENT_METHODS = ("wechat", "alipay", "card", "balance")
REFUND_STATUSES = ("requested", "approved", "rejected", "completed")
PROMOTION_KINDS = ("percent_off", "amount_off", "threshold_off", "flash_sale", "coupon")
PROMOTION_FUNDERS = ("vendor", "platform")
PROMOTION_STATUSES = ("draft", "published", "cancelled")
SETTLEMENT_STATUSES = ("draft", "confirmed", "paid")
# A statement's computed lines, never negative (the adjustment may be; net is derived).
SETTLEMENT_LINES = (
    "gross_cents",
    "platform_subsidy_cents",
    "commission_cents",
    "payment_fee_cents",
    "refund_cents",
    "commission_refund_cents",
)

metadata = MetaData()


def _one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> CheckConstraint:
    """CHECK that `column` holds one of `values` (or null where allowed)."""
    listed = ", ".join(f"'{v}'" for v in values)  # fixed literals from this module
    rule = f"{column} IN ({listed})"
    if nullable:
        rule = f"{column} IS NULL OR {rule}"
    return CheckConstraint(rule, name=f"{column}_valid")


def _not_negative(*columns: str) -> list[CheckConstraint]:
    """CHECK that each money or count column is ≥ 0."""
    return [CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative") for c in columns]


def _int_key(name: str) -> Column:
    return Column(name, Integer, Identity(), primary_key=True)


def _big_key(name: str) -> Column:
    return Column(name, BigKey, Identity(), primary_key=True)


categories = Table(
    "categories",
    metadata,
    _int_key("category_id"),
    Column("parent_id", Integer, ForeignKey("categories.category_id"), nullable=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("commission_bps", Integer, nullable=False),
    CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_bps_range"),
)

supplier_applications = Table(
    "supplier_applications",
    metadata,
    _int_key("application_id"),
    Column("company_name", Text, nullable=False),
    Column("contact_name", Text, nullable=False),
    Column("contact_email", Text, nullable=False),
    Column("contact_phone", Text, nullable=False),
    Column("business_license_no", Text, nullable=False),
    Column("category_id", Integer, ForeignKey("categories.category_id"), nullable=False),
    Column("region", Text, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("reviewed_by", Text, nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("review_note", Text, nullable=True),
    Column(
        "vendor_id",
        Integer,
        ForeignKey("vendors.vendor_id", use_alter=True, name="fk_application_vendor"),
        nullable=True,
    ),
    _one_of("status", APPLICATION_STATUSES),
    CheckConstraint(
        "status NOT IN ('rejected', 'needs_info') OR review_note IS NOT NULL",
        name="review_note_required",
    ),
)

vendors = Table(
    "vendors",
    metadata,
    _int_key("vendor_id"),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("joined_at", UTCDateTime, nullable=False),
    Column(
        "application_id",
        Integer,
        ForeignKey("supplier_applications.application_id"),
        nullable=True,
    ),
    Column("contact_email", Text, nullable=False),
    _one_of("status", VENDOR_STATUSES),
)

products = Table(
    "products",
    metadata,
    _int_key("product_id"),
    Column("vendor_id", Integer, ForeignKey("vendors.vendor_id"), nullable=False),
    Column("category_id", Integer, ForeignKey("categories.category_id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default=sa.text("1")),
    CheckConstraint("price_cents > 0", name="price_cents_positive"),
    *_not_negative("stock"),
    _one_of("status", PRODUCT_STATUSES),
    Index("ix_products_vendor_id", "vendor_id"),
)

members = Table(
    "members",
    metadata,
    _big_key("member_id"),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("level", Text, nullable=False),
    Column("birth_year", Integer, nullable=True),
    Column("gender", Text, nullable=True),
    Column("city", Text, nullable=False),
    Column("city_tier", Integer, nullable=False),
    Column("channel", Text, nullable=False),
    _one_of("level", MEMBER_LEVELS),
    _one_of("gender", ("f", "m"), nullable=True),
    _one_of("channel", MEMBER_CHANNELS),
    CheckConstraint("city_tier BETWEEN 1 AND 4", name="city_tier_range"),
)

live_sessions = Table(
    "live_sessions",
    metadata,
    _big_key("live_session_id"),
    Column("vendor_id", Integer, ForeignKey("vendors.vendor_id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=False),
    Column("viewers", Integer, nullable=False),
    Column("peak_viewers", Integer, nullable=False),
    Column("likes", Integer, nullable=False),
    *_not_negative("viewers", "peak_viewers", "likes"),
    Index("ix_live_sessions_vendor_id", "vendor_id"),
)

promotions = Table(
    "promotions",
    metadata,
    _int_key("promotion_id"),
    Column("vendor_id", Integer, ForeignKey("vendors.vendor_id"), nullable=True),
    Column("campaign", Text, nullable=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("threshold_cents", BigInteger, nullable=True),
    Column("percent_off", Integer, nullable=True),
    Column("amount_off_cents", BigInteger, nullable=True),
    Column("funded_by", Text, nullable=False),
    Column("budget_cents", BigInteger, nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default=sa.text("1")),
    _one_of("kind", PROMOTION_KINDS),
    _one_of("funded_by", PROMOTION_FUNDERS),
    _one_of("status", PROMOTION_STATUSES),
    *_not_negative("threshold_cents", "amount_off_cents", "budget_cents"),
    CheckConstraint(
        "percent_off IS NULL OR percent_off BETWEEN 1 AND 90", name="percent_off_range"
    ),
    CheckConstraint(
        "threshold_cents IS NULL OR amount_off_cents IS NULL OR amount_off_cents < threshold_cents",
        name="amount_off_below_threshold",
    ),
    CheckConstraint("starts_at < ends_at", name="promotion_starts_before_end"),
    Index("ix_promotions_vendor_id", "vendor_id"),
)

orders = Table(
    "orders",
    metadata,
    _big_key("order_id"),
    Column("order_no", Text, nullable=False, unique=True),
    Column("vendor_id", Integer, ForeignKey("vendors.vendor_id"), nullable=False),
    Column("member_id", BigKey, ForeignKey("members.member_id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("status", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("live_session_id", BigKey, ForeignKey("live_sessions.live_session_id"), nullable=True),
    Column("promotion_id", Integer, ForeignKey("promotions.promotion_id"), nullable=True),
    Column("goods_cents", BigInteger, nullable=False),
    Column("discount_cents", BigInteger, nullable=False),
    Column("platform_discount_cents", BigInteger, nullable=False),
    Column("shipping_cents", BigInteger, nullable=False),
    Column("paid_cents", BigInteger, nullable=False),
    _one_of("status", ORDER_STATUSES),
    _one_of("channel", ORDER_CHANNELS),
    *_not_negative(
        "goods_cents", "discount_cents", "platform_discount_cents", "shipping_cents", "paid_cents"
    ),
    CheckConstraint(
        "paid_cents = goods_cents - discount_cents + shipping_cents", name="paid_adds_up"
    ),
    CheckConstraint(
        "platform_discount_cents <= discount_cents", name="platform_discount_within_discount"
    ),
    Index("ix_orders_vendor_id_paid_at", "vendor_id", "paid_at"),
    Index("ix_orders_paid_at", "paid_at"),
    Index("ix_orders_member_id", "member_id"),
)

order_items = Table(
    "order_items",
    metadata,
    _big_key("order_item_id"),
    Column("order_id", BigKey, ForeignKey("orders.order_id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.product_id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", BigInteger, nullable=False),
    Column("discount_cents", BigInteger, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("commission_bps", Integer, nullable=False),
    CheckConstraint("quantity >= 1", name="quantity_positive"),
    *_not_negative("unit_price_cents", "discount_cents", "amount_cents"),
    CheckConstraint(
        "amount_cents = quantity * unit_price_cents - discount_cents", name="item_amount_adds_up"
    ),
    CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="item_commission_bps_range"),
    Index("ix_order_items_order_id", "order_id"),
    Index("ix_order_items_product_id", "product_id"),
)

payments = Table(
    "payments",
    metadata,
    _big_key("payment_id"),
    Column("order_id", BigKey, ForeignKey("orders.order_id"), nullable=False),
    Column("method", Text, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("fee_cents", BigInteger, nullable=False),
    Column("paid_at", UTCDateTime, nullable=False),
    Column("transaction_no", Text, nullable=False),
    _one_of("method", PAYMENT_METHODS),
    *_not_negative("amount_cents", "fee_cents"),
    Index("ix_payments_order_id", "order_id"),
)

refunds = Table(
    "refunds",
    metadata,
    _big_key("refund_id"),
    Column("order_id", BigKey, ForeignKey("orders.order_id"), nullable=False),
    Column("order_item_id", BigKey, ForeignKey("order_items.order_item_id"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    CheckConstraint("amount_cents > 0", name="refund_amount_positive"),
    _one_of("status", REFUND_STATUSES),
    Index("ix_refunds_order_id", "order_id"),
    Index("ix_refunds_completed_at", "completed_at"),
)

coupons = Table(
    "coupons",
    metadata,
    _big_key("coupon_id"),
    Column("promotion_id", Integer, ForeignKey("promotions.promotion_id"), nullable=False),
    Column("member_id", BigKey, ForeignKey("members.member_id"), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("order_id", BigKey, ForeignKey("orders.order_id"), nullable=True),
    Index("ix_coupons_promotion_id", "promotion_id"),
)

notes = Table(
    "notes",
    metadata,
    _big_key("note_id"),
    Column("author_member_id", BigKey, ForeignKey("members.member_id"), nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
    Column("title", Text, nullable=False),
)

note_tags = Table(
    "note_tags",
    metadata,
    Column("note_id", BigKey, ForeignKey("notes.note_id"), primary_key=True),
    Column("tag", Text, primary_key=True),
)

note_products = Table(
    "note_products",
    metadata,
    Column("note_id", BigKey, ForeignKey("notes.note_id"), primary_key=True),
    Column("product_id", Integer, ForeignKey("products.product_id"), primary_key=True),
    Index("ix_note_products_product_id", "product_id"),
)

note_views = Table(
    "note_views",
    metadata,
    Column("member_id", BigKey, ForeignKey("members.member_id"), nullable=False),
    Column("note_id", BigKey, ForeignKey("notes.note_id"), nullable=False),
    Column("viewed_at", UTCDateTime, nullable=False),
    Index("ix_note_views_member_id_viewed_at", "member_id", "viewed_at"),
)

settlements = Table(
    "settlements",
    metadata,
    _int_key("settlement_id"),
    Column("vendor_id", Integer, ForeignKey("vendors.vendor_id"), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("gross_cents", BigInteger, nullable=False),
    Column("platform_subsidy_cents", BigInteger, nullable=False),
    Column("commission_cents", BigInteger, nullable=False),
    Column("payment_fee_cents", BigInteger, nullable=False),
    Column("refund_cents", BigInteger, nullable=False),
    Column("commission_refund_cents", BigInteger, nullable=False),
    Column("adjustment_cents", BigInteger, nullable=False),
    Column("net_cents", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("paid_at", UTCDateTime, nullable=True),
    Column("adjustment_note", Text, nullable=True),
    Column("payment_reference", Text, nullable=True),
    Column("version", Integer, nullable=False, server_default=sa.text("1")),
    UniqueConstraint("vendor_id", "period_start", "period_end", name="uq_settlement_period"),
    CheckConstraint("period_start < period_end", name="settlement_period_order"),
    _one_of("status", SETTLEMENT_STATUSES),
    *_not_negative(*SETTLEMENT_LINES),
    CheckConstraint(
        "net_cents = gross_cents + platform_subsidy_cents - commission_cents"
        " - payment_fee_cents - refund_cents + commission_refund_cents + adjustment_cents",
        name="net_adds_up",
    ),
    Index("ix_settlements_vendor_id_period_start", "vendor_id", "period_start"),
)

audit_log = Table(
    "audit_log",
    metadata,
    _big_key("audit_id"),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("vendor_id", Integer, nullable=True),
    Column("reason", Text, nullable=True),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Index("ix_audit_log_vendor_id_at", "vendor_id", "at"),
)


def create_schema(engine: sa.Engine) -> None:
    """Create every contract table and index that does not exist yet."""
    metadata.create_all(engine)
