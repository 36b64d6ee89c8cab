"""Bulk loading of demo rows: SQLite `executemany` on the raw connection, PostgreSQL COPY.

Rows arrive as columns (numpy arrays). Timestamps are int64 microseconds since
the epoch, −1 for null, and are written in the contract's form: on SQLite the
text `YYYY-MM-DD HH:MM:SS.ffffff` (UTC, six fraction digits, no offset), on
PostgreSQL the same with `+00`. The statements come from the SQLAlchemy tables
(compiled INSERTs, composed COPY identifiers); no value is ever put into SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import sqlalchemy as sa

from queries.core.schema import metadata
from queries.core.types import UTCDateTime

__all__ = ["Loader", "bulk_mode", "clear_all", "has_data", "reset_sequences"]

BATCH = 200_000
DATA_TABLES = ("orders", "vendors", "members")


def timestamp_text(values: np.ndarray, *, offset: str = "") -> np.ndarray:
    """µs-since-epoch → contract timestamp text (None where −1)."""
    values = np.asarray(values, dtype=np.int64)
    text = np.datetime_as_string(values.astype("datetime64[us]"), unit="us").astype("S26")
    text.view("S1").reshape(-1, 26)[:, 10] = b" "
    out = text.astype(str).astype(object)
    if offset:
        out = out + offset
    out[values < 0] = None
    return out


class Loader:
    """Writes column batches into contract tables on one open transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.raw = conn.connection.driver_connection
        self.counts: dict[str, int] = {}

    def load(self, name: str, columns: dict[str, object]) -> int:
        """Insert the rows given as {column: array}; return how many."""
        table = metadata.tables[name]
        keys = list(columns)
        n = len(columns[keys[0]]) if keys else 0
        if n == 0:
            return 0
        prepared = {}
        for key in keys:
            values = columns[key]
            if isinstance(table.c[key].type, UTCDateTime):
                if np.asarray(values).dtype == object:
                    values = np.array([-1 if x is None else x for x in values], dtype=np.int64)
                values = timestamp_text(values, offset="+00" if self.pg else "")
            prepared[key] = np.asarray(values)
        for start in range(0, n, BATCH):
            part = {k: v[start : start + BATCH] for k, v in prepared.items()}
            if self.pg:
                self._copy(table, part)
            else:
                self._executemany(table, part)
        self.counts[name] = self.counts.get(name, 0) + n
        return n

    def _executemany(self, table: sa.Table, part: dict[str, np.ndarray]) -> None:
        compiled = table.insert().compile(dialect=self.conn.dialect, column_keys=list(part))
        order = compiled.positiontup
        rows = zip(*(part[k].tolist() for k in order), strict=True)
        cursor = self.raw.cursor()
        cursor.executemany(str(compiled), rows)
        cursor.close()

    def _copy(self, table: sa.Table, part: dict[str, np.ndarray]) -> None:
        from psycopg import sql

        columns = [_copy_texts(values) for values in part.values()]
        text = "\n".join(["\t".join(row) for row in zip(*columns, strict=True)]) + "\n"
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, part))
        )
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(text)


def _copy_texts(values: np.ndarray) -> list[str]:
    """One column in COPY's text format: `\\N` for null, tab, newline and backslash escaped."""
    if values.dtype != object:
        return values.astype(str).tolist()
    return [_escape(str(v)) if v is not None else r"\N" for v in values.tolist()]


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def has_data(conn: sa.Connection) -> bool:
    """Whether any order, shop or member exists (a mall that must not be overwritten)."""
    for name in DATA_TABLES:
        table = metadata.tables[name]
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return True
    return False


def clear_all(conn: sa.Connection) -> None:
    """Delete every contract row, children first (identity counters restart on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        names = sql.SQL(", ").join(sql.Identifier(t.name) for t in metadata.sorted_tables)
        statement = sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names)
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(statement)
        return
    applications = metadata.tables["supplier_applications"]
    categories = metadata.tables["categories"]
    conn.execute(applications.update().values(vendor_id=None))
    conn.execute(metadata.tables["vendors"].update().values(application_id=None))
    for table in reversed(metadata.sorted_tables):
        if table is categories:
            conn.execute(table.delete().where(table.c.parent_id.is_not(None)))
        conn.execute(table.delete())


def reset_sequences(conn: sa.Connection) -> None:
    """After explicit ids, move PostgreSQL identity counters past the largest key."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's rowid keys continue from MAX(rowid) by themselves
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.identity is None:
                continue
            sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
            following = sa.func.coalesce(sa.select(sa.func.max(column)).scalar_subquery(), 0) + 1
            conn.execute(sa.select(sa.func.setval(sequence, following, False)))


@contextmanager
def bulk_mode(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, load without foreign keys and secondary indexes, then put them back.

    Checking every row's keys one by one is what makes a COPY of millions of rows
    slow; adding a constraint back validates the whole table in one pass. DDL is
    transactional there, so a failed load leaves the schema as it was. Constraint
    and index names are the database's own (read with the inspector).
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    from psycopg import sql

    inspector = sa.inspect(conn)
    keys, indexes = [], []
    for table in metadata.sorted_tables:
        keys += [(table.name, fk) for fk in inspector.get_foreign_keys(table.name)]
        present = {ix["name"] for ix in inspector.get_indexes(table.name)}
        indexes += [ix for ix in table.indexes if ix.name in present]
    raw = conn.connection.driver_connection
    savepoint = conn.begin_nested()
    try:
        with raw.cursor() as cursor:
            for table, fk in keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(fk["name"])
                    )
                )
        for index in indexes:
            conn.execute(sa.schema.DropIndex(index))
        savepoint.commit()
    except Exception:  # noqa: BLE001 - e.g. not the tables' owner: load with keys in place
        savepoint.rollback()
        yield
        return
    yield
    for index in indexes:
        conn.execute(sa.schema.CreateIndex(index))
    with raw.cursor() as cursor:
        for table, fk in keys:
            cursor.execute(
                sql.SQL(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})"
                ).format(
                    sql.Identifier(table),
                    sql.Identifier(fk["name"]),
                    sql.SQL(", ").join(map(sql.Identifier, fk["constrained_columns"])),
                    sql.Identifier(fk["referred_table"]),
                    sql.SQL(", ").join(map(sql.Identifier, fk["referred_columns"])),
                )
            )
        cursor.execute(sql.SQL("ANALYZE"))
