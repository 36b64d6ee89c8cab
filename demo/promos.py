"""Demo promotions (shops' own and the platform's 618 / 双11 campaigns) and community notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np

from demo import catalog as cat
from demo.world import DAY, HOUR, US, World, all_leaves, to_us
from queries.core.schema import promotions

__all__ = ["PromoIndex", "build_notes", "build_promotions"]

KINDS = ("percent_off", "amount_off", "threshold_off", "flash_sale", "coupon")
KIND_WEIGHTS = (20, 15, 30, 15, 20)
THRESHOLDS = ((9900, 1000), (19900, 2000), (29900, 4000), (39900, 6000))
COUPONS = ((9900, 1000), (15900, 2000), (29900, 3000))
KEY_SHIFT = 31  # id << 31 | seconds since BASE: sortable (id, time) keys
BASE_S = 1_500_000_000


def key(ids: np.ndarray, moments: np.ndarray) -> np.ndarray:
    """Sortable (id, moment) keys at one-second resolution."""
    return (ids.astype(np.int64) << KEY_SHIFT) | (moments // US - BASE_S)


@dataclass
class PromoIndex:
    """Lookup of the running published promotions: per shop, and the platform's."""

    vendor_key: np.ndarray  # key(vendor, starts_at), sorted
    vendor_promo: np.ndarray  # promotion index (id − 1) for each key
    ends: np.ndarray  # ends_at per promotion index
    kind: np.ndarray
    threshold: np.ndarray
    percent: np.ndarray
    amount: np.ndarray
    platform: np.ndarray  # promotion indexes of platform promotions
    platform_starts: np.ndarray
    starts: np.ndarray

    def vendor_running(self, vendor: np.ndarray, moments: np.ndarray) -> np.ndarray:
        """The shop's running promotion index at each moment, −1 where none."""
        if len(self.vendor_key) == 0:
            return np.full(len(vendor), -1)
        pos = np.searchsorted(self.vendor_key, key(vendor, moments), side="right") - 1
        ok = pos >= 0
        pos = np.maximum(pos, 0)
        found = self.vendor_promo[pos]
        ok &= (self.vendor_key[pos] >> KEY_SHIFT) == vendor
        ok &= moments < self.ends[np.maximum(found, 0)]
        return np.where(ok, found, -1)


def _name(kind: str, threshold: int, percent: int, amount: int) -> str:
    if kind == "percent_off":
        return f"全场{(100 - percent) / 10:g}折"
    if kind == "flash_sale":
        return f"限时秒杀 {(100 - percent) / 10:g}折"
    if kind == "amount_off":
        return f"下单立减{amount // 100}元"
    if kind == "threshold_off":
        return f"满{threshold // 100}减{amount // 100}"
    return f"满{threshold // 100}减{amount // 100}优惠券"


