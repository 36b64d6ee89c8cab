"""The console's database role (`deploy/grants.sql`): what `mallboard_app` may and may not do.

PostgreSQL only (the role and its grants are PostgreSQL's); never skipped under
`CI=true` (`db_factory` fails the run when the server is missing). Each test makes a
fresh contract database, runs the script with `psql -f` as the administrator, as the
README's order says, then acts as `mallboard_app`: reads work, the contract's writes
work on exactly their columns, everything else is refused by the database itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from queries.console.migrate import head_revision, upgrade
from queries.console.tables import SCHEMA
from queries.core import schema as s
from queries.core.db import connect_engine
from tests.app_role import APP_ROLE, GRANTS, app_url, run_grants
from tests.apptest import AppSession
from tests.builders import Item, MallBuilder

NOW = datetime.now(UTC).replace(microsecond=0)

# What the contract lets the console write ("What the dashboard writes") and the
# columns its writes set (queries/**): the script must grant these and no more.
UPDATABLE = {
    "products": {"price_cents", "stock", "status", "updated_at", "version"},
    "promotions": {
        "campaign",
        "name",
        "kind",
        "threshold_cents",
        "percent_off",
        "amount_off_cents",
        "budget_cents",
        "starts_at",
        "ends_at",
        "status",
        "updated_at",
        "version",
    },
    "supplier_applications": {"status", "reviewed_by", "reviewed_at", "review_note", "vendor_id"},
    "vendors": {"status"},
    "settlements": {
        "adjustment_cents",
        "adjustment_note",
        "net_cents",
        "status",
        "confirmed_at",
        "paid_at",
        "payment_reference",
        "version",
    },
}
# Inserted rows: every column but the key, which the identity gives.
INSERTABLE = {
    name: {c.name for c in s.metadata.tables[name].columns} - {key}
    for name, key in (
        ("promotions", "promotion_id"),
        ("vendors", "vendor_id"),
        ("settlements", "settlement_id"),
        ("audit_log", "audit_id"),
    )
}
# Settlements never get a note or a payment reference when issued: those come later.
INSERTABLE["settlements"] -= {"adjustment_note", "payment_reference", "confirmed_at", "paid_at"}


@pytest.fixture
def mall(db_factory):
    """A fresh contract database with a shop, a product, an order and a draft statement;
    deploy/grants.sql run on it (as the administrator). Yields (admin engine, app engine, ids)."""
    admin = db_factory.engine("postgresql")
    with admin.begin() as conn:
        b = MallBuilder(conn)
        cat = b.category()
        shop = b.vendor("Alpha")
        other = b.vendor("Beta")
        member = b.member()
        product = b.product(shop, cat, "Lipstick")
        other_product = b.product(other, cat, "Tee")
        order = b.order(
            shop, member, [Item(product, 1, 10000)], paid_at=NOW - timedelta(days=3)
        ).order_id
        settlement = conn.execute(
            s.settlements.insert().values(
                vendor_id=shop,
                period_start=date(2026, 10, 1),
                period_end=date(2026, 11, 1),
                gross_cents=0,
                platform_subsidy_cents=0,
                commission_cents=0,
                payment_fee_cents=0,
                refund_cents=0,
                commission_refund_cents=0,
                adjustment_cents=0,
                net_cents=0,
                status="draft",
                created_at=NOW,
                version=1,
            )
        ).inserted_primary_key[0]
    run_grants(admin.url)
    app = connect_engine(app_url(admin.url), check=False)
    ids = {
        "shop": shop,
        "other": other,
        "product": product,
        "other_product": other_product,
        "order": order,
        "settlement": settlement,
    }
    yield admin, app, ids
    app.dispose()
    db_factory.drop(admin)


def refused(app: sa.Engine, sql: str, **params) -> str:
    """Run `sql` as the app role; the database's refusal (the test fails if it is allowed)."""
    with pytest.raises(ProgrammingError) as caught, app.begin() as conn:
        conn.execute(sa.text(sql), params)
    return str(caught.value.orig)


def allowed(app: sa.Engine, sql: str, **params) -> int:
    """Run `sql` as the app role and commit; the number of rows it touched."""
    with app.begin() as conn:
        return conn.execute(sa.text(sql), params).rowcount


