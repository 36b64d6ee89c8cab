"""What `bench.load` sets up: the vendors' logins, the app processes, and CPU accounting.

Logins: one account per shop (`bench_load_<vendor_id>`, role vendor), written into the
console's own accounts table as the tests write theirs (a bench fixture, not a user's
action, so no audit row), with a random password hashed cheaply; each client's session
is opened by the real login (`queries.console.logins.log_in`) and its id signed as the
app signs its cookie (`SessionCookie`). `remove_logins` deletes those accounts (their
sessions go with them) at the end: nothing of the bench stays in the database.

Processes: `streamlit run streamlit_app.py`, headless, on free loopback ports.

CPU: clock ticks from /proc of the app processes, of this process and its children
(the load generator: the clients, Playwright's driver, Chromium and nginx), of the
PostgreSQL backends of the apps' connections (their `application_name`: the server is
shared, other people's work on it is not the bench's), and of the whole machine.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bcrypt
import sqlalchemy as sa

from dashboard.shell.session_cookie import SessionCookie
from queries.console.logins import log_in
from queries.console.tables import accounts
from queries.core import schema as s

__all__ = [
    "ACCOUNT_PREFIX",
    "AppProcesses",
    "CpuSample",
    "pick_vendors",
    "prepare_logins",
    "remove_logins",
]

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_PREFIX = "bench_load_"
_TICK = os.sysconf("SC_CLK_TCK")


# --- the shops and their logins --------------------------------------------------------


def pick_vendors(engine: sa.Engine, count: int, *, seed: int = 29) -> list[int]:
    """`count` active shops: the largest (by paid orders) first, then a fixed random sample.

    The first k of the list are the same for every k, so a run of 10 sessions uses the
    first 10 shops of the run of 50.
    """
    paid = (
        sa.select(s.orders.c.vendor_id, sa.func.count().label("n"))
        .where(s.orders.c.paid_at.is_not(None))
        .group_by(s.orders.c.vendor_id)
        .subquery()
    )
    query = (
        sa.select(s.vendors.c.vendor_id)
        .join(paid, paid.c.vendor_id == s.vendors.c.vendor_id)
        .where(s.vendors.c.status == "active")
        .order_by(paid.c.n.desc(), s.vendors.c.vendor_id)
    )
    with engine.connect() as conn:
        shops = list(conn.execute(query).scalars())
    if len(shops) < count:
        raise SystemExit(f"the mall has {len(shops)} active shops with orders; {count} needed")
    import random

    rest = random.Random(seed).sample(shops[1:], count - 1)
    return [shops[0], *rest]


def prepare_logins(engine: sa.Engine, vendor_ids: list[int], key: str) -> dict[int, str]:
    """A bench account per shop and a fresh session each; the signed cookie value by shop."""
    password = secrets.token_urlsafe(24)
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode("ascii")
    now = datetime.now(UTC)
    names = {vendor_id: f"{ACCOUNT_PREFIX}{vendor_id}" for vendor_id in vendor_ids}
    with engine.begin() as conn:
        conn.execute(accounts.delete().where(accounts.c.username.in_(list(names.values()))))
        conn.execute(
            accounts.insert(),
            [
                {
                    "username": name,
                    "name": name,
                    "email": "",
                    "role": "vendor",
                    "vendor_id": vendor_id,
                    "password_hash": hashed,
                    "must_change_password": False,
                    "disabled": False,
                    "password_changed_at": now,
                    "created_at": now,
                    "version": 1,
                }
                for vendor_id, name in names.items()
            ],
        )
    cookie = SessionCookie(key, 3600)
    cookies = {}
    for vendor_id, name in names.items():
        outcome = log_in(engine, username=name, password=password)
        if outcome.token is None:
            raise SystemExit(f"the login of {name} was refused: {outcome.status}")
        cookies[vendor_id] = cookie.sign(outcome.token)
    return cookies


def remove_logins(engine: sa.Engine) -> None:
    """Delete the bench's accounts (and, by cascade, their sessions)."""
    with engine.begin() as conn:
        conn.execute(accounts.delete().where(accounts.c.username.startswith(ACCOUNT_PREFIX)))


def username(vendor_id: int) -> str:
    """The bench account of a shop."""
    return f"{ACCOUNT_PREFIX}{vendor_id}"


# --- the app processes ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit at {url} did not become healthy")


