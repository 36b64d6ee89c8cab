"""What follows a month's orders: cancellations, refunds, planted anomalies, coupons, views.

Also turns an `OrderBatch` into the rows of every table it touches. Planted
anomalies (for finance's reconciliation to find) are listed in docs/demo-data.md.
"""

from __future__ import annotations

import numpy as np

from demo import catalog as cat
from demo.orders import METHOD_PREFIX, NULL, OrderBatch, _fees
from demo.promos import PromoIndex, key
from demo.world import DAY, HOUR, US, World

__all__ = ["aftermath", "batch_rows"]


def _uniform(rng, low: int, high: int, n: int) -> np.ndarray:
    return rng.integers(low, high, n).astype(np.int64)


def aftermath(batch: OrderBatch, world: World, rng, ids, *, plant: bool) -> list:
    """Refunds, paid-then-cancelled orders and (when `plant`) the anomalies; returns those."""
    as_of = world.cal.as_of
    n = batch.n
    # a few paid orders are cancelled before shipping, every line refunded in full
    cancel = batch.paid & (batch.paid_at < as_of - 3 * DAY) & (rng.random(n) < 0.012)
    planted: list[tuple[str, int]] = []
    candidates = np.flatnonzero(batch.paid & ~cancel & (batch.status == "completed"))
    single = np.bincount(batch.pay_order, minlength=n) == 1
    candidates = candidates[single[candidates]]
    stuck = np.zeros(n, bool)
    if plant and len(candidates) >= 4:
        a, b, c, d = rng.choice(candidates, size=4, replace=False)
        batch.status[[a, b]] = "cancelled"
        batch.completed_at[[a, b]] = NULL
        stuck[[a, b]] = True
        planted = [
            ("cancelled_paid_no_refund", int(a)),
            ("cancelled_paid_refund_pending", int(b)),
            ("payments_short", int(c)),
            ("payments_doubled", int(d)),
        ]
        row = np.flatnonzero(batch.pay_order == c)[0]
        batch.pay_amount[row] -= max(1, int(batch.paid_cents[c]) // 3)
        row = np.flatnonzero(batch.pay_order == d)[0]
        for name in ("pay_order", "pay_amount", "pay_method", "pay_at"):
            values = getattr(batch, name)
            extra = values[row] + 3 * US if name == "pay_at" else values[row]
            setattr(batch, name, np.insert(values, row + 1, extra))
        batch.pay_id = batch.pay_id[0] + np.arange(len(batch.pay_order))
        _fees(batch)
    batch.status[cancel] = "cancelled"
    batch.completed_at[cancel] = NULL
    # ordinary after-sales on shipped or completed lines
    item_paid = batch.paid[batch.item_order]
    order_of = batch.item_order
    eligible = item_paid & ~cancel[order_of] & ~stuck[order_of]
    rate = world.leaf_refund_rate[world.product_leaf[batch.product]]
    chosen = np.flatnonzero(eligible & (rng.random(len(order_of)) < rate))
    requested = batch.paid_at[order_of[chosen]] + _uniform(rng, DAY, 15 * DAY, len(chosen))
    chosen, requested = chosen[requested < as_of], requested[requested < as_of]
    k = len(chosen)
    line_amount = batch.amount[chosen]
    partial = (line_amount * rng.uniform(0.2, 0.8, k)).astype(np.int64)
    amount = np.where(rng.random(k) < 0.55, line_amount, np.maximum(partial, 1))
    weights = np.array(cat.REFUND_REASON_WEIGHTS) / sum(cat.REFUND_REASON_WEIGHTS)
    reason = np.array(cat.REFUND_REASONS, dtype=object)[rng.choice(len(weights), k, p=weights)]
    u = rng.random(k)
    completed = requested + _uniform(rng, 12 * HOUR, 8 * DAY, k)
    status = np.where(u < 0.12, "rejected", "completed").astype(object)
    status[(u >= 0.12) & (u < 0.17)] = np.where(
        rng.random(int(((u >= 0.12) & (u < 0.17)).sum())) < 0.5, "approved", "requested"
    )
    late = (status == "completed") & (completed > as_of)
    status[late] = np.where(rng.random(int(late.sum())) < 0.6, "approved", "requested")
    completed = np.where(status == "completed", completed, NULL)
    # the cancelled orders' full refunds
    lines = np.flatnonzero(
        cancel[order_of] | (stuck[order_of] & (order_of == (planted[1][1] if planted else -1)))
    )
    c_req = batch.paid_at[order_of[lines]] + _uniform(rng, 10 * 60 * US, 6 * HOUR, len(lines))
    c_done = c_req + _uniform(rng, 10 * 60 * US, DAY, len(lines))
    c_status = np.where(stuck[order_of[lines]], "requested", "completed").astype(object)
    c_done = np.where(c_status == "completed", c_done, NULL)
    item = np.concatenate([chosen, lines])
    batch.refund_item = item
    batch.refund_amount = np.concatenate([amount, batch.amount[lines]])
    batch.refund_reason = np.concatenate([reason, np.full(len(lines), "不想要了", dtype=object)])
    batch.refund_status = np.concatenate([status, c_status])
    batch.refund_requested = np.concatenate([requested, c_req])
    batch.refund_completed = np.concatenate([completed, c_done])
    batch.refund_id = ids["refunds"] + np.arange(len(item))
    return [(kind, int(batch.order_id[i])) for kind, i in planted]


def coupons_and_views(batch: OrderBatch, world: World, promos: PromoIndex, rng, ids) -> None:
    """Coupons used on the coupon orders (and others left unused); note views before buying."""
    used = np.flatnonzero(
        (batch.promo >= 0) & (promos.kind[np.maximum(batch.promo, 0)] == "coupon")
    )
    t = batch.t[used]
    start = promos.starts[batch.promo[used]]
    issued = t - (rng.random(len(used)) * np.minimum(10 * DAY, t - start)).astype(np.int64)
    extra = rng.choice([0, 1, 2, 3], size=len(used), p=[0.2, 0.3, 0.3, 0.2])
    src = np.repeat(np.arange(len(used)), extra)
    x_issued = np.maximum(start[src], issued[src] - _uniform(rng, 0, 3 * DAY, len(src)))
    x_member = (world.registered_before(x_issued) * rng.random(len(src))).astype(np.int64) + 1
    batch.coupon = {
        "promotion_id": np.concatenate([batch.promo[used], batch.promo[used][src]]) + 1,
        "member_id": np.concatenate([batch.member[used], x_member]),
        "issued_at": np.concatenate([issued, x_issued]),
        "used_at": np.concatenate([batch.paid_at[used], np.full(len(src), NULL)]),
        "order_id": np.concatenate([batch.order_id[used], np.full(len(src), None)]).astype(object),
    }
    batch.coupon["coupon_id"] = ids["coupons"] + np.arange(len(batch.coupon["member_id"]))
    # a buyer often read a note mentioning the product within the week before buying
    order_of = batch.item_order
    pick = np.flatnonzero(rng.random(len(order_of)) < 0.3)
    when = batch.t[order_of[pick]]
    pos = np.searchsorted(world.note_key, key(batch.product[pick] + 1, when), side="right") - 1
    found = pos >= 0
    pos = np.maximum(pos, 0)
    found &= (world.note_key[pos] >> 31) == batch.product[pick] + 1
    note = world.note_key_note[pos[found]]
    when = when[found]
    posted = world.note_posted[note]
    seen = when - _uniform(rng, 10 * 60 * US, 7 * DAY, len(note))
    between = posted + ((when - posted) * rng.uniform(0.2, 0.8, len(note))).astype(np.int64)
    seen = np.where(seen <= posted, between, seen)
    member = batch.member[order_of[pick[found]]]
    # and other members browse notes without buying
    lo, hi = (
        int(world.cal.month_starts[batch.month]),
        min(int(world.cal.month_starts[batch.month + 1]), world.cal.as_of),
    )
    k = batch.n
    browse = lo + (rng.random(k) * (hi - lo)).astype(np.int64)
    count = np.searchsorted(world.note_posted, browse)
    ok = count > 0
    b_note = (count[ok] * rng.random(int(ok.sum()))).astype(np.int64)
    b_at = browse[ok]
    b_at = np.maximum(b_at, world.note_posted[b_note] + US)
    b_member = (world.registered_before(b_at) * rng.random(len(b_at))).astype(np.int64) + 1
    batch.views = {
        "member_id": np.concatenate([member, b_member]),
        "note_id": np.concatenate([note, b_note]) + 1,
        "viewed_at": np.concatenate([seen, b_at]),
    }


def _text_ids(prefix: np.ndarray, ids: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix.astype(str), np.char.zfill(ids.astype(str), width)).astype(object)


def batch_rows(batch: OrderBatch, world: World, rng) -> dict[str, dict]:
    """The rows of one month for each table, in insert order."""
    live = batch.live
    tables: dict[str, dict] = {}
    if len(live["vendor"]):
        buyers = np.zeros(len(live["vendor"]), np.int64)
        live_paid = (batch.session != NULL) & batch.paid
        np.add.at(buyers, batch.session[live_paid] - live["id"][0], 1)
        viewers = buyers * rng.integers(12, 40, len(buyers)) + rng.integers(80, 900, len(buyers))
        titles = [
            cat.LIVE_TITLES[i % len(cat.LIVE_TITLES)].format(s=world.vendor_brand[v])
            for i, v in enumerate(live["vendor"])
        ]
        tables["live_sessions"] = {
            "live_session_id": live["id"],
            "vendor_id": live["vendor"] + 1,
            "title": np.array(titles, dtype=object),
            "started_at": live["started"],
            "ended_at": live["ended"],
            "viewers": viewers,
            "peak_viewers": (viewers * rng.uniform(0.15, 0.4, len(viewers))).astype(np.int64),
            "likes": (viewers * rng.uniform(2, 20, len(viewers))).astype(np.int64),
        }
    tables["orders"] = {
        "order_id": batch.order_id,
        "order_no": _text_ids(world.cal.day_labels(batch.t), batch.order_id, 10),
        "vendor_id": batch.vendor + 1,
        "member_id": batch.member,
        "created_at": batch.t,
        "paid_at": batch.paid_at,
        "completed_at": batch.completed_at,
        "status": batch.status,
        "channel": batch.channel,
        "live_session_id": np.where(batch.session == NULL, None, batch.session).astype(object),
        "promotion_id": np.where(batch.promo == NULL, None, batch.promo + 1).astype(object),
        "goods_cents": batch.goods,
        "discount_cents": batch.discount,
        "platform_discount_cents": batch.platform_discount,
        "shipping_cents": batch.shipping,
        "paid_cents": batch.paid_cents,
    }
    tables["order_items"] = {
        "order_item_id": batch.item_id,
        "order_id": batch.order_id[batch.item_order],
        "product_id": batch.product + 1,
        "quantity": batch.quantity,
        "unit_price_cents": batch.unit,
        "discount_cents": batch.item_discount,
        "amount_cents": batch.amount,
        "commission_bps": batch.bps,
    }
    prefix = np.array([METHOD_PREFIX[m] for m in batch.pay_method], dtype=object)
    tables["payments"] = {
        "payment_id": batch.pay_id,
        "order_id": batch.order_id[batch.pay_order],
        "method": batch.pay_method,
        "amount_cents": batch.pay_amount,
        "fee_cents": batch.pay_fee,
        "paid_at": batch.pay_at,
        "transaction_no": _text_ids(prefix, batch.pay_id, 14),
    }
    tables["refunds"] = {
        "refund_id": batch.refund_id,
        "order_id": batch.order_id[batch.item_order[batch.refund_item]],
        "order_item_id": batch.item_id[batch.refund_item],
        "amount_cents": batch.refund_amount,
        "reason": batch.refund_reason,
        "status": batch.refund_status,
        "requested_at": batch.refund_requested,
        "completed_at": batch.refund_completed,
    }
    tables["coupons"] = batch.coupon
    tables["note_views"] = batch.views
    return tables
