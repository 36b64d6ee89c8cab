"""One month of demo orders: times, buyers, shops, items, promotions, statuses and payments.

Orders are drawn per local month (a chunk), vectorised with numpy. Refunds,
coupons and note views follow from them in `demo.after`. Order-level
discounts are split over the lines so that Σ item discounts = the order's
discount exactly (largest shares by line value, the rounding fen on the first line).
"""

from __future__ import annotations

import numpy as np

from demo.promos import PromoIndex
from demo.world import DAY, HOUR, US, World

__all__ = ["OrderBatch", "draw_orders"]

NULL = -1  # a null timestamp or id in the generator's int64 arrays
PAYMENT_FEE_BPS = 60  # 0.6 % per payment through a payment channel; balance is free
METHOD_PREFIX = {"wechat": "4200", "alipay": "2088", "card": "UP", "balance": "BAL"}


class OrderBatch:
    """The arrays of one month's orders, items and payments (ids are final)."""

    def __init__(self, **arrays) -> None:
        self.__dict__.update(arrays)


def _half_up(a: np.ndarray, b: np.ndarray | int, d: int) -> np.ndarray:
    """round_half_up(a × b ÷ d) in int64, as the contract defines it."""
    return (2 * a * b + d) // (2 * d)


def _sessions(world: World, m: int, eligible: np.ndarray, rng, first_id: int) -> dict:
    """Evening live streams of the bigger shops in month m (all ended before as_of)."""
    cal = world.cal
    lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
    day_index = np.flatnonzero((cal.day_starts[:-1] >= lo) & (cal.day_starts[:-1] < hi))
    shops = np.flatnonzero(world.vendor_live & eligible)
    if len(shops) == 0 or len(day_index) == 0:
        return {"vendor": np.zeros(0, np.int64)}
    top = world.vendor_weight.max()
    per = np.maximum(1, np.round(6 * np.sqrt(world.vendor_weight[shops] / top))).astype(np.int64)
    vendor = np.repeat(shops, per)
    n = len(vendor)
    day = cal.day_starts[rng.choice(day_index, size=n)]
    started = day + 19 * HOUR + rng.integers(0, 2 * HOUR, n)
    ended = np.minimum(started + rng.integers(90 * 60, 4 * 3600, n) * US, hi - US)
    keep = ended < cal.as_of
    vendor, started, ended = vendor[keep], started[keep], ended[keep]
    order = np.argsort(started, kind="stable")
    return {
        "id": first_id + np.arange(len(order)),
        "vendor": vendor[order],
        "started": started[order],
        "ended": ended[order],
    }


