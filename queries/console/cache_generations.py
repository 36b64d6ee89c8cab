"""Per-topic generations in the database: how every app process learns of another's writes.

Each write announces its topics (`queries.core.invalidation.changed`) right after it
commits; `bump` then raises those topics' generations in the same database, in a short
transaction of its own (docs/decisions.md "Cache invalidation across processes"). Each
app process reads every generation once per script run (`generations`, one small
SELECT) and drops its cached reads of a topic whose generation moved since it last
looked (`dashboard.caching`). A bump that fails (the database went away just after the
write) is logged: other processes then see the write when their cached reads expire.

Registered with `record_with` when `queries` is imported, so every writer bumps: the
app, the shell commands, a test's separate process.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from queries.console.tables import cache_generations, present
from queries.core.invalidation import record_with

__all__ = ["bump", "bump_after_commit", "generations"]

_LOG = logging.getLogger("mallboard")


def bump(conn: sa.Connection, topics: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Raise each topic's generation by one (a first write makes its row); the new values.

    Topics are bumped in sorted order, so two writers never wait on each other's rows
    in opposite orders.
    """
    names = sorted(set(topics))
    if not names:
        return {}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(cache_generations).values([{"topic": t, "generation": 1} for t in names])
    stmt = stmt.on_conflict_do_update(
        index_elements=[cache_generations.c.topic],
        set_={"generation": cache_generations.c.generation + 1},
    ).returning(cache_generations.c.topic, cache_generations.c.generation)
    return {row.topic: row.generation for row in conn.execute(stmt)}


def generations(conn: sa.Connection) -> dict[str, int]:
    """Every topic's generation (a topic never written yet is absent: generation 0)."""
    stmt = sa.select(cache_generations.c.topic, cache_generations.c.generation)
    return {row.topic: row.generation for row in conn.execute(stmt)}


def bump_after_commit(engine: sa.Engine, topics: tuple[str, ...]) -> None:
    """`bump` in a transaction of its own on `engine`, right after a write committed there.

    Never raises: the write is done. A database without the console's tables (a bare
    contract database in a test) has nothing to bump.
    """
    try:
        with engine.begin() as conn:
            if not present(conn, cache_generations):
                return
            bump(conn, topics)
    except sa.exc.SQLAlchemyError as exc:
        _LOG.warning(
            "could not raise the cache generations of %s after a write (%s): other app "
            "processes show the change when their cached reads expire",
            ", ".join(topics),
            (str(exc).splitlines() or [""])[0],
        )


record_with(bump_after_commit)
