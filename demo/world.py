"""The demo mall's world before any order: calendar, categories, shops, products, members, notes.

Times are int64 microseconds since the epoch (UTC) throughout the generator; the
loader turns them into the contract's timestamp form. Local days and months are
cut in the demo's timezone with `zoneinfo`, so rhythm and statements follow the
platform calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from demo import catalog as cat
from demo.catalog import CATEGORIES

__all__ = ["SCALES", "Calendar", "Scale", "World", "build_calendar", "to_us"]

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
HISTORY_MONTHS = 19  # months before as_of's month: 18+ months of history

# local hour-of-day shape: a lunch bump and the evening peak
HOUR_SHAPE = np.array(
    [2.0, 1.1, 0.6, 0.35, 0.3, 0.35, 0.7, 1.3, 2.0, 2.8, 3.4, 3.7,
     4.1, 3.6, 3.3, 3.3, 3.4, 3.5, 3.8, 4.8, 6.0, 6.5, 5.4, 3.8]
)  # fmt: skip
WEEKDAY_SHAPE = np.array([0.93, 0.9, 0.93, 0.97, 1.05, 1.16, 1.12])  # Monday first


@dataclass(frozen=True)
class Scale:
    """How big a demo mall is."""

    orders: int
    vendors: int
    members: int
    products: int


SCALES = {
    "tiny": Scale(orders=5_000, vendors=30, members=1_500, products=400),
    "small": Scale(orders=120_000, vendors=200, members=40_000, products=5_000),
    "medium": Scale(orders=500_000, vendors=500, members=200_000, products=20_000),
    "large": Scale(orders=2_100_000, vendors=1_000, members=1_000_000, products=60_000),
}


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def _local_start(day: date, tz: ZoneInfo) -> int:
    return to_us(datetime.combine(day, time(0), tzinfo=tz))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _event_factor(day: date) -> float:
    """Campaign peaks (618, 双11, 双12) and the Spring Festival lull."""
    m, d = day.month, day.day
    if m == 6 and d <= 18:
        return 4.0 if d == 18 else 2.2 if d >= 16 else 1.5
    if m == 6 and d <= 20:
        return 0.8
    if m == 10 and d >= 20:
        return 2.6 if d == 20 else 1.5
    if m == 11 and d <= 18:
        return 7.0 if d == 11 else 1.6 if d < 11 else 0.85
    if m == 12 and d == 12:
        return 1.6
    if (m == 1 and d >= 20) or (m == 2 and d <= 15):
        return 0.8
    return 1.0


@dataclass
class Calendar:
    """Local days and months of the history, as UTC instants, with the order rhythm."""

    tz: ZoneInfo
    as_of: int
    days: list[date]
    day_starts: np.ndarray  # len(days) + 1 instants
    month_starts: np.ndarray  # history months + the current one, + the next month's start
    month_dates: list[date]
    slot_weights: np.ndarray  # one per local hour of the history

    @property
    def months(self) -> int:
        """Months with orders, including the current (incomplete) one."""
        return len(self.month_dates) - 1

    def month_of(self, moments: np.ndarray) -> np.ndarray:
        """The history month index of each instant (−1 before, `months` after)."""
        return np.searchsorted(self.month_starts, moments, side="right") - 1

    def day_labels(self, moments: np.ndarray) -> np.ndarray:
        """Local `YYYYMMDD` of each instant, for order numbers."""
        index = np.searchsorted(self.day_starts, moments, side="right") - 1
        labels = np.array([d.strftime("%Y%m%d") for d in self.days])
        return labels[np.clip(index, 0, len(labels) - 1)]

    def month_start_local(self, months_back: int) -> int:
        """The instant `months_back` months before the start of as_of's month."""
        return int(self.month_starts[self.months - 1 - months_back])


def build_calendar(as_of: datetime, tz: ZoneInfo) -> Calendar:
    """Days and months from the first history month to the end of as_of's local day."""
    today = as_of.astimezone(tz).date()
    first = _add_months(today.replace(day=1), -HISTORY_MONTHS)
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    day_starts = np.array([_local_start(d, tz) for d in [*days, today + timedelta(days=1)]])
    month_dates = [_add_months(first, i) for i in range(HISTORY_MONTHS + 2)]
    month_starts = np.array([_local_start(d, tz) for d in month_dates])
    span = max(len(days) - 1, 1)
    weights = []
    for i, day in enumerate(days):
        growth = np.exp(np.log(2.3) * i / span)
        factor = growth * WEEKDAY_SHAPE[day.weekday()] * _event_factor(day)
        hours = HOUR_SHAPE.copy()
        if day.month == 11 and day.day == 11:
            hours[0:2] *= 8  # the midnight rush of 双11
        weights.append(hours * factor)
    return Calendar(
        tz=tz,
        as_of=to_us(as_of),
        days=days,
        day_starts=day_starts,
        month_starts=month_starts,
        month_dates=month_dates,
        slot_weights=np.concatenate(weights),
    )


