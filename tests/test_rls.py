"""Row-level security (deploy/rls.sql): the database keeps a vendor in its shop too.

PostgreSQL only (SQLite has no row security; there `queries.core.rls` sends nothing).
A fresh contract database holds the two-shop mall of `test_vendor_isolation` (shop B's
things carry the `ZZOTHER` marker); deploy/grants.sql then deploy/rls.sql (twice: it is
idempotent) run on it as the administrator, as the README orders. The console's role
`mallboard_app` then sees, per transaction:

- no scope: no row of any contract table, and cannot write;
- vendor A: only A's rows, even for a query with its vendor filter removed, and even
  for the query layer's own reads handed shop B's id;
- staff: every row;

while the administrator and a platform role that is neither owner nor superuser see
every row as before. Finally the app itself runs as `mallboard_app` under RLS (AppTest)
and every page of a vendor, an operator and finance shows what it showed without RLS.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.shell.navigation import ACCESS
from queries.core import schema as s
from queries.core.actors import Scope
from queries.core.db import connect_engine
from queries.core.rls import STAFF, RowScope, current_scope, mall_wide, scope_of, use_scope
from tests.app_role import APP_ROLE, grant_app_role
from tests.test_vendor_isolation import (
    MINE,
    OTHER,
    _periods,
    _recent,
    _vendor_reads,
    build_two_shops,
    dump,
    other_markers,
)

# Pages whose text each login changes (the sessions listed, the login's audit rows).
CHANGES_WITH_EVERY_LOGIN = {"account", "audit"}
RLS_SQL = Path(__file__).resolve().parent.parent / "deploy" / "rls.sql"
PLATFORM_ROLE = "mallboard_test_platform_reader"  # the platform's own reporting user
VENDOR_TABLES = (
    "orders", "order_items", "payments", "refunds", "products", "promotions", "coupons",
    "settlements", "live_sessions", "audit_log", "vendors",
)  # fmt: skip
EVERY_TABLE = tuple(t.name for t in s.metadata.sorted_tables)
PAGES = {
    role: sorted(name for name, roles in ACCESS.items() if role in roles)
    for role in ("vendor", "operator", "finance")
}


def _libpq(url: str | sa.URL) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_rls(admin_url: str | sa.URL) -> subprocess.CompletedProcess:
    """`psql -f deploy/rls.sql` as the administrator, stopping at an error, or raise."""
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", _libpq(admin_url), "-f", str(RLS_SQL)],
        capture_output=True,
        text=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"deploy/rls.sql failed ({done.returncode}): {done.stderr.strip()}")
    return done


def _platform_reader(admin: sa.Engine) -> str:
    """A platform role of its own (not owner, not superuser) that may read every table."""
    with admin.begin() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(0x6D6272)))  # xdist workers
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": PLATFORM_ROLE}
        ).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {PLATFORM_ROLE} LOGIN")  # a constant name
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {PLATFORM_ROLE}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {PLATFORM_ROLE}")
    return admin.url.set(username=PLATFORM_ROLE).render_as_string(hide_password=False)


def _add_other_campaign_promotion(conn, vendor_b: int) -> None:
    """B's own promotion tagged with the platform's campaign, ending after the platform's:
    it stretches the campaign's window, which A's Campaigns page shows."""
    recent = _recent()
    conn.execute(
        s.promotions.insert().values(
            vendor_id=vendor_b, campaign="double11", name=f"{OTHER}-CAMPAIGN-PROMO",
            kind="amount_off", amount_off_cents=500, funded_by="vendor",
            starts_at=recent - timedelta(days=9), ends_at=recent + timedelta(days=9),
            status="published", created_at=recent, updated_at=recent, version=1,
        )
    )  # fmt: skip


@pytest.fixture(scope="module")
def pg_mall(db_factory):
    """The two-shop mall with grants (the app's role) but no RLS yet."""
    admin = db_factory.engine("postgresql")
    with admin.begin() as conn:
        ids = build_two_shops(conn)
        _add_other_campaign_promotion(conn, ids["b"])
    app_url = grant_app_role(admin.url)
    return admin, app_url, ids


def _normalized(text: str) -> str:
    """Page text without the clock (freshness captions say when the figures were read)
    and without the random ids of download buttons' files."""
    text = re.sub(r"\b\d{1,2}\\*:\d\d(\\*:\d\d)?\b", "hh:mm", text)
    return re.sub(r"\b[0-9a-f]{32}\b", "<file id>", text)


def _first_difference(was: str, now: str) -> list[str]:
    lines = difflib.unified_diff(was.splitlines(), now.splitlines(), lineterm="", n=1)
    return list(itertools.islice(lines, 12))


def _render_all(session, users: dict[str, str]) -> dict[tuple[str, str], str]:
    from tests.apptest import texts
    from tests.test_vendor_isolation import page_text

    shown = {}
    # The test's own login calls (AppSession.login_token) read shops' status as the
    # login form does: as staff. The app's script thread sets its own scope.
    with use_scope(STAFF):
        for role, user in users.items():
            for page in PAGES[role]:
                at = session.open(page, as_user=user)
                assert not at.exception, (role, page, at.exception)
                shown[(role, page)] = _normalized(texts(at) + "\n" + page_text(at))
    return shown


@pytest.fixture(scope="module")
def mall(pg_mall, tmp_path_factory):
    """`pg_mall` after every page was drawn without RLS, then with deploy/rls.sql (twice)."""
    from tests.apptest import AppSession

    admin, app_url, ids = pg_mall
    session = AppSession(admin.url, tmp_path_factory.mktemp("rls"))
    assert session.app_url == app_url  # the app logs in as mallboard_app
    users = {"vendor": "shop_a", "operator": "ops", "finance": "money"}
    session.add("shop_a", role="vendor", vendor_id=ids["a"])
    session.add("ops", role="operator")
    session.add("money", role="finance")
    before = _render_all(session, users)
    run_rls(admin.url)
    run_rls(admin.url)  # idempotent: a second run succeeds and changes nothing
    app = connect_engine(app_url)
    yield {
        "admin": admin, "app": app, "ids": ids, "session": session, "users": users,
        "before": before,
    }  # fmt: skip
    app.dispose()


def _count(engine: sa.Engine, table: str, scope: RowScope | None = None) -> int:
    with use_scope(scope or current_scope()), engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(s.metadata.tables[table])
        ).scalar()