@dataclass
class AppProcesses:
    """`count` app processes on free loopback ports, each with its own log."""

    count: int
    env: dict[str, str]
    folder: Path

    def __post_init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.urls: list[str] = []
        self._logs = []

    def __enter__(self) -> AppProcesses:
        try:
            for number in range(self.count):
                self._start(number)
            for process, url, log in zip(self.processes, self.urls, self._logs, strict=True):
                _wait_healthy(url, process, Path(log.name))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _environ(self) -> dict[str, str]:
        # The apps show errors as a user sees them (a test run's MALLBOARD_RAISE_ERRORS
        # would turn them into tracebacks): the load counts them either way.
        inherited = {k: v for k, v in os.environ.items() if k != "MALLBOARD_RAISE_ERRORS"}
        return {**inherited, **self.env}

    def _start(self, number: int) -> None:
        port = _free_port()
        log = open(self.folder / f"app{number}.log", "w")  # noqa: SIM115 - closed in __exit__
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        command += ["--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        self.processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=self._environ(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one below
            )
        )
        self._logs.append(log)
        self.urls.append(f"http://127.0.0.1:{port}")

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs:
            log.close()

    def alive(self) -> list[bool]:
        """Whether each process still runs."""
        return [process.poll() is None for process in self.processes]


# --- CPU --------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command name, parent pid, CPU ticks) of a process, None if it is gone.

    The ticks are its own and those of its children it has reaped (a backend that
    exited counts in the postmaster's, a finished helper in its parent's), so a sum over
    a tree only grows while processes come and go.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is the state (field 3 of proc(5)); utime, stime, cutime, cstime: 14-17.
    return name, int(fields[1]), sum(int(v) for v in fields[11:15])


def _processes() -> dict[int, tuple[str, int, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                found[int(entry)] = stat
    return found


def backends(engine: sa.Engine, application: str) -> set[int]:
    """The pids of the PostgreSQL backends whose connections named `application`."""
    if engine.dialect.name != "postgresql":
        return set()
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": application},
            ).scalars()
        )


def with_application(url: str, application: str) -> str:
    """`url` whose PostgreSQL connections name `application` (seen in pg_stat_activity)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql" or "application_name" in parsed.query:
        return url
    named = parsed.update_query_dict({"application_name": application})
    return named.render_as_string(hide_password=False)


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _descendants(processes: dict[int, tuple[str, int, int]], roots: set[int]) -> set[int]:
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, (_, parent, _) in processes.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


@dataclass
class CpuSample:
    """CPU ticks used so far by each part of the machine, at one moment."""

    at: float
    apps: list[int]  # per app process (with any children)
    generator: int  # this process and its children other than the apps
    postgres: dict[int, int]  # per backend of the apps' connections
    busy: int
    total: int

    @classmethod
    def take(cls, app_pids: list[int], backend_pids: set[int]) -> CpuSample:
        """Read /proc now; `backend_pids`: the apps' PostgreSQL backends (`backends`)."""
        processes = _processes()
        apps = [_descendants(processes, {pid}) for pid in app_pids]
        in_apps = set().union(*apps) if apps else set()
        mine = _descendants(processes, {os.getpid()}) - in_apps
        busy, total = _machine_ticks()
        return cls(
            at=time.monotonic(),
            apps=[sum(processes[p][2] for p in group if p in processes) for group in apps],
            generator=sum(processes[p][2] for p in mine if p in processes),
            postgres={p: processes[p][2] for p in backend_pids if p in processes},
            busy=busy,
            total=total,
        )


@dataclass(frozen=True)
class CpuUse:
    """Cores used on average between two samples, by part."""

    apps: list[float]
    generator: float
    postgres: float
    machine: float  # all CPUs busy (of os.cpu_count())
    other: float  # the machine's busy time not in the parts above


def cpu_between(first: CpuSample, last: CpuSample) -> CpuUse:
    """The cores each part used between `first` and `last`."""
    wall = max(last.at - first.at, 1e-6)
    cores = os.cpu_count() or 1

    def used(ticks: int) -> float:
        return ticks / _TICK / wall

    apps = [used(b - a) for a, b in zip(first.apps, last.apps, strict=True)]
    generator, postgres = (
        used(last.generator - first.generator),
        # A backend opened in between counts whole; one closed in between is lost.
        used(sum(t - first.postgres.get(p, 0) for p, t in last.postgres.items())),
    )
    share = (last.busy - first.busy) / max(last.total - first.total, 1)
    machine = share * cores
    return CpuUse(
        apps, generator, postgres, machine, max(machine - sum(apps) - generator - postgres, 0.0)
    )
