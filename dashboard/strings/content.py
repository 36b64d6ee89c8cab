"""Strings of the Content page (种草内容)."""

STRINGS: dict[str, tuple[str, str]] = {
    "content.kpi.notes_posted": ("新发布笔记", "Notes posted"),
    "content.kpi.notes_viewed": ("被浏览笔记", "Notes viewed"),
    "content.kpi.note_views": ("浏览次数", "Views"),
    "content.kpi.note_viewers": ("浏览人数", "Viewers"),
    "content.definitions.title": ("指标说明", "What the figures mean"),
    "content.definitions": (
        "- **笔记**：提及本店（全商城视角下为任一店铺）至少一件商品的种草笔记。"
        "**新发布笔记**：发布时间在所选范围内；"
        "**浏览次数 / 浏览人数**：这些笔记在所选范围内被浏览的次数 / 不同会员数。\n"
        "- **读后购买的标签**（7 天归因）：本店在所选范围内的支付订单中的某件商品，"
        "若买家在付款前 7 天内（浏览时间 ≤ 付款时间 < 浏览时间 + 7 天）"
        "浏览过提及该商品、带有标签 X 的笔记，则该商品计入标签 X。"
        "按标签统计：归因买家数、归因订单数、归因**商品销售额**"
        "（商品行实付金额，不含运费；同一商品行在同一标签下只计一次；"
        "一件商品可同时计入多个标签，因此各标签相加可能超过总数）。付款后才浏览的不计。\n"
        "- **标签偏好指数**：本店所选范围内的买家中，"
        "在范围内浏览过带标签 X 笔记（任意笔记）的比例 ÷ 全商城买家中的同一比例。"
        "1 表示与全商城持平，大于 1 表示本店买家更偏好该标签；全商城视角下恒为 1。"
        "只列出本店买家浏览过的标签。",
        "- **Notes**: notes that mention at least one of this shop's products (for the whole mall: "
        "any shop's). **Notes posted**: posted in the range; **views / viewers**: how many times, "
        "and by how many distinct members, those notes were viewed in the range.\n"
        "- **Tags read before buying** (7-day attribution): an item of one of this shop's paid "
        "orders in the range counts for tag X when the buyer viewed a note tagged X that mentions "
        "that product within the 7 days before paying (view time ≤ paid time < view time + 7 "
        "days). Per tag: attributed buyers, orders, and **item sales** (the line's amount, "
        "shipping excluded; a line counts once per tag; one line may count for several tags, so "
        "tags do not add up to a total). A view after the payment does not count.\n"
        "- **Tag affinity**: the share of this shop's buyers in the range who viewed a note with "
        "tag X in the range (any note) ÷ the same share among all the mall's buyers. 1 means as "
        "much as the mall, above 1 more; for the whole mall it is always 1. Only tags this "
        "shop's buyers read are listed.",
    ),
    "content.notes.title": ("提及本店商品的笔记", "Notes mentioning the shop's products"),
    "content.notes.empty": (
        "所选范围内没有提及本店商品的笔记被发布或浏览。",
        "No note mentioning the shop's products was posted or viewed in the selected range.",
    ),
    "content.col.title": ("笔记标题", "Note"),
    "content.col.posted": ("发布时间", "Posted"),
    "content.col.tags": ("标签", "Tags"),
    "content.col.products": ("提及本店商品数", "Shop products mentioned"),
    "content.col.views": ("浏览次数", "Views"),
    "content.col.viewers": ("浏览人数", "Viewers"),
    "content.tags.title": ("买家购买前读过的标签", "Tags the buyers read before buying"),
    "content.tags.empty": (
        "所选范围内没有可归因到笔记的购买。",
        "No purchase in the selected range follows a note view within 7 days.",
    ),
    "content.col.tag": ("标签", "Tag"),
    "content.col.buyers": ("归因买家数", "Attributed buyers"),
    "content.col.orders": ("归因订单数", "Attributed orders"),
    "content.col.item_sales": ("归因商品销售额", "Attributed item sales"),
    "content.affinity.title": ("标签偏好指数", "Tag affinity"),
    "content.affinity.empty": (
        "所选范围内没有买家浏览带标签的笔记。",
        "No buyer viewed a tagged note in the selected range.",
    ),
    "content.affinity.mall_note": (
        "全商城视角下，偏好指数按定义恒为 1；请选择一个店铺查看其买家与全商城的差异。",
        "For the whole mall the affinity is 1 by definition; pick a shop to compare its buyers "
        "with the mall's.",
    ),
    "content.col.shop_share": ("本店买家浏览占比", "Share of the shop's buyers"),
    "content.col.mall_share": ("全商城买家浏览占比", "Share of the mall's buyers"),
    "content.col.shop_viewers": ("本店浏览买家", "Shop buyers who read it"),
    "content.col.mall_viewers": ("全商城浏览买家", "Mall buyers who read it"),
    "content.col.affinity": ("偏好指数", "Affinity"),
}
