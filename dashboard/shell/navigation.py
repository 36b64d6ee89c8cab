"""Who sees which page: one table, used to build `st.navigation` for the logged-in role.

Every page's URL is registered for every session, so a link always resolves: before
login it shows the login form and then opens the page; a page the role may not open
is a hidden placeholder that sends the user to Home with a sentence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACCESS", "PAGES", "SECTIONS", "PageSpec", "forbidden_for", "pages_for"]


@dataclass(frozen=True)
class PageSpec:
    """A page file, its title key and icon."""

    name: str
    icon: str

    @property
    def path(self) -> str:
        return f"dashboard/pages/{self.name}.py"

    @property
    def title_key(self) -> str:
        return f"page.{self.name}"


PAGES = {
    spec.name: spec
    for spec in (
        PageSpec("home", ":material/home:"),
        PageSpec("sales", ":material/monitoring:"),
        PageSpec("orders", ":material/receipt_long:"),
        PageSpec("members", ":material/group:"),
        PageSpec("campaigns", ":material/campaign:"),
        PageSpec("content", ":material/auto_stories:"),
        PageSpec("leaderboard", ":material/leaderboard:"),
        PageSpec("products", ":material/inventory_2:"),
        PageSpec("promotions", ":material/sell:"),
        PageSpec("statements", ":material/request_quote:"),
        PageSpec("settlements", ":material/account_balance:"),
        PageSpec("reconciliation", ":material/rule:"),
        PageSpec("onboarding", ":material/how_to_reg:"),
        PageSpec("merchants", ":material/storefront:"),
        PageSpec("audit", ":material/history:"),
        PageSpec("data_jobs", ":material/schedule:"),
        PageSpec("account", ":material/manage_accounts:"),
    )
}

# Which roles may open each page.
ACCESS: dict[str, tuple[str, ...]] = {
    "home": ("vendor", "operator", "finance"),
    "sales": ("vendor", "operator", "finance"),
    "orders": ("vendor", "operator", "finance"),
    "members": ("vendor", "operator"),
    "campaigns": ("vendor", "operator"),
    "content": ("vendor", "operator"),
    "leaderboard": ("operator",),
    "products": ("vendor", "operator"),
    "promotions": ("vendor", "operator"),
    "statements": ("vendor", "operator"),
    "settlements": ("finance",),
    "reconciliation": ("finance",),
    "onboarding": ("operator",),
    "merchants": ("operator",),
    "audit": ("vendor", "operator", "finance"),
    "data_jobs": ("operator",),
    "account": ("vendor", "operator", "finance"),
}

# The sidebar's sections per role, in order; every role ends with its own account.
ACCOUNT_SECTION = ("nav.section.account", ["account"])
SECTIONS: dict[str, list[tuple[str, list[str]]]] = {
    "vendor": [
        ("nav.section.shop", ["home", "sales", "orders", "members", "campaigns", "content"]),
        ("nav.section.manage", ["products", "promotions", "statements", "audit"]),
        ACCOUNT_SECTION,
    ],
    "operator": [
        (
            "nav.section.mall",
            ["home", "sales", "orders", "members", "campaigns", "content", "leaderboard"],
        ),
        (
            "nav.section.platform",
            [
                "onboarding",
                "merchants",
                "products",
                "promotions",
                "statements",
                "audit",
                "data_jobs",
            ],
        ),
        ACCOUNT_SECTION,
    ],
    "finance": [
        ("nav.section.mall", ["home", "sales", "orders"]),
        ("nav.section.finance", ["settlements", "reconciliation", "audit"]),
        ACCOUNT_SECTION,
    ],
}


def pages_for(role: str) -> list[tuple[str, list[PageSpec]]]:
    """The (section title key, pages) a role sees, checked against ACCESS."""
    sections = []
    for title_key, names in SECTIONS[role]:
        specs = [PAGES[name] for name in names if role in ACCESS[name]]
        sections.append((title_key, specs))
    return sections


def forbidden_for(role: str) -> list[PageSpec]:
    """The pages a role may not open (registered hidden, to say so instead of "not found")."""
    return [spec for name, spec in PAGES.items() if role not in ACCESS[name]]
