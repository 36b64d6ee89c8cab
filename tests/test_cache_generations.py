"""Cache invalidation across app processes: per-topic generations in the database.

A write announces its topics; `queries.console.cache_generations` raises their
generations in the database the write went to, and every app process reads them once
per script run and drops its cached reads of a topic that moved. Two Streamlit
processes cannot share one Python process here (AppTest runs in this one and
`st.cache_data` is per process), so the other process is a real one: a Python
subprocess that saves a price through the query layer's write function.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st

from dashboard import caching
from dashboard.caching import cached
from dashboard.shell.context import dispose_engines, read_engine
from queries.catalog.product_edits import update_product
from queries.console.cache_generations import bump, bump_after_commit, generations
from queries.console.migrate import upgrade
from queries.console.tables import cache_generations
from queries.core import schema as s
from queries.core.actors import Actor
from queries.core.invalidation import changed, last_committed_engine
from tests.apptest import AppSession, texts
from tests.builders import MallBuilder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def migrated(empty_db):
    upgrade(empty_db)
    return empty_db


def test_bump_raises_each_topic_from_nothing_and_reads_back(migrated):
    with migrated.begin() as conn:
        assert generations(conn) == {}
        assert bump(conn, ["products", "audit", "products"]) == {"audit": 1, "products": 1}
    with migrated.begin() as conn:
        assert bump(conn, ("products",)) == {"products": 2}
        assert bump(conn, ()) == {}
    with migrated.connect() as conn:
        assert generations(conn) == {"audit": 1, "products": 2}


def test_a_bump_rolled_back_with_its_transaction_leaves_no_trace(migrated):
    with pytest.raises(RuntimeError), migrated.begin() as conn:
        bump(conn, ("vendors",))
        raise RuntimeError("the write failed")
    with migrated.connect() as conn:
        assert generations(conn) == {}


def test_every_write_raises_its_topics_where_it_committed(migrated):
    with migrated.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        product = b.product(shop, b.category(), "Lipstick", price_cents=10000)
    update_product(
        migrated, Actor("alpha", "vendor", shop), product, expected_version=1, price_cents=12000
    )
    assert last_committed_engine() is migrated
    with migrated.connect() as conn:
        assert generations(conn) == {"products": 1, "audit": 1}
    changed("vendors")  # announced after this thread's last commit: the same database
    with migrated.connect() as conn:
        assert generations(conn) == {"products": 1, "audit": 1, "vendors": 1}


def test_a_database_without_the_console_tables_is_left_alone(empty_db):
    bump_after_commit(empty_db, ("products",))  # no error, nothing created
    with empty_db.connect() as conn:
        assert not sa.inspect(conn).has_table(
            cache_generations.name,
            schema=None if conn.dialect.name == "sqlite" else cache_generations.schema,
        )


def test_a_bump_that_fails_after_the_write_is_logged_not_raised(migrated, caplog):
    with migrated.begin() as conn:  # the table gone: the bump's own statement fails
        conn.execute(sa.schema.DropTable(cache_generations))
    with migrated.begin() as conn:
        conn.execute(
            sa.schema.CreateTable(
                sa.Table(
                    cache_generations.name,
                    sa.MetaData(schema=cache_generations.schema),
                    sa.Column("topic", sa.String(32), primary_key=True),
                    sa.Column("generation", sa.BigInteger, sa.CheckConstraint("generation < 0")),
                )
            )
        )
    bump_after_commit(migrated, ("products",))
    assert "could not raise the cache generations of products" in caplog.text


# --- two processes ----------------------------------------------------------------------------

_OTHER_PROCESS = textwrap.dedent(
    """
    import sys

    import sqlalchemy as sa

    from queries.catalog.product_edits import update_product
    from queries.core import schema as s
    from queries.core.actors import Actor
    from queries.core.db import connect_engine

    url, shop, product, cents = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    engine = connect_engine(url, check=False)
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(s.products.c.version).where(s.products.c.product_id == product)
        ).scalar_one()
    update_product(
        engine, Actor("alpha", "vendor", shop), product, expected_version=version,
        price_cents=cents,
    )
    engine.dispose()
    """
)


def _save_price_in_another_process(url: str, shop: int, product: int, cents: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, url, str(shop), str(product), str(cents)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_write_in_another_process_shows_at_the_next_run(empty_db, tmp_path):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop = b.vendor("Alpha")
        product = b.product(shop, b.category(), "Lipstick", price_cents=10000)
    session = AppSession(empty_db.url, tmp_path)
    session.add("alpha", role="vendor", vendor_id=shop)
    at = session.open("products", as_user="alpha")
    assert not at.exception and "100.00" in texts(at)

    # Changed behind the console's back (no announcement): this process's cache still
    # holds the old price — what another process's write looked like before the
    # generations.
    with empty_db.begin() as conn:
        conn.execute(
            s.products.update().where(s.products.c.product_id == product).values(price_cents=11100)
        )
    at.run()
    assert "100.00" in texts(at) and "111.00" not in texts(at)

    # Another process saves a price through the write function: its generation moves,
    # and this process's next run reads again.
    _save_price_in_another_process(session.app_url, shop, product, 12345)
    at.run()
    assert not at.exception
    assert "123.45" in texts(at) and "100.00" not in texts(at)
    with empty_db.connect() as conn:
        assert generations(conn)["products"] == 1


# --- the stamps ---------------------------------------------------------------------------------


@cached(ttl=600, topics=("products",))
def _price(product_id: int) -> int:
    with read_engine().connect() as conn:
        stmt = sa.select(s.products.c.price_cents).where(s.products.c.product_id == product_id)
        return conn.execute(stmt).scalar_one()


def test_an_entry_read_before_a_generation_it_missed_is_read_again(migrated, monkeypatch):
    """A read that began before another session's clear stores its result after it: the
    clear is lost on it, and the generation stamped on the entry makes it read again."""
    with migrated.begin() as conn:
        b = MallBuilder(conn)
        product = b.product(b.vendor("Alpha"), b.category(), "Lipstick", price_cents=10000)
    monkeypatch.setenv("DATABASE_URL", migrated.url.render_as_string(hide_password=False))
    monkeypatch.delenv("READ_DATABASE_URL", raising=False)
    st.cache_data.clear()
    dispose_engines()
    try:
        assert _price(product) == 10000
        with migrated.begin() as conn:  # behind the console's back: nothing announced
            conn.execute(
                s.products.update()
                .where(s.products.c.product_id == product)
                .values(price_cents=20000)
            )
        assert _price(product) == 10000  # cached, and no generation moved
        monkeypatch.setattr(caching, "clear_topics", lambda topics: None)  # the lost clear
        with migrated.begin() as conn:
            bump(conn, ("products",))
        assert _price(product) == 20000
        assert _price(product) == 20000
    finally:
        dispose_engines()
