"""A throwaway PostgreSQL primary and its streaming replica on loopback, for one test.

`initdb` into temporary folders owned by the `postgres` OS user (the server refuses to
run as root), every server command run as that user with `runuser -u postgres --`,
each server on its own free port of 127.0.0.1 and its socket in its own folder. The
replica is `pg_basebackup -R` of the primary (streaming, hot standby), so it is an
empty new cluster's copy: the shared test server is never copied or touched.

    with loopback_pair(folder) as pair:
        pair.primary.url("mall"), pair.replica.url("mall")
        pair.replica.stop(); pair.replica.start()
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PG_BIN", "Cluster", "Pair", "loopback_pair", "missing"]

OS_USER = "postgres"


def _pg_bin() -> Path | None:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    return max(found, key=lambda p: int(p.parent.name), default=None)


PG_BIN = _pg_bin()


def missing() -> str | None:
    """Why this machine cannot run the pair (None when it can)."""
    if PG_BIN is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if shutil.which("runuser") is None:
        return "runuser is not installed"
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return f"no OS user {OS_USER!r}"
    if os.geteuid() != 0:
        return "runuser needs root to run the servers as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(
    *command: str, timeout: float = 60, check: bool = True
) -> subprocess.CompletedProcess:
    """Run a server binary as the postgres OS user; raise with its output if it fails
    (unless `check` is false)."""
    done = subprocess.run(
        ["runuser", "-u", OS_USER, "--", str(PG_BIN / command[0]), *command[1:]],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd="/",  # the postgres user may not be able to read the test's working folder
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return done


# Throwaway servers: durability off (nothing here outlives the test), small memory.
_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
logging_collector = off
log_line_prefix = '%m [%p] %u@%d '
"""

# Trust on loopback only, a replication entry for the standby's walreceiver.
_HBA = """
local   all          all                    trust
host    all          all          127.0.0.1/32  trust
host    replication  all          127.0.0.1/32  trust
"""


@dataclass
class Cluster:
    """One server: its data folder, port and log."""

    data: Path
    port: int
    log: Path

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A SQLAlchemy URL for `database` on this server as `user` (trust: no password)."""
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def configure(self) -> None:
        """Write its settings (appended: the last value of a setting wins)."""
        sockets = self.data.parent / f"sockets-{self.data.name}"
        sockets.mkdir(exist_ok=True)
        shutil.chown(sockets, OS_USER, OS_USER)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(_SETTINGS.format(port=self.port, sockets=sockets))
        (self.data / "pg_hba.conf").write_text(_HBA)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        _as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: sessions are ended, `immediate`: as a crash)."""
        _as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def log_statements(self) -> None:
        """Log every statement from now on (each entry names its user and database)."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("ALTER SYSTEM SET log_statement = 'all'")
                conn.exec_driver_sql("SELECT pg_reload_conf()")
                # The reload is asynchronous: wait until this session sees it.
                for _ in range(50):
                    if conn.exec_driver_sql("SHOW log_statement").scalar() == "all":
                        return
                    time.sleep(0.1)
        finally:
            engine.dispose()
        raise TimeoutError(f"{self.data.name} did not reload its settings")

    def log_size(self) -> int:
        """How long its log is now (a mark for `log_since`)."""
        return self.log.stat().st_size

    def log_since(self, mark: int) -> str:
        """Its log after `mark`."""
        with self.log.open("rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", errors="replace")

    def running(self) -> bool:
        """Whether its postmaster runs."""
        return _as_postgres("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0


@dataclass
class Pair:
    """A primary and its streaming replica."""

    primary: Cluster
    replica: Cluster

    def wait_replayed(self, database: str = "postgres", timeout: float = 30) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        import sqlalchemy as sa

        primary = sa.create_engine(self.primary.url(database))
        replica = sa.create_engine(self.replica.url(database))
        try:
            with primary.connect() as conn:
                target = conn.execute(sa.text("SELECT pg_current_wal_lsn()")).scalar()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with replica.connect() as conn:
                    caught_up = conn.execute(
                        sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"),
                        {"lsn": target},
                    ).scalar()
                if caught_up:
                    return
                time.sleep(0.1)
            raise TimeoutError(f"the replica did not replay up to {target} in {timeout} s")
        finally:
            primary.dispose()
            replica.dispose()


@contextmanager
def loopback_pair(prefix: str = "mb-pg-") -> Iterator[Pair]:
    """A started primary and replica in a new temporary folder, stopped and removed after."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    # Not under pytest's tmp_path: its parents are private to root, and the servers run
    # as postgres.
    base = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.chown(base, OS_USER, OS_USER)
    primary = Cluster(base / "primary", _free_port(), base / "primary.log")
    replica = Cluster(base / "replica", _free_port(), base / "replica.log")
    for log in (primary.log, replica.log):
        log.touch()
        shutil.chown(log, OS_USER, OS_USER)
    started: list[Cluster] = []
    try:
        _as_postgres(
            "initdb",
            "-D",
            str(primary.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        primary.configure()
        primary.start()
        started.append(primary)
        # The standby's copy: -R writes primary_conninfo and standby.signal.
        _as_postgres(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(replica.data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        replica.configure()
        replica.start()
        started.append(replica)
        yield Pair(primary, replica)
    finally:
        for cluster in reversed(started):
            if cluster.running():
                try:
                    cluster.stop("immediate")
                except RuntimeError:
                    pass  # already gone; the folder goes below
        shutil.rmtree(base, ignore_errors=True)
