"""Row-level security on the rollups (migration 0003), as the console's role, PostgreSQL only.

The console's role owns its rollup tables, so their policies are FORCEd: a shop's
transaction sees its own rows and the mall's, staff see and write everything, and a
transaction that set no scope sees nothing — even a query whose shop filter was forgotten.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from queries.console.migrate import upgrade
from queries.core.db import connect_engine
from queries.core.rls import STAFF, RowScope, use_scope
from queries.rolled.coverage import MALL, complete_before, rollup_state, sales_daily
from rollups.refresh import refresh
from tests.app_role import grant_app_role

TZ = "Asia/Shanghai"


@pytest.fixture
def app_engine(db_factory):
    """A tiny demo mall; the console's tables migrated and its rollups built as its role."""
    from demo.generate import generate

    admin = db_factory.engine("postgresql")
    generate(admin, scale="tiny", seed=7, rollups=False)
    engine = connect_engine(grant_app_role(admin.url), check=False)
    upgrade(engine)  # as mallboard_app: it owns its tables
    with use_scope(STAFF):
        refresh(engine, tz=TZ, through=date(2026, 12, 1))
    yield engine, admin
    engine.dispose()
    db_factory.drop(admin)


def _shops(engine, scope: RowScope) -> set[int]:
    with use_scope(scope), engine.connect() as conn:
        return set(conn.execute(sa.select(sales_daily.c.vendor_id).distinct()).scalars())


def test_a_shop_sees_its_rows_and_the_malls_only(app_engine):
    engine, admin = app_engine
    with admin.connect() as conn:
        every = set(conn.execute(sa.select(sales_daily.c.vendor_id).distinct()).scalars())
    shop = min(v for v in every if v != MALL)
    assert len(every) > 3
    assert _shops(engine, STAFF) == every
    # The query has no shop filter at all: the database keeps the other shops out.
    assert _shops(engine, RowScope.vendor(shop)) == {shop, MALL}
    assert _shops(engine, RowScope()) == set()
    with use_scope(RowScope.vendor(shop)), engine.connect() as conn:
        assert complete_before(conn, tz=TZ) == date(2026, 12, 1)  # the state is shared
    with use_scope(RowScope()), engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(rollup_state)).scalar() == 0


def test_only_staff_write_the_rollups(app_engine):
    engine, _ = app_engine
    with use_scope(RowScope.vendor(1)), engine.connect() as conn:
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(
                sales_daily.insert().values(
                    vendor_id=1,
                    local_day=date(2030, 1, 1),
                    gmv_cents=1,
                    paid_orders=1,
                    buyers=1,
                    refunded_cents=0,
                )
            )
    with use_scope(RowScope.vendor(1)), engine.begin() as conn:
        assert conn.execute(sales_daily.delete()).rowcount == 0  # not even its own rows
    with use_scope(STAFF), engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sales_daily)).scalar() > 0


def test_every_rollup_table_has_the_forced_policy(app_engine):
    engine, admin = app_engine
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'mallboard' AND c.relkind = 'r'"
                " AND c.relname LIKE 'mallboard_rollup%'"
            )
        ).all()
    assert len(rows) == 17
    assert all(r[1] and r[2] and r[3] == 2 for r in rows), rows
