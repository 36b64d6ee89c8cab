"""Campaign analytics: promotions, coupons, platform campaigns year over year, live sessions.

Figures follow the contract's "Promotion results", "Coupon redemption" and
"Live session results". Promotion and live-session results are over their whole
life (every paid order carrying them, whenever paid); a period only decides
*which* promotions and sessions are listed (those whose time overlaps it).
A vendor sees a platform promotion's results over their own orders only.

An order "carries" a promotion as `queries.marketing.carried_orders` reads it: through
`orders.promotion_id`, or for a coupon promotion the orders its coupons were used on.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import local_day
from queries.core.money import round_half_up_div
from queries.core.periods import TimeRange
from queries.core.rls import mall_wide
from queries.figures import gmv, paid_orders
from queries.marketing.carried_orders import (
    SUMS,
    carried_rows,
    carried_sums,
)
from queries.reports import Report, ratio
from queries.rolled.campaigns import campaigns_cut, live_session_buyers

__all__ = [
    "campaign_comparison",
    "coupon_results",
    "live_session_results",
    "period_promotions",
    "promotion_results",
    "report",
]

ORD = s.orders
PRO = s.promotions
CPN = s.coupons
LS = s.live_sessions

# The sums of carried orders (`carried_orders.SUMS`), then the ratios worked out from them.
RESULT_COLUMNS = ["promotion_id", *SUMS, "platform_share", "roi", "budget_used"]


def _visible(scope: Scope):
    """Promotions a scope may look at: its own and the platform's (all for the mall)."""
    if scope.is_mall:
        return sa.true()
    return sa.or_(PRO.c.vendor_id == scope.vendor_id, PRO.c.vendor_id.is_(None))


def _result_row(promotion_id: int, budget_cents: int | None, sums: dict[str, int]) -> dict:
    discount, gmv = sums["discount_cents"], sums["gmv_cents"]
    return {
        "promotion_id": promotion_id,
        **sums,
        "platform_share": ratio(sums["platform_discount_cents"], discount),
        "roi": ratio(gmv, discount),
        "budget_used": ratio(discount, budget_cents),
    }


def promotion_results(
    conn: sa.Connection, *, scope: Scope, promotion_ids: list[int], tz: str | None = None
) -> pd.DataFrame:
    """Whole-life results of the given promotions over the scope's paid orders, one row each.

    Promotions the scope may not see (another vendor's) and unknown ids are left out;
    a visible promotion without orders has zeros and None ratios. With `tz` (the
    platform's), the orders paid before the campaign rollups' cut come from them.
    """
    ids = sorted({int(i) for i in promotion_ids})
    if not ids:
        return _typed_results([])
    visible = conn.execute(
        sa.select(PRO.c.promotion_id, PRO.c.budget_cents)
        .where(PRO.c.promotion_id.in_(ids), _visible(scope))
        .order_by(PRO.c.promotion_id)
    ).all()
    sums, _ = carried_sums(
        conn, scope=scope, ids=[r.promotion_id for r in visible], with_total=False, tz=tz
    )
    zero = dict.fromkeys(SUMS, 0)
    return _typed_results(
        [
            _result_row(r.promotion_id, r.budget_cents, sums.get(r.promotion_id, zero))
            for r in visible
        ]
    )


def _typed_results(rows: list[dict]) -> pd.DataFrame:
    """Result rows as a frame whose counts and money are int64 even when empty (merge-safe)."""
    frame = _frame(rows, RESULT_COLUMNS, ("platform_share", "roi", "budget_used"))
    counts = RESULT_COLUMNS[:5]  # promotion_id … platform_discount_cents
    return frame.astype(dict.fromkeys(counts, "int64"))


