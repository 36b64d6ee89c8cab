"""Strings of the Campaigns page (营销活动分析)."""

STRINGS: dict[str, tuple[str, str]] = {
    "campaigns.kpi.promotions": ("活动数", "Promotions"),
    "campaigns.kpi.orders": ("活动支付订单数", "Promotion orders"),
    "campaigns.kpi.gmv": ("活动成交额", "Promotion GMV"),
    "campaigns.kpi.discount": ("优惠成本", "Discount cost"),
    "campaigns.kpi.roi": ("ROI", "ROI"),
    "campaigns.kpi.platform_share": ("平台补贴占比", "Platform-funded share"),
    "campaigns.kpi.coupons_issued": ("优惠券发放", "Coupons issued"),
    "campaigns.kpi.coupons_used": ("优惠券核销", "Coupons used"),
    "campaigns.kpi.redemption": ("核销率", "Redemption rate"),
    "campaigns.kpi.live_gmv": ("直播成交额", "Live GMV"),
    "campaigns.kpi.live_conversion": ("直播转化率", "Live conversion"),
    "campaigns.kpi.live_sessions": ("直播场次", "Live sessions"),
    "campaigns.definitions": (
        "活动与直播的效果按**整个生命周期**统计（带有该活动或直播场次的全部支付订单，不论何时支付）；"
        "所选范围只决定列出哪些活动与直播（时间与范围有交集）。优惠券活动的订单为使用了该活动优惠券的订单。"
        "商家查看平台活动时只统计自己店铺的订单。**优惠成本** = 订单优惠金额之和；"
        "**ROI** = 成交额 ÷ 优惠成本；**平台补贴占比** = 平台承担的优惠 ÷ 优惠成本；"
        "**预算使用** = 优惠成本 ÷ 活动预算。",
        "Promotion and live-session results are over their **whole life** (every paid order "
        "carrying them, whenever paid); the range only decides which promotions and sessions "
        "are listed (those overlapping it). A coupon promotion's orders are those a coupon of it "
        "was used on. A shop sees a platform promotion over its own orders only. **Discount "
        "cost** = Σ order discounts; **ROI** = GMV ÷ discount cost; **platform-funded share** = "
        "platform-funded discount ÷ discount cost; **budget used** = discount cost ÷ budget.",
    ),
    "campaigns.promotions.title": ("营销活动效果", "Promotion results"),
    "campaigns.promotions.empty": (
        "所选范围内没有进行中的营销活动。",
        "No promotion ran in the selected range.",
    ),
    "campaigns.col.name": ("活动名称", "Promotion"),
    "campaigns.col.kind": ("类型", "Kind"),
    "campaigns.col.owner": ("发起方", "Run by"),
    "campaigns.col.campaign": ("所属平台活动", "Platform campaign"),
    "campaigns.col.starts": ("开始时间", "Starts"),
    "campaigns.col.ends": ("结束时间", "Ends"),
    "campaigns.col.paid_orders": ("支付订单数", "Paid orders"),
    "campaigns.col.gmv": ("成交额", "GMV"),
    "campaigns.col.discount": ("优惠成本", "Discount cost"),
    "campaigns.col.platform_share": ("平台补贴占比", "Platform-funded share"),
    "campaigns.col.roi": ("ROI", "ROI"),
    "campaigns.col.budget": ("预算", "Budget"),
    "campaigns.col.budget_used": ("预算使用", "Budget used"),
    "campaigns.owner.platform": ("平台", "Platform"),
    "campaigns.owner.shop": ("店铺 #{vendor_id}", "Shop #{vendor_id}"),
    "campaigns.chart.gmv_vs_discount": ("成交额与优惠成本", "GMV and discount cost"),
    "campaigns.chart.amount": ("金额（{symbol}）", "Amount ({symbol})"),
    "campaigns.coupons.title": ("优惠券核销", "Coupon redemption"),
    "campaigns.coupons.rule": (
        "统计所选范围内发放的优惠券，以及其中已使用（不论何时使用）的张数。店铺视角只含本店自己的优惠券活动；"
        "平台优惠券的发放属于平台，在全商城视角查看（在本店订单上的使用已计入上方平台活动的效果）。",
        "Coupons issued in the selected range, and how many of them were used (at any time). A "
        "shop sees its own coupon promotions; platform coupons are issued by the platform and "
        "shown for the whole mall (their use on this shop's orders counts in the platform "
        "promotion's results above).",
    ),
    "campaigns.coupons.empty": (
        "所选范围内没有发放优惠券。",
        "No coupons were issued in the selected range.",
    ),
    "campaigns.col.issued": ("发放张数", "Issued"),
    "campaigns.col.used": ("已使用", "Used"),
    "campaigns.col.redemption": ("核销率", "Redemption rate"),
    "campaigns.yoy.title": ("平台大促同比", "Platform campaigns vs a year earlier"),
    "campaigns.yoy.rule": (
        "某年某大促的活动窗口 = 当年该大促全部活动的最早开始至最晚结束（按平台时区确定年份）；"
        "指标为带有这些活动的本店支付订单。",
        "A campaign's window in a year runs from the first start to the last end of its "
        "promotions that year (years in the platform timezone); figures are this shop's paid "
        "orders carrying those promotions.",
    ),
    "campaigns.yoy.empty": (
        "所选范围内没有平台大促。",
        "No platform campaign overlaps the selected range.",
    ),
    "campaigns.col.year": ("年份", "Year"),
    "campaigns.col.window": ("活动窗口", "Window"),
    "campaigns.col.prev_window": ("去年窗口", "Window a year earlier"),
    "campaigns.col.prev_orders": ("去年支付订单数", "Paid orders a year earlier"),
    "campaigns.col.prev_gmv": ("去年成交额", "GMV a year earlier"),
    "campaigns.col.prev_discount": ("去年优惠成本", "Discount cost a year earlier"),
    "campaigns.col.gmv_change": ("成交额同比", "GMV vs a year earlier"),
    "campaigns.yoy.this_year": ("今年", "This year"),
    "campaigns.yoy.last_year": ("去年", "A year earlier"),
    "campaigns.campaign.618": ("618", "618"),
    "campaigns.campaign.double11": ("双11", "Double 11"),
    "campaigns.live.title": ("直播场次", "Live sessions"),
    "campaigns.live.rule": (
        "直播效果统计带有该场次的全部支付订单（不论何时支付）。**转化率** = 买家数 ÷ 观看人数；"
        "**人均成交额** = 成交额 ÷ 观看人数（四舍五入到分）。",
        "A session's results are every paid order carrying it, whenever paid. **Conversion** = "
        "buyers ÷ viewers; **GMV per viewer** = GMV ÷ viewers (rounded half up to the fen).",
    ),
    "campaigns.live.empty": (
        "所选范围内没有直播场次。",
        "No live session in the selected range.",
    ),
    "campaigns.col.title": ("直播标题", "Session"),
    "campaigns.col.started": ("开播时间", "Started"),
    "campaigns.col.viewers": ("观看人数", "Viewers"),
    "campaigns.col.buyers": ("买家数", "Buyers"),
    "campaigns.col.conversion": ("转化率", "Conversion"),
    "campaigns.col.gmv_per_viewer": ("人均成交额", "GMV per viewer"),
}
