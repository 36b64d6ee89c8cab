"""Shared pieces of the incremental refreshes of the families whose rows carry history.

`every_scope` bounds a delete or read of the days from a window's start to each scope's
range of a (vendor_id, day …) key: without it PostgreSQL has no way in but the whole
table. `add_to_nets` adds signed counts into a table of per-key nets (an upsert on both
databases); the nets left at zero are deleted by `drop_zero_nets`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from queries.core import schema as s
from queries.rolled.coverage import MALL, one_of

__all__ = ["add_to_nets", "drop_zero_nets", "every_scope", "insert_or_replace", "one_of"]


def every_scope(vendor_column) -> sa.ColumnElement[bool]:
    """`vendor_column` is a shop's id or the mall's marker: true of every rollup row, but
    it lets PostgreSQL read each scope's range of a (vendor_id, day) key."""
    ids = sa.union_all(sa.select(s.vendors.c.vendor_id), sa.select(sa.literal(MALL, sa.BigInteger)))
    return vendor_column.in_(ids)


def _insert(conn: sa.Connection):
    """The dialect's INSERT with ON CONFLICT."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert


def insert_or_replace(conn: sa.Connection, table: sa.Table, rows: sa.Select) -> None:
    """Insert `rows` (all of `table`'s columns, in order) into `table`; a row whose key is
    there already replaces the other columns of that row."""
    # The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
    stmt = _insert(conn)(table).from_select([c.name for c in table.c], rows.where(sa.true()))
    keys = [c.name for c in table.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys},
    )
    conn.execute(stmt)


def add_to_nets(conn: sa.Connection, table: sa.Table, events: list[sa.Select]) -> None:
    """Add the events' counts (their last column, `n`) to `table`'s `net` per key (its
    other columns, in the events' order), inserting the keys it lacks."""
    e = sa.union_all(*events).subquery("net_events").c
    keys = [c.name for c in table.primary_key.columns]
    group = [e[k] for k in keys]
    # The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
    net = sa.func.sum(e.n)
    # Keys whose events cancel are left alone (no write).
    rows = sa.select(*group, net).where(sa.true()).group_by(*group).having(net != 0)
    stmt = _insert(conn)(table).from_select([*keys, "net"], rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={"net": table.c.net + stmt.excluded.net}
    )
    conn.execute(stmt)


def drop_zero_nets(conn: sa.Connection, table: sa.Table) -> None:
    """Delete the nets that came back to zero (a full build keeps none)."""
    conn.execute(table.delete().where(table.c.net == 0))