def _frame(rows: list[dict], columns: list[str], ratios: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame whose ratio columns keep None (object dtype) rather than NaN."""
    frame = pd.DataFrame(rows, columns=columns)
    for name in ratios:
        frame[name] = pd.Series([row[name] for row in rows], dtype=object, index=frame.index)
    return frame


def _overlaps(start_col, end_col, period: TimeRange):
    return sa.and_(start_col < period.end, end_col > period.start)


def _listed_promotions(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """`period_promotions`, and the totals over the listed promotions' orders."""
    overlapping = sa.and_(
        PRO.c.status != "draft",
        _overlaps(PRO.c.starts_at, PRO.c.ends_at, period),
        _visible(scope),
    )
    query = (
        sa.select(
            PRO.c.promotion_id,
            PRO.c.name,
            PRO.c.kind,
            PRO.c.vendor_id,
            PRO.c.campaign,
            PRO.c.funded_by,
            PRO.c.status,
            PRO.c.starts_at,
            PRO.c.ends_at,
            PRO.c.budget_cents,
        )
        .where(overlapping)
        .order_by(PRO.c.starts_at, PRO.c.promotion_id)
    )
    candidates = [dict(r) for r in conn.execute(query).mappings()]
    ids = [r["promotion_id"] for r in candidates]
    sums, totals = carried_sums(conn, scope=scope, ids=ids, with_total=True, tz=tz)
    # A vendor is shown the platform promotions their paid orders used: those with
    # orders here. Unused ones carry no orders, so the totals are the same either way.
    rows = [
        r
        for r in candidates
        if scope.is_mall or r["vendor_id"] is not None or r["promotion_id"] in sums
    ]
    listed = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    # Nullable ints stay Python ints or None (not floats with NaN): JSON and workbooks
    # show them as whole numbers and blanks.
    for name in ("vendor_id", "budget_cents", "campaign"):
        listed[name] = pd.Series([r[name] for r in rows], dtype=object, index=listed.index)
    zero = dict.fromkeys(SUMS, 0)
    results = _typed_results(
        [
            _result_row(r["promotion_id"], r["budget_cents"], sums.get(r["promotion_id"], zero))
            for r in rows
        ]
    )
    merged = listed.merge(results, on="promotion_id", how="left")
    merged["is_platform"] = [v is None for v in merged["vendor_id"]]
    return merged, {
        "promotion_orders": totals["paid_orders"],
        "promotion_gmv_cents": totals["gmv_cents"],
        "discount_cents": totals["discount_cents"],
        "platform_discount_cents": totals["platform_discount_cents"],
    }


def period_promotions(conn: sa.Connection, *, scope: Scope, period: TimeRange) -> pd.DataFrame:
    """Promotions overlapping the period, with their whole-life results.

    A vendor gets their own promotions and the platform promotions their paid orders
    used; the whole mall gets every promotion. Drafts never ran and are left out.
    """
    return _listed_promotions(conn, scope=scope, period=period)[0]


def coupon_results(conn: sa.Connection, *, scope: Scope, period: TimeRange) -> pd.DataFrame:
    """Per coupon promotion: coupons issued in the period, how many of them were used (ever).

    A vendor sees their own coupon promotions; the whole mall every coupon promotion.
    """
    owner = scope.owns(PRO.c.vendor_id)
    used = sa.case((CPN.c.used_at.is_not(None), 1), else_=0)
    query = (
        sa.select(
            PRO.c.promotion_id,
            PRO.c.name,
            sa.func.count().label("issued"),
            sa.func.sum(used).label("used"),
        )
        .join(CPN, CPN.c.promotion_id == PRO.c.promotion_id)
        .where(
            PRO.c.kind == "coupon",
            owner,
            CPN.c.issued_at >= period.start,
            CPN.c.issued_at < period.end,
        )
        .group_by(PRO.c.promotion_id, PRO.c.name)
        .order_by(PRO.c.promotion_id)
    )
    rows = [
        {
            "promotion_id": int(r.promotion_id),
            "name": r.name,
            "issued": int(r.issued),
            "used": int(r.used or 0),
            "redemption_rate": ratio(int(r.used or 0), int(r.issued)),
        }
        for r in conn.execute(query)
    ]
    columns = ["promotion_id", "name", "issued", "used", "redemption_rate"]
    return _frame(rows, columns, ("redemption_rate",))


def live_session_results(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str | None = None
) -> pd.DataFrame:
    """The scope's live sessions overlapping the period, with whole-life results.

    With `tz` (the platform's) the campaign rollups give the orders paid before their cut.
    """
    owner = scope.owns(LS.c.vendor_id)
    listed = sa.and_(owner, _overlaps(LS.c.started_at, LS.c.ended_at, period))
    sums = _live_session_sums(
        sa.select(LS.c.live_session_id).where(listed), scope, campaigns_cut(conn, tz=tz)
    )
    query = (
        sa.select(
            LS.c.live_session_id,
            LS.c.vendor_id,
            LS.c.title,
            LS.c.started_at,
            LS.c.ended_at,
            LS.c.viewers,
            sa.func.coalesce(sums.c.paid_orders, 0).label("paid_orders"),
            sa.func.coalesce(sums.c.gmv_cents, 0).label("gmv_cents"),
            sa.func.coalesce(sums.c.buyers, 0).label("buyers"),
        )
        .outerjoin(sums, sums.c.live_session_id == LS.c.live_session_id)
        .where(listed)
        .order_by(LS.c.started_at, LS.c.live_session_id)
    )
    rows = []
    for r in conn.execute(query).mappings():
        viewers, gmv = int(r["viewers"]), int(r["gmv_cents"])
        rows.append(
            {
                **{k: r[k] for k in ("live_session_id", "vendor_id", "title")},
                "started_at": r["started_at"],
                "ended_at": r["ended_at"],
                "viewers": viewers,
                "paid_orders": int(r["paid_orders"]),
                "gmv_cents": gmv,
                "buyers": int(r["buyers"]),
                "conversion": ratio(int(r["buyers"]), viewers),
                # Money per viewer is money: integer fen, rounded half up.
                "gmv_per_viewer_cents": round_half_up_div(gmv, 1, viewers) if viewers else None,
            }
        )
    columns = [
        "live_session_id", "vendor_id", "title", "started_at", "ended_at", "viewers",
        "paid_orders", "gmv_cents", "buyers", "conversion", "gmv_per_viewer_cents",
    ]  # fmt: skip
    frame = _frame(rows, columns, ("conversion", "gmv_per_viewer_cents"))
    return frame


def _live_session_sums(sessions: sa.Select, scope: Scope, cut_at: datetime | None) -> sa.Subquery:
    """Per session of `sessions`: paid orders, GMV and buyers of the scope's orders carrying it.

    Per (session, member) first, live (and from the rollup's rows before `cut_at`, if
    given), then per session: a member is one buyer however many orders they paid.
    """
    per_member = [
        sa.select(
            ORD.c.live_session_id,
            ORD.c.member_id,
            paid_orders().label("orders"),
            gmv(ORD).label("gmv_cents"),
        )
        .where(
            ORD.c.live_session_id.in_(sessions),
            ORD.c.paid_at.is_not(None) if cut_at is None else ORD.c.paid_at >= cut_at,
            scope.owns(ORD.c.vendor_id),
        )
        .group_by(ORD.c.live_session_id, ORD.c.member_id)
    ]
    if cut_at is not None:
        b = live_session_buyers
        per_member.append(
            sa.select(b.c.live_session_id, b.c.member_id, b.c.orders, b.c.gmv_cents).where(
                b.c.live_session_id.in_(sessions), scope.owns(b.c.vendor_id)
            )
        )
    rows = sa.union_all(*per_member).subquery("per_member")
    return (
        sa.select(
            rows.c.live_session_id,
            sa.func.sum(rows.c.orders).label("paid_orders"),
            sa.func.sum(rows.c.gmv_cents).label("gmv_cents"),
            sa.func.count(sa.distinct(rows.c.member_id)).label("buyers"),
        )
        .group_by(rows.c.live_session_id)
        .subquery("sums")
    )


def _local_year(tz: str):
    """The local calendar year a promotion starts in: the year of its campaign."""
    return sa.extract("year", local_day(PRO.c.starts_at, sa.bindparam("tz", tz)))


def _campaign_windows(conn: sa.Connection, tz: str) -> pd.DataFrame:
    """Each platform campaign's window per local year: first start to last end of its promotions."""
    year = _local_year(tz)
    query = (
        sa.select(
            PRO.c.campaign,
            year.label("year"),
            sa.func.min(PRO.c.starts_at).label("window_start"),
            sa.func.max(PRO.c.ends_at).label("window_end"),
        )
        .where(PRO.c.campaign.is_not(None), PRO.c.status != "draft")
        .group_by(PRO.c.campaign, year)
    )
    # The window is the platform's, set by every promotion of the campaign (a shop's
    # included): read mall-wide under row-level security too; only the dates leave.
    with mall_wide(conn):
        rows = [
            {"campaign": r.campaign, "year": int(r.year), "window_start": r.window_start,
             "window_end": r.window_end}
            for r in conn.execute(query)
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=["campaign", "year", "window_start", "window_end"])


def _campaign_sums(
    conn: sa.Connection, *, scope: Scope, tz: str, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, int]]:
    """Paid orders, GMV, discount of the scope's orders carrying each campaign-year's promotions."""
    if not keys:
        return {}
    counted = sa.and_(PRO.c.campaign.in_(sorted({k[0] for k in keys})), PRO.c.status != "draft")
    promotions = sa.select(
        PRO.c.promotion_id, PRO.c.kind, PRO.c.campaign, _local_year(tz).label("year")
    ).where(counted)
    # Each campaign-year gets a small number, and each carried row the number of its
    # promotion's campaign-year: the tens of thousands of rows of a big campaign are
    # then made distinct per order on integers, with no join back to promotions.
    groups: dict[tuple[str, int], int] = {}
    group_of: dict[int, int] = {}
    kinds: dict[int, str] = {}
    for row in conn.execute(promotions):
        key = (row.campaign, int(row.year))
        group_of[int(row.promotion_id)] = groups.setdefault(key, len(groups))
        kinds[int(row.promotion_id)] = row.kind
    if not group_of:
        return {}
    # Every branch reads exactly these promotions (their kinds from the same rows, in place
    # of `matching_promotions`), so every carried row has a number.
    carried = carried_rows(
        PRO.c.promotion_id.in_(list(group_of)), scope, campaigns_cut(conn, tz=tz), kinds
    )
    group = sa.case(group_of, value=carried.c.promotion_id)
    per_order = (
        sa.select(
            group.label("campaign_year"),
            carried.c.order_id,
            carried.c.paid_cents,
            carried.c.discount_cents,
        )
        .distinct()  # an order carrying two promotions of one campaign counts once
        .subquery("per_order")
    )
    query = sa.select(
        per_order.c.campaign_year,
        paid_orders().label("paid_orders"),
        gmv(per_order).label("gmv_cents"),
        sa.func.sum(per_order.c.discount_cents).label("discount_cents"),
    ).group_by(per_order.c.campaign_year)
    key_of = {number: key for key, number in groups.items()}
    return {
        key_of[int(r.campaign_year)]: {
            "paid_orders": int(r.paid_orders),
            "gmv_cents": int(r.gmv_cents),
            "discount_cents": int(r.discount_cents),
        }
        for r in conn.execute(query)
    }