def _vendor_ids(engine: sa.Engine, table: str, scope: RowScope) -> set:
    column = s.metadata.tables[table].c.vendor_id
    with use_scope(scope), engine.connect() as conn:
        return set(conn.execute(sa.select(column).distinct()).scalars())


# --- the policies, read straight as the app's role ------------------------------------------


def test_rls_is_on_every_contract_table_with_the_two_policies(mall):
    with mall["admin"].connect() as conn:
        enabled = dict(
            conn.execute(
                sa.text(
                    "SELECT relname, relrowsecurity FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE nspname = 'public' AND relname = ANY(:t)"
                ),
                {"t": list(EVERY_TABLE)},
            ).all()
        )
        policies = conn.execute(
            sa.text(
                "SELECT tablename, policyname, permissive, roles FROM pg_policies "
                "WHERE schemaname = 'public' ORDER BY 1, 2"
            )
        ).all()
    assert enabled == dict.fromkeys(EVERY_TABLE, True)
    assert len(policies) == 2 * len(EVERY_TABLE)  # the second run added none
    assert {(p.policyname, p.permissive, tuple(p.roles)) for p in policies} == {
        ("mallboard_app_scope", "RESTRICTIVE", (APP_ROLE,)),
        ("mallboard_others", "PERMISSIVE", ("public",)),
    }


def test_without_a_scope_the_app_sees_no_row(mall):
    """(a) A transaction that sets neither setting: nothing, in every contract table."""
    app = mall["app"]
    with use_scope(RowScope()):
        for table in EVERY_TABLE:
            assert _count(app, table) == 0, table
    # The setting left by an earlier transaction on the pooled connection does not linger.
    assert _count(app, "orders", STAFF) == 7
    assert _count(app, "orders", RowScope()) == 0


