"""One validated settings object, read from the environment or `.streamlit/secrets.toml`.

No Streamlit here: the shell tools (`python -m demo`, `python -m exports`)
read the same settings as the app.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from queries.core.errors import Invalid
from queries.core.messages import text

__all__ = ["PROJECT_ROOT", "Settings", "default_sqlite_url", "load_settings", "normalize_url"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "mallboard.sqlite"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"
CURRENCIES = {"CNY": "¥", "HKD": "HK$", "USD": "$"}


@dataclass(frozen=True)
class Settings:
    """Where the mall's database is and how its figures are cut and shown."""

    database_url: str
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    review_deadline_days: int = 3
    is_demo: bool = False
    # Sessions and logins (README "Accounts and sessions"); see queries.console.policy.
    session_hours: int = 12
    idle_minutes: int = 120
    max_failures: int = 5
    max_failures_per_address: int = 20
    window_minutes: int = 15
    lockout_minutes: int = 15
    # Proxies whose X-Forwarded-For is believed (nginx's address as the app sees it).
    trusted_proxies: tuple[str, ...] = ()
    # The app's time limit on one statement (`QUERY_TIMEOUT_SECONDS`); shell tools have none.
    query_timeout_seconds: int = 30
    # Rollups (README "Rollups"): the refresh's look-back, and how old a cut may be before
    # the console stops reading the rollups (and reads live).
    rollup_lookback_days: int = 3
    rollup_max_age_days: int = 2
    # A PostgreSQL hot standby of DATABASE_URL the pages read from (`READ_DATABASE_URL`,
    # optional; README "Read replica and several processes"): None reads the primary.
    read_database_url: str | None = None
    # Connections one app process keeps per database (`DB_POOL_SIZE`; as many again may
    # open in a burst), and how long a run waits for one before "busy" (`DB_POOL_TIMEOUT_SECONDS`).
    db_pool_size: int = 10
    db_pool_timeout_seconds: int = 10

    @property
    def tz(self) -> ZoneInfo:
        """The platform timezone."""
        return ZoneInfo(self.timezone)

    @property
    def currency_symbol(self) -> str:
        """The display symbol of the currency."""
        return CURRENCIES[self.currency]


def default_sqlite_url() -> str:
    """The embedded demo database's URL."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalize_url(url: str, *, name: str = "DATABASE_URL") -> str:
    """Accept `postgresql://`, `postgres://`, `postgresql+psycopg://` and `sqlite:///`
    (`name`: the setting's name, for the message)."""
    url = url.strip()
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("postgresql+psycopg://", "sqlite://")):
        return url
    raise Invalid(*text("error.core.settings.database_url_must_postgresql_sqlite", name=name))


def _read_secrets(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_settings(
    environ: dict[str, str] | None = None, secrets_path: Path = SECRETS_PATH
) -> Settings:
    """Read and validate the settings; the environment wins over secrets.toml."""
    env = os.environ if environ is None else environ
    secrets = _read_secrets(secrets_path)

    def pick(name: str, default: str | None = None) -> str | None:
        return env.get(name) or secrets.get(name) or secrets.get(name.lower()) or default

    url = pick("DATABASE_URL")
    is_demo = not url
    database_url = default_sqlite_url() if is_demo else normalize_url(url)
    timezone = pick("PLATFORM_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(*text("error.core.settings.unknown_timezone", timezone=timezone)) from exc
    currency = (pick("CURRENCY", "CNY") or "CNY").upper()
    if currency not in CURRENCIES:
        raise Invalid(*text("error.core.settings.unsupported_currency", currency=currency))
    deadline = pick("REVIEW_DEADLINE_DAYS", "3")
    if not str(deadline).isdigit() or int(deadline) < 1:
        raise Invalid(*text("error.core.settings.review_deadline_days_must_whole"))
    limits = {
        field: _whole(pick(name, str(default)), name, low, high)
        for field, name, default, low, high in _LIMITS
    }
    read_url = pick("READ_DATABASE_URL")
    read_database_url = normalize_url(read_url, name="READ_DATABASE_URL") if read_url else None
    if read_database_url and not (
        database_url.startswith("postgresql") and read_database_url.startswith("postgresql")
    ):
        # A replica's replay position (pg_last_wal_replay_lsn) exists on PostgreSQL only.
        raise Invalid(*text("error.core.settings.read_replica_needs_postgresql"))
    proxies = tuple(p.strip() for p in (pick("TRUSTED_PROXIES", "") or "").split(",") if p.strip())
    return Settings(
        database_url=database_url,
        timezone=timezone,
        currency=currency,
        review_deadline_days=int(deadline),
        is_demo=is_demo,
        trusted_proxies=proxies,
        read_database_url=read_database_url,
        **limits,
    )


# (Settings field, setting's name, default, lowest, highest)
_LIMITS = (
    ("session_hours", "SESSION_MAX_HOURS", 12, 1, 24 * 30),
    ("idle_minutes", "SESSION_IDLE_MINUTES", 120, 1, 24 * 60 * 30),
    ("max_failures", "LOGIN_MAX_FAILURES", 5, 1, 1000),
    ("max_failures_per_address", "LOGIN_MAX_FAILURES_PER_ADDRESS", 20, 1, 100000),
    ("window_minutes", "LOGIN_WINDOW_MINUTES", 15, 1, 24 * 60),
    ("lockout_minutes", "LOCKOUT_MINUTES", 15, 1, 24 * 60),
    ("query_timeout_seconds", "QUERY_TIMEOUT_SECONDS", 30, 1, 3600),
    ("rollup_lookback_days", "ROLLUP_LOOKBACK_DAYS", 3, 0, 366),
    ("rollup_max_age_days", "ROLLUP_MAX_AGE_DAYS", 2, 1, 3650),
    ("db_pool_size", "DB_POOL_SIZE", 10, 1, 500),
    ("db_pool_timeout_seconds", "DB_POOL_TIMEOUT_SECONDS", 10, 1, 600),
)


def _whole(value: str | None, name: str, low: int, high: int) -> int:
    """A whole-number setting within [low, high], or `Invalid` naming it."""
    raw = str(value).strip()
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(*text("error.core.settings.whole_number", name=name, low=low, high=high))
    return int(raw)
