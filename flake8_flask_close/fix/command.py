"""``flake8-flask-close fix [--diff] [--select CODES] PATH...``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from flake8_flask_close.fix.model import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    FIXABLE_CODES,
)

DESCRIPTION = """\
Rewrite what can be proved safe:
  FCL101/FCL102  wrap the request in 'with client.get(...) as res:' around the statements
                 that use the response, when no body read is left after the block (c02i);
                 otherwise add buffered=True; a bare request gets a chained .close()
  FCL201         'with open(p) as f: return send_file(f)' -> 'return send_file(open(p))'
  FCL202         remove 'response.close()' before 'return response'; unwrap
                 'with send_file(...) as response: return response' and closing(...)
Anything else is left alone and reported with the reason. Files that do not parse are
left unchanged. Formatting and comments are kept (a with-line longer than flake8's
max-line-length is folded); a second run changes nothing.
"""

EPILOG = f"""\
exit codes:
  {EXIT_OK}  nothing to fix, or every finding was fixed (--diff: nothing would change)
  {EXIT_FINDINGS}  --diff: the fixer would change something; without --diff: some
     findings were left unfixed (each is printed with the reason)
  {EXIT_ERROR}  a file could not be read, parsed, rewritten (nested too deeply) or written,
     or hit an internal error (it was left unchanged; the other files were still
     processed), or bad usage, or flake8 can't read or use its configuration (nothing
     is fixed then)
"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "fix",
        help="rewrite FCL101/FCL102/FCL201/FCL202 findings where that is provably safe",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff instead of writing the files",
    )
    parser.add_argument(
        "--select",
        default=",".join(FIXABLE_CODES),
        metavar="CODES",
        help=f"comma-separated codes to fix (default: {','.join(FIXABLE_CODES)})",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="flake8 configuration file to read (default: setup.cfg, tox.ini or .flake8"
        " with a [flake8] section, from the current folder upward, as flake8 does)",
    )
    parser.add_argument("--project-root", default=None, help="where route discovery starts")
    parser.add_argument("--no-cache", action="store_true", help="don't use the index cache")


def select_codes(value: str) -> tuple[str, ...]:
    """Codes (or prefixes, such as FCL2) to fix; raises ValueError on anything else."""
    chosen: list[str] = []
    for entry in (v.strip().upper() for v in value.split(",")):
        if not entry:
            continue
        matching = [c for c in FIXABLE_CODES if c.startswith(entry)]
        if not matching:
            raise ValueError(
                f"{entry} is not a code the fixer handles ({', '.join(FIXABLE_CODES)})"
            )
        chosen += [c for c in matching if c not in chosen]
    if not chosen:
        raise ValueError("no code selected")
    return tuple(chosen)


def run(args: argparse.Namespace) -> int:
    from flake8_flask_close.fix.engine import fix_paths, unified_diff
    from flake8_flask_close.fix.settings import load_settings

    try:
        codes = select_codes(args.select)
    except ValueError as error:
        print(f"flake8-flask-close fix: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.config is not None and not os.path.isfile(args.config):
        print(f"flake8-flask-close fix: no such configuration file: {args.config}", file=sys.stderr)
        return EXIT_ERROR
    settings = load_settings(".", args.config, args.project_root, args.no_cache)
    result, passed = fix_paths(args.paths, settings, codes, write=not args.diff)
    for target in passed:
        if not target.error:
            print(f"{target.path}: skipped: {target.note}", file=sys.stderr)
    skipped = False
    for file in result.files:
        if file.error is not None:
            print(f"{file.path}: {file.error}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(unified_diff(file))
        for outcome in file.outcomes:
            skipped = skipped or not outcome.fixed
            if args.diff:
                if not outcome.fixed:
                    print(outcome.render(file.path), file=sys.stderr)
            else:
                print(outcome.render(file.path))
    sys.stdout.flush()
    if result.errors:
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if result.changed else EXIT_OK
    return EXIT_FINDINGS if skipped else EXIT_OK