def test_the_script_runs_twice_and_the_role_is_a_plain_login(mall):
    admin, app, _ = mall
    run_grants(admin.url)  # a second time, with the role and every grant already there
    done = run_grants(admin.url)
    assert "ERROR" not in done.stderr
    with admin.connect() as conn:
        role = conn.execute(
            sa.text(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication,"
                " rolbypassrls FROM pg_roles WHERE rolname = :r"
            ),
            {"r": APP_ROLE},
        ).one()
        owner = conn.execute(
            sa.text("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = :n"),
            {"n": SCHEMA},
        ).scalar_one()
    assert tuple(role) == (True, False, False, False, False, False)
    assert owner == APP_ROLE
    with app.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar_one() == APP_ROLE


def test_the_script_needs_no_psql_variables_and_names_no_database():
    sql = GRANTS.read_text(encoding="utf-8")
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    assert not [line for line in lines if line.lstrip().startswith("\\")]  # no meta-commands
    assert not [line for line in lines if ":'" in line or ':"' in line]  # no :'var' / :"var"
    assert "current_database()" in sql and "PASSWORD" not in "\n".join(lines)


def test_reads_every_contract_table(mall):
    _, app, ids = mall
    with app.connect() as conn:
        for table in s.metadata.sorted_tables:
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        paid = conn.execute(
            sa.select(s.orders.c.paid_cents).where(s.orders.c.order_id == ids["order"])
        ).scalar_one()
    assert paid == 10000


def test_cannot_change_orders_or_the_audit_trail(mall):
    admin, app, ids = mall
    assert allowed(
        app,
        "INSERT INTO audit_log (at, actor, role, action, entity, entity_id)"
        " VALUES (now(), 'ops', 'operator', 'test', 'test', '1')",
    )
    message = refused(
        app, "UPDATE orders SET status = 'cancelled' WHERE order_id = :o", o=ids["order"]
    )
    assert "permission denied for table orders" in message
    assert "permission denied" in refused(app, "DELETE FROM orders")
    assert "permission denied" in refused(app, "INSERT INTO orders (order_no) VALUES ('x')")
    assert "permission denied for table audit_log" in refused(app, "DELETE FROM audit_log")
    assert "permission denied for table audit_log" in refused(
        app, "UPDATE audit_log SET actor = 'x'"
    )
    assert "permission denied" in refused(app, "TRUNCATE audit_log")
    # Giving an audit row a key of its own choosing is not allowed either: the identity does.
    assert "permission denied" in refused(
        app,
        "INSERT INTO audit_log (audit_id, at, actor, role, action, entity, entity_id)"
        " VALUES (999, now(), 'ops', 'operator', 'test', 'test', '1')",
    )
    with admin.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT status FROM orders")).scalar_one() == "paid"


def test_cannot_create_anything_in_the_contracts_schema(mall):
    _, app, _ = mall
    assert "permission denied for schema public" in refused(app, "CREATE TABLE public.x (a int)")
    assert "permission denied for schema public" in refused(app, "CREATE TABLE x (a int)")
    assert "permission denied" in refused(app, "CREATE SCHEMA elsewhere")
    assert "must be owner" in refused(app, "ALTER TABLE orders ADD COLUMN x int")
    assert "must be owner" in refused(app, "DROP TABLE audit_log")


def test_writes_only_the_columns_the_contract_allows(mall):
    _, app, ids = mall
    product, settlement = ids["product"], ids["settlement"]
    assert allowed(app, "UPDATE products SET price_cents = 12990 WHERE product_id = :p", p=product)
    assert "permission denied for table products" in refused(
        app, "UPDATE products SET vendor_id = :v WHERE product_id = :p", v=ids["other"], p=product
    )
    assert "permission denied" in refused(app, "UPDATE products SET name = 'x'")
    assert "permission denied" in refused(app, "DELETE FROM products")
    assert "permission denied" in refused(
        app, "INSERT INTO products (vendor_id) VALUES (:v)", v=ids["shop"]
    )
    assert "permission denied" in refused(app, "UPDATE vendors SET name = 'x'")
    assert "permission denied" in refused(app, "UPDATE promotions SET vendor_id = 1")
    assert "permission denied" in refused(app, "UPDATE promotions SET funded_by = 'platform'")
    assert "permission denied" in refused(
        app, "UPDATE supplier_applications SET company_name = 'x'"
    )
    assert "permission denied" in refused(app, "UPDATE settlements SET gross_cents = 1")
    assert "permission denied" in refused(app, "UPDATE settlements SET vendor_id = 1")
    assert "permission denied" in refused(
        app, "INSERT INTO coupons (promotion_id, member_id, issued_at) VALUES (1, 1, now())"
    )
    assert allowed(app, "DELETE FROM settlements WHERE settlement_id = :s", s=settlement) == 1


