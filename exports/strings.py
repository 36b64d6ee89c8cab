"""The workbooks' texts, keyed, in Chinese and English: headers, sheet names, words, messages.

`workbook.<orders|products|settlement>.…`. Exports do not import the dashboard,
so the words the workbooks share with the pages are repeated here (a test keeps
them equal); `dashboard.i18n` merges this table into its own.
`text(key, **fmt)` gives the (zh, en) pair, filled in with `str.format`.
"""

from __future__ import annotations

__all__ = ["STRINGS", "both", "by_lang", "text"]

STRINGS: dict[str, tuple[str, str]] = {
    "workbook.separator.note": ("；", "; "),
    "workbook.settlement.status.not_issued": ("未出具", "not issued"),
    "workbook.settlement.status.draft": ("草稿", "draft"),
    "workbook.settlement.status.confirmed": ("已确认", "confirmed"),
    "workbook.settlement.status.paid": ("已打款", "paid"),
    "workbook.settlement.reason.payment_after_issue": (
        "出具后新增支付",
        "payment recorded after issue",
    ),
    "workbook.settlement.reason.payments_mismatch": (
        "支付合计与实付不符",
        "payments do not add up to paid",
    ),
    "workbook.settlement.reason.requested_after_issue": (
        "出具后申请的退款",
        "refund requested after issue",
    ),
    "workbook.settlement.reason.in_period": ("本期计入该项", "counted in this line in the period"),
    "workbook.settlement.reason.net_does_not_add_up": ("应结金额与各项不符", "net does not add up"),
    "workbook.settlement.total": ("合计", "Total"),
    "workbook.settlement.difference": ("差异", "Difference"),
    "workbook.settlement.cause.order": ("订单", "Order"),
    "workbook.settlement.cause.refund": ("退款", "Refund"),
    "workbook.settlement.yes": ("是", "yes"),
    "workbook.settlement.no": ("否", "no"),
    "workbook.orders.sheet": ("订单", "Orders"),
    "workbook.orders.status.pending_payment": ("待付款", "Pending payment"),
    "workbook.orders.status.paid": ("已付款", "Paid"),
    "workbook.orders.status.shipped": ("已发货", "Shipped"),
    "workbook.orders.status.completed": ("已完成", "Completed"),
    "workbook.orders.status.cancelled": ("已取消", "Cancelled"),
    "workbook.orders.channel.app": ("App", "App"),
    "workbook.orders.channel.mini_program": ("小程序", "Mini program"),
    "workbook.orders.channel.h5": ("H5", "H5"),
    "workbook.orders.channel.live": ("直播", "Live"),
    "workbook.orders.refund_state.none": ("无退款", "No refund"),
    "workbook.orders.refund_state.in_progress": ("退款中", "Refund in progress"),
    "workbook.orders.refund_state.partial": ("部分退款", "Partly refunded"),
    "workbook.orders.refund_state.full": ("全额退款", "Fully refunded"),
    "workbook.products.sheet": ("商品", "Products"),
    "workbook.products.header.price": ("价格", "Price"),
    "workbook.products.header.version": ("版本", "Version"),
    "workbook.orders.vendor_name": ("店铺", "Shop"),
    "workbook.orders.order_no": ("订单号", "Order no."),
    "workbook.orders.status": ("订单状态", "Status"),
    "workbook.orders.channel": ("渠道", "Channel"),
    "workbook.orders.member_id": ("会员 ID", "Member ID"),
    "workbook.orders.created_at": ("下单时间", "Created at"),
    "workbook.orders.paid_at": ("支付时间", "Paid at"),
    "workbook.orders.goods_cents": ("商品金额", "Goods"),
    "workbook.orders.discount_cents": ("优惠金额", "Discount"),
    "workbook.orders.platform_discount_cents": ("平台补贴", "Platform subsidy"),
    "workbook.orders.shipping_cents": ("运费", "Shipping"),
    "workbook.orders.paid_cents": ("实付金额", "Paid"),
    "workbook.orders.refunded_cents": ("退款金额", "Refunded"),
    "workbook.orders.refund_state": ("退款状态", "Refund state"),
    "workbook.orders.promotion_name": ("营销活动", "Promotion"),
    "workbook.orders.live_session_title": ("直播场次", "Live session"),
    "workbook.products.product_id": ("商品ID", "Product ID"),
    "workbook.products.name": ("商品名称", "Name"),
    "workbook.products.category": ("类目", "Category"),
    "workbook.products.price": ("价格（元）", "Price (¥)"),
    "workbook.products.stock": ("库存", "Stock"),
    "workbook.products.status": ("状态", "Status"),
    "workbook.products.version": ("版本（请勿修改）", "Version (do not change)"),
    "workbook.products.file_cannot_read_upload_xlsx": (
        "无法读取该文件，请上传从本页下载的 .xlsx 工作簿",
        "This file cannot be read; upload the .xlsx workbook downloaded from this page",
    ),
    "workbook.products.changed_by_someone_else_since": (
        "下载后已被他人修改（当前：价格 {price} 元，库存 {stock}，"
        "{zh_status}，版本 {version}），请重新下载",
        "Changed by someone else since the download (now: price {price}, "
        "stock {stock}, {en_status}, version {version}); download again",
    ),
    "workbook.products.file_too_large_at_most": (
        "文件过大（上限 20 MB）",
        "The file is too large (at most 20 MB)",
    ),
    "workbook.products.wrong_headers_file_needs_product": (
        "表头不正确：需要“商品ID”“版本”两列，以及价格、库存或状态中至少一列",
        "Wrong headers: the file needs Product ID and "
        "Version, and at least one of Price, Stock or Status",
    ),
    "workbook.products.version_2": ("版本", "Version"),
    "workbook.products.too_many_rows_at_most": (
        "行数过多（上限 {MAX_UPLOAD_ROWS:,} 行）",
        "Too many rows (at most {MAX_UPLOAD_ROWS:,})",
    ),
    "workbook.products.not_valid": ("{label_zh}不正确", "The {label_en} is not valid"),
    "workbook.settlement.text": ("项目", "text"),
    "workbook.settlement.money": ("金额 / Amount", "money"),
    "workbook.settlement.date": ("日期 / Date", "date"),
    "workbook.settlement.text_2": ("内容 / Value", "text"),
    "workbook.settlement.text_3": ("订单号 / Order no.", "text"),
    "workbook.settlement.datetime": ("支付时间 / Paid at", "datetime"),
    "workbook.settlement.money_2": ("商品金额 / Goods", "money"),
    "workbook.settlement.money_3": ("优惠 / Discount", "money"),
    "workbook.settlement.money_4": ("平台补贴 / Platform subsidy", "money"),
    "workbook.settlement.money_5": ("运费 / Shipping", "money"),
    "workbook.settlement.money_6": ("实付 / Paid", "money"),
    "workbook.settlement.money_7": ("佣金 / Commission", "money"),
    "workbook.settlement.money_8": ("支付手续费 / Payment fee", "money"),
    "workbook.settlement.int": ("退款单号 / Refund id", "int"),
    "workbook.settlement.datetime_2": ("完成时间 / Completed at", "datetime"),
    "workbook.settlement.money_9": ("退款金额 / Amount", "money"),
    "workbook.settlement.money_10": ("佣金退回 / Commission returned", "money"),
    "workbook.settlement.text_4": ("类型 / Kind", "text"),
    "workbook.settlement.money_11": ("出具时 / Frozen", "money"),
    "workbook.settlement.money_12": ("今日 / Today", "money"),
    "workbook.settlement.money_13": ("差额 / Difference", "money"),
    "workbook.settlement.text_5": ("订单/退款 / Ref", "text"),
    "workbook.settlement.text_6": ("原因 / Reason", "text"),
    "workbook.settlement.int_2": ("商家编号 / Vendor id", "int"),
    "workbook.settlement.text_7": ("商家 / Vendor", "text"),
    "workbook.settlement.text_8": ("状态 / State", "text"),
    "workbook.settlement.int_3": ("结算单号 / Statement no.", "int"),
    "workbook.settlement.money_14": ("今日应结 / Net today", "money"),
    "workbook.settlement.text_9": ("有差异 / Differs", "text"),
    "workbook.settlement.text_10": ("调整说明 / Adjustment note", "text"),
    "workbook.settlement.vendor": ("商家", "Vendor"),
    "workbook.settlement.period": ("结算周期", "Period"),
    "workbook.settlement.period_start": ("周期开始", "Period start"),
    "workbook.settlement.period_last_day": ("周期最后一天", "Period last day"),
    "workbook.settlement.state": ("状态", "State"),
    "workbook.settlement.statement_no": ("结算单号", "Statement no."),
    "workbook.settlement.adjustment_note": ("调整说明", "Adjustment note"),
    "workbook.settlement.issued": ("出具日期", "Issued on"),
    "workbook.settlement.confirmed": ("确认日期", "Confirmed on"),
    "workbook.settlement.paid": ("打款日期", "Paid on"),
    "workbook.settlement.payment_reference": ("转账流水号", "Payment reference"),
}


def text(key: str, **fmt: object) -> tuple[str, str]:
    """The (zh, en) pair of `key`, its `{name}` places filled from `fmt` (if any)."""
    zh, en = STRINGS[key]
    if not fmt:
        return zh, en
    return zh.format(**fmt), en.format(**fmt)


def both(key: str) -> str:
    """One cell saying `key` in both languages: "中文 / English"."""
    return " / ".join(STRINGS[key])


def by_lang(prefix: str, codes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """{"zh": {code: word}, "en": {code: word}} of the keys `prefix.<code>`."""
    pairs = {code: STRINGS[f"{prefix}.{code}"] for code in codes}
    return {
        "zh": {code: zh for code, (zh, _) in pairs.items()},
        "en": {code: en for code, (_, en) in pairs.items()},
    }
