"""Strings of the Home, Sales and Vendor leaderboard pages (words from shared/glossary.md)."""

STRINGS: dict[str, tuple[str, str]] = {
    # Figures
    "sales.fig.gmv": ("成交额", "GMV"),
    "sales.fig.paid_orders": ("支付订单数", "Paid orders"),
    "sales.fig.buyers": ("支付买家数", "Buyers"),
    "sales.fig.aov": ("客单价", "AOV"),
    "sales.fig.refunded": ("退款金额", "Refunded"),
    "sales.fig.refund_rate": ("退款率", "Refund rate"),
    "sales.fig.net_sales": ("净销售额", "Net sales"),
    "sales.fig.new_buyers": ("新客", "New buyers"),
    "sales.fig.returning_buyers": ("老客", "Returning buyers"),
    "sales.fig.repurchase_rate": ("复购率", "Repurchase rate"),
    "sales.fig.item_sales": ("商品销售额", "Item sales"),
    "sales.fig.units": ("件数", "Units"),
    "sales.fig.orders": ("订单数", "Orders"),
    "sales.fig.share": ("占比", "Share"),
    "sales.fig.refunds": ("退款笔数", "Refunds"),
    "sales.help.gmv": (
        "付款时间在所选范围内的订单的实付金额之和（无论订单现在的状态）。",
        "Sum paid on orders whose payment falls in the period, whatever their status now.",
    ),
    "sales.help.aov": (
        "成交额 ÷ 支付订单数，四舍五入到分。",
        "GMV ÷ paid orders, rounded half up to the fen.",
    ),
    "sales.help.refunded": (
        "退款完成时间在所选范围内的已完成退款之和（无论订单何时付款）。",
        "Completed refunds whose money went back in the period, whenever the order was paid.",
    ),
    "sales.help.refund_rate": ("退款金额 ÷ 成交额。", "Refunded ÷ GMV."),
    "sales.help.net_sales": ("成交额 − 退款金额。", "GMV − refunded."),
    # Sales page
    "sales.intro": (
        "成交额、订单与退款按平台时区统计；环比与上一可比周期比较，同比与一年前同期比较。",
        "Figures are cut in the platform timezone; 'vs previous' compares with the previous "
        "comparable period, 'vs a year earlier' with the same range a year before.",
    ),
    "sales.grain": ("粒度", "Granularity"),
    "sales.period_caption": ("{first} 至 {last}", "{first} to {last}"),
    "sales.empty": (
        "所选范围内没有支付订单，也没有完成的退款：各项指标为 0。",
        "No paid orders and no completed refunds in this period: every figure is zero.",
    ),
    "sales.trend": ("趋势", "Trend"),
    "sales.trend.bucket": ("日期", "Date"),
    "sales.breakdowns": ("商品销售额构成", "Item sales breakdown"),
    "sales.item_sales_note": (
        "商品销售额 = 支付订单中商品行实付金额之和，不含运费，因此与成交额不相等。",
        "Item sales = the sum paid for the lines of paid orders, shipping excluded, "
        "so it does not add up to GMV.",
    ),
    "sales.view.category": ("类目", "Category"),
    "sales.view.channel": ("渠道", "Channel"),
    "sales.view.city_tier": ("城市等级", "City tier"),
    "sales.view.hour": ("时段", "Hour of day"),
    "sales.col.category": ("类目", "Category"),
    "sales.col.product": ("商品", "Product"),
    "sales.col.product_id": ("商品 ID", "Product ID"),
    "sales.col.vendor": ("店铺", "Shop"),
    "sales.col.channel": ("渠道", "Channel"),
    "sales.col.city_tier": ("城市等级", "City tier"),
    "sales.col.hour": ("时段", "Hour"),
    "sales.col.reason": ("退款原因", "Reason"),
    "sales.hour_label": ("{hour}:00", "{hour}:00"),
    "sales.pick_category": ("查看类目下的商品", "See a category's products"),
    "sales.pick_category_none": ("（不选）", "(none)"),
    "sales.category_products": (
        "「{name}」的商品（商品销售额）",
        "Products in “{name}” (item sales)",
    ),
    "sales.top_products": ("热销商品（商品销售额）", "Top products (item sales)"),
    "sales.refunds_by_reason": (
        "退款原因（退款完成于所选范围）",
        "Refunds by reason (completed in the period)",
    ),
    "sales.no_breakdown": (
        "所选范围内没有可分析的销售。",
        "No sales to break down in this period.",
    ),
    "sales.no_refunds": ("所选范围内没有完成的退款。", "No refunds completed in this period."),
    "sales.tier.1": ("一线城市", "Tier 1"),
    "sales.tier.2": ("二线城市", "Tier 2"),
    "sales.tier.3": ("三线城市", "Tier 3"),
    "sales.tier.4": ("四线及县城", "Tier 4 and county towns"),
    # Home page
    "sales.home.welcome_vendor": ("{name} 的店铺概况", "{name} at a glance"),
    "sales.home.welcome_mall": ("全商城概况", "The whole mall at a glance"),
    "sales.home.preset_caption": (
        "{label}（环比：{previous}）",
        "{label} (vs previous: {previous})",
    ),
    "sales.home.trend": ("近 30 天每日成交额", "Daily GMV, last 30 days"),
    "sales.home.empty": (
        "近 30 天没有支付订单：各项指标为 0。",
        "No paid orders in the last 30 days: every figure is zero.",
    ),
    "sales.home.more": ("查看销售分析", "Open the sales analysis"),
    # Leaderboard
    "sales.board.intro": (
        "每个店铺在所选范围内的成交额、环比增长、退款率与新客；选中一行可打开该店铺的视图。",
        "Each shop's GMV, growth vs the previous period, refund rate and new buyers; "
        "select a row to open that shop's view.",
    ),
    "sales.board.growth": ("成交额环比", "GMV growth"),
    "sales.board.previous_gmv": ("上期成交额", "Previous GMV"),
    "sales.board.vendor_id": ("店铺 ID", "Shop ID"),
    "sales.board.status": ("店铺状态", "Shop status"),
    "sales.board.open": ("打开店铺视图", "Open shop view"),
    "sales.board.pick": ("店铺", "Shop"),
    "sales.board.empty": ("还没有店铺。", "There are no shops yet."),
    "sales.board.no_sales": (
        "所选范围内没有任何店铺成交：各店铺指标为 0。",
        "No shop sold anything in this period: every figure is zero.",
    ),
}
