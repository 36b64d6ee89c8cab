"""Strings of the settlement pages: Settlements (finance), Statements (vendors), Reconciliation."""

STRINGS: dict[str, tuple[str, str]] = {
    # statement lines (glossary words)
    "settlements.line.gross_cents": ("成交额", "Gross (GMV)"),
    "settlements.line.platform_subsidy_cents": ("平台补贴", "Platform subsidy"),
    "settlements.line.commission_cents": ("佣金", "Commission"),
    "settlements.line.payment_fee_cents": ("支付手续费", "Payment fee"),
    "settlements.line.refund_cents": ("退款金额", "Refunded"),
    "settlements.line.commission_refund_cents": ("佣金退回", "Commission returned"),
    "settlements.line.adjustment_cents": ("调整金额", "Adjustment"),
    "settlements.line.net_cents": ("应结金额", "Net payable"),
    # period picker
    "settlements.period_mode": ("结算周期", "Settlement period"),
    "settlements.mode.month": ("按月", "A month"),
    "settlements.mode.custom": ("自定义日期", "Custom dates"),
    "settlements.month": ("月份", "Month"),
    "settlements.dates": ("日期（首日–末日）", "Dates (first–last day)"),
    "settlements.show": ("查看", "Show"),
    "settlements.bad_dates": ("请选择开始和结束日期", "Pick a first and a last day"),
    "settlements.period_heading": (
        "{first} 至 {last}（{tz}）",
        "{first} to {last} ({tz})",
    ),
    # finance: the period table
    "settlements.intro": (
        "为每个商家出具结算单：查看各项金额，出具草稿、调整、作废、确认、标记已打款；"
        "应结金额为负表示商家欠平台，可结转到下一张草稿。",
        "Issue each vendor's settlement statement: check every line, issue drafts, adjust, "
        "discard, confirm and mark paid. A negative net payable is owed by the vendor and can "
        "be carried into their next draft.",
    ),
    "settlements.col.vendor": ("商家", "Vendor"),
    "settlements.col.vendor_id": ("商家编号", "Vendor id"),
    "settlements.col.state": ("状态", "State"),
    "settlements.col.statement": ("结算单号", "Statement no."),
    "settlements.col.period": ("结算周期", "Period"),
    "settlements.col.period_start": ("周期开始", "Period start"),
    "settlements.col.period_end": ("周期结束（不含）", "Period end (exclusive)"),
    "settlements.col.today_net": ("按今日数据应结", "Net from today's data"),
    "settlements.col.differs": ("有差异", "Differs"),
    "settlements.col.overlaps": ("重叠的结算单", "Overlapping statements"),
    "settlements.col.note": ("调整说明", "Adjustment note"),
    "settlements.col.reference": ("转账流水号", "Payment reference"),
    "settlements.col.created_at": ("出具时间", "Issued at"),
    "settlements.col.confirmed_at": ("确认时间", "Confirmed at"),
    "settlements.col.paid_at": ("打款时间", "Paid at"),
    "settlements.yes": ("是", "Yes"),
    "settlements.no": ("否", "No"),
    "settlements.kpi.vendors": ("商家数", "Vendors"),
    "settlements.kpi.not_issued": ("未出单", "Not issued"),
    "settlements.kpi.issued": ("已出单", "Issued"),
    "settlements.kpi.net": ("应结合计", "Net payable, total"),
    "settlements.no_vendors": ("还没有商家。", "There are no vendors yet."),
    "settlements.file_name": ("结算汇总", "settlements"),
    "settlements.not_issued_note": (
        "未出单的商家按今日数据计算；出单后金额即冻结。",
        "Vendors without a statement are computed from today's data; issuing freezes the figures.",
    ),
    # issuing
    "settlements.issue.heading": ("出具结算单", "Issue statements"),
    "settlements.issue.not_ended": (
        "该周期尚未结束（结束日为 {end}），结束后才能出具结算单。",
        "This period has not ended (it ends on {end}); statements can be issued once it has.",
    ),
    "settlements.issue.vendor": ("为谁出具", "Issue for"),
    "settlements.issue.all": ("全部未出单商家", "All vendors not yet issued"),
    "settlements.issue.none_left": (
        "该周期所有商家均已出单。",
        "Every vendor already has a statement for this period.",
    ),
    "settlements.issue.taken": (
        "商家 #{id} 的本期结算单刚刚已由他人出具，未出具任何结算单。",
        "Vendor #{id} was just issued this period's statement by someone else; nothing was issued.",
    ),
    "settlements.issue.button": ("出具草稿", "Issue drafts"),
    "settlements.issue.done": (
        "已出具 {count} 张结算单草稿。",
        "Issued {count} draft statement(s).",
    ),
    "settlements.issue.skipped": (
        "跳过 {count} 个商家（与已有结算单周期重叠，或已关店且本期无数据）：{ids}",
        "Skipped {count} vendor(s) (overlapping an existing statement, or closed with nothing "
        "in the period): {ids}",
    ),
    # one statement
    "settlements.act.heading": ("处理结算单", "Work on a statement"),
    "settlements.act.none": (
        "该周期还没有出具的结算单。",
        "No statement has been issued for this period.",
    ),
    "settlements.act.pick": ("结算单", "Statement"),
    "settlements.act.changed": (
        "此结算单在您上次查看后已被他人修改，现为「{state}」；请核对后再操作。",
        "Someone else changed this statement since you last saw it; it is now {state}. "
        "Check it before acting.",
    ),
    "settlements.act.gone": (
        "结算单 #{id} 已不存在（已被他人作废）。",
        "Statement #{id} no longer exists (someone else discarded it).",
    ),
    "settlements.act.option": ("#{id} · {vendor} · {state}", "#{id} · {vendor} · {state}"),
    "settlements.act.owed": (
        "应结金额为负：商家欠平台 {amount}。",
        "The net payable is negative: the vendor owes {amount}.",
    ),
    "settlements.act.differs": (
        "按今日数据重算与冻结金额不一致，请查看“对账”页。",
        "Today's data differ from the frozen totals; see the Reconciliation page.",
    ),
    "settlements.adjust.heading": ("调整金额", "Adjustment"),
    "settlements.adjust.direction": ("方向", "Direction"),
    "settlements.adjust.add": ("增加（平台多付）", "Add (pay the vendor more)"),
    "settlements.adjust.deduct": ("扣减（平台少付）", "Deduct (pay the vendor less)"),
    "settlements.adjust.amount": ("金额（元，可为 0）", "Amount (yuan, may be 0)"),
    "settlements.adjust.note": (
        "调整说明（必填，结算单上可见）",
        "Note (required, shown on the statement)",
    ),
    "settlements.adjust.submit": ("保存调整", "Save adjustment"),
    "settlements.adjust.done": ("调整已保存。", "The adjustment was saved."),
    "settlements.confirm.button": ("确认结算单", "Confirm statement"),
    "settlements.confirm.done": (
        "结算单已确认，商家现在可以查看。",
        "Confirmed: the vendor can now see it.",
    ),
    "settlements.discard.check": ("我确认作废此草稿", "I want to discard this draft"),
    "settlements.discard.button": ("作废草稿", "Discard draft"),
    "settlements.discard.done": ("草稿已作废。", "The draft was discarded."),
    "settlements.pay.reference": ("转账流水号", "Transfer reference"),
    "settlements.pay.submit": ("标记已打款", "Mark paid"),
    "settlements.pay.done": ("已标记为已打款。", "Marked as paid."),
    "settlements.carry.heading": ("结转负数应结金额", "Carry the negative net"),
    "settlements.carry.target": ("结转到草稿", "Into the draft"),
    "settlements.carry.none": (
        "该商家还没有之后周期的草稿；先出具下一期结算单。",
        "The vendor has no later draft yet; issue the next period's statement first.",
    ),
    "settlements.carry.button": ("结转", "Carry"),
    "settlements.carry.done": ("已结转到 #{id}。", "Carried into #{id}."),
    "settlements.carry.already": ("已结转到 #{id}。", "Already carried into #{id}."),
    "settlements.no_actions": (
        "已打款的结算单不能再修改。",
        "A paid statement can no longer change.",
    ),
    # month end
    "settlements.month_end.heading": ("月结文件", "Month-end files"),
    "settlements.month_end.help": (
        "一份所有商家的汇总表，以及每个商家结算单工作簿的压缩包。",
        "One overview workbook of every vendor, and a zip of each vendor's statement workbook.",
    ),
    "settlements.month_end.build": ("生成月结文件", "Build month-end files"),
    "settlements.month_end.progress": (
        "已生成 {done}/{total}：{name}",
        "Built {done}/{total}: {name}",
    ),
    "settlements.month_end.overview": ("下载汇总表", "Download overview"),
    "settlements.month_end.zip": ("下载全部结算单（zip）", "Download all statements (zip)"),
    # vendor: statements page
    "settlements.st.intro_vendor": (
        "平台已确认或已打款的结算单。每一项下方列出构成它的每笔订单和退款，可逐分核对。",
        "Your confirmed and paid statements. Beneath the lines are every order and refund that "
        "make them up, so you can check each fen.",
    ),
    "settlements.st.intro_staff": (
        "商家可见的结算单（已确认、已打款），只读。",
        "Statements as vendors see them (confirmed and paid), read-only.",
    ),
    "settlements.st.none": (
        "还没有已确认的结算单。财务确认后会显示在这里。",
        "No confirmed statement yet. Statements appear here once finance confirms them.",
    ),
    "settlements.st.not_found": ("找不到该结算单。", "That statement cannot be found."),
    "settlements.st.lines": ("结算明细", "Statement lines"),
    "settlements.st.label": ("项目", "Line"),
    "settlements.st.amount": ("金额", "Amount"),
    "settlements.st.orders": ("订单（{count}）", "Orders ({count})"),
    "settlements.st.refunds": ("退款（{count}）", "Refunds ({count})"),
    "settlements.st.truncated": (
        "仅显示前 {limit} 行；完整明细请下载工作簿。",
        "Only the first {limit} rows are shown; download the workbook for all of them.",
    ),
    "settlements.st.no_orders": ("本期没有支付订单。", "No paid orders in this period."),
    "settlements.st.no_refunds": ("本期没有完成的退款。", "No refunds completed in this period."),
    "settlements.st.workbook": ("下载结算单工作簿", "Download statement workbook"),
    "settlements.st.differs": (
        "部分订单或退款在出单后有变动，平台财务正在核对。",
        "Some orders or refunds changed after issue; platform finance is reviewing them.",
    ),
    "settlements.col.order_no": ("订单号", "Order no."),
    "settlements.col.paid_time": ("支付时间", "Paid at"),
    "settlements.col.goods": ("商品金额", "Goods"),
    "settlements.col.discount": ("优惠", "Discount"),
    "settlements.col.subsidy": ("平台补贴", "Platform subsidy"),
    "settlements.col.shipping": ("运费", "Shipping"),
    "settlements.col.paid": ("实付", "Paid"),
    "settlements.col.commission": ("佣金", "Commission"),
    "settlements.col.fee": ("支付手续费", "Payment fee"),
    "settlements.col.refund_id": ("退款单号", "Refund id"),
    "settlements.col.completed_at": ("完成时间", "Completed at"),
    "settlements.col.refund_amount": ("退款金额", "Amount"),
    "settlements.col.commission_returned": ("佣金退回", "Commission returned"),
    # reconciliation
    "settlements.rec.intro": (
        "用今日订单数据重算已出具的结算单，列出与冻结金额不一致的每一项及可能的原因订单和退款；"
        "并检查支付合计与实付不符的订单、已付款后取消却没有完成退款的订单。"
        "周期结束后才完成的退款属于之后的结算单，不算差异。",
        "Recomputes issued statements from today's orders and lists every line that differs "
        "from the frozen totals, with the orders and refunds that may cause it; also orders "
        "whose payments do not add up, and paid orders cancelled without a completed refund. "
        "A refund completed after the period belongs to a later statement: not a difference.",
    ),
    "settlements.rec.clean": (
        "全部一致：没有差异，也没有需要关注的订单。",
        "All clear: no differences and no orders to look at.",
    ),
    "settlements.rec.kpi.differences": ("有差异的结算单", "Statements with differences"),
    "settlements.rec.kpi.mismatches": ("支付不符的订单", "Orders whose payments do not add up"),
    "settlements.rec.kpi.cancelled": ("取消未退款的订单", "Cancelled without refund"),
    "settlements.rec.differences": ("差异", "Differences"),
    "settlements.rec.no_differences": (
        "已出具的结算单与今日数据一致。",
        "Issued statements agree with today's data.",
    ),
    "settlements.rec.causes": ("可能的原因", "Possible causes"),
    "settlements.rec.causes_help": (
        "平台不保留订单修改历史，因此列出计入差异项的本期订单和退款，可疑的排在最前并注明原因。",
        "The platform keeps no history of order changes, so the period's orders and refunds "
        "counted in each differing line are listed, suspicious ones first with the reason.",
    ),
    "settlements.rec.mismatches": ("支付合计与实付不符", "Payments that do not add up"),
    "settlements.rec.cancelled": (
        "已付款后取消、无完成退款",
        "Paid, then cancelled, no completed refund",
    ),
    "settlements.rec.none": ("没有。", "None."),
    "settlements.rec.file_name": ("对账", "reconciliation"),
    "settlements.col.line": ("项目", "Line"),
    "settlements.col.frozen": ("出单时", "Frozen"),
    "settlements.col.today": ("今日", "Today"),
    "settlements.col.difference": ("差额", "Difference"),
    "settlements.col.kind": ("类型", "Kind"),
    "settlements.col.ref": ("编号", "Ref"),
    "settlements.col.amount": ("金额", "Amount"),
    "settlements.col.reason": ("原因", "Reason"),
    "settlements.col.payments": ("支付合计", "Payments"),
    "settlements.kind.order": ("订单", "Order"),
    "settlements.kind.refund": ("退款", "Refund"),
    "settlements.kind.statement": ("结算单", "Statement"),
    "settlements.reason.payment_after_issue": ("出单后新增支付", "Payment recorded after issue"),
    "settlements.reason.payments_mismatch": ("支付合计与实付不符", "Payments do not add up"),
    "settlements.reason.requested_after_issue": (
        "出单后申请的退款",
        "Refund requested after issue",
    ),
    "settlements.reason.in_period": ("本期计入该项", "Counted in this line"),
    "settlements.reason.net_does_not_add_up": ("应结金额与各项不符", "Net does not add up"),
}