def build_promotions(world: World, rng: np.random.Generator) -> PromoIndex:
    """Shop promotions one after another, plus the platform's campaigns each year."""
    cal = world.cal
    start, as_of = int(cal.day_starts[0]), cal.as_of
    cols = tuple(promotions.c.keys())
    rows: dict[str, list] = {c: [] for c in cols}

    def add(vendor, campaign, kind, starts, ends, status, funded, name_prefix="") -> None:
        threshold = percent = amount = None
        if kind in ("percent_off", "flash_sale"):
            percent = (
                int(rng.choice([5, 10, 15, 20, 30]))
                if kind == "percent_off"
                else int(rng.choice([20, 30, 40, 50]))
            )
        elif kind == "amount_off":
            amount = int(rng.choice([500, 1000, 1500, 2000]))
        else:
            pairs = THRESHOLDS if kind == "threshold_off" else COUPONS
            threshold, amount = pairs[int(rng.integers(0, len(pairs)))]
        created = min(starts - int(rng.integers(HOUR, 10 * DAY)), as_of - HOUR)
        updated = min(created + int(rng.integers(0, 2 * DAY)), as_of - HOUR // 2)
        name = name_prefix + _name(kind, threshold or 0, percent or 0, amount or 0)
        values = (
            len(rows["promotion_id"]) + 1,
            vendor,
            campaign,
            name,
            kind,
            threshold,
            percent,
            amount,
            funded,
            None,
            int(starts),
            int(ends),
            status,
            int(created),
            int(updated),
            1 + int(updated > created),
        )
        for c, v in zip(cols, values, strict=True):
            rows[c].append(v)

    for v in np.flatnonzero(
        np.argsort(np.argsort(-world.vendor_weight)) < max(5, len(world.vendor_weight) * 35 // 100)
    ):
        if world.vendor_weight[v] <= 0:
            continue
        t = max(start, int(world.vendor_joined[v])) + int(rng.integers(0, 20 * DAY))
        while t < as_of + 30 * DAY:
            kind = KINDS[rng.choice(5, p=np.array(KIND_WEIGHTS) / 100)]
            length = int(rng.integers(1, 3) if kind == "flash_sale" else rng.integers(3, 15)) * DAY
            ends = t + length
            if t > as_of:
                status = "draft" if rng.random() < 0.5 else "published"
            else:
                status = "cancelled" if ends < as_of and rng.random() < 0.07 else "published"
            add(int(v) + 1, None, kind, t, ends, status, "vendor")
            t = ends + int(rng.integers(7, 35)) * DAY
    first_year = cal.days[0].year
    for year in range(first_year, cal.days[-1].year + 2):
        for campaign, begin, finish, label in (
            ("618", date(year, 6, 1), date(year, 6, 19), f"{year} 618年中大促 "),
            ("double11", date(year, 10, 20), date(year, 11, 12), f"{year} 双11狂欢节 "),
        ):
            starts = to_us(datetime.combine(begin, time(0), tzinfo=cal.tz))
            ends = to_us(datetime.combine(finish, time(0), tzinfo=cal.tz))
            if ends <= start or starts > as_of + 60 * DAY:
                continue
            for kind in ("threshold_off", "coupon"):
                add(None, campaign, kind, starts, ends, "published", "platform", label)
    promos = {c: np.array(v, dtype=object) for c, v in rows.items()}
    world.rows["promotions"] = promos
    kind = promos["kind"].astype(str)
    usable = (promos["status"] == "published") & (promos["starts_at"].astype(np.int64) <= as_of)
    shop = usable & (promos["vendor_id"] != None)  # noqa: E711 - element-wise
    idx = np.flatnonzero(shop)
    starts = promos["starts_at"].astype(np.int64)
    keys = key(promos["vendor_id"][idx].astype(np.int64), starts[idx])
    order = np.argsort(keys, kind="stable")
    plat = np.flatnonzero(usable & (promos["vendor_id"] == None))  # noqa: E711
    return PromoIndex(
        vendor_key=keys[order],
        vendor_promo=idx[order],
        ends=promos["ends_at"].astype(np.int64),
        kind=kind,
        threshold=np.array([x or 0 for x in promos["threshold_cents"]], dtype=np.int64),
        percent=np.array([x or 0 for x in promos["percent_off"]], dtype=np.int64),
        amount=np.array([x or 0 for x in promos["amount_off_cents"]], dtype=np.int64),
        platform=plat,
        platform_starts=starts[plat],
        starts=starts,
    )


def build_notes(world: World, rng: np.random.Generator) -> None:
    """Notes by members about popular products, with tags; indexed by product for views."""
    cal = world.cal
    start, as_of = int(cal.day_starts[0]), cal.as_of
    n = max(60, world.scale.orders // 12)
    posted = np.sort(start + (np.sqrt(rng.random(n)) * (as_of - start - HOUR)).astype(np.int64))
    weight = world.vendor_weight / world.vendor_weight.sum()
    vendor = rng.choice(len(weight), size=n, p=weight)
    count = world.product_count[vendor]
    first = world.product_offset[vendor] + (count * rng.random(n) ** 2).astype(np.int64)
    mentions = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    note = np.repeat(np.arange(n), mentions)
    step = np.arange(len(note)) - np.repeat(np.cumsum(mentions) - mentions, mentions)
    product = (
        world.product_offset[vendor[note]]
        + (first[note] - world.product_offset[vendor[note]] + step) % count[note]
    )
    # a note is posted after the products it mentions exist
    latest = np.zeros(n, dtype=np.int64)
    np.maximum.at(latest, note, world.product_created[product])
    posted = np.minimum(np.maximum(posted, latest + DAY), as_of - 60 * US)
    order = np.argsort(posted, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    posted = posted[order]
    note = rank[note]  # note ids in posting order
    author = (world.registered_before(posted) * rng.random(n)).astype(np.int64) + 1
    leaves = all_leaves()
    first_product = np.zeros(n, dtype=np.int64)
    first_product[note[step == 0]] = product[step == 0]
    tags_per = rng.choice([1, 2, 3], size=n, p=[0.4, 0.4, 0.2])
    tag_note = np.repeat(np.arange(n), tags_per)
    tag_pick = rng.permuted(np.tile(np.arange(len(cat.TAGS)), (n, 1)), axis=1)
    tag_step = np.arange(len(tag_note)) - np.repeat(np.cumsum(tags_per) - tags_per, tags_per)
    tag = np.array(cat.TAGS, dtype=object)[tag_pick[tag_note, tag_step]]
    titles = []
    for i in range(n):
        p = int(first_product[i])
        leaf = leaves[world.product_leaf[p]]
        template = cat.NOTE_TITLES[i % len(cat.NOTE_TITLES)]
        first_tag = cat.TAGS[tag_pick[i, 0]]
        titles.append(
            template.format(p=leaf.products[world.product_base[p]], tag=first_tag, leaf=leaf.name)
        )
    world.rows["notes"] = {
        "note_id": np.arange(1, n + 1),
        "author_member_id": author,
        "posted_at": posted,
        "title": np.array(titles, dtype=object),
    }
    world.rows["note_tags"] = {"note_id": tag_note + 1, "tag": tag}
    world.rows["note_products"] = {"note_id": note + 1, "product_id": product + 1}
    world.note_posted = posted
    keys = key(product + 1, posted[note])
    by_key = np.argsort(keys, kind="stable")
    world.note_key = keys[by_key]
    world.note_key_note = note[by_key]
