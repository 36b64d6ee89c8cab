"""A session's own last write position, kept in its server-side session row.

With a read replica, a user's reads stay on the primary after their own write until
the replica has replayed it (`queries.core.replica`). The app keeps that position in the
Streamlit session and here, so that when the user's next click lands on another app
process (a process died, nginx sent them elsewhere), that process knows it too.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.console.tables import sessions

__all__ = ["remember_write_position", "write_position"]


def remember_write_position(engine: sa.Engine, *, session_hash: str, position: int) -> None:
    """Keep `position` as the session's last own write (never moving it back)."""
    with engine.begin() as conn:
        conn.execute(
            sessions.update()
            .where(sessions.c.session_hash == session_hash)
            .where(sa.or_(sessions.c.write_lsn.is_(None), sessions.c.write_lsn < position))
            .values(write_lsn=position)
        )


def write_position(conn: sa.Connection, *, session_hash: str) -> int | None:
    """The session's last own write position (None: none kept, or no such session)."""
    stmt = sa.select(sessions.c.write_lsn).where(sessions.c.session_hash == session_hash)
    return conn.execute(stmt).scalar()