@dataclass
class World:
    """Everything orders are drawn from, as arrays indexed by id − 1."""

    cal: Calendar
    scale: Scale
    slot_start: np.ndarray = None  # the start of each local hour of the history
    rows: dict[str, dict[str, object]] = field(default_factory=dict)
    # shops
    vendor_weight: np.ndarray = None
    vendor_brand: list[str] = None
    vendor_name: list[str] = None
    vendor_status: np.ndarray = None
    vendor_joined: np.ndarray = None
    vendor_end: np.ndarray = None  # orders stop at this instant (suspended / closed)
    vendor_live: np.ndarray = None
    vendor_main: np.ndarray = None  # top-level category index
    empty_vendor: int = 0
    # products, contiguous per vendor
    product_offset: np.ndarray = None
    product_count: np.ndarray = None
    product_price: np.ndarray = None
    product_leaf: np.ndarray = None
    product_created: np.ndarray = None
    product_base: np.ndarray = None  # which of the leaf's product words
    # categories: leaf index → (category_id, now bps, change instant, old bps)
    leaf_category_id: np.ndarray = None
    leaf_bps: np.ndarray = None
    leaf_change_at: np.ndarray = None
    leaf_old_bps: np.ndarray = None
    leaf_refund_rate: np.ndarray = None
    # members sorted by registration
    member_registered: np.ndarray = None
    # notes
    note_posted: np.ndarray = None
    note_key: np.ndarray = None  # sorted product_id << 31 | posted second
    note_key_note: np.ndarray = None

    def commission(self, leaf: np.ndarray, moments: np.ndarray) -> np.ndarray:
        """The category rate in force at each moment (the item's snapshot)."""
        old = moments < self.leaf_change_at[leaf]
        return np.where(old, self.leaf_old_bps[leaf], self.leaf_bps[leaf])

    def registered_before(self, moments: np.ndarray) -> np.ndarray:
        """How many members had registered before each moment (at least 1)."""
        return np.maximum(np.searchsorted(self.member_registered, moments), 1)


def _pick(rng: np.random.Generator, options, n: int, weights=None) -> np.ndarray:
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def build_categories(world: World) -> None:
    """The two-level category tree with commission rates, some changed over time."""
    cal = world.cal
    top = {"category_id": [], "parent_id": [], "name": [], "name_en": [], "commission_bps": []}
    leaves = []
    for i, category in enumerate(CATEGORIES):
        top["category_id"].append(i + 1)
        top["parent_id"].append(None)
        top["name"].append(category.name)
        top["name_en"].append(category.name_en)
        top["commission_bps"].append(category.commission_bps)
        leaves.extend((i, leaf) for leaf in category.leaves)
    ids, bps, change_at, old_bps, refund = [], [], [], [], []
    for j, (parent, leaf) in enumerate(leaves):
        leaf_id = len(CATEGORIES) + j + 1
        top["category_id"].append(leaf_id)
        top["parent_id"].append(parent + 1)
        top["name"].append(leaf.name)
        top["name_en"].append(leaf.name_en)
        top["commission_bps"].append(leaf.commission_bps)
        ids.append(leaf_id)
        bps.append(leaf.commission_bps)
        if leaf.changed:
            change_at.append(cal.month_start_local(leaf.changed[0]))
            old_bps.append(leaf.changed[1])
        else:
            change_at.append(0)
            old_bps.append(leaf.commission_bps)
        refund.append(0.05 if CATEGORIES[parent].name == "服饰" else 0.02)
    world.rows["categories"] = top
    world.leaf_category_id = np.array(ids)
    world.leaf_bps = np.array(bps)
    world.leaf_change_at = np.array(change_at, dtype=np.int64)
    world.leaf_old_bps = np.array(old_bps)
    world.leaf_refund_rate = np.array(refund)


def leaves_of(top_index: int) -> list[int]:
    """Leaf indexes of one top-level category."""
    start = sum(len(c.leaves) for c in CATEGORIES[:top_index])
    return list(range(start, start + len(CATEGORIES[top_index].leaves)))


def all_leaves() -> list:
    """Every leaf in tree order."""
    return [leaf for c in CATEGORIES for leaf in c.leaves]


def build_members(world: World, rng: np.random.Generator) -> None:
    """Members registered before and during the history; later ones more in tiers 3–4."""
    cal, n = world.cal, world.scale.members
    start, end = int(cal.day_starts[0]), cal.as_of
    before = rng.random(n) < 0.35
    # registrations during the history grow like the orders do
    u = rng.random(n)
    growth = np.log(2.3)
    during = start + (np.log1p(u * (np.exp(growth) - 1)) / growth * (end - start - HOUR))
    early = start - (rng.random(n) * 3 * 365 * DAY)
    registered = np.sort(np.where(before, early, during).astype(np.int64))
    share = np.clip((registered - (start - 3 * 365 * DAY)) / (end - start + 3 * 365 * DAY), 0, 1)
    early_p = np.array([0.32, 0.36, 0.20, 0.12])
    late_p = np.array([0.15, 0.27, 0.31, 0.27])
    cum = np.cumsum(early_p[None, :] * (1 - share[:, None]) + late_p[None, :] * share[:, None], 1)
    tier = (rng.random(n)[:, None] > cum).sum(1) + 1
    tier = np.minimum(tier, 4)
    city = np.empty(n, dtype=object)
    for t in range(1, 5):
        mask = tier == t
        city[mask] = _pick(rng, cat.CITIES_BY_TIER[t - 1], int(mask.sum()))
    band = rng.choice(4, size=n, p=[0.58, 0.30, 0.08, 0.04])
    low = np.array([1995, 1980, 1965, 0])[band]
    high = np.array([2007, 1994, 1979, 1])[band]
    birth = (low + rng.random(n) * (high - low + 1)).astype(np.int64)
    world.member_registered = registered
    world.rows["members"] = {
        "member_id": np.arange(1, n + 1),
        "registered_at": registered,
        "level": _pick(rng, ("regular", "silver", "gold", "diamond"), n, (58, 26, 12, 4)),
        "birth_year": np.where(band == 3, None, birth.astype(object)),
        "gender": _pick(rng, ("f", "m", None), n, (64, 31, 5)),
        "city": city,
        "city_tier": tier,
        "channel": _pick(rng, ("app", "mini_program", "h5"), n, (46, 39, 15)),
    }