def test_a_vendor_query_without_its_filter_gets_only_the_vendors_rows(mall):
    """(b) As vendor A, `SELECT … FROM orders` (no WHERE at all) returns A's orders only."""
    app, ids = mall["app"], mall["ids"]
    a = RowScope.vendor(ids["a"])
    with use_scope(a), app.connect() as conn:
        numbers = set(conn.execute(sa.select(s.orders.c.order_no)).scalars())
        items = conn.execute(sa.select(s.order_items.c.order_id)).scalars().all()
        promotions = set(conn.execute(sa.select(s.promotions.c.name)).scalars())
        coupons = conn.execute(sa.select(sa.func.count()).select_from(s.coupons)).scalar()
        members = conn.execute(sa.select(sa.func.count()).select_from(s.members)).scalar()
    assert numbers == {f"{MINE}0001", f"{MINE}0002", f"{MINE}0009"}
    assert len(items) == 3
    assert promotions == {f"{MINE}-PROMO", "PLATFORM-PROMO"}  # its own and the platform's
    assert coupons == 0  # B's coupon was used on B's order
    assert members == 3  # members are the mall's, readable in any scope
    for table in ("orders", "products", "settlements", "live_sessions", "audit_log", "vendors"):
        assert _vendor_ids(app, table, a) == {ids["a"]}, table
    for table in ("order_items", "payments", "refunds"):
        with use_scope(a), app.connect() as conn:
            rows = conn.execute(
                sa.select(s.orders.c.vendor_id)
                .select_from(s.metadata.tables[table].join(s.orders))
                .distinct()
            ).scalars()
            assert set(rows) == {ids["a"]}, table
    b = RowScope.vendor(ids["b"])
    with use_scope(b), app.connect() as conn:  # B's coupon: its own promotion, its order
        assert conn.execute(sa.select(sa.func.count()).select_from(s.coupons)).scalar() == 1


def test_staff_and_the_platforms_roles_see_every_row(mall):
    """(c) staff scope and (d) the administrator and a platform reader: every row."""
    app, admin = mall["app"], mall["admin"]
    reader = sa.create_engine(_platform_reader(admin))
    try:
        for table in EVERY_TABLE:
            with admin.connect() as conn:  # the administrator, no scope set at all
                total = conn.execute(
                    sa.select(sa.func.count()).select_from(s.metadata.tables[table])
                ).scalar()
            with reader.connect() as conn:  # a plain SQLAlchemy engine: sets nothing
                seen = conn.execute(
                    sa.select(sa.func.count()).select_from(s.metadata.tables[table])
                ).scalar()
            assert _count(app, table, STAFF) == total == seen, table
            if table in ("orders", "products", "order_items"):
                assert total >= 2, table  # both shops
    finally:
        reader.dispose()


def test_a_vendor_scope_cannot_write_another_shops_rows(mall):
    """Writes are held to the scope too (WITH CHECK), and nothing is written without one."""
    app, ids = mall["app"], mall["ids"]
    with use_scope(RowScope.vendor(ids["a"])), app.begin() as conn:
        changed = conn.execute(
            s.products.update().where(s.products.c.vendor_id == ids["b"]).values(stock=999)
        ).rowcount
        assert changed == 0  # B's products are not there to update
    audit = {"at": datetime.now(UTC), "actor": "x", "role": "vendor", "action": "t.rls",
             "entity": "product", "entity_id": "1"}  # fmt: skip
    for scope, vendor_id in ((RowScope.vendor(ids["a"]), ids["b"]), (RowScope(), ids["a"])):
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            with use_scope(scope), app.begin() as conn:
                conn.execute(s.audit_log.insert().values(**audit, vendor_id=vendor_id))
    with use_scope(RowScope.vendor(ids["a"])), app.begin() as conn:  # its own: allowed
        conn.execute(s.audit_log.insert().values(**audit, vendor_id=ids["a"]))
    with mall["admin"].begin() as conn:
        assert (
            conn.execute(
                sa.select(s.products.c.stock).where(s.products.c.vendor_id == ids["b"])
            ).scalar()
            != 999
        )
        assert conn.execute(
            sa.select(s.audit_log.c.vendor_id).where(s.audit_log.c.action == "t.rls")
        ).scalars().all() == [ids["a"]]
        conn.execute(s.audit_log.delete().where(s.audit_log.c.action == "t.rls"))