def campaign_comparison(
    conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str
) -> pd.DataFrame:
    """Platform campaigns whose window overlaps the period, against the same one a year earlier."""
    windows = _campaign_windows(conn, tz)
    current = windows[
        (windows["window_start"] < period.end) & (windows["window_end"] > period.start)
    ] if not windows.empty else windows  # fmt: skip
    by_key = {(r.campaign, r.year): r for r in windows.itertuples()}
    keys = [(r.campaign, r.year) for r in current.itertuples()]
    keys += [(c, y - 1) for c, y in keys if (c, y - 1) in by_key]
    sums = _campaign_sums(conn, scope=scope, tz=tz, keys=keys)
    zero = {"paid_orders": 0, "gmv_cents": 0, "discount_cents": 0}
    rows = []
    for campaign, year in sorted(keys):
        if (campaign, year) not in {(r.campaign, r.year) for r in current.itertuples()}:
            continue
        now, before = by_key[(campaign, year)], by_key.get((campaign, year - 1))
        this = sums.get((campaign, year), zero)
        last = sums.get((campaign, year - 1), zero) if before is not None else None
        rows.append(
            {
                "campaign": campaign,
                "year": year,
                "window_start": now.window_start,
                "window_end": now.window_end,
                **this,
                "prev_window_start": before.window_start if before is not None else None,
                "prev_window_end": before.window_end if before is not None else None,
                "prev_paid_orders": last["paid_orders"] if last else None,
                "prev_gmv_cents": last["gmv_cents"] if last else None,
                "prev_discount_cents": last["discount_cents"] if last else None,
                "gmv_change": (
                    ratio(this["gmv_cents"] - last["gmv_cents"], last["gmv_cents"])
                    if last
                    else None
                ),
            }
        )
    columns = [
        "campaign", "year", "window_start", "window_end", "paid_orders", "gmv_cents",
        "discount_cents", "prev_window_start", "prev_window_end", "prev_paid_orders",
        "prev_gmv_cents", "prev_discount_cents", "gmv_change",
    ]  # fmt: skip
    return _frame(
        rows,
        columns,
        ("prev_paid_orders", "prev_gmv_cents", "prev_discount_cents", "gmv_change"),
    )


