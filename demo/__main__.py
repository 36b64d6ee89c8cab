"""`python -m demo --scale tiny|small|medium|large [--seed N] [--db URL] [--replace]`.

`--db` defaults to the embedded SQLite file, never to DATABASE_URL; a URL that names
no database is refused (exit 2). A database that already holds orders, shops or
members is refused (exit 2) unless `--replace`; an unusable database exits 1 with a
message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from demo.generate import SCALES, generate
from demo.load import clear_all, has_data
from queries.core.errors import UserError

__all__ = ["run"]


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _seed(text: str) -> int:
    """`--seed`: a whole number from 0 (ASCII digits; a negative seed is refused by numpy)."""
    from queries.core.errors import Invalid
    from queries.core.messages import text as words
    from queries.core.validation import MAX_ID, parse_whole_number

    try:
        return parse_whole_number(
            text, field="seed", label=words("label.core.number.seed"), low=0, high=MAX_ID
        )
    except Invalid as exc:
        raise argparse.ArgumentTypeError(exc.en) from None


def run(argv: list[str] | None = None) -> int:
    """`python -m demo`: 0 done, 1 database unusable, 2 refused (holds data)."""
    from queries.core.db import connect_engine
    from queries.core.schema import create_schema
    from queries.core.settings import DEFAULT_SQLITE_PATH, default_sqlite_url, normalize_url

    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--seed", type=_seed, default=7)
    parser.add_argument("--db", help="database URL (default: the embedded SQLite demo file)")
    parser.add_argument("--replace", action="store_true", help="delete the rows already there")
    parser.add_argument(
        "--no-rollups",
        action="store_true",
        help="the contract's tables only: no sales rollups (proposal P5)",
    )
    args = parser.parse_args(argv)
    engine = None
    try:
        if args.db:
            url = normalize_url(args.db)
            if not sa.engine.make_url(url).database:
                # PostgreSQL would connect to the user's own database and fill it.
                _say(
                    "--db names no database (postgresql://user@host/DATABASE); nothing was changed."
                )
                return 2
        else:
            DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
            url = default_sqlite_url()
        engine = connect_engine(url, check=False)
        create_schema(engine)
        with engine.begin() as conn:
            if has_data(conn):
                if not args.replace:
                    _say(
                        "This database already holds a mall (orders, shops or members); "
                        "nothing was changed. Use --replace to delete its rows and load "
                        "the demo anyway."
                    )
                    return 2
                _say("Deleting the rows already there (--replace)…")
                clear_all(conn)
        summary = generate(
            engine,
            scale=args.scale,
            seed=args.seed,
            progress=_say,
            rollups=not args.no_rollups,
        )
        from demo.accounts import prepare_demo_console

        prepare_demo_console(engine)  # the console's tables, the demo mark, the demo logins
    except UserError as exc:
        _say(exc.message("en"))
        return 1
    except sa.exc.SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        _say(f"The database refused the demo data: {first}")
        return 1
    except KeyboardInterrupt:
        _say("Interrupted; the demo load was rolled back.")
        return 130
    except Exception as exc:  # noqa: BLE001 - a shell tool says what failed, no traceback
        _say(f"The demo mall could not be built: {type(exc).__name__}: {exc}")
        return 1
    finally:
        if engine is not None:
            engine.dispose()
    for name, count in summary.counts.items():
        _say(f"  {name:<22} {count:>12,}")
    _say(
        f"Biggest shop {summary.biggest_vendor_id}, small shop {summary.small_vendor_id}, "
        f"empty shop {summary.empty_vendor_id}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(run())