def test_the_query_layer_handed_another_shops_id_returns_nothing_of_it(mall):
    """(e) Every read of the vendor pages, run as A's row scope with `Scope(B)` — a page
    that took the wrong shop — shows none of B's rows; with `Scope(A)` each read
    returns exactly what it returns without RLS."""
    app, admin, ids = mall["app"], mall["admin"], mall["ids"]
    a = RowScope.vendor(ids["a"])
    for period in _periods(ids):
        with use_scope(a), app.connect() as conn:
            crafted = _vendor_reads(conn, Scope(ids["b"]), period, ids)
        for name, value in crafted.items():
            assert other_markers(dump(value)) == [], (name, other_markers(dump(value)))
        with use_scope(a), app.connect() as conn:
            under_rls = _vendor_reads(conn, Scope(ids["a"]), period, ids)
        with admin.connect() as conn:
            plain = _vendor_reads(conn, Scope(ids["a"]), period, ids)
        for name, value in under_rls.items():
            assert dump(value) == dump(plain[name]), name
        with use_scope(STAFF), app.connect() as conn:  # staff see B's through the same reads
            assert other_markers(dump(_vendor_reads(conn, Scope(ids["b"]), period, ids)))


def test_mall_wide_reads_as_staff_inside_a_vendors_transaction_then_restores(mall):
    app, ids = mall["app"], mall["ids"]
    orders = sa.select(sa.func.count()).select_from(s.orders)
    with use_scope(RowScope.vendor(ids["a"])), app.connect() as conn:
        assert conn.execute(orders).scalar() == 3
        with mall_wide(conn):
            assert conn.execute(orders).scalar() == 7
        assert conn.execute(orders).scalar() == 3
        with pytest.raises(ZeroDivisionError), mall_wide(conn):
            1 / 0  # noqa: B018 - an error inside the block
        assert conn.execute(orders).scalar() == 3


def test_row_scopes_of_actors_and_reads():
    from queries.core.actors import Actor

    assert scope_of(Actor("v", "vendor", 7)) == RowScope("vendor", 7)
    assert scope_of(Actor("o", "operator")) == scope_of(Scope.mall()) == STAFF
    assert scope_of(Scope(3)).settings() == {"scope": "vendor", "vendor_id": "3"}
    for bad in (("vendor", None), ("staff", 1), ("root", None), ("vendor", True)):
        with pytest.raises(ValueError):
            RowScope(*bad)


def test_rls_sql_refuses_tables_with_policies_of_the_platforms_own(db_factory):
    admin = db_factory.engine("postgresql")
    with admin.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE orders ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql("CREATE POLICY platform_own ON orders USING (vendor_id > 1)")
    with pytest.raises(RuntimeError, match="platform_own on orders"):
        run_rls(admin.url)
    with admin.connect() as conn:  # one transaction: nothing of it stayed
        names = conn.execute(sa.text("SELECT policyname FROM pg_policies")).scalars().all()
    assert names == ["platform_own"]
    db_factory.drop(admin)


# --- the app itself under RLS ----------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_shows_the_same_under_rls(mall, role):
    """(f) The app as `mallboard_app` under RLS: each page of the role shows exactly what
    it showed before deploy/rls.sql (same figures, same rows), and A's pages show A's."""
    session, users = mall["session"], mall["users"]
    after = _render_all(session, {role: users[role]})
    for page in PAGES[role]:
        if page in CHANGES_WITH_EVERY_LOGIN:
            continue
        was, now = mall["before"][(role, page)], after[(role, page)]
        assert now == was, (page, _first_difference(was, now))
    if role == "vendor":
        assert f"{MINE}0001" in after[("vendor", "orders")]  # a blank page would not pass
        assert f"{MINE}-PRODUCT" in after[("vendor", "products")]
        assert not other_markers(after[("vendor", "orders")])
    else:
        assert f"{OTHER}0001" in after[(role, "orders")]


