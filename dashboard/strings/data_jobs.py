"""Strings of the Data jobs page and the rollups' freshness line."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.data_jobs": ("数据任务", "Data jobs"),
    "data_jobs.intro": (
        "汇总表让大时间段的页面更快。平台每晚运行一次刷新（命令见下），把前一天汇总进来；"
        "今天的数据总是实时读取。",
        "The rollups make pages over long periods fast. The platform refreshes them every "
        "night (the command is below), adding the day before; today is always read live.",
    ),
    "data_jobs.col.family": ("汇总", "Family"),
    "data_jobs.col.layout": ("版本", "Layout"),
    "data_jobs.family.sales": ("销售", "Sales"),
    "data_jobs.family.members": ("会员", "Members"),
    "data_jobs.family.content": ("内容", "Content"),
    "data_jobs.family.campaigns": ("营销活动", "Campaigns"),
    "data_jobs.family.settlements": ("结算", "Settlements"),
    "data_jobs.col.cut": ("已汇总至（不含）", "Rolled up to (exclusive)"),
    "data_jobs.col.started": ("上次开始", "Last started"),
    "data_jobs.col.finished": ("上次结束", "Last finished"),
    "data_jobs.col.seconds": ("用时（秒）", "Took (s)"),
    "data_jobs.col.rows": ("行数", "Rows"),
    "data_jobs.col.outcome": ("结果", "Outcome"),
    "data_jobs.col.message": ("说明", "Message"),
    "data_jobs.outcome.ok": ("成功", "ok"),
    "data_jobs.outcome.failed": ("失败", "failed"),
    "data_jobs.never": ("尚未汇总", "never built"),
    "data_jobs.command": ("每晚的刷新命令：", "The nightly refresh:"),
    "data_jobs.max_age": (
        "汇总超过 {days} 天未刷新时不再读取（设置 ROLLUP_MAX_AGE_DAYS），"
        "页面改为实时读取，结果不变但更慢。",
        "Rollups not refreshed for more than {days} days are not read (setting "
        "ROLLUP_MAX_AGE_DAYS): pages read live — the same figures, slower.",
    ),
    # The freshness line of pages that read rollups.
    "freshness.rolled": (
        "汇总至 {day}，今天实时",
        "rolled up to {day}, today live",
    ),
    "freshness.stale": (
        "汇总只到 {day}，已超过 {days} 天未刷新：本页实时读取（结果不变，但更慢）。"
        "请平台工程师运行 python -m rollups refresh 并检查每晚的定时任务（数据任务页）。",
        "The rollups stop at {day}, more than {days} days ago: this page reads live (the same "
        "figures, slower). Platform engineers: run python -m rollups refresh and check the "
        "nightly schedule (Data jobs page).",
    ),
    # The read replica (READ_DATABASE_URL), for operators.
    "data_jobs.replica.title": ("只读副本", "Read replica"),
    "data_jobs.replica.none": (
        "未配置只读副本（设置 READ_DATABASE_URL）：所有页面都读取主库。",
        "No read replica is configured (setting READ_DATABASE_URL): every page reads the "
        "primary database.",
    ),
    "data_jobs.replica.answers": (
        "只读副本正常应答，落后主库 {bytes} 字节的 WAL（{seconds} 秒）。",
        "The read replica answers; it is {bytes} bytes of WAL behind the primary ({seconds} s).",
    ),
    "data_jobs.replica.down": (
        "只读副本自 {since} 起无法连接：页面改读主库，本进程每隔几秒重试一次。原因：{reason}",
        "The read replica does not answer (since {since}): pages read the primary, and "
        "this process tries the replica again every few seconds. Reason: {reason}",
    ),
    "data_jobs.replica.rule": (
        "页面从副本读取；用户自己修改数据后，在副本回放到该修改之前，其页面改读主库，"
        "因此不会看到改动前的数字。",
        "Pages read the replica; after a change of their own, a user's pages read the "
        "primary until the replica has replayed it, so nobody sees their change undone.",
    ),
}
