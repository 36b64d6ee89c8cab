"""The queries' user-facing texts, keyed, in Chinese and English.

Error messages (`error.<package>.<module>.…`) and the status / field words the
messages use (`label.…`). `text(key, **fmt)` gives the (zh, en) pair, filled in
with `str.format`; raisers write `raise Invalid(*text("error.…", n=3))`, and
`UserError(zh, en)` keeps both. `dashboard.i18n` merges this table into its own.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MESSAGES", "joined", "listed", "text"]

MESSAGES: dict[str, tuple[str, str]] = {
    "error.console.passwords.control_characters": (
        "密码不能包含控制字符。",
        "A password cannot contain control characters.",
    ),
    "error.console.passwords.too_short": (
        "密码至少需要 {length} 个字符。",
        "A password needs at least {length} characters.",
    ),
    "error.console.passwords.too_long": (
        "密码最多 {length} 个字节（中文每字 3 个字节）。",
        "A password has at most {length} bytes (a Chinese character takes 3).",
    ),
    "error.console.passwords.common": (
        "这是最常见的密码之一，请换一个。",
        "This is one of the most common passwords; choose another.",
    ),
    "error.console.passwords.guessable": (
        "这个密码太容易猜到（重复、连续字符、常见词或用户名），请换一个更长或更随机的。",
        "This password is too easy to guess (repeats, sequences, common words or the "
        "username); choose a longer or more random one.",
    ),
    "error.console.accounts.username_format": (
        "用户名为 3–32 个小写字母、数字或 _ . -，以字母或数字开头。",
        "A username is 3–32 lower-case letters, digits or _ . -, starting with a letter or digit.",
    ),
    "error.console.accounts.unknown_role": ("未知角色：{role}", "Unknown role: {role}"),
    "error.console.accounts.vendor_binds_one_shop": (
        "商家账号必须绑定且只绑定一个店铺（--vendor-id）；平台账号不绑定店铺。",
        "A vendor account is bound to exactly one shop (--vendor-id); staff accounts to none.",
    ),
    "error.console.accounts.no_such_shop": (
        "没有编号为 {vendor_id} 的店铺。",
        "There is no shop with id {vendor_id}.",
    ),
    "error.console.accounts.username_taken": (
        "用户名 {username} 已被使用。",
        "The username {username} is taken.",
    ),
    "error.console.accounts.no_such_account": (
        "没有账号 {username}。",
        "There is no account {username}.",
    ),
    "error.console.accounts.changed_meanwhile": (
        "账号 {username} 刚被他人修改，请刷新后再试。未做任何改动。",
        "Someone else changed the account {username} just now; reload and try again. "
        "Nothing was changed.",
    ),
    "error.console.accounts.not_yourself": (
        "不能停用自己正在使用的账号。",
        "You cannot disable the account you are using.",
    ),
    "error.console.accounts.passwords_required": (
        "请输入当前密码和新密码。",
        "Enter your current password and the new one.",
    ),
    "error.console.accounts.password_unchanged": (
        "新密码不能与当前密码相同。",
        "The new password must differ from the current one.",
    ),
    "error.console.accounts.current_password_wrong": (
        "当前密码不正确，密码未修改。",
        "The current password is wrong; the password was not changed.",
    ),
    "error.console.logins.empty": (
        "请输入用户名和密码。",
        "Please enter your username and password.",
    ),
    "error.console.logins.username_too_long": (
        "用户名最多 {length} 个字符。",
        "A username has at most {length} characters.",
    ),
    "error.console.logins.password_too_long": ("密码过长。", "The password is too long."),
    "error.console.logins.control_characters": (
        "用户名和密码不能包含控制字符。",
        "A username or password cannot contain control characters.",
    ),
    "error.core.settings.whole_number": (
        "设置 {name} 必须是 {low} 到 {high} 之间的整数。",
        "The setting {name} must be a whole number from {low} to {high}.",
    ),
    # --- python -m dashboard.accounts / python -m dashboard.migrate (shell commands) ---
    "error.console.cli.not_migrated": (
        "控制台自己的数据表尚未创建或不是最新版本：请先运行 `python -m dashboard.migrate`"
        "（它使用 DATABASE_URL）。未做任何改动。",
        "The console's own tables are missing or older than this code: run "
        "`python -m dashboard.migrate` first (it uses DATABASE_URL). Nothing was changed.",
    ),
    "error.console.cli.no_database_file": (
        "{path} 处没有数据库文件（请设置 DATABASE_URL）。未创建任何文件。",
        "There is no database file at {path} (set DATABASE_URL). Nothing was created.",
    ),
    "error.console.cli.database_error": (
        "数据库出错：{reason}。未做任何改动。",
        "The database failed: {reason}. Nothing was changed.",
    ),
    "error.console.cli.cancelled": ("已取消，未做任何改动。", "Cancelled; nothing was changed."),
    "error.console.cli.password_prompt": ("密码：", "Password: "),
    "error.console.cli.password_repeat": ("再次输入密码：", "Repeat the password: "),
    "error.console.cli.passwords_differ": (
        "两次输入的密码不一致，未做任何改动。",
        "The two passwords differ; nothing was changed.",
    ),
    "error.console.cli.added": ("已添加账号 {username}（{role}）。", "Added {username} ({role})."),
    "error.console.cli.one_time_password": (
        "{username} 的一次性密码（只显示这一次，首次登录时必须修改）：",
        "One-time password of {username} (shown this once; it must be changed at the first login):",
    ),
    "error.console.cli.disabled": (
        "已停用 {username}，其所有会话已结束。",
        "Disabled {username}; its sessions have ended.",
    ),
    "error.console.cli.already_disabled": (
        "{username} 已是停用状态。",
        "{username} was already disabled.",
    ),
    "error.console.cli.enabled": ("已启用 {username}。", "Enabled {username}."),
    "error.console.cli.already_enabled": (
        "{username} 已是启用状态。",
        "{username} was already enabled.",
    ),
    "error.console.cli.unlocked": ("已解锁 {username}。", "Unlocked {username}."),
    "error.console.cli.not_locked": ("{username} 没有被锁定。", "{username} was not locked."),
    "error.console.cli.reset": (
        "已重置 {username} 的密码，其所有会话已结束。",
        "Reset the password of {username}; its sessions have ended.",
    ),
    "error.console.cli.no_accounts": (
        "还没有账号。创建第一个运营账号：`python -m dashboard.accounts add NAME --role operator`",
        "No accounts yet. Create the first operator with "
        "`python -m dashboard.accounts add NAME --role operator`.",
    ),
    "error.console.cli.list_columns": (
        "用户名|角色|店铺|状态|锁定至|一次性密码待修改",
        "username|role|shop|state|locked until|one-time password pending",
    ),
    "error.console.cli.state_active": ("启用", "active"),
    "error.console.cli.state_disabled": ("停用", "disabled"),
    "error.console.cli.yes": ("是", "yes"),
    "error.console.cli.no_yaml_file": (
        "没有账号文件 {path}。未做任何改动。",
        "There is no accounts file at {path}. Nothing was changed.",
    ),
    "error.console.cli.bad_yaml_file": (
        "无法读取账号文件 {path}：{reason}。未做任何改动。",
        "Could not read the accounts file {path}: {reason}. Nothing was changed.",
    ),
    "error.console.cli.imported": (
        "已导入 {username}（{role}）。",
        "Imported {username} ({role}).",
    ),
    "error.console.cli.skip_exists": (
        "跳过 {username}：数据库中已有此账号。",
        "Skipped {username}: the database already has this account.",
    ),
    "error.console.cli.skip_no_shop": (
        "跳过 {username}：没有编号为 {vendor_id} 的店铺。",
        "Skipped {username}: there is no shop with id {vendor_id}.",
    ),
    "error.console.cli.skip_disabled": (
        "跳过 {username}：它在文件中已停用。",
        "Skipped {username}: it is disabled in the file.",
    ),
    "error.console.cli.skip_demo_password": (
        "跳过 {username}：它的密码是 README 中公开的演示密码（只有演示数据库可以使用）。",
        "Skipped {username}: its password is the demo password published in the README "
        "(for the demo database only).",
    ),
    "error.console.cli.skip_invalid": (
        "跳过 {username}：{reason}",
        "Skipped {username}: {reason}",
    ),
    "error.console.cli.skip_bad_hash": (
        "跳过 {username}：文件中没有 bcrypt 密码哈希。",
        "Skipped {username}: the file holds no bcrypt password hash for it.",
    ),
    "error.console.cli.import_summary": (
        "从 {path} 导入了 {imported} 个账号，跳过 {skipped} 个。",
        "Imported {imported} accounts from {path}; skipped {skipped}.",
    ),
    "error.console.cli.import_note": (
        "导入的账号保留原来的密码（bcrypt 哈希原样导入），不要求首次登录时修改；旧规则允许少于 "
        "10 个字符的密码，无法从哈希中看出。如有疑问，请用 "
        "`python -m dashboard.accounts reset-password NAME` 重置。",
        "Imported accounts keep their passwords (their bcrypt hashes, unchanged) and are not "
        "made to change them; the old rules allowed passwords shorter than 10 characters, "
        "which a hash does not show. When in doubt, reset one with "
        "`python -m dashboard.accounts reset-password NAME`.",
    ),
    "error.console.cli.migrated": (
        "控制台数据表已升级到版本 {revision}。",
        "Console tables at revision {revision}.",
    ),
    "error.console.cli.already_current": (
        "控制台数据表已是版本 {revision}，无需改动。",
        "Console tables already at revision {revision}; nothing to do.",
    ),
    "error.console.migrate.cannot_write": (
        "无法更新控制台自己的数据表（数据库拒绝写入）：{reason}。数据库未做任何改动。",
        "Could not update the console's own tables (the database refused to write): "
        "{reason}. Nothing was changed.",
    ),
    "label.list_separator": ("、", ", "),
    "label.note_separator": ("；", "; "),
    "error.catalog.product_edits.stale_products": (
        "已有他人修改了这些商品，本次未保存任何修改。当前值：{lines[0]}",
        "Someone else changed these products; nothing was saved. Current values: {lines[1]}",
    ),
    "label.catalog.product_edits.stale_product": (
        "商品 {pid}：价格 {price} 元，库存 {stock}，{status[0]}",
        "product {pid}: price {price}, stock {stock}, {status[1]}",
    ),
    "label.marketing.promotion_edits.state.draft": ("为草稿", "draft"),
    "label.marketing.promotion_edits.state.scheduled": ("已发布待开始", "scheduled"),
    "label.marketing.promotion_edits.state.running": ("正在进行", "running"),
    "label.marketing.promotion_edits.state.ended": ("已结束", "ended"),
    "label.marketing.promotion_edits.state.cancelled": ("已取消", "cancelled"),
    "error.core.db.missing_contract": (
        "数据库缺少约定的表或列：{missing[0]}",
        "The database lacks contract tables or columns: {missing[1]}",
    ),
    "error.orders.search.unknown_filter_values": (
        "未知的筛选条件：{bad[0]}",
        "Unknown filter values: {bad[1]}",
    ),
    "error.catalog.products.new_price_out_of_range": (
        "调整后价格超出允许范围",
        "The new price would be out of range",
    ),
    "error.finance.actions.period_overlaps": (
        "与已有结算单周期重叠：{ids[0]}",
        "The period overlaps existing statements: {ids[1]}",
    ),
    "label.finance.actions.carried_note": (
        "结转结算单 #{source}（{start}–{end}）应结 {amount}",
        "carried from statement #{source}",
    ),
    "error.finance.statement_rows.someone_else_changed_statement_refresh": (
        "结算单已被他人修改，请刷新后重试",
        "Someone else changed this statement; refresh and try again",
    ),
    "label.finance.statement_rows.status_words.draft": ("草稿", "a draft"),
    "label.finance.statement_rows.status_words.confirmed": ("已确认", "confirmed"),
    "label.finance.statement_rows.status_words.paid": ("已打款", "paid"),
    "error.finance.statement_rows.settlement_statement_does_not_exist": (
        "结算单 #{settlement_id} 不存在",
        "Settlement statement #{settlement_id} does not exist",
    ),
    "error.finance.statement_rows.statement_action_not_possible": (
        "结算单状态为「{zh}」，不能执行此操作",
        "The statement is {en}; this action is not possible",
    ),
    "error.finance.actions.end_date_must_after_start": (
        "结束日期须晚于开始日期",
        "The end date must be after the start date",
    ),
    "error.finance.actions.period_has_not_ended_end": (
        "结算周期尚未结束（结束日 {period_end} 晚于今天 {today}）",
        "The period has not ended (its end {period_end} is after today {today})",
    ),
    "error.finance.actions.enter_note_adjustment": (
        "请填写调整说明",
        "Enter a note for the adjustment",
    ),
    "error.finance.actions.enter_transfer_reference": (
        "请填写转账流水号",
        "Enter the transfer's reference",
    ),
    "error.finance.actions.adjustment_must_whole_fen": (
        "调整金额须为整数分",
        "The adjustment must be whole fen",
    ),
    "error.finance.actions.statement_period_was_just_issued": (
        "该周期的结算单刚刚已被出具，请刷新",
        "A statement for this period was just issued by someone else; refresh",
    ),
    "error.finance.actions.no_such_vendor": ("商家不存在：{ids}", "No such vendor: {ids}"),
    "error.finance.actions.vendor_joined_after_period_ended": (
        "商家 {ids} 在该结算周期结束后才入驻，不能出具此周期的结算单",
        "Vendor {ids} joined after the period ended; no statement for this period",
    ),
    "error.finance.actions.only_confirmed_paid_statement_with": (
        "只有已确认或已打款且应结金额为负的结算单可以结转",
        "Only a confirmed or paid statement with a negative net can be carried",
    ),
    "error.finance.actions.can_only_carried_into_later": (
        "只能结转到同一商家之后周期的草稿",
        "It can only be carried into a later draft of the same vendor",
    ),
    "error.finance.actions.statement_was_already_carried_into": (
        "结算单 #{from_settlement_id} 已结转到 #{already}",
        "Statement #{from_settlement_id} was already carried into #{already}",
    ),
    "error.core.validation.on_sale": ("在售", "On sale"),
    "error.core.validation.off_shelf": ("已下架", "Off shelf"),
    "error.core.validation.banned": ("已违规下架", "Banned"),
    "error.core.validation.stock_must_whole_number_0": (
        "库存须为 0 或正整数：“{value}”",
        "Stock must be a whole number, 0 or more: “{value}”",
    ),
    "error.core.validation.percentage_must_whole_number_from": (
        "百分比须为 {low}–{high} 的整数",
        "The percentage must be a whole number from {low} to {high}",
    ),
    "error.core.validation.change_must_from_at_most": (
        "调价百分比须在 {min_percent}% 到 +{max_percent}% 之间，最多两位小数：“{shown}”",
        "The change must be from {min_percent} % to "
        "+{max_percent} %, at most two decimals: “{shown}”",
    ),
    "error.core.validation.status_must_one": (
        "状态须为 {zh_list} 之一：“{value}”",
        "The status must be one of {en_list}: “{value}”",
    ),
    "error.core.enter_amount": ("请填写金额", "Enter an amount"),
    "error.core.not_valid_amount": ("金额格式不正确", "Not a valid amount"),
    "error.core.validation.amount_larger_than_any_allowed": (
        "金额超出允许范围",
        "The amount is larger than any allowed amount",
    ),
    "error.core.amount_must_greater_than_0": (
        "金额须大于 0",
        "The amount must be greater than 0",
    ),
    "error.core.validation.enter_stock": ("请填写库存", "Enter the stock"),
    "error.core.validation.stock_may_not_exceed": (
        "库存不能超过 {MAX_STOCK:,}",
        "Stock may not exceed {MAX_STOCK:,}",
    ),
    "error.core.validation.enter_percentage": ("请填写折扣百分比", "Enter the percentage"),
    "error.core.validation.enter_percentage_2": ("请填写调价百分比", "Enter the percentage"),
    "error.core.validation.enter_status": ("请填写状态", "Enter the status"),
    "error.core.validation.enter_campaign_e_g_618": (
        "平台活动须属于一个大促（如 618）",
        "Enter the campaign (e.g. 618)",
    ),
    "error.core.validation.campaign_code_has_only_letters": (
        "大促代码只能含字母、数字、_ 和 -（最多 40 个字符）",
        "A campaign code has only letters, digits, _ and - (at most 40 characters)",
    ),
    "error.core.validation.pick_date": ("请选择日期", "Pick a date"),
    "error.core.validation.pick_time": ("请选择时间", "Pick a time"),
    "error.core.validation.not_valid_amount_at_most": (
        "“{value}” 不是有效金额（最多两位小数）",
        "“{value}” is not a valid amount (at most two decimals)",
    ),
    "error.core.validation.amount_cannot_negative": (
        "金额不能为负数",
        "The amount cannot be negative",
    ),
    "error.marketing.promotion_edits.someone_else_changed_promotion_now": (
        "该活动已被他人修改（当前版本 {version}），本次未保存，请刷新后重试",
        "Someone else changed this promotion (now version {version}); nothing was saved. "
        "Reload and try again.",
    ),
    "error.marketing.promotion_edits.finance_does_not_create_promotions": (
        "财务不能创建营销活动",
        "Finance does not create promotions",
    ),
    "error.marketing.promotion_edits.finance_does_not_change_promotions": (
        "财务不能修改营销活动",
        "Finance does not change promotions",
    ),
    "error.marketing.promotion_not_found": ("找不到该活动", "Promotion not found"),
    "error.marketing.promotion_edits.shop_promotion_has_no_campaign": (
        "店铺活动不属于平台大促",
        "A shop's promotion has no campaign",
    ),
    "error.marketing.promotion_edits.platform_promotions_are_managed_by": (
        "平台活动由平台运营管理",
        "Platform promotions are managed by operators",
    ),
    "error.marketing.promotion_edits.operators_cannot_edit_shop_promotion": (
        "运营不能修改商家的活动，只能取消",
        "Operators cannot edit a shop's promotion, only cancel it",
    ),
    "error.values_break_database_rule": (
        "数据不符合规则，未保存",
        "The values break a database rule; nothing was saved",
    ),
    "error.marketing.promotion_edits.published_promotion_must_end_future": (
        "已发布活动的结束时间须晚于现在",
        "A published promotion must end in the future",
    ),
    "error.marketing.promotion_edits.only_draft_can_published": (
        "只有草稿可以发布",
        "Only a draft can be published",
    ),
    "error.marketing.promotion_edits.promotion_end_has_passed_cannot": (
        "活动结束时间已过，不能发布",
        "The promotion's end has passed; it cannot be published",
    ),
    "error.marketing.promotion_edits.promotion_cannot_cancelled": (
        "此活动{state_zh}，不能取消",
        "This promotion is {state}; it cannot be cancelled",
    ),
    "error.marketing.promotion_edits.promotion_can_no_longer_change": (
        "此活动{state_zh}，不能再修改{field_zh}",
        "This promotion is {state}; its {field_en} can no longer change",
    ),
    "error.marketing.promotion_edits.reason": (
        "运营取消活动须填写原因",
        "Give a reason for cancelling",
    ),
    "label.marketing.promotion_terms.field_labels.name": ("名称", "name"),
    "label.marketing.promotion_terms.field_labels.kind": ("类型", "kind"),
    "label.marketing.promotion_terms.field_labels.starts_at": ("开始时间", "start"),
    "label.marketing.promotion_terms.field_labels.ends_at": ("结束时间", "end"),
    "label.marketing.promotion_terms.field_labels.percent_off": ("折扣百分比", "percent off"),
    "label.marketing.promotion_terms.field_labels.amount_off_cents": ("优惠金额", "amount off"),
    "label.marketing.promotion_terms.field_labels.threshold_cents": ("门槛金额", "threshold"),
    "label.marketing.promotion_terms.field_labels.budget_cents": ("预算", "budget"),
    "label.marketing.promotion_terms.field_labels.campaign": ("大促", "campaign"),
    "error.marketing.promotion_terms.enter_promotion_name": (
        "请填写活动名称",
        "Enter the promotion's name",
    ),
    "error.marketing.promotion_terms.unknown_kind_promotion": (
        "活动类型不正确",
        "Unknown kind of promotion",
    ),
    "error.marketing.promotion_terms.amount_off_must_below_threshold": (
        "优惠金额须低于门槛金额（{threshold} 元）",
        "The amount off must be below the threshold ({threshold})",
    ),
    "error.marketing.promotion_terms.budget_must_0_more_none": (
        "预算须为 0 或正数，或不设",
        "The budget must be 0 or more, or none",
    ),
    "error.marketing.promotion_terms.end_must_after_start": (
        "结束时间须晚于开始时间",
        "The end must be after the start",
    ),
    "error.marketing.promotion_terms.kind_promotion_has_no": (
        "此类活动不使用{zh}",
        "This kind of promotion has no {en}",
    ),
    "error.marketing.promotion_terms.enter": ("请填写{zh}", "Enter the {en}"),
    "error.marketing.promotion_terms.not_valid": ("{zh}格式不正确", "The {en} is not valid"),
    "error.marketing.promotion_terms.percent_off_must_whole_number": (
        "折扣百分比须为 1–90 的整数",
        "Percent off must be a whole number 1–90",
    ),
    "error.marketing.promotion_terms.must_greater_than_0": (
        "{zh}须大于 0",
        "The {en} must be greater than 0",
    ),
    "error.merchants.onboarding.application_does_not_exist": (
        "入驻申请 #{application_id} 不存在",
        "Application #{application_id} does not exist",
    ),
    "label.merchants.onboarding.status_words.pending": ("待审核", "pending"),
    "label.merchants.onboarding.status_words.needs_info": ("待补充资料", "needs info"),
    "label.merchants.onboarding.status_words.approved": ("已通过", "approved"),
    "label.merchants.onboarding.status_words.rejected": ("已驳回", "rejected"),
    "error.merchants.onboarding.already_decided_application_at_now": (
        "此申请已由 {who} 于 {at} 处理，当前状态为{zh}",
        "{who} already decided this application at {at}; it is now {en}",
    ),
    "error.merchants.onboarding.unknown_decision": (
        "未知的审核决定：{decision}",
        "Unknown decision: {decision}",
    ),
    "error.merchants.onboarding.application_cannot_become": (
        "申请状态为{seen_zh}，不能改为{target_zh}",
        "An application that is {seen_en} cannot become {target_en}",
    ),
    "error.merchants.onboarding.write_note_applicant": (
        "请填写给申请人的说明",
        "Write a note to the applicant",
    ),
    "error.merchants.onboarding.application_has_changed_now_refresh": (
        "此申请已被更改，当前状态为{zh}，请刷新后重试",
        "This application has changed: it is now {en}. Refresh and try again",
    ),
    "error.merchants.onboarding.shop_name_may_not_blank": (
        "店铺名称不能为空",
        "The shop name may not be blank",
    ),
    "error.catalog.products.operators_can_only_ban_product": (
        "运营只能违规下架商品或解除违规（解除后为已下架）",
        "Operators can only ban a product or lift a ban (it then stays off shelf)",
    ),
    "error.catalog.products.price_must_above_0_at": (
        "价格须大于 0 且不超过 {MAX_PRICE_CENTS} 元",
        "The price must be above 0 and at most {MAX_PRICE_CENTS}",
    ),
    "error.catalog.products.stock_must_whole_number_0": (
        "库存须为 0 或正整数",
        "Stock must be a whole number, 0 or more",
    ),
    "error.catalog.products.unknown_status": ("状态不正确", "Unknown status"),
    "error.catalog.products.reason_may_not_exceed_characters": (
        "原因不能超过 {MAX_REASON} 个字",
        "The reason may not exceed {MAX_REASON} characters",
    ),
    "error.catalog.finance_does_not_edit_products": (
        "财务不能修改商品",
        "Finance does not edit products",
    ),
    "error.catalog.products.operators_do_not_change_prices": (
        "运营不修改商品的价格或库存",
        "Operators do not change prices or stock",
    ),
    "error.catalog.products.price_cannot_lowered_by_100": (
        "降价不能达到 100%",
        "A price cannot be lowered by 100 % or more",
    ),
    "error.catalog.products.only_operators_can_ban_product": (
        "只有平台运营可以违规下架商品",
        "Only operators can ban a product",
    ),
    "error.catalog.products.product_was_banned_by_platform": (
        "该商品已被平台违规下架（原因：{why}），不能上架或解除，请联系平台运营",
        "This product was banned by the platform (reason: {why}); it cannot be put "
        "on sale or unbanned. Contact the platform's operators.",
    ),
    "error.catalog.products.give_reason_ban": ("违规下架须填写原因", "Give a reason for the ban"),
    "error.catalog.products.same_product_appears_more_than": (
        "同一商品出现了多次",
        "The same product appears more than once",
    ),
    "error.catalog.products.product_not_found": ("找不到该商品", "Product not found"),
    "error.merchants.vendors.shop_does_not_exist": (
        "店铺 #{vendor_id} 不存在",
        "Shop #{vendor_id} does not exist",
    ),
    "label.merchants.vendors.status_words.active": ("营业中", "active"),
    "label.merchants.vendors.status_words.suspended": ("已暂停", "suspended"),
    "label.merchants.vendors.status_words.closed": ("已关店", "closed"),
    "error.merchants.vendors.changed_shop_at_now": (
        "{actor} 已于 {at} 更改了店铺状态，当前为{zh}",
        "{actor} changed this shop at {at}; it is now {en}",
    ),
    "error.merchants.vendors.shop_now_refresh_try_again": (
        "店铺状态已变为{zh}，请刷新后重试",
        "The shop is now {en}. Refresh and try again",
    ),
    "error.merchants.vendors.unknown_shop_status": (
        "未知的店铺状态：{status}",
        "Unknown shop status: {status}",
    ),
    "error.merchants.vendors.shop_cannot_become": (
        "店铺状态为{seen_zh}，不能改为{zh}",
        "A shop that is {seen_en} cannot become {en}",
    ),
    "error.merchants.vendors.give_reason": ("请填写原因", "Give a reason"),
    "error.merchants.vendors.closed_shop_cannot_reopened": (
        "已关店的店铺不能重新开启",
        "A closed shop cannot be reopened",
    ),
    "error.catalog.product_edits.saved_nothing_was_saved": (
        "{count} 行不能保存，本次未保存任何修改",
        "{count} {rows_cannot} be saved; nothing was saved",
    ),
    "error.finance.lines.gross_cents": ("成交额", "Gross (GMV)"),
    "error.finance.lines.platform_subsidy_cents": ("平台补贴", "Platform subsidy"),
    "error.finance.lines.commission_cents": ("佣金", "Commission"),
    "error.finance.lines.payment_fee_cents": ("支付手续费", "Payment fee"),
    "error.finance.lines.refund_cents": ("退款金额", "Refunded"),
    "error.finance.lines.commission_refund_cents": ("佣金退回", "Commission returned"),
    "error.finance.lines.adjustment_cents": ("调整金额", "Adjustment"),
    "error.finance.lines.net_cents": ("应结金额", "Net payable"),
    "error.core.money.not_valid_amount_at_most": (
        "“{raw}” 不是有效金额（最多两位小数）",
        "“{raw}” is not a valid amount (at most two decimals)",
    ),
    "error.core.money.amount_may_not_exceed": (
        "金额不能超过 {max_cents}",
        "The amount may not exceed {max_cents}",
    ),
    "error.core.db.cannot_reach_database": (
        "无法连接数据库（{url}）：{exc}",
        "Cannot reach the database ({url}): {exc}",
    ),
    "error.core.settings.database_url_must_postgresql_sqlite": (
        "{name} 须为 postgresql://… 或 sqlite:///…",
        "{name} must be postgresql://… or sqlite:///…",
    ),
    "error.core.settings.read_replica_needs_postgresql": (
        "READ_DATABASE_URL（只读副本）要求 DATABASE_URL 和它都是 PostgreSQL。",
        "READ_DATABASE_URL (a read replica) needs PostgreSQL for both it and DATABASE_URL.",
    ),
    "error.core.settings.unsupported_currency": (
        "不支持的币种：{currency}",
        "Unsupported currency: {currency}",
    ),
    "error.core.settings.review_deadline_days_must_whole": (
        "审核时限须为正整数天",
        "REVIEW_DEADLINE_DAYS must be a whole number ≥ 1",
    ),
    "error.core.settings.unknown_timezone": (
        "未知时区：{timezone}",
        "Unknown timezone: {timezone}",
    ),
    "error.orders.search.member_id_positive_whole_number": (
        "会员 ID 须为正整数",
        "A member id is a positive whole number",
    ),
    "error.orders.search.last_day_cannot_before_first": (
        "结束日期不能早于开始日期",
        "The last day cannot be before the first day",
    ),
    "error.sales.leaderboard.operators_only": (
        "商家排行仅对运营开放",
        "The vendor leaderboard is for operators only",
    ),
    "error.core.actors.your_role_may_not_do": (
        "您的角色无权执行此操作",
        "Your role may not do this",
    ),
    # --- database trouble and the query time limit (queries.core.db, issue 28) ---
    "error.core.db.unavailable": (
        "数据库暂时无法访问。请稍后重试：数据库恢复后控制台会自动重新连接。",
        "The database is unavailable right now. Retry in a moment: the console "
        "reconnects by itself once the database answers again.",
    ),
    "error.core.db.busy": (
        "数据库正忙（另一个程序正在写入），请稍后重试。",
        "The database is busy (another program is writing to it). Retry in a moment.",
    ),
    "error.core.db.no_database_file": (
        "{path} 处没有数据库文件（请检查 DATABASE_URL）。未创建任何文件。",
        "There is no database file at {path} (check DATABASE_URL). Nothing was created.",
    ),
    "error.core.db.not_a_database": (
        "{path} 不是 SQLite 数据库文件（请检查 DATABASE_URL）。",
        "{path} is not a SQLite database (check DATABASE_URL).",
    ),
    "error.core.db.timeout": (
        "查询耗时过长（超过 {seconds} 秒），已停止，未做任何改动。"
        "请缩短时间段（或收窄筛选条件）后重试。",
        "This took too long (more than {seconds} s) and was stopped; nothing was changed. "
        "Narrow the period (or the filters) and try again.",
    ),
    # --- issue 28: one validator for text, dates and numbers (queries.core.validation) ---
    "error.core.text.enter": ("请填写{label_zh}", "Enter the {label_en}"),
    "error.core.text.not_text": ("{label_zh}须为文字", "The {label_en} must be text"),
    "error.core.text.too_long": (
        "{label_zh}不能超过 {limit} 个字（现为 {length} 个字）",
        "The {label_en} may not exceed {limit} characters (it has {length})",
    ),
    "error.core.text.controls": (
        "{label_zh}含有不可见的控制字符（如 NUL、退格、换行或制表符），请删除后再试",
        "The {label_en} contains control characters (such as NUL, a backspace, a line "
        "break or a tab); remove them and try again",
    ),
    "error.core.text.controls_multiline": (
        "{label_zh}含有不可见的控制字符（如 NUL 或退格；换行和制表符可以保留），请删除后再试",
        "The {label_en} contains control characters (such as NUL or a backspace; line "
        "breaks and tabs may stay); remove them and try again",
    ),
    "error.core.text.bidi": (
        "{label_zh}含有改变文字方向的控制字符（如“从右到左覆盖”），显示出来会与实际内容不同，"
        "请删除后再试",
        "The {label_en} contains text-direction controls (such as a right-to-left "
        "override), which make it display differently from what it says; remove them",
    ),
    "error.core.number.digits": (
        "{label_zh}须为整数，只能包含数字 0–9（收到“{value}”）",
        "The {label_en} must be a whole number of digits 0–9 (got “{value}”)",
    ),
    "error.core.number.range": (
        "{label_zh}须在 {low} 到 {high} 之间（收到“{value}”）",
        "The {label_en} must be from {low} to {high} (got “{value}”)",
    ),
    "error.core.when.pick_day": ("请选择{label_zh}", "Pick the {label_en}"),
    "error.core.when.pick_time": ("请选择{label_zh}", "Pick the {label_en}"),
    "error.core.when.no_zone": (
        "{label_zh}缺少时区：请给出带时区的时间（如 2026-11-11T00:00+08:00）",
        "The {label_en} has no time zone: give a time with its zone "
        "(such as 2026-11-11T00:00+08:00)",
    ),
    "error.core.when.out_of_range": (
        "{label_zh}须在 2000 年至 2100 年之间（收到 {value}）",
        "The {label_en} must lie in the years 2000 to 2100 (got {value})",
    ),
    "error.core.when.not_a_day": (
        "{label_zh}须为 YYYY-MM-DD 格式的日期（收到“{value}”）",
        "The {label_en} must be a date YYYY-MM-DD (got “{value}”)",
    ),
    "error.core.when.not_a_month": (
        "{label_zh}须为 YYYY-MM 格式的月份（收到“{value}”）",
        "The {label_en} must be a month YYYY-MM (got “{value}”)",
    ),
    "error.marketing.promotion_edits.start_long_past": (
        "开始时间不能早于现在一天以上（{start}）：请选择今天或以后的日期",
        "The start may not lie more than a day in the past ({start}): pick today or a later day",
    ),
    "label.core.when.date": ("日期", "date"),
    "label.core.when.from": ("开始日期", "first day"),
    "label.core.when.to": ("结束日期（不含）", "end day (exclusive)"),
    "label.core.when.period": ("期间", "period"),
    "label.core.number.member_id": ("会员 ID", "member ID"),
    "label.core.number.seed": ("随机种子", "seed"),
    "label.core.text.promotion_name": ("活动名称", "promotion's name"),
    "label.core.text.cancel_reason": ("取消原因", "reason"),
    "label.core.text.ban_reason": ("下架原因", "reason"),
    "label.core.text.vendor_reason": ("原因", "reason"),
    "label.core.text.adjustment_note": ("调整说明", "note"),
    "label.core.text.payment_reference": ("转账流水号", "transfer's reference"),
    "label.core.text.review_note": ("给申请人的说明", "note"),
    "label.core.text.shop_name": ("店铺名称", "shop name"),
    # --- end of issue 28's validator block ---
    # --- issue 27: the rollup refresh ---
    "error.rollups.already_running": (
        "另一个汇总刷新正在运行，本次未做任何事。",
        "Another rollup refresh is already running; this one did nothing.",
    ),
    "error.rollups.not_migrated": (
        "控制台的数据表尚未创建或版本较旧：请先运行 python -m dashboard.migrate。",
        "The console's tables are missing or older than this version: run "
        "python -m dashboard.migrate first.",
    ),
    # --- end of issue 27's block ---
}


def text(key: str, **fmt: object) -> tuple[str, str]:
    """The (zh, en) pair of `key`, its `{name}` places filled from `fmt` (if any)."""
    zh, en = MESSAGES[key]
    if not fmt:
        return zh, en
    return zh.format(**fmt), en.format(**fmt)


def joined(
    pairs: Iterable[tuple[str, str]], separator: str = "label.list_separator"
) -> tuple[str, str]:
    """(zh, en) pairs joined into one pair, by the separator pair keyed `separator`."""
    pairs = list(pairs)
    zh, en = MESSAGES[separator]
    return zh.join(p[0] for p in pairs), en.join(p[1] for p in pairs)


def listed(items: Iterable[str]) -> tuple[str, str]:
    """`items` joined the Chinese way (、) and the English way (, ), as a (zh, en) pair."""
    return joined((item, item) for item in items)
