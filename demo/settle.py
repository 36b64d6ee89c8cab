"""Monthly settlement statements of the demo, computed exactly by the contract's formulas.

Each month's orders add to per-(shop, local month) sums as they are drawn; at the
end every active shop gets a statement for each complete month it had business
in: paid for older months, confirmed for the month before last, a draft for last month.
"""

from __future__ import annotations

import numpy as np

from demo.orders import NULL, OrderBatch, _half_up
from demo.world import DAY, HOUR, US, World

__all__ = ["Ledger"]

LINES = ("gross", "subsidy", "commission", "fee", "refund", "commission_refund")


class Ledger:
    """Per-(shop, month) sums for the statements."""

    def __init__(self, world: World) -> None:
        shape = (world.scale.vendors, world.cal.months + 1)
        self.world = world
        self.sums = {line: np.zeros(shape, np.int64) for line in LINES}

    def add(self, batch: OrderBatch) -> None:
        """Add one month's orders, payments and completed refunds."""
        cal = self.world.cal
        paid = batch.paid
        vendor = batch.vendor
        month = np.where(paid, cal.month_of(batch.paid_at), 0)
        at = (vendor[paid], month[paid])
        np.add.at(self.sums["gross"], at, batch.paid_cents[paid])
        np.add.at(self.sums["subsidy"], at, batch.platform_discount[paid])
        commission = _half_up(batch.amount, batch.bps, 10000)
        per_order = np.add.reduceat(commission, batch.first_line)
        np.add.at(self.sums["commission"], at, per_order[paid])
        fee = np.zeros(batch.n, np.int64)
        np.add.at(fee, batch.pay_order, batch.pay_fee)
        np.add.at(self.sums["fee"], at, fee[paid])
        done = batch.refund_completed != NULL
        item = batch.refund_item[done]
        order = batch.item_order[item]
        refund_month = cal.month_of(batch.refund_completed[done])
        at = (vendor[order], refund_month)
        np.add.at(self.sums["refund"], at, batch.refund_amount[done])
        back = _half_up(batch.refund_amount[done], batch.bps[item], 10000)
        np.add.at(self.sums["commission_refund"], at, back)

    def statements(self, rng, first_audit: list) -> dict[str, dict]:
        """Statements of every active shop for each complete month it had business in."""
        cal = self.world.cal
        as_of = cal.as_of
        last = cal.months - 2  # the month before as_of's month
        s = self.sums
        active = self.world.vendor_status == "active"
        busy = (s["gross"] > 0) | (s["refund"] > 0)
        vendor, month = np.nonzero(busy[:, : last + 1] & active[:, None])
        order = np.lexsort((month, vendor))
        vendor, month = vendor[order], month[order]
        n = len(vendor)
        at = (vendor, month)
        net = (
            s["gross"][at]
            + s["subsidy"][at]
            - s["commission"][at]
            - s["fee"][at]
            - s["refund"][at]
            + s["commission_refund"][at]
        )
        end = cal.month_starts[month + 1]
        created = np.minimum(end + rng.integers(HOUR, 30 * HOUR, n), as_of - 2 * US)
        confirmed = np.minimum(created + rng.integers(DAY, 3 * DAY, n), as_of - US)
        paid = np.minimum(confirmed + rng.integers(3 * DAY, 8 * DAY, n), as_of)
        status = np.where(month == last, "draft", np.where(month == last - 1, "confirmed", "paid"))
        ids = np.arange(1, n + 1)
        dates = [d.isoformat() for d in cal.month_dates]
        is_paid = status == "paid"
        reference = np.array(
            [f"CMB{int(p // US)}{i:06d}" for p, i in zip(paid, ids, strict=True)], dtype=object
        )
        for i in range(n):
            v = int(vendor[i]) + 1
            first_audit.append(
                (
                    int(created[i]),
                    "finance",
                    "finance",
                    "settlement.issue",
                    "settlement",
                    str(ids[i]),
                    v,
                    None,
                )
            )
            if status[i] != "draft":
                first_audit.append(
                    (
                        int(confirmed[i]),
                        "finance",
                        "finance",
                        "settlement.confirm",
                        "settlement",
                        str(ids[i]),
                        v,
                        None,
                    )
                )
            if is_paid[i]:
                first_audit.append(
                    (
                        int(paid[i]),
                        "finance",
                        "finance",
                        "settlement.pay",
                        "settlement",
                        str(ids[i]),
                        v,
                        None,
                    )
                )
        return {
            "settlement_id": ids,
            "vendor_id": vendor + 1,
            "period_start": np.array([dates[m] for m in month], dtype=object),
            "period_end": np.array([dates[m + 1] for m in month], dtype=object),
            "gross_cents": s["gross"][at],
            "platform_subsidy_cents": s["subsidy"][at],
            "commission_cents": s["commission"][at],
            "payment_fee_cents": s["fee"][at],
            "refund_cents": s["refund"][at],
            "commission_refund_cents": s["commission_refund"][at],
            "adjustment_cents": np.zeros(n, np.int64),
            "net_cents": net,
            "status": status.astype(object),
            "created_at": created,
            "confirmed_at": np.where(status == "draft", NULL, confirmed),
            "paid_at": np.where(is_paid, paid, NULL),
            "adjustment_note": np.full(n, None, dtype=object),
            "payment_reference": np.where(is_paid, reference, None).astype(object),
            "version": 1 + (status != "draft") + is_paid,
        }
