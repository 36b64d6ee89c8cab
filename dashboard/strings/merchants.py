"""Strings of the Merchants page (商家管理)."""

STRINGS: dict[str, tuple[str, str]] = {
    "merchants.intro": (
        "商城的全部店铺：状态、入驻时间、主营类目，以及近 30 天（截至今日零点）的成交额和退款率。"
        "主营类目是店铺商品数最多的一级类目；没有商品的店铺显示其入驻申请的类目。",
        "Every shop of the mall: status, joined date, main category, and GMV and refund rate "
        "over the last 30 days (up to today's start). The main category is the top-level "
        "category holding most of the shop's products; a shop without products shows the "
        "category its application applied for.",
    ),
    "merchants.search": ("搜索店铺名称或编号", "Search shop name or ID"),
    "merchants.statuses": ("店铺状态", "Shop status"),
    "merchants.apply": ("查询", "Search"),
    "merchants.empty": ("没有符合条件的店铺。", "No shop matches."),
    "merchants.empty_mall": ("商城还没有店铺。", "The mall has no shops yet."),
    "merchants.no_sales": (
        "近 30 天这些店铺都没有支付订单：成交额为 0，退款率无值（—）。",
        "None of these shops had a paid order in the last 30 days: GMV is zero and the "
        "refund rate has no value (—).",
    ),
    "merchants.total": ("共 {count} 家店铺", "{count} shops"),
    "merchants.total.one": ("共 1 家店铺", "1 shop"),
    "merchants.select_hint": (
        "点选一行即可打开该店铺的销售分析。",
        "Select a row to open that shop's sales analytics.",
    ),
    "merchants.col.id": ("店铺编号", "Shop ID"),
    "merchants.col.name": ("店铺名称", "Shop"),
    "merchants.col.status": ("状态", "Status"),
    "merchants.col.region": ("地区", "Region"),
    "merchants.col.joined": ("入驻日期", "Joined"),
    "merchants.col.category": ("主营类目", "Main category"),
    "merchants.col.products": ("商品数", "Products"),
    "merchants.col.paid_orders": ("近30天支付订单数", "Paid orders (30 days)"),
    "merchants.col.gmv": ("近30天成交额", "GMV (30 days)"),
    "merchants.col.refunded": ("近30天退款金额", "Refunded (30 days)"),
    "merchants.col.refund_rate": ("近30天退款率", "Refund rate (30 days)"),
    "merchants.col.email": ("联系邮箱", "Contact email"),
    "merchants.file_name": ("商家列表", "merchants"),
    "merchants.manage": ("店铺状态管理", "Shop status"),
    "merchants.pick": ("选择店铺", "Pick a shop"),
    "merchants.open_analytics": ("查看销售分析", "Open sales analytics"),
    "merchants.current": ("当前状态：{status}", "Current status: {status}"),
    "merchants.closed_final": (
        "此店铺已关店，不能重新开启。其数据保留，财务仍可为其结算。",
        "This shop is closed and cannot be reopened. Its data stays, and finance can still "
        "settle it.",
    ),
    "merchants.action": ("操作", "Action"),
    "merchants.action.suspended": ("暂停营业", "Suspend"),
    "merchants.action.active": ("恢复营业", "Reactivate"),
    "merchants.action.closed": ("关店（不可恢复）", "Close (final)"),
    "merchants.reason": ("原因（必填，记入操作日志）", "Reason (required, kept in the audit log)"),
    "merchants.suspend_note": (
        "暂停后，该店铺的账号无法登录，并会看到店铺已暂停的提示。",
        "While suspended, the shop's accounts cannot log in and are told why.",
    ),
    "merchants.submit": ("确认", "Confirm"),
    "merchants.done": (
        "店铺 #{vendor_id}「{name}」现为：{status}。",
        "Shop #{vendor_id} “{name}” is now: {status}.",
    ),
}
