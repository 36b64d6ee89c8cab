"""`python -m rollups refresh|status|drop`: the platform's nightly job and its look-outs.

    python -m rollups refresh [--db URL] [--through YYYY-MM-DD] [--from YYYY-MM-DD] [--rebuild]
    python -m rollups status [--db URL]
    python -m rollups drop [--db URL]

`--db` defaults to `DATABASE_URL` (the settings). `refresh` is incremental: each
family from its cut minus the look-back (`ROLLUP_LOOKBACK_DAYS`, default 3) up to
`--through` (exclusive; default today in the platform timezone, so yesterday is the
last rolled day); `--from` recomputes from an older day after a data repair; `--rebuild`
recomputes everything. Exit 0 done (or another refresh is running), 1 a failure with
its message (cron and systemd alert on it), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from queries.core.errors import UserError

__all__ = ["main"]


def _say(line: str) -> None:
    print(line, file=sys.stderr)  # noqa: T201 - a shell tool


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc
    if not 2000 <= day.year <= 2100:
        raise argparse.ArgumentTypeError(f"{text} is outside the years 2000–2100")
    return day


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rollups", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    refresh = sub.add_parser("refresh", help="bring the rollups up to a day (incremental)")
    refresh.add_argument("--db", help="database URL (default: DATABASE_URL)")
    refresh.add_argument("--through", type=_day, help="first day not rolled (default: today)")
    refresh.add_argument("--from", dest="start", type=_day, help="recompute from this day")
    refresh.add_argument("--rebuild", action="store_true", help="recompute every day")
    for name, text in (("status", "each family's cut and last run"), ("drop", "empty them")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--db", help="database URL (default: DATABASE_URL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; the exit status."""
    args = _parser().parse_args(argv)  # exits 2 with a message on bad arguments
    from queries.core.db import connect_engine
    from queries.core.rls import STAFF, set_scope
    from queries.core.settings import load_settings, normalize_url
    from rollups.refresh import AlreadyRunning, family_status, refresh

    set_scope(STAFF)  # row-level security (deploy/rls.sql): the rollups are the whole mall's
    engine = None
    try:
        settings = load_settings()
        url = normalize_url(args.db) if args.db else settings.database_url
        engine = connect_engine(url)
        tz = settings.timezone
        if args.command == "refresh":
            through = args.through or datetime.now(settings.tz).date()
            if args.start and args.start >= through:
                _say(f"--from {args.start} must be before --through {through}")
                return 2
            runs = refresh(
                engine,
                tz=tz,
                through=through,
                start=args.start,
                rebuild=args.rebuild,
                lookback_days=settings.rollup_lookback_days,
                progress=_say,
            )
            failed = [run for run in runs if run.outcome != "ok"]
            return 1 if failed else 0
        if args.command == "status":
            with engine.connect() as conn:
                for row in family_status(conn, tz=tz):
                    print(_status_line(row))  # noqa: T201
            return 0
        from rollups.build import drop_rollups

        with engine.begin() as conn:
            drop_rollups(conn)
        _say("The rollups are empty: the console reads everything live until the next refresh.")
        return 0
    except AlreadyRunning as exc:
        _say(exc.message("en"))
        return 0
    except UserError as exc:
        _say(exc.message("en"))
        return 1
    except Exception as exc:  # noqa: BLE001 - a shell tool says what failed, no traceback
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
        _say(f"The rollup job failed: {type(exc).__name__}: {first}")
        return 1
    finally:
        if engine is not None:
            engine.dispose()


def _status_line(row: dict) -> str:
    if not row.get("complete_before"):
        return f"{row['family']:<14} never built"
    seconds = (row.get("last_duration_ms") or 0) / 1000
    last = row.get("last_finished_at")
    return (
        f"{row['family']:<14} rolled up to {row['complete_before']} (exclusive)"
        f" · last run {last:%Y-%m-%d %H:%M UTC} · {seconds:.1f} s"
        f" · {row.get('last_rows') or 0:,} rows · {row.get('last_outcome') or '?'}"
        + (f" · {row['last_message']}" if row.get("last_message") else "")
        if last
        else f"{row['family']:<14} rolled up to {row['complete_before']} (exclusive)"
    )


if __name__ == "__main__":
    sys.exit(main())
