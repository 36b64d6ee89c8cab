"""Strings of the Members page (会员分析)."""

STRINGS: dict[str, tuple[str, str]] = {
    "members.grain": ("时间粒度", "Granularity"),
    "members.empty": (
        "所选范围内没有支付订单，因此没有买家。数值显示为 0，比率显示为“—”。",
        "There are no paid orders in the selected range, so there are no buyers. "
        "Figures show 0 and ratios “—”.",
    ),
    "members.kpi.buyers": ("支付买家数", "Buyers"),
    "members.kpi.new": ("新客", "New buyers"),
    "members.kpi.returning": ("老客", "Returning buyers"),
    "members.kpi.repurchase": ("复购买家", "Repurchase buyers"),
    "members.kpi.repurchase_rate": ("复购率", "Repurchase rate"),
    "members.trend.title": ("新老客与复购率趋势", "New vs returning buyers and repurchase rate"),
    "members.trend.bucket": ("日期", "Date"),
    "members.trend.rate_axis": ("复购率", "Repurchase rate"),
    "members.definitions": (
        "**新客**：在本店（全商城视角下为全商城）的首笔支付订单落在所选范围内的买家；其余买家为**老客**。"
        "按时间粒度拆分时，买家在其首单所在的那一格计为新客。"
        "**复购率** = 范围内（或该格内）有 2 笔及以上支付订单的买家 ÷ 买家数。"
        "日期按平台时区（{tz}）划分。",
        "**New buyers** had their first paid order with this shop ever (for the whole mall: in "
        "the mall) inside the range; the other buyers are **returning**. Split by granularity, a "
        "buyer is new in the bucket holding their first order. **Repurchase rate** = buyers with "
        "two or more paid orders in the range (or bucket) ÷ buyers. Days are cut in the platform "
        "timezone ({tz}).",
    ),
    "members.mix.title": ("买家构成", "Who the buyers are"),
    "members.mix.level": ("会员等级", "Member level"),
    "members.mix.city_tier": ("城市等级", "City tier"),
    "members.mix.age_band": ("年龄段（出生年份）", "Age band (birth year)"),
    "members.mix.buyers": ("买家数", "Buyers"),
    "members.mix.share": ("占比", "Share"),
    "members.tier.1": ("一线城市", "Tier 1"),
    "members.tier.2": ("二线城市", "Tier 2"),
    "members.tier.3": ("三线城市", "Tier 3"),
    "members.tier.4": ("四线及县城", "Tier 4 and county towns"),
    "members.age.2000s": ("2000 年及以后", "Born 2000 or later"),
    "members.age.1995_1999": ("1995–1999", "1995–1999"),
    "members.age.1990_1994": ("1990–1994", "1990–1994"),
    "members.age.1985_1989": ("1985–1989", "1985–1989"),
    "members.age.1980_1984": ("1980–1984", "1980–1984"),
    "members.age.before_1980": ("1980 年以前", "Before 1980"),
    "members.age.unknown": ("未知", "Unknown"),
    "members.rfm.title": ("RFM 客户分层", "RFM segments"),
    "members.rfm.rules": (
        "截至所选范围结束时，统计最近 {window} 天内在本店有支付订单的买家："
        "**R（最近一次消费）** 近 = 最近一笔支付订单距范围结束不足 {recent} 天；"
        "**F（消费频次）** 高 = 这 {window} 天内支付订单 ≥ {orders} 笔；"
        "**M（消费金额）** 高 = 这 {window} 天内成交额 ≥ {money}。"
        "三项高/低组合成 8 个分层。",
        "Buyers with a paid order with this shop in the {window} days before the end of the "
        "range, as of that end: **R (recency)** is recent when the last paid order is less than "
        "{recent} days before the end; **F (frequency)** is high with at least {orders} paid "
        "orders in those {window} days; **M (monetary)** is high with GMV of at least {money} in "
        "them. The eight high/low combinations are the segments.",
    ),
    "members.rfm.segment": ("分层", "Segment"),
    "members.rfm.r": ("R 近", "Recent"),
    "members.rfm.f": ("F 高", "Frequent"),
    "members.rfm.m": ("M 高", "High value"),
    "members.rfm.gmv": ("成交额（{window} 天）", "GMV ({window} days)"),
    "members.rfm.yes": ("是", "Yes"),
    "members.rfm.no": ("否", "No"),
    "members.rfm.empty": (
        "最近 {window} 天内没有支付订单，暂无分层。",
        "No paid orders in the last {window} days: no segments yet.",
    ),
    "members.rfm.important_value": ("重要价值客户", "Champions (important value)"),
    "members.rfm.important_develop": ("重要发展客户", "Promising big spenders (develop)"),
    "members.rfm.important_keep": ("重要保持客户", "Loyal, slipping (keep)"),
    "members.rfm.important_winback": ("重要挽留客户", "Big spenders at risk (win back)"),
    "members.rfm.general_value": ("一般价值客户", "Frequent, low spend"),
    "members.rfm.general_develop": ("一般发展客户", "New or occasional"),
    "members.rfm.general_keep": ("一般保持客户", "Frequent, lapsing"),
    "members.rfm.general_winback": ("一般挽留客户", "Lapsed, low spend"),
    "members.cohort.title": ("按首购月份的留存", "Retention by first-purchase month"),
    "members.cohort.rules": (
        "每一行是首笔支付订单（在本店，全商城视角下为全商城）落在该月的买家（近 {months} 个月）；"
        "第 k 列是其中在首购后第 k 个月再次下单的买家占比，统计到所选范围结束。",
        "Each row is the buyers whose first paid order (with this shop; for the whole mall, in "
        "the mall) fell in that month (the last {months} months); column k is the share of them "
        "who bought again k months later, counted up to the end of the range.",
    ),
    "members.cohort.cohort": ("首购月份", "First-purchase month"),
    "members.cohort.size": ("首购人数", "Cohort size"),
    "members.cohort.months_since": ("首购后第几个月", "Months since first purchase"),
    "members.cohort.buyers": ("再次购买人数", "Buyers again"),
    "members.cohort.retention": ("留存率", "Retention"),
    "members.cohort.empty": (
        "近 {months} 个月没有首购买家，暂无留存数据。",
        "No first-time buyers in the last {months} months: no retention yet.",
    ),
}