def test_the_column_grants_are_exactly_the_contracts(mall):
    admin, _, _ = mall
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_name, column_name, privilege_type"
                " FROM information_schema.column_privileges"
                " WHERE grantee = :r AND table_schema = 'public'"
                " AND privilege_type IN ('INSERT', 'UPDATE')"
            ),
            {"r": APP_ROLE},
        ).all()
        tables = conn.execute(
            sa.text(
                "SELECT table_name, privilege_type FROM information_schema.table_privileges"
                " WHERE grantee = :r AND table_schema = 'public'"
            ),
            {"r": APP_ROLE},
        ).all()
    granted: dict[str, dict[str, set[str]]] = {"INSERT": {}, "UPDATE": {}}
    for table, column, privilege in rows:
        granted[privilege].setdefault(table, set()).add(column)
    assert granted["UPDATE"] == UPDATABLE
    assert granted["INSERT"] == INSERTABLE
    whole = {(t, p) for t, p in tables if p != "SELECT"}
    assert whole == {("settlements", "DELETE")}  # no table-wide INSERT, UPDATE or TRUNCATE
    assert {t for t, p in tables if p == "SELECT"} == set(s.metadata.tables)


def test_nothing_of_the_platforms_own_beyond_the_contract(db_factory):
    """A table of the platform's that is not in the contract stays closed to the console."""
    admin = db_factory.engine("postgresql")
    with admin.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE public.platform_users (login text, hash text)")
        conn.exec_driver_sql("INSERT INTO public.platform_users VALUES ('root', 'x')")
    run_grants(admin.url)
    app = connect_engine(app_url(admin.url), check=False)
    try:
        message = refused(app, "SELECT * FROM public.platform_users")
        assert "permission denied for table platform_users" in message
    finally:
        app.dispose()
        db_factory.drop(admin)


def test_migrations_run_as_the_role_and_it_owns_its_tables(mall):
    admin, app, _ = mall
    assert upgrade(app) == head_revision()
    assert upgrade(app) == head_revision()  # again: nothing to do
    with admin.connect() as conn:
        owners = conn.execute(
            sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = :n"),
            {"n": SCHEMA},
        ).scalars()
        assert set(owners) == {APP_ROLE}
        public = conn.execute(
            sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        ).scalar_one()
    assert public == len(s.metadata.tables)  # the migrations added nothing to the contract's


def test_a_database_migrated_earlier_by_the_administrator_is_handed_over(db_factory):
    """Before grants.sql existed the console was migrated as an administrator: a run of the
    script gives its schema and tables to the role, which can then use and migrate them."""
    admin = db_factory.engine("postgresql")
    upgrade(admin)
    run_grants(admin.url)
    app = connect_engine(app_url(admin.url), check=False)
    try:
        with admin.connect() as conn:
            owners = conn.execute(
                sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = :n"),
                {"n": SCHEMA},
            ).scalars()
            assert set(owners) == {APP_ROLE}
        assert upgrade(app) == head_revision()
        assert allowed(app, f"DELETE FROM {SCHEMA}.mallboard_sessions") == 0
    finally:
        app.dispose()
        db_factory.drop(admin)


def test_an_operators_ban_on_the_page_runs_as_the_role(mall, tmp_path):
    """The real app, on its Products page, as `mallboard_app`: the operator's ban is
    written with its audit row (the grants cover what the console writes)."""
    admin, _, ids = mall
    session = AppSession(admin.url, tmp_path)
    assert sa.make_url(session.app_url).username == APP_ROLE
    session.add("ops", role="operator")
    at = session.open("products", as_user="ops")
    assert not at.exception
    at.selectbox(key="products_ban_pick").set_value(ids["other_product"]).run()
    at.text_area[0].set_value("counterfeit")
    next(b for b in at.button if b.label == "Ban product").click().run()
    assert not at.exception
    with admin.connect() as conn:
        status = conn.execute(
            sa.select(s.products.c.status).where(s.products.c.product_id == ids["other_product"])
        ).scalar_one()
        audit = conn.execute(sa.select(s.audit_log.c.action, s.audit_log.c.actor)).all()
        # The app's own connection was the role's (it is still pooled or was just used).
        users = conn.execute(
            sa.text(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()"
            )
        ).scalars()
        seen = set(users)
    assert status == "banned"
    assert [tuple(a) for a in audit] == [("product.ban", "ops")]
    assert APP_ROLE in seen
