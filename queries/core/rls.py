"""Whose rows the database lets a transaction see: the scope sent with every transaction.

With `deploy/rls.sql` applied (optional, by the platform's administrator), PostgreSQL
itself limits the console's role `mallboard_app` to the rows of the current scope —
defence in depth under the queries' own vendor filters. The scope lives in a context
variable of the running thread (`RowScope`): the dashboard sets it once it knows who is
logged in, the shell commands set it for what they were asked, and `install` adds a
listener to a PostgreSQL engine that sends it at the start of every transaction:

    SELECT set_config('mallboard.scope', 'staff' | 'vendor' | '', true),
           set_config('mallboard.vendor_id', '<id>' | '', true)

`true` makes both end with the transaction, so a pooled connection carries nothing
into the next checkout. Without a scope both are '' and the policies show no row of a
contract table: forgetting to set one fails closed. On SQLite (no row security)
nothing is sent.

A new thread starts with no scope: code handing work to another thread (a download
built after the page) takes `current_scope()` along and enters it there (`use_scope`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa

from queries.core.actors import Actor, Scope

__all__ = [
    "NO_SCOPE",
    "STAFF",
    "RowScope",
    "current_scope",
    "install",
    "mall_wide",
    "rollup_policies",
    "scope_of",
    "set_scope",
    "use_scope",
]

# The names deploy/rls.sql reads with current_setting(…, true).
SCOPE_SETTING = "mallboard.scope"
VENDOR_SETTING = "mallboard.vendor_id"
_SET = sa.text(
    "SELECT set_config('mallboard.scope', :scope, :local), "
    "set_config('mallboard.vendor_id', :vendor_id, :local)"
)


@dataclass(frozen=True)
class RowScope:
    """The rows the database shows: every row (`staff`), one shop's, or none."""

    kind: str = ""  # "staff", "vendor" or "" (none)
    vendor_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("staff", "vendor", ""):
            raise ValueError(f"unknown row scope {self.kind!r}")
        if (self.kind == "vendor") != (self.vendor_id is not None):
            raise ValueError("a vendor's row scope has exactly one vendor_id; others none")
        # bool is an int: refuse it, and anything else that would not print as a number.
        if self.vendor_id is not None and type(self.vendor_id) is not int:
            raise ValueError(f"a vendor id is an int, not {self.vendor_id!r}")

    @classmethod
    def vendor(cls, vendor_id: int) -> RowScope:
        """One shop's rows (what the contract lets it see)."""
        return cls("vendor", int(vendor_id))

    def settings(self) -> dict[str, str]:
        """The values of the two settings, as text ('' for none)."""
        return {
            "scope": self.kind,
            "vendor_id": "" if self.vendor_id is None else str(self.vendor_id),
        }


STAFF = RowScope("staff")
NO_SCOPE = RowScope()

_current: ContextVar[RowScope] = ContextVar("mallboard_row_scope", default=NO_SCOPE)


def current_scope() -> RowScope:
    """The scope the next transaction of this thread (context) will carry."""
    return _current.get()


def set_scope(scope: RowScope) -> None:
    """Make `scope` this thread's scope until it is set again (the dashboard, per run)."""
    if not isinstance(scope, RowScope):
        raise TypeError(f"expected a RowScope, got {scope!r}")
    _current.set(scope)


@contextmanager
def use_scope(scope: RowScope) -> Iterator[RowScope]:
    """This thread's scope is `scope` inside the block, the one before it after."""
    if not isinstance(scope, RowScope):
        raise TypeError(f"expected a RowScope, got {scope!r}")
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def scope_of(who: Actor | Scope) -> RowScope:
    """The row scope of a logged-in actor (a vendor's shop, or staff), or of a read's
    `Scope` (one shop, or the whole mall = staff)."""
    if isinstance(who, Actor):
        return STAFF if who.is_staff else RowScope.vendor(who.vendor_id)
    if isinstance(who, Scope):
        return STAFF if who.is_mall else RowScope.vendor(who.vendor_id)
    raise TypeError(f"expected an Actor or a Scope, got {who!r}")


def _is_autocommit(conn: sa.Connection) -> bool:
    return bool(getattr(conn.connection.dbapi_connection, "autocommit", False))


def _send(conn: sa.Connection, scope: RowScope) -> None:
    # Outside a transaction block (AUTOCOMMIT) a local setting would end with this very
    # statement: there it is set for the session, and every later transaction's start
    # sets it again, so it never outlives the next begin.
    # Its own plain (client-side) result, closed at once: the connection may carry the
    # options of the statement that began the transaction (`yield_per` would make this a
    # server-side cursor left open).
    conn.execute(
        _SET,
        {**scope.settings(), "local": not _is_autocommit(conn)},
        execution_options={"stream_results": False, "yield_per": None},
    ).close()


def _on_begin(conn: sa.Connection) -> None:
    """Every transaction's first statement: this thread's scope (SQLAlchemy 2 also calls
    `begin` listeners for the implicit begin of a connection's first statement)."""
    _send(conn, _current.get())


def install(engine: sa.Engine) -> sa.Engine:
    """Send the current scope at the start of every transaction of `engine` (PostgreSQL;
    nothing on other databases). Returns the engine."""
    if engine.dialect.name == "postgresql" and not sa.event.contains(engine, "begin", _on_begin):
        sa.event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def mall_wide(conn: sa.Connection) -> Iterator[sa.Connection]:
    """Inside the block, `conn`'s transaction reads as staff; after it, as before.

    Only for a figure the contract defines over the whole mall that a shop's page shows
    as an anonymous benchmark (the mall's tag readers beside a shop's, a platform
    campaign's window): nothing of another shop leaves but the aggregate. Keep each use
    to one such read.
    """
    if conn.dialect.name != "postgresql":
        yield conn
        return
    before = conn.execute(
        sa.select(
            sa.func.current_setting(SCOPE_SETTING, True),
            sa.func.current_setting(VENDOR_SETTING, True),
        )
    ).one()
    local = not _is_autocommit(conn)
    restore = {"scope": before[0] or "", "vendor_id": before[1] or "", "local": local}
    conn.execute(_SET, {**STAFF.settings(), "local": local})
    try:
        yield conn
    except BaseException:
        # A failed statement aborted the transaction, and its rollback ends the setting
        # with it; otherwise the caller may go on with `conn`, so restore it now.
        with suppress(sa.exc.SQLAlchemyError):
            conn.execute(_SET, restore)
        raise
    conn.execute(_SET, restore)


def rollup_policies(table: str, *, by_shop: bool) -> list[str]:
    """The statements that put a rollup table of the `mallboard` schema under row-level
    security (migrations 0003 and later): staff read and write every row; a shop reads its
    own rows and the mall's (−1) where the table has a vendor_id (`by_shop`), else every
    row; a transaction that set no scope reads nothing."""
    staff = f"(SELECT current_setting('{SCOPE_SETTING}', true) = 'staff')"
    shop = f"(SELECT nullif(current_setting('{VENDOR_SETTING}', true), '')::bigint)"
    sees = f"{shop} IS NOT NULL" + (f" AND vendor_id IN ({shop}, -1)" if by_shop else "")
    name = "mallboard." + table  # fixed names from the migrations, never input
    return [
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY mallboard_read ON {name} FOR SELECT TO PUBLIC USING ({staff} OR {sees})",
        f"CREATE POLICY mallboard_write ON {name} FOR ALL TO PUBLIC "
        f"USING ({staff}) WITH CHECK ({staff})",
    ]
