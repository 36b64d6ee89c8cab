"""Strings of My account (我的账号), the Merchants page's shop logins, and the audit words
of accounts and logins."""

STRINGS: dict[str, tuple[str, str]] = {
    "nav.section.account": ("账号", "Account"),
    "page.account": ("我的账号", "My account"),
    "account.signed_in": (
        "登录账号：{username}（{role}）",
        "Logged in as {username} ({role})",
    ),
    # Change password.
    "account.password.heading": ("修改密码", "Change password"),
    "account.password.current": ("当前密码", "Current password"),
    "account.password.new": ("新密码", "New password"),
    "account.password.again": ("再次输入新密码", "New password again"),
    "account.password.help": (
        "至少 {length} 个字符，不能是常见密码。"
        "修改后，您在其他浏览器中的登录会结束，这个浏览器保持登录。",
        "At least {length} characters, not a common password. Your sessions in other "
        "browsers end; this one stays logged in.",
    ),
    "account.password.submit": ("保存新密码", "Save the new password"),
    "account.password.differ": (
        "两次输入的新密码不一致，密码未修改。",
        "The two new passwords differ; the password was not changed.",
    ),
    "account.password.done": (
        "密码已修改。您在其他浏览器中的登录已结束。",
        "Your password is changed. Your sessions in other browsers have ended.",
    ),
    # Active sessions.
    "account.sessions.heading": ("登录中的浏览器", "Active sessions"),
    "account.sessions.total": ("共 {count} 个登录", "{count} active sessions"),
    "account.sessions.total.one": ("共 1 个登录", "1 active session"),
    "account.sessions.none": ("没有登录中的浏览器。", "No active sessions."),
    "account.sessions.col.this": ("当前", "Current"),
    "account.sessions.col.started": ("登录时间", "Started"),
    "account.sessions.col.last": ("最近活动", "Last active"),
    "account.sessions.col.address": ("地址", "Address"),
    "account.sessions.col.browser": ("浏览器", "Browser"),
    "account.sessions.this": ("本浏览器", "This browser"),
    # Log out everywhere.
    "account.everywhere.heading": ("在所有浏览器退出", "Log out everywhere"),
    "account.everywhere.help": (
        "结束本账号的全部登录（包括这个浏览器）。怀疑密码泄露时，请先修改密码。",
        "Ends every session of this account, this browser's included. If you think your "
        "password leaked, change it first.",
    ),
    "account.everywhere.check": ("确认在所有浏览器退出", "Yes, log out everywhere"),
    "account.everywhere.button": ("在所有浏览器退出", "Log out everywhere"),
    "account.everywhere.done": (
        "已在所有浏览器退出（结束了 {count} 个登录）。",
        "Logged out everywhere ({count} sessions ended).",
    ),
    "account.everywhere.done.one": (
        "已在所有浏览器退出（结束了 1 个登录）。",
        "Logged out everywhere (1 session ended).",
    ),
    # The Merchants page: one shop's logins.
    "shop_logins.heading": ("店铺登录账号", "The shop's logins"),
    "shop_logins.none": ("这家店铺没有登录账号。", "This shop has no logins."),
    "shop_logins.col.username": ("用户名", "Username"),
    "shop_logins.col.name": ("名称", "Name"),
    "shop_logins.col.status": ("状态", "Status"),
    "shop_logins.col.sessions": ("登录中", "Open sessions"),
    "shop_logins.status.active": ("正常", "Active"),
    "shop_logins.status.disabled": ("已停用", "Disabled"),
    "shop_logins.status.locked": ("锁定至 {until}", "Locked until {until}"),
    "shop_logins.status.one_time": ("一次性密码待修改", "One-time password pending"),
    "shop_logins.pick": ("选择登录账号", "Pick a login"),
    "shop_logins.reset.check": ("确认重置密码", "Yes, reset the password"),
    "shop_logins.reset.button": ("重置密码", "Reset password"),
    "shop_logins.reset.help": (
        "生成新的一次性密码：旧密码失效，该账号的登录全部结束，首次登录时必须修改。",
        "Makes a new one-time password: the old one stops working, the login's sessions "
        "end, and it must be changed at the next login.",
    ),
    "shop_logins.reset.done": (
        "已为 {username} 重置密码，其登录已全部结束。",
        "The password of {username} is reset; its sessions have ended.",
    ),
    "shop_logins.reset.password": (
        "新的一次性密码（只显示这一次，请告知店铺，首次登录时必须修改）：",
        "The new one-time password (shown only this once; pass it on to the shop, which "
        "must change it at the first login):",
    ),
    "shop_logins.disable.button": ("停用", "Disable"),
    "shop_logins.disable.done": (
        "已停用 {username}，其登录已全部结束。",
        "{username} is disabled; its sessions have ended.",
    ),
    "shop_logins.enable.button": ("启用", "Enable"),
    "shop_logins.enable.done": ("已启用 {username}。", "{username} is enabled again."),
    "shop_logins.unlock.button": ("解锁", "Unlock"),
    "shop_logins.unlock.done": ("已解锁 {username}。", "{username} is unlocked."),
    "shop_logins.unlock.not_locked": (
        "{username} 已不再锁定，未做任何改动。",
        "{username} is no longer locked; nothing was changed.",
    ),
    # Audit trail words of accounts and logins (`dashboard.ui.audit_words`).
    "role.visitor": ("访客", "Visitor"),
    "role.shell": ("命令行", "Command line"),
    "audit.act.account.create": ("创建账号", "Account created"),
    "audit.act.account.disable": ("停用账号", "Account disabled"),
    "audit.act.account.enable": ("启用账号", "Account enabled"),
    "audit.act.account.reset_password": ("重置密码", "Password reset"),
    "audit.act.account.change_password": ("修改密码", "Password changed"),
    "audit.act.account.unlock": ("解锁账号", "Account unlocked"),
    "audit.act.account.lock": ("账号被锁定", "Account locked"),
    "audit.act.account.login_failed": ("登录失败", "Login failed"),
    "audit.act.account.logout_everywhere": ("在所有浏览器退出", "Logged out everywhere"),
    "audit.act.address.lock": ("地址被锁定", "Address locked"),
    "audit.ent.account": ("账号", "Account"),
    "audit.ent.address": ("登录地址", "Address"),
    "audit.field.role": ("角色", "Role"),
    "audit.field.disabled": ("已停用", "Disabled"),
    "audit.field.one_time_password": ("一次性密码", "One-time password"),
    "audit.field.locked_until": ("锁定至", "Locked until"),
    "audit.field.sessions_ended": ("结束的登录", "Sessions ended"),
    "audit.field.client_address": ("地址", "Address"),
    "audit.reason.account.login_failed.wrong_password": (
        "用户名或密码不正确",
        "Wrong username or password",
    ),
    "audit.reason.account.login_failed.locked": ("账号或地址已锁定", "Locked"),
    "audit.reason.account.login_failed.disabled": ("账号已停用", "Account disabled"),
    "audit.yes": ("是", "yes"),
    "audit.no": ("否", "no"),
}