def report(conn: sa.Connection, *, scope: Scope, period: TimeRange, tz: str) -> Report:
    """The campaigns report for the page, the workbook and `python -m exports report campaigns`."""
    ZoneInfo(tz)  # a bad zone name fails here, before any query
    promotions, totals = _listed_promotions(conn, scope=scope, period=period, tz=tz)
    coupons = coupon_results(conn, scope=scope, period=period)
    live = live_session_results(conn, scope=scope, period=period, tz=tz)
    campaigns = campaign_comparison(conn, scope=scope, period=period, tz=tz)
    issued, used = int(coupons["issued"].sum()), int(coupons["used"].sum())
    live_viewers = int(live["viewers"].sum())
    live_buyers = int(live["buyers"].sum())
    live_gmv = int(live["gmv_cents"].sum())
    figures = {
        "promotions": len(promotions),
        **totals,
        "platform_share": ratio(totals["platform_discount_cents"], totals["discount_cents"]),
        "roi": ratio(totals["promotion_gmv_cents"], totals["discount_cents"]),
        "coupons_issued": issued,
        "coupons_used": used,
        "redemption_rate": ratio(used, issued),
        "live_sessions": len(live),
        "live_viewers": live_viewers,
        "live_paid_orders": int(live["paid_orders"].sum()),
        "live_gmv_cents": live_gmv,
        "live_buyers": live_buyers,
        "live_conversion": ratio(live_buyers, live_viewers),
    }
    return Report(
        totals=figures,
        breakdowns={
            "promotions": promotions,
            "coupons": coupons,
            "campaigns": campaigns,
            "live_sessions": live,
        },
    )
