"""Strings of the Supplier onboarding page (供应商入驻)."""

STRINGS: dict[str, tuple[str, str]] = {
    "onboarding.intro": (
        "审核供应商的入驻申请：通过后即开通店铺，也可要求补充资料或驳回。",
        "Review suppliers' applications: approving opens their shop; you can also ask for "
        "more information or reject.",
    ),
    "onboarding.by_status": ("按状态查看申请", "Applications by status"),
    "onboarding.tab": ("{status}（{count}）", "{status} ({count})"),
    "onboarding.category": ("类目", "Category"),
    "onboarding.any_category": ("全部类目", "All categories"),
    "onboarding.region": ("地区", "Region"),
    "onboarding.any_region": ("全部地区", "All regions"),
    "onboarding.use_dates": ("按提交日期筛选", "Filter by submission date"),
    "onboarding.dates": ("提交日期（首日–末日）", "Submitted (first–last day)"),
    "onboarding.bad_dates": ("请选择开始和结束日期", "Pick a first and a last day"),
    "onboarding.search": ("搜索公司名称或营业执照号", "Search company name or licence no."),
    "onboarding.apply": ("查询", "Search"),
    "onboarding.empty": ("没有符合条件的申请。", "No application matches."),
    "onboarding.empty_status": ("当前没有“{status}”的申请。", "No application is “{status}” now."),
    "onboarding.overdue_count": (
        "超过 {days} 天审核时限的申请：{count} 个（标红显示）。",
        "Past the {days}-day review deadline: {count} (highlighted in red).",
    ),
    "onboarding.limited": (
        "仅显示最早的 {count} 个申请，请缩小筛选范围。",
        "Showing the oldest {count} applications only; narrow the filters.",
    ),
    "onboarding.col.id": ("申请编号", "Application"),
    "onboarding.col.company": ("公司名称", "Company"),
    "onboarding.col.licence": ("营业执照号", "Licence no."),
    "onboarding.col.category": ("主营类目", "Category"),
    "onboarding.col.region": ("地区", "Region"),
    "onboarding.col.submitted": ("提交时间", "Submitted"),
    "onboarding.col.status": ("状态", "Status"),
    "onboarding.col.waited": ("等待时长", "Waited"),
    "onboarding.col.waited_days": ("等待天数", "Days waited"),
    "onboarding.col.overdue": ("超时", "Overdue"),
    "onboarding.col.reviewed_by": ("审核人", "Reviewed by"),
    "onboarding.col.reviewed_at": ("审核时间", "Reviewed at"),
    "onboarding.col.note": ("审核说明", "Note to applicant"),
    "onboarding.col.contact": ("联系人", "Contact"),
    "onboarding.col.email": ("联系邮箱", "Contact email"),
    "onboarding.col.phone": ("联系电话", "Contact phone"),
    "onboarding.col.shop": ("店铺", "Shop"),
    "onboarding.overdue_yes": ("已超时", "Overdue"),
    "onboarding.waited_hours": ("{hours} 小时", "{hours} h"),
    "onboarding.waited_days": ("{days} 天", "{days} days"),
    "onboarding.file_name": ("入驻申请", "applications"),
    "onboarding.open": ("查看申请", "Open an application"),
    "onboarding.open_placeholder": ("选择一个申请…", "Pick an application…"),
    "onboarding.detail": ("申请 #{id}：{company}", "Application #{id}: {company}"),
    "onboarding.checks": ("审核辅助检查", "Checks"),
    "onboarding.licence_ok": (
        "营业执照号 {number} 格式与校验位正确（统一社会信用代码，GB 32100-2015）。",
        "Licence no. {number}: format and check digit are valid (unified social credit "
        "code, GB 32100-2015).",
    ),
    "onboarding.licence.length": (
        "营业执照号 {number} 长度不对：统一社会信用代码应为 18 位。",
        "Licence no. {number} has the wrong length: a unified social credit code has 18 "
        "characters.",
    ),
    "onboarding.licence.format": (
        "营业执照号 {number} 含有不允许的字符（不使用 I、O、Z、S、V）。",
        "Licence no. {number} holds characters a credit code never uses (no I, O, Z, S, V).",
    ),
    "onboarding.licence.checksum": (
        "营业执照号 {number} 校验位不正确，可能填写有误。",
        "Licence no. {number} has a wrong check digit: it is probably mistyped.",
    ),
    "onboarding.no_duplicates": (
        "没有其他申请或店铺使用相同的营业执照号或公司名称。",
        "No other application or shop has the same licence no. or company name.",
    ),
    "onboarding.duplicates": (
        "发现 {count} 条可能重复：相同的营业执照号或公司名称。",
        "{count} possible duplicates: the same licence no. or company name.",
    ),
    "onboarding.duplicates.one": (
        "发现 1 条可能重复：相同的营业执照号或公司名称。",
        "1 possible duplicate: the same licence no. or company name.",
    ),
    "onboarding.dup.kind": ("类型", "Kind"),
    "onboarding.dup.kind.application": ("入驻申请", "Application"),
    "onboarding.dup.kind.shop": ("店铺", "Shop"),
    "onboarding.dup.id": ("编号", "ID"),
    "onboarding.dup.name": ("名称", "Name"),
    "onboarding.dup.status": ("状态", "Status"),
    "onboarding.dup.matched": ("相同项", "Same"),
    "onboarding.dup.matched.licence": ("营业执照号", "Licence no."),
    "onboarding.dup.matched.name": ("公司名称", "Company name"),
    "onboarding.history": ("审核记录", "Decision history"),
    "onboarding.no_history": ("尚无审核记录。", "No decisions yet."),
    "onboarding.hist.at": ("时间", "When"),
    "onboarding.hist.actor": ("操作人", "Who"),
    "onboarding.hist.action": ("操作", "Action"),
    "onboarding.hist.reason": ("说明", "Note"),
    "onboarding.action.application.approve": ("通过", "Approved"),
    "onboarding.action.application.needs_info": ("要求补充资料", "Asked for information"),
    "onboarding.action.application.request_info": ("要求补充资料", "Asked for information"),
    "onboarding.action.application.reject": ("驳回", "Rejected"),
    "onboarding.decide": ("审核决定", "Decision"),
    "onboarding.final": (
        "此申请已{status}，审核结果不可更改。",
        "This application is {status}; the decision is final.",
    ),
    "onboarding.decision": ("决定", "Decision"),
    "onboarding.decision.approve": ("通过并开通店铺", "Approve and open the shop"),
    "onboarding.decision.needs_info": ("要求补充资料", "Ask for more information"),
    "onboarding.decision.reject": ("驳回", "Reject"),
    "onboarding.shop_name": ("店铺名称（通过时使用）", "Shop name (on approval)"),
    "onboarding.create_account": ("同时为店铺创建登录账号", "Also create the shop's login account"),
    "onboarding.username": ("账号用户名", "Account username"),
    "onboarding.username_help": (
        "3–32 位小写字母、数字、点、下划线或连字符",
        "3–32 lower-case letters, digits, dots, underscores or hyphens",
    ),
    "onboarding.template": (
        "原因模板（补充资料或驳回时）",
        "Reason template (needs info / reject)",
    ),
    "onboarding.template_mismatch": (
        "所选原因模板属于另一种决定，请重新选择。",
        "The reason template belongs to another decision; pick another.",
    ),
    "onboarding.no_template": ("不使用模板", "No template"),
    "onboarding.note": ("给申请人的说明", "Note to the applicant"),
    "onboarding.note_help": (
        "要求补充资料和驳回时必填，申请人会看到。",
        "Required to ask for information or to reject; the applicant reads it.",
    ),
    "onboarding.submit": ("提交决定", "Submit decision"),
    "onboarding.done.approve": (
        "已通过申请 #{id}，店铺 #{vendor_id}「{name}」已开通。",
        "Application #{id} approved: shop #{vendor_id} “{name}” is open.",
    ),
    "onboarding.done.needs_info": (
        "已要求申请 #{id} 补充资料。",
        "Asked application #{id} for more information.",
    ),
    "onboarding.done.reject": ("已驳回申请 #{id}。", "Application #{id} rejected."),
    "onboarding.account_created": (
        "已创建登录账号 {username}。一次性密码只显示这一次，请立即复制并安全地交给商家：",
        "Login account {username} created. Its one-time password is shown only this once; "
        "copy it now and hand it to the shop safely:",
    ),
    "onboarding.account_failed": (
        "店铺已开通，但登录账号未能创建：{reason} 请在命令行用 "
        "`python -m dashboard.accounts add` 创建。",
        "The shop is open, but its login account was not created: {reason} Create it with "
        "`python -m dashboard.accounts add`.",
    ),
    "onboarding.tpl.needs_info.licence_photo": (
        "营业执照照片不清晰，请重新上传清晰完整的照片。",
        "The licence photo is not legible; please upload a clear, complete photo.",
    ),
    "onboarding.tpl.needs_info.brand": (
        "请补充品牌授权书或商标注册证明。",
        "Please add the brand authorisation or trademark registration.",
    ),
    "onboarding.tpl.needs_info.contact": (
        "联系方式无法核实，请提供有效的联系电话和邮箱。",
        "We could not verify the contact details; please give a valid phone and email.",
    ),
    "onboarding.tpl.reject.category": (
        "申请的经营类目暂不符合平台招商要求。",
        "The category applied for does not meet the platform's current requirements.",
    ),
    "onboarding.tpl.reject.licence": (
        "营业执照信息无效或与公司名称不符。",
        "The business licence is invalid or does not match the company name.",
    ),
    "onboarding.tpl.reject.duplicate": (
        "该公司已有店铺或正在审核中的申请，请勿重复申请。",
        "This company already has a shop or an application in review; please do not apply twice.",
    ),
}