def draw_orders(world: World, promos: PromoIndex, m: int, count: int, rng, ids, pool) -> OrderBatch:
    """Draw month m's `count` orders (fewer in the current month: none after as_of)."""
    cal = world.cal
    lo, hi = int(cal.month_starts[m]), int(cal.month_starts[m + 1])
    as_of = cal.as_of
    slots = np.flatnonzero((world.slot_start >= lo) & (world.slot_start < hi))
    weights = cal.slot_weights[slots]
    t = world.slot_start[rng.choice(slots, size=count, p=weights / weights.sum())]
    t = t + rng.integers(0, HOUR, count)
    w = world.vendor_weight
    eligible = (world.vendor_joined < lo) & (world.vendor_end > lo) & (w > 0)
    live = _sessions(world, m, eligible, rng, ids["live_sessions"])
    is_live = np.zeros(count, bool)
    session = np.full(count, NULL)
    vendor = np.full(count, NULL)
    if len(live["vendor"]):
        chosen = rng.choice(count, size=count * 14 // 100, replace=False)
        length = live["ended"] - live["started"]
        p = w[live["vendor"]] * length
        pick = rng.choice(len(p), size=len(chosen), p=p / p.sum())
        is_live[chosen] = True
        session[chosen] = live["id"][pick]
        vendor[chosen] = live["vendor"][pick]
        t[chosen] = live["started"][pick] + (rng.random(len(chosen)) * length[pick]).astype(
            np.int64
        )
    keep = t < as_of
    if m == cal.months - 1:
        t = _some_today(t, keep & ~is_live, cal, rng)
    t, is_live, session, vendor = t[keep], is_live[keep], session[keep], vendor[keep]
    order = np.argsort(t, kind="stable")
    t, is_live, session, vendor = t[order], is_live[order], session[order], vendor[order]
    n = len(t)
    # buyers: returning pairs (member, shop) from earlier months, else new draws
    member = np.full(n, NULL)
    repeat = (~is_live) & (rng.random(n) < 0.38) & (len(pool[0]) > 0)
    if repeat.any():
        pair = rng.integers(0, len(pool[0]), int(repeat.sum()))
        ok = eligible[pool[1][pair]]
        rows = np.flatnonzero(repeat)
        member[rows[ok]] = pool[0][pair[ok]]
        vendor[rows[ok]] = pool[1][pair[ok]]
    fresh_vendor = vendor == NULL
    p = np.where(eligible, w, 0.0)
    vendor[fresh_vendor] = rng.choice(len(w), size=int(fresh_vendor.sum()), p=p / p.sum())
    fresh = member == NULL
    reach = world.registered_before(t[fresh])
    member[fresh] = (reach * rng.random(int(fresh.sum())) ** 1.3).astype(np.int64) + 1
    channel = np.array(["app", "mini_program", "h5"], dtype=object)[
        rng.choice(3, size=n, p=[0.45, 0.38, 0.17])
    ]
    channel[is_live] = "live"
    # items: 1–4 lines of distinct products of the order's shop
    lines = rng.choice([1, 2, 3, 4], size=n, p=[0.18, 0.3, 0.3, 0.22])
    item_order = np.repeat(np.arange(n), lines)
    first_line = np.cumsum(lines) - lines
    step = np.arange(len(item_order)) - first_line[item_order]
    shop_count = world.product_count[vendor]
    top = (shop_count * rng.random(n) ** 2).astype(np.int64)
    product = world.product_offset[vendor][item_order] + (
        (top[item_order] + step) % shop_count[item_order]
    )
    quantity = rng.choice([1, 2, 3], size=len(product), p=[0.8, 0.15, 0.05])
    unit = world.product_price[product]
    line = quantity * unit
    bps = world.commission(world.product_leaf[product], t[item_order])
    goods = np.add.reduceat(line, first_line)
    # paying, shipping, completing
    never = rng.random(n) < np.where(is_live, 0.04, 0.07)
    if m == cal.months - 1:
        recent = np.flatnonzero(t > as_of - DAY)
        if len(recent) >= 2 and not never[recent].any():
            never[recent[-2:]] = True  # a few orders still await payment today
    delay = np.clip(np.exp(rng.normal(np.log(90), 1.0, n)), 5, 1200).astype(np.int64) * US
    paid_at = t + delay
    paid = (~never) & (paid_at <= as_of)
    paid_at = np.where(paid, paid_at, NULL)
    ship = paid_at + rng.integers(2 * HOUR, 48 * HOUR, n)
    done = ship + rng.integers(3 * DAY, 10 * DAY, n)
    status = np.where(done <= as_of, "completed", np.where(ship <= as_of, "shipped", "paid"))
    status = status.astype(object)
    status[~paid] = np.where(as_of - t[~paid] < DAY, "pending_payment", "cancelled")
    completed_at = np.where(paid & (done <= as_of), done, NULL)
    promo, discount, item_discount = _promotions(
        promos, vendor, t, goods, paid, line, item_order, first_line, rng
    )
    platform = (promo >= 0) & np.isin(promo, promos.platform)
    after = goods - discount
    shipping = np.where(
        after >= 9900, 0, rng.choice([0, 600, 800, 1000], size=n, p=[0.3, 0.3, 0.25, 0.15])
    )
    batch = OrderBatch(
        n=n,
        t=t,
        vendor=vendor,
        member=member,
        session=session,
        channel=channel,
        paid=paid,
        paid_at=paid_at,
        status=status,
        completed_at=completed_at,
        promo=promo,
        goods=goods,
        discount=discount,
        platform_discount=np.where(platform, discount, 0),
        shipping=shipping,
        paid_cents=after + shipping,
        lines=lines,
        first_line=first_line,
        item_order=item_order,
        product=product,
        quantity=quantity,
        unit=unit,
        item_discount=item_discount,
        amount=line - item_discount,
        bps=bps,
        live=live,
    )
    batch.order_id = ids["orders"] + np.arange(n)
    batch.item_id = ids["order_items"] + np.arange(len(product))
    _payments(batch, rng, ids["payments"])
    return batch


def _some_today(t, movable, cal, rng):
    """Make sure as_of's local day already has a few orders, however early it is."""
    today = int(cal.day_starts[-2])
    room = cal.as_of - today
    have = int((movable & (t >= today)).sum())
    if room > 10 * 60 * US and have < 3:  # move the day's last orders but live ones
        earlier = np.flatnonzero(movable & (t < today))
        earlier = earlier[np.argsort(t[earlier], kind="stable")][-(3 - have) :]
        t[earlier] = today + (rng.random(len(earlier)) * (room - US)).astype(np.int64)
    return t


def _promotions(promos, vendor, t, goods, paid, line, item_order, first_line, rng):
    """Pick the promotion applied to each order and split its discount over the lines."""
    n = len(t)
    promo = np.full(n, NULL)
    u = rng.random(n)
    for index in promos.platform:
        running = (t >= promos.starts[index]) & (t < promos.ends[index])
        fits = running & (goods >= promos.threshold[index]) & (promo == NULL)
        if promos.kind[index] == "threshold_off":
            promo[fits & (u < 0.5)] = index
        else:  # a platform coupon is used only when the order is paid
            promo[fits & paid & (u >= 0.5) & (u < 0.7)] = index
    shop = promos.vendor_running(vendor + 1, t)
    kind = promos.kind[np.maximum(shop, 0)]
    fits = (shop >= 0) & (goods >= promos.threshold[np.maximum(shop, 0)])
    fits &= (kind != "coupon") | paid
    use = (promo == NULL) & fits & (rng.random(n) < 0.6)
    promo[use] = shop[use]
    chosen = np.maximum(promo, 0)
    kind = np.where(promo >= 0, promos.kind[chosen], "")
    percent = np.where(np.isin(kind, ["percent_off", "flash_sale"]), promos.percent[chosen], 0)
    item_discount = _half_up(line, percent[item_order], 100)
    fixed = np.where(kind == "amount_off", np.minimum(promos.amount[chosen], goods // 2), 0)
    fixed = np.where(np.isin(kind, ["threshold_off", "coupon"]), promos.amount[chosen], fixed)
    share = line * fixed[item_order] // goods[item_order]
    item_discount = item_discount + share
    spread = np.add.reduceat(share, first_line)
    item_discount[first_line] += fixed - spread
    discount = np.add.reduceat(item_discount, first_line)
    return promo, discount, item_discount


def _payments(batch: OrderBatch, rng, first_id: int) -> None:
    """One payment per paid order, or a balance part plus a channel payment."""
    paid = np.flatnonzero(batch.paid)
    total = batch.paid_cents[paid]
    split = (rng.random(len(paid)) < 0.1) & (total >= 200)
    method = np.array(["wechat", "alipay", "card"], dtype=object)[
        rng.choice(3, size=len(paid), p=[0.52, 0.38, 0.10])
    ]
    part = np.maximum(1, (total * rng.uniform(0.1, 0.6, len(paid))).astype(np.int64))
    order = np.concatenate([paid[split], paid])
    amount = np.concatenate([part[split], np.where(split, total - part, total)])
    methods = np.concatenate([np.full(int(split.sum()), "balance", dtype=object), method])
    t, at = batch.t[order], batch.paid_at[order]
    when = np.concatenate(
        [t[: split.sum()] + (at[: split.sum()] - t[: split.sum()]) // 2, at[split.sum() :]]
    )
    arrange = np.lexsort((when, order))
    batch.pay_order = order[arrange]
    batch.pay_amount = amount[arrange]
    batch.pay_method = methods[arrange]
    batch.pay_at = when[arrange]
    batch.pay_id = first_id + np.arange(len(arrange))
    _fees(batch)


def _fees(batch: OrderBatch) -> None:
    charged = batch.pay_method != "balance"
    batch.pay_fee = np.where(charged, _half_up(batch.pay_amount, PAYMENT_FEE_BPS, 10000), 0)
