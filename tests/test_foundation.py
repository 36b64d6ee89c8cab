"""Settings, URLs, money, the contract check, local-time bucketing and the cookie key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.shell.cookie_key import cookie_key, ensure_cookie_key
from queries.core.db import (
    check_contract,
    connect_engine,
    local_day,
    local_hour,
    local_month,
    local_week,
)
from queries.core.errors import DatabaseUnavailable, Invalid, MissingContract
from queries.core.money import parse_yuan, round_half_up_div
from queries.core.schema import metadata, orders
from queries.core.settings import default_sqlite_url, load_settings, normalize_url
from tests.builders import Item, MallBuilder, local

ROOT = Path(__file__).resolve().parent.parent


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert normalize_url(given) == expected


def test_unknown_url_scheme_is_refused():
    with pytest.raises(Invalid, match="postgresql"):
        normalize_url("mysql://u@h/db")


def test_settings_default_to_the_embedded_demo(tmp_path):
    settings = load_settings({}, secrets_path=tmp_path / "none.toml")
    assert settings.is_demo
    assert settings.database_url == default_sqlite_url()
    assert (settings.timezone, settings.currency, settings.currency_symbol) == (
        "Asia/Shanghai",
        "CNY",
        "¥",
    )


def test_settings_read_secrets_and_environment_wins(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('DATABASE_URL = "postgresql://a@b/c"\nPLATFORM_TIMEZONE = "UTC"\n')
    from_file = load_settings({}, secrets_path=secrets)
    assert from_file.database_url == "postgresql+psycopg://a@b/c"
    assert from_file.timezone == "UTC"
    assert not from_file.is_demo
    from_env = load_settings({"DATABASE_URL": "sqlite:///x.db"}, secrets_path=secrets)
    assert from_env.database_url == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PLATFORM_TIMEZONE", "Mars/Base", "Unknown timezone"),
        ("CURRENCY", "XYZ", "Unsupported currency"),
        ("REVIEW_DEADLINE_DAYS", "-2", "whole number"),
    ],
)
def test_bad_settings_are_refused_with_a_message(tmp_path, name, value, message):
    with pytest.raises(Invalid, match=message):
        load_settings({name: value}, secrets_path=tmp_path / "none.toml")


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "d", "expected"),
    [
        (1005, 500, 10000, 50),  # 50.25 → 50
        (1010, 500, 10000, 51),  # 50.5 → 51 (half up)
        (999, 500, 10000, 50),  # 49.95 → 50
        (0, 500, 10000, 0),
        (1, 1, 2, 1),
    ],  # 0.5 → 1
)
def test_round_half_up_in_integers(a, b, d, expected):
    assert round_half_up_div(a, b, d) == expected


@pytest.mark.parametrize(
    ("text", "cents"),
    [("19.99", 1999), ("1,299", 129900), ("¥5", 500), ("0.1", 10), (19.99, 1999), (7, 700)],
)
def test_yuan_parses_exactly(text, cents):
    assert parse_yuan(text) == cents


@pytest.mark.parametrize("text", ["12.345", "-1", "0", "abc", "1e9", "", None, 1e9, True])
def test_bad_amounts_are_refused(text):
    with pytest.raises(Invalid) as error:
        parse_yuan(text)
    assert error.value.zh and error.value.en


# --- the contract -------------------------------------------------------------------------


def test_created_schema_holds_the_whole_contract(empty_db):
    assert check_contract(empty_db) == []
    inspector = sa.inspect(empty_db)
    indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes("orders")}
    assert {("vendor_id", "paid_at"), ("paid_at",), ("member_id",)} <= indexed


def test_missing_table_and_column_are_named(db_factory, backend):
    engine = db_factory.engine(backend, schema=False)
    keep = [t for t in metadata.sorted_tables if t.name != "note_tags"]
    metadata.create_all(engine, tables=keep)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE live_sessions DROP COLUMN title")
    assert set(check_contract(engine)) == {"note_tags", "live_sessions.title"}
    with pytest.raises(MissingContract) as error:
        connect_engine(engine.url.render_as_string(hide_password=False))
    assert "note_tags" in error.value.en and "live_sessions.title" in error.value.en


def test_unreachable_database_is_a_user_error():
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the database"):
        connect_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")


def test_contract_checks_refuse_bad_rows(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop, buyer = b.vendor(), b.member()
    bad = {
        "order_no": "X1",
        "vendor_id": shop,
        "member_id": buyer,
        "created_at": datetime.now(UTC),
        "status": "paid",
        "channel": "app",
        "goods_cents": 100,
        "discount_cents": 0,
        "platform_discount_cents": 0,
        "shipping_cents": 0,
        "paid_cents": 99,
    }
    with pytest.raises(sa.exc.IntegrityError), empty_db.begin() as conn:
        conn.execute(orders.insert().values(**bad))  # paid ≠ goods − discount + shipping
    with pytest.raises(sa.exc.IntegrityError), empty_db.begin() as conn:
        conn.execute(orders.insert().values(**{**bad, "paid_cents": 100, "status": "lost"}))


def test_timestamps_come_back_as_utc(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop, buyer, cat = b.vendor(), b.member(), b.category()
        b.order(shop, buyer, [Item(b.product(shop, cat))], paid_at=local("2026-11-01 00:00:00"))
    with empty_db.connect() as conn:
        paid_at = conn.execute(sa.select(orders.c.paid_at)).scalar_one()
    assert paid_at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)


def test_local_buckets_cut_at_shanghai_midnight(empty_db):
    with empty_db.begin() as conn:
        b = MallBuilder(conn)
        shop, buyer, cat = b.vendor(), b.member(), b.category()
        product = b.product(shop, cat)
        for moment in ("2026-10-31 23:59:59", "2026-11-01 00:00:00", "2026-11-02 13:30:00"):
            b.order(shop, buyer, [Item(product)], paid_at=local(moment))
    tz = sa.bindparam("tz", "Asia/Shanghai")
    with empty_db.connect() as conn:

        def grouped(bucket):
            label = bucket.label("bucket")
            rows = conn.execute(sa.select(label, sa.func.count()).group_by(label).order_by(label))
            return [(str(r[0]), r[1]) for r in rows]

        assert grouped(local_day(orders.c.paid_at, tz)) == [
            ("2026-10-31", 1),
            ("2026-11-01", 1),
            ("2026-11-02", 1),
        ]
        assert grouped(local_month(orders.c.paid_at, tz)) == [("2026-10-01", 1), ("2026-11-01", 2)]
        # 2026-10-31 is a Saturday: its ISO week starts Monday 26 October.
        assert grouped(local_week(orders.c.paid_at, tz)) == [("2026-10-26", 2), ("2026-11-02", 1)]
        assert grouped(local_hour(orders.c.paid_at, tz)) == [("0", 1), ("13", 1), ("23", 1)]


# --- the cookie key -----------------------------------------------------------------------


def test_cookie_key_generated_once_and_weak_keys_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("MALLBOARD_COOKIE_KEY", raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('DATABASE_URL = "sqlite:///x"\n\n[extra]\nthing = 1\n')
    assert cookie_key(secrets) is None
    assert ensure_cookie_key(secrets) is True
    key = cookie_key(secrets)
    assert key is not None and len(key) >= 32
    assert ensure_cookie_key(secrets) is False and cookie_key(secrets) == key
    assert "DATABASE_URL" in secrets.read_text()
    for weak in ("some_key", "short", "a" * 40):
        monkeypatch.setenv("MALLBOARD_COOKIE_KEY", weak)
        assert cookie_key(secrets) is None


def test_console_sessions_on_postgresql_skip_jit(db_factory):
    """JIT off for the console's own sessions (it costs more than it saves on short reads)."""
    engine = db_factory.engine("postgresql", schema=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar_one() == "off"
    db_factory.drop(engine)
