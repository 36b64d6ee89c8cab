"""The Campaigns family of the rollups, optional: read when present, never required.

Promotion and live-session results are over their whole life, and the contract
reaches an order's promotion or live session through no index: read live, every
paid order the shop ever had is scanned for the ones carrying the listed promotions
(615,000 for the largest demo shop, three times a page). The platform keeps two
tables beside the other rollups, built by `rollups.build` up to
`rollup_state.complete_before` of `campaigns/1`:

- `rollup_promotion_orders`: per promotion, shop and paid order carrying it (as
  `queries.marketing.campaigns` defines carrying), the order's money;
- `rollup_live_session_buyers`: per live session, shop and member, the member's
  paid orders carrying the session and their GMV.

Both hold the orders paid before the cut; the orders paid from the cut on are read
live (an index range of `orders (vendor_id, paid_at)` or `orders (paid_at)`) and
added. A paid order's `paid_at`, promotion, coupon and live session never change
after payment (the platform's rule), so the rows of closed days never change and
rolled and live reads agree (`tests/test_campaign_rollups.py`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import BigInteger, Column, Table

from queries.core.periods import local_midnight
from queries.rolled.coverage import complete_before, rollup_metadata

__all__ = ["CAMPAIGNS", "campaigns_cut", "live_session_buyers", "promotion_orders"]

# The rollup_state row of these tables, with their layout's version.
CAMPAIGNS = "campaigns/1"

promotion_orders = Table(
    "mallboard_rollup_promotion_orders",
    rollup_metadata,
    Column("promotion_id", BigInteger, primary_key=True),
    Column("vendor_id", BigInteger, primary_key=True),
    Column("order_id", BigInteger, primary_key=True),
    Column("paid_cents", BigInteger, nullable=False),
    Column("discount_cents", BigInteger, nullable=False),
    Column("platform_discount_cents", BigInteger, nullable=False),
)

live_session_buyers = Table(
    "mallboard_rollup_live_session_buyers",
    rollup_metadata,
    Column("live_session_id", BigInteger, primary_key=True),
    Column("vendor_id", BigInteger, primary_key=True),  # the order's shop
    Column("member_id", BigInteger, primary_key=True),
    Column("orders", BigInteger, nullable=False),
    Column("gmv_cents", BigInteger, nullable=False),
)


def campaigns_cut(conn: sa.Connection, *, tz: str | None) -> datetime | None:
    """The local midnight before which the campaign rollups hold every paid order, or None."""
    if tz is None:
        return None
    cut = complete_before(conn, rollup=CAMPAIGNS, tz=tz)
    return None if cut is None else local_midnight(cut, ZoneInfo(tz))