# --- the shell commands set their scope ------------------------------------------------------


@pytest.fixture
def cli_mall(db_factory, tmp_path_factory, monkeypatch):
    """A mall of its own (a refresh writes rollups) with grants and RLS; the app's URL."""
    admin = db_factory.engine("postgresql")
    with admin.begin() as conn:
        ids = build_two_shops(conn)
    app_url = grant_app_role(admin.url)
    from tests.apptest import AppSession

    AppSession(admin.url, tmp_path_factory.mktemp("cli"))  # the console's migrations
    run_rls(admin.url)
    monkeypatch.setenv("PLATFORM_TIMEZONE", "Asia/Shanghai")
    yield admin, app_url, ids
    db_factory.drop(admin)


def test_exports_read_one_shop_as_that_shop_and_all_as_staff(cli_mall, monkeypatch, tmp_path):
    """`python -m exports report …` as mallboard_app under RLS writes what it writes without
    RLS (as the administrator): `--vendor A` in A's scope, `--vendor all` as staff."""
    from exports.__main__ import main

    admin, app_url, ids = cli_mall
    recent = _recent()
    dates = ["--from", (recent - timedelta(days=40)).date().isoformat()]
    dates += ["--to", (recent + timedelta(days=2)).date().isoformat()]
    for vendor in (str(ids["a"]), "all"):
        for report in ("sales", "members", "campaigns"):
            written = {}
            for who, url in (("app", app_url), ("admin", admin.url)):
                url = sa.make_url(url).render_as_string(hide_password=False)
                monkeypatch.setenv("DATABASE_URL", url)
                out = tmp_path / f"{who}-{vendor}-{report}.json"
                args = ["report", report, "--vendor", vendor, *dates, "--out", str(out)]
                assert main(args) == 0, (who, vendor, report)
                written[who] = out.read_text(encoding="utf-8")
            assert written["app"] == written["admin"], (vendor, report)
            if report == "sales":  # not empty on both sides
                data = json.loads(written["app"])
                totals = data["totals"] if vendor != "all" else data["mall"]["totals"]
                assert totals["gmv_cents"] > 0, vendor


def test_a_rollup_refresh_as_the_apps_role_rolls_up_every_shop(cli_mall):
    """The rollups are the whole mall's: `python -m rollups refresh` reads as staff (without
    a scope it would see no order and roll up nothing)."""
    from queries.rolled.coverage import sales_daily
    from rollups.__main__ import main

    admin, app_url, ids = cli_mall
    through = (_recent() + timedelta(days=1)).date().isoformat()
    assert main(["refresh", "--db", app_url, "--through", through]) == 0
    with admin.connect() as conn:
        shops = set(conn.execute(sa.select(sales_daily.c.vendor_id).distinct()).scalars())
    assert {ids["a"], ids["b"]} <= shops


# --- bench.rls ---------------------------------------------------------------------------


def test_bench_rls_runs_and_keeps_one_section(db_factory, tmp_path, monkeypatch):
    """`python -m bench.rls` on a tiny mall: it measures, writes its section once (a rerun
    replaces it), and leaves RLS on every table as deploy/rls.sql does."""
    from bench.rls import END, START
    from bench.rls import main as bench_rls

    url = db_factory.url("postgresql")
    monkeypatch.setenv("DATABASE_URL", url)  # bench.rls points it at the app's role: undone after
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\nEarlier sections.\n", encoding="utf-8")
    args = ["--scale", "tiny", "--db", url, "--runs", "1", "--out", str(out)]
    assert bench_rls(args) == 0
    assert bench_rls([*args, "--no-families"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nEarlier sections.\n")
    assert text.count(START) == text.count(END) == 1
    assert "| **all pages** |" in text and "on ÷ off" in text
    admin = sa.create_engine(url)
    try:
        with admin.connect() as conn:
            off = conn.execute(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'r' AND relname = ANY(:t) AND NOT relrowsecurity"
                ),
                {"t": list(EVERY_TABLE)},
            ).all()
        assert off == []
    finally:
        admin.dispose()
