"""Strings of the Audit log page (操作日志)."""

STRINGS: dict[str, tuple[str, str]] = {
    "audit.actor": ("操作人", "Actor"),
    "audit.action": ("操作", "Action"),
    "audit.any_action": ("全部操作", "All actions"),
    "audit.use_dates": ("按日期筛选", "Filter by date"),
    "audit.dates": ("日期（首日–末日）", "Dates (first–last day)"),
    "audit.apply": ("查询", "Search"),
    "audit.empty": ("没有符合条件的操作记录。", "No actions match these filters."),
    "audit.total": (
        "共 {total} 条记录 · 第 {page}/{pages} 页",
        "{total} entries · page {page} of {pages}",
    ),
    "audit.prev": ("上一页", "Previous"),
    "audit.next": ("下一页", "Next"),
    "audit.download": ("下载 Excel", "Download Excel"),
    "audit.vendor_scope": ("显示对您店铺的全部操作。", "Showing every action on your shop."),
    "audit.finance_scope": ("显示结算相关的操作。", "Showing settlement actions."),
    "audit.col.at": ("时间", "When"),
    "audit.col.actor": ("操作人", "Actor"),
    "audit.col.role": ("角色", "Role"),
    "audit.col.action": ("操作", "Action"),
    "audit.col.entity": ("对象", "Entity"),
    "audit.col.shop": ("店铺", "Shop"),
    "audit.col.reason": ("原因", "Reason"),
    "audit.col.changes": ("修改内容", "Changes"),
}
