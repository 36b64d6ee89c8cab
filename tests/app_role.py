"""The console's database role in tests, made as a platform's administrator makes it.

On PostgreSQL the app runs as `mallboard_app`, never as the administrator the test
databases are made with: `grant_app_role(url)` runs `deploy/grants.sql` itself with
`psql -f` as that administrator (after the contract's tables exist, as the README says)
and returns the URL the app logs in with. The role is cluster-wide and shared by every
test database and xdist worker (the script is safe to run at once in several
databases); dropping a test database drops what the role owns in it, the role stays.
Test data (builders, demo generation) keeps using the administrator's URL.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import sqlalchemy as sa

__all__ = ["APP_ROLE", "GRANTS", "app_url", "grant_app_role", "is_postgres", "run_grants"]

APP_ROLE = "mallboard_app"
GRANTS = Path(__file__).resolve().parent.parent / "deploy" / "grants.sql"
_PASSWORDS_SET: set[str] = set()


def is_postgres(url: str | sa.URL) -> bool:
    """Whether `url` names a PostgreSQL database."""
    return sa.make_url(url).get_backend_name() == "postgresql"


def _libpq(url: str | sa.URL) -> str:
    """`url` as psql reads it (no SQLAlchemy driver name)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_grants(admin_url: str | sa.URL) -> subprocess.CompletedProcess:
    """`psql -f deploy/grants.sql` (stopping at an error) on `admin_url`'s database, or raise."""
    # Quiet about "schema already exists" and the like; warnings still show.
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", _libpq(admin_url), "-f", str(GRANTS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"deploy/grants.sql failed ({done.returncode}): {done.stderr.strip()}")
    return done


def app_url(admin_url: str | sa.URL) -> str:
    """The same database as `admin_url`, logged in as `mallboard_app`.

    Trust authentication needs no password; a server that asks for one gets the
    administrator's (set on the role by `grant_app_role`, as the DBA would set one).
    """
    url = sa.make_url(admin_url).set(username=APP_ROLE)
    return url.render_as_string(hide_password=False)


def _set_password(admin_url: str | sa.URL) -> None:
    """Give the role the administrator's password (once per process and server)."""
    url = sa.make_url(admin_url)
    key = f"{url.host}:{url.port}"
    if url.password is None or key in _PASSWORDS_SET:
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            # Workers take turns: two ALTER ROLE of one role at once fail.
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(0x6D616C6D)))
            password = conn.execute(sa.select(sa.func.quote_literal(str(url.password)))).scalar()
            conn.exec_driver_sql(f"ALTER ROLE {APP_ROLE} PASSWORD {password}")  # quoted above
    finally:
        engine.dispose()
    _PASSWORDS_SET.add(key)


def grant_app_role(admin_url: str | sa.URL) -> str:
    """Run deploy/grants.sql on the database as the administrator; the app role's URL.

    A URL that already names the app role is returned as it is (nothing to grant).
    """
    if sa.make_url(admin_url).username == APP_ROLE:
        return sa.make_url(admin_url).render_as_string(hide_password=False)
    run_grants(admin_url)
    _set_password(admin_url)
    return app_url(admin_url)
