"""`python -m exports report …` and `python -m exports settlement …`: exports from a shell.

Exit status: 0 done, 2 bad arguments (unknown vendor, malformed date, …),
1 the database cannot be reached or lacks contract tables. Never a traceback.
"""

from __future__ import annotations

import sys

USAGE = "usage: python -m exports {report|settlement} …  (add --help after the command)"


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command's own module."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("report", "settlement"):
        print(USAGE, file=sys.stderr)  # noqa: T201 - a shell tool
        return 2
    if args[0] == "report":
        from exports.report_cli import main as run
    else:
        from exports.settlement_cli import main as run
    try:
        return run(args[1:])
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)  # noqa: T201
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a line, never a traceback
        # Bad arguments are refused before this (exit 2); what lands here is a failure
        # of the run itself, said in one line.
        print(f"error: the export failed: {type(exc).__name__}: {exc}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
