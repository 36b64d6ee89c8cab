"""Demo shops, their supplier applications and their products.

Shop sizes follow a Zipf-like long tail: a few flagship shops sell most of the
GMV. Shops that joined during the history came through an approved supplier
application; the pending, needs-info and rejected applications wait beside
them, a few with planted problems (an invalid licence, a duplicate company).
"""

from __future__ import annotations

import numpy as np
from stdnum.cn import uscc

from demo import catalog as cat
from demo.catalog import CATEGORIES
from demo.world import DAY, HOUR, World, all_leaves, leaves_of
from queries.core.schema import supplier_applications

__all__ = ["build_products", "build_vendors"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CATEGORY_MIX = (20, 25, 12, 15, 12, 8, 8)


def _licence(rng: np.random.Generator, division: str, *, valid: bool = True) -> str:
    """An 18-character unified social credit code (valid check digit unless told)."""
    body = "91" + division + "".join(rng.choice(list(USCC_ALPHABET), size=9))
    check = uscc.calc_check_digit(body)
    if not valid:
        check = USCC_ALPHABET[(USCC_ALPHABET.index(check) + 7) % len(USCC_ALPHABET)]
    return body + check


def _person(rng: np.random.Generator) -> str:
    return str(rng.choice(list(cat.SURNAMES))) + str(rng.choice(list(cat.GIVEN_NAMES)))


def build_vendors(world: World, rng: np.random.Generator) -> None:
    """Shops (long-tail sizes, a few suspended or closed) and their applications."""
    cal, n = world.cal, world.scale.vendors
    start, as_of = int(cal.day_starts[0]), cal.as_of
    ranked = n - 1  # the last shop is the new, empty one
    weight = 1.0 / np.arange(1, ranked + 1) ** 1.15 * rng.uniform(0.8, 1.2, ranked)
    weight[:3] = np.sort(weight[:3])[::-1]
    main = rng.choice(len(CATEGORIES), size=n, p=np.array(CATEGORY_MIX) / sum(CATEGORY_MIX))
    during = rng.random(ranked) < 0.3
    during[:3] = False
    joined = np.where(
        during,
        start + rng.random(ranked) * (as_of - start - 45 * DAY),
        start - (30 + rng.random(ranked) * 900) * DAY,
    ).astype(np.int64)
    # ids in joining order, as a platform would have issued them; the empty shop is last
    order = np.argsort(joined, kind="stable")
    weight, joined, during = weight[order], joined[order], during[order]
    joined = np.append(joined, as_of - 5 * DAY - int(rng.integers(0, 12 * HOUR)))
    weight = np.append(weight, 0.0)
    during = np.append(during, True)
    rank = np.argsort(np.argsort(-weight))
    combos = rng.choice(len(cat.BRAND_FIRST) * len(cat.BRAND_SECOND) * 8, size=n, replace=False)
    brands, names = [], []
    for i in range(n):
        brand_index, suffix = divmod(int(combos[i]), 8)
        first, second = divmod(brand_index, len(cat.BRAND_SECOND))
        brand = cat.BRAND_FIRST[first] + cat.BRAND_SECOND[second]
        flagship = rank[i] < max(2, n // 40)
        ending = cat.FLAGSHIP_SUFFIX if flagship else cat.SHOP_SUFFIXES[suffix]
        brands.append(brand)
        names.append(f"{brand}{CATEGORIES[main[i]].shop_word}{ending}")
    status = np.array(["active"] * n, dtype=object)
    end = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    tail = [i for i in range(n - 1) if rank[i] >= 5]
    picks = rng.choice(tail, size=max(2, n // 25), replace=False)
    for k, i in enumerate(picks):
        if k % 2 == 0:
            status[i] = "suspended"
            end[i] = cal.month_start_local(0)
        else:
            status[i] = "closed"
            end[i] = cal.month_start_local(int(rng.integers(2, 9)))
    region = rng.choice(len(cat.PROVINCES), size=n, p=np.array(cat.PROVINCE_WEIGHTS) / 100)
    world.vendor_weight = weight
    world.vendor_brand = brands
    world.vendor_name = names
    world.vendor_status = status
    world.vendor_joined = joined
    world.vendor_end = end
    world.vendor_main = main
    world.vendor_live = rank < max(3, n * 8 // 100)
    world.empty_vendor = n
    world.rows["vendors"] = {
        "vendor_id": np.arange(1, n + 1),
        "name": np.array(names, dtype=object),
        "status": status,
        "region": np.array(cat.PROVINCES, dtype=object)[region],
        "joined_at": joined,
        "application_id": np.full(n, None, dtype=object),
        "contact_email": np.array([f"service{i + 1}@shop.example.cn" for i in range(n)], object),
    }
    _build_applications(world, rng, during, main, region)


def _build_applications(world, rng, during, main, region) -> None:
    """Approved applications for shops that joined lately, and the ones still in review."""
    cal, vendors = world.cal, world.rows["vendors"]
    start, as_of = int(cal.day_starts[0]), cal.as_of
    n = len(during)
    rows: dict[str, list] = {k: [] for k in supplier_applications.c.keys()}
    audit = world.rows.setdefault("audit", [])

    def add(
        company, top, reg, submitted, status, reviewed_at=None, note=None, vendor=None, valid=True
    ) -> int:
        app_id = len(rows["application_id"]) + 1
        leaf = int(rng.choice(leaves_of(top)))
        reviewer = str(rng.choice(cat.OPERATORS)) if reviewed_at is not None else None
        values = (
            app_id,
            company,
            _person(rng),
            f"bd{app_id}@company.example.cn",
            f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}",
            _licence(rng, cat.DIVISION_CODES[reg], valid=valid),
            int(world.leaf_category_id[leaf]),
            cat.PROVINCES[reg],
            int(submitted),
            status,
            reviewer,
            None if reviewed_at is None else int(reviewed_at),
            note,
            vendor,
        )
        for key, value in zip(rows, values, strict=True):
            rows[key].append(value)
        if reviewer:
            action = {"approved": "approve", "rejected": "reject", "needs_info": "needs_info"}
            audit.append(
                (
                    int(reviewed_at),
                    reviewer,
                    "operator",
                    f"application.{action[status]}",
                    "supplier_application",
                    str(app_id),
                    vendor,
                    note,
                )
            )
        return app_id

    def company(i_brand: str, top: int, reg: int) -> str:
        return f"{cat.PROVINCE_CITY[reg]}{i_brand}{CATEGORIES[top].industry}有限公司"

    approved_names = []
    for v in np.flatnonzero(during):
        reviewed = int(world.vendor_joined[v]) - int(rng.integers(1, 6 * HOUR))
        submitted = reviewed - int(rng.integers(HOUR, 4 * DAY))
        name = company(world.vendor_brand[v], int(main[v]), int(region[v]))
        app_id = add(
            name, int(main[v]), int(region[v]), submitted, "approved", reviewed, vendor=int(v) + 1
        )
        vendors["application_id"][v] = app_id
        approved_names.append(name)
    extra = rng.choice(len(cat.BRAND_FIRST) * len(cat.BRAND_SECOND), size=n, replace=True)

    def brand(k: int) -> str:
        a, b = divmod(int(extra[k % n]), len(cat.BRAND_SECOND))
        return cat.BRAND_FIRST[a] + cat.BRAND_SECOND[b] + "商贸"

    k = 0
    for status, count, notes in (
        ("needs_info", max(3, n // 60), cat.REVIEW_NOTES_NEEDS_INFO),
        ("rejected", max(4, n // 40), cat.REVIEW_NOTES_REJECTED),
    ):
        for _ in range(count):
            top, reg = int(rng.integers(0, len(CATEGORIES))), int(rng.integers(0, 10))
            submitted = start + int(rng.random() * (as_of - start - 10 * DAY))
            reviewed = submitted + int(rng.integers(2 * HOUR, 3 * DAY))
            add(
                company(brand(k), top, reg),
                top,
                reg,
                submitted,
                status,
                reviewed,
                note=str(rng.choice(notes)),
            )
            k += 1
    pending = max(6, n // 30)
    for j in range(pending):
        top, reg = int(rng.integers(0, len(CATEGORIES))), int(rng.integers(0, 10))
        # the first ones wait longer than the 3-day review deadline
        age = (3.5 + rng.random() * 3) * DAY if j < pending // 3 else rng.random() * 2.5 * DAY
        name = company(brand(k), top, reg)
        if j == 1 and approved_names:
            name = approved_names[0]  # the same company applying again
        add(name, top, reg, as_of - int(age), "pending", valid=j not in (2, 3))
        k += 1
    world.rows["supplier_applications"] = rows


def build_products(world: World, rng: np.random.Generator) -> None:
    """Products per shop in proportion to its size, named and priced by category."""
    n = world.scale.vendors
    leaves = all_leaves()
    share = np.where(world.vendor_weight > 0, world.vendor_weight, world.vendor_weight.max() / 50)
    share = share**0.8 / np.sum(share**0.8)
    count = np.maximum(np.round(share * world.scale.products), 5).astype(np.int64)
    count[world.empty_vendor - 1] = 8
    offset = np.concatenate([[0], np.cumsum(count)[:-1]])
    total = int(count.sum())
    vendor = np.repeat(np.arange(n), count)
    own = np.array([rng.choice(leaves_of(int(m))) for m in world.vendor_main])
    any_leaf = rng.integers(0, len(leaves), total)
    leaf = np.where(rng.random(total) < 0.93, own[vendor], any_leaf)
    low = np.array([lf.price_yuan[0] for lf in leaves])[leaf]
    high = np.array([lf.price_yuan[1] for lf in leaves])[leaf]
    yuan = np.exp(np.log(low) + rng.random(total) * (np.log(high) - np.log(low)))
    price = ((yuan // 10) * 10 + 9).astype(np.int64) * 100
    base = rng.integers(0, 5, total)
    spec = rng.integers(0, 5, total)
    names = np.array(
        [
            f"{world.vendor_brand[v]} {leaves[lf].products[b]} {leaves[lf].specs[s]}"
            for v, lf, b, s in zip(vendor, leaf, base, spec, strict=True)
        ],
        dtype=object,
    )
    position = np.arange(total) - offset[vendor]
    status = np.where(rng.random(total) < 0.87, "on_sale", "off_shelf").astype(object)
    status[(rng.random(total) < 0.03) & (position >= 3)] = "banned"
    created = world.vendor_joined[vendor] + rng.integers(0, 2 * HOUR, total)
    updated = created + (rng.random(total) * (world.cal.as_of - created)).astype(np.int64)
    world.product_offset, world.product_count = offset, count
    world.product_price, world.product_leaf = price, leaf
    world.product_created = created
    world.product_base = base
    world.rows["products"] = {
        "product_id": np.arange(1, total + 1),
        "vendor_id": vendor + 1,
        "category_id": world.leaf_category_id[leaf],
        "name": names,
        "price_cents": price,
        "stock": np.where(rng.random(total) < 0.05, 0, rng.integers(1, 800, total)),
        "status": status,
        "created_at": created,
        "updated_at": updated,
        "version": 1 + rng.integers(0, 4, total) * (updated > created),
    }
