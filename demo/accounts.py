"""The demo mall's logins: written only into a database the demo loader built.

The loader marks its database in the console's own tables (`mallboard_meta`);
nothing else makes a database the demo, so the README's published logins never
exist on a real mall.
"""

from __future__ import annotations

import sqlalchemy as sa

from demo.pick import demo_shops
from queries.console.accounts import account, insert_account, mark_demo_database
from queries.console.migrate import upgrade
from queries.console.passwords import hash_password
from queries.core.actors import System

__all__ = ["DEMO_ACCOUNTS", "prepare_demo_console"]

# Fixed, documented demo logins (README): demo databases only.
DEMO_ACCOUNTS = (
    ("shop_big", "vendor", "demo-shop-big", "big"),
    ("shop_small", "vendor", "demo-shop-small", "small"),
    ("operator", "operator", "demo-operator", None),
    ("finance", "finance", "demo-finance", None),
)
DEMO_LOADER = System("demo-loader", "shell")


def prepare_demo_console(engine: sa.Engine) -> list[tuple[str, str, str, int | None]]:
    """Migrate the console's tables, mark the demo, add the demo logins that are missing;
    return the (username, role, password, shop) of those added."""
    upgrade(engine)
    created = []
    with engine.begin() as conn:
        mark_demo_database(conn)
        shops = demo_shops(conn)
        for username, role, password, size in DEMO_ACCOUNTS:
            vendor_id = shops[size] if size else None
            if account(conn, username=username) is not None or (size and vendor_id is None):
                continue
            insert_account(
                conn,
                DEMO_LOADER,
                username=username,
                role=role,
                vendor_id=vendor_id,
                # Published in the README, so no rule could make them secret: they are
                # hashed as given (the password rules would refuse "demo-operator").
                password_hash=hash_password(password),
                name=username.replace("_", " ").title(),
            )
            created.append((username, role, password, vendor_id))
    return created
