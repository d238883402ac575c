"""``flake8-flask-close routes | fix | explain``: what the linter sees, the fixer, and what
a code means."""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import sys
from collections.abc import Sequence
from typing import Optional

from flake8_flask_close import __version__
from flake8_flask_close.codes import CODES
from flake8_flask_close.fix import command as fix_command
from flake8_flask_close.fix.model import EXIT_ERROR, error_text
from flake8_flask_close.fix.settings import UnusableConfiguration
from flake8_flask_close.routes.index import get_index
from flake8_flask_close.routes.project import find_root
from flake8_flask_close.rules import ALL_RULES

EXIT_INTERRUPTED = 130
"""Ctrl-C: the shell's code for a command that SIGINT ended."""

EXIT_PIPE_CLOSED = 141
"""The output's reader left: the shell's code for a command that SIGPIPE ended."""


def _routes(
    path: str, project_root: Optional[str], send_functions: Sequence[str], use_cache: bool
) -> int:
    """The route table, with the options flake8 reads from the project's configuration
    (those given here win)."""
    from flake8_flask_close.fix.settings import load_settings

    if not os.path.exists(path):
        print(f"flake8-flask-close: no such file or folder: {path}", file=sys.stderr)
        return 2
    config = load_settings(".", None, project_root, not use_cache).config
    names = tuple(send_functions) or config.send_functions
    probe = os.path.join(path, "__probe__.py") if os.path.isdir(path) else path
    root = find_root(probe, config.project_root)
    index = get_index(root, names, None, config.cache)
    print(f"project root: {root}")
    rows = []
    for group, route in index.all_routes():
        methods = ",".join(sorted(route.methods)) if route.methods else "GET"
        evidence = route.evidence
        if route.method_evidence is not None:
            evidence = "; ".join(f"{m}: {e or '-'}" for m, e in route.method_evidence) or None
        rows.append(
            (
                route.rule or "(unknown rule)",
                methods,
                route.endpoint,
                ("sometimes" if route.sometimes else "yes") if route.serves_file else "no",
                evidence or "-",
                group.label,
                route.location,
            )
        )
    if not rows:
        print("no routes found")
        return 0
    header = ("rule", "methods", "endpoint", "file", "evidence", "app", "defined at")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *sorted(rows, key=lambda r: (r[5], r[0]))]:
        cells = [str(c).ljust(w) for c, w in zip(row, widths)]
        print("  ".join([*cells, str(row[-1])]).rstrip())
    return 0


def _explain(code: str) -> int:
    code = code.upper()
    if code not in CODES:
        print(
            f"flake8-flask-close: unknown code {code}; known: {', '.join(CODES)}", file=sys.stderr
        )
        return 2
    entry = CODES[code]
    rule = next(r for r in ALL_RULES if r.CODE.code == code)
    state = "on by default" if entry.default_on else f"opt-in (extend-select = {code})"
    print(f"{entry.code} {entry.name} ({state})\n")
    print(inspect.cleandoc(rule.__doc__ or entry.summary))
    print("\nExample (reported):\n")
    print(rule.INVALID[0].source)
    print("Use instead:\n")
    print(rule.VALID[0].source)
    print(f"More: docs/rules/{code}.md")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="flake8-flask-close",
        description="Inspect what flake8-flask-close sees in a Flask project.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    routes = sub.add_parser("routes", help="print the route table the linter sees")
    routes.add_argument("path", nargs="?", default=".")
    routes.add_argument("--project-root", default=None)
    routes.add_argument(
        "--send-functions", default="", help="comma-separated extra file-sending callables"
    )
    routes.add_argument("--no-cache", action="store_true", help="don't use the index cache")
    fix_command.add_parser(sub)
    explain = sub.add_parser("explain", help="print the documentation of a code")
    explain.add_argument("code")
    args = parser.parse_args(argv)
    try:
        if args.command == "routes":
            names = [n.strip() for n in args.send_functions.split(",") if n.strip()]
            return _routes(args.path, args.project_root, names, not args.no_cache)
        if args.command == "fix":
            return fix_command.run(args)
        return _explain(args.code)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED  # the fixer writes each file whole or not at all
    except BrokenPipeError:
        # stdout's reader left (``| head``): what is still buffered goes nowhere
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except UnusableConfiguration as error:  # flake8's to report, not a bug of ours
        print(f"flake8-flask-close {args.command}: {error}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:
        print(
            f"flake8-flask-close {args.command}: internal error: {error_text(error)}"
            " (a bug in flake8-flask-close: please report it with the command)",
            file=sys.stderr,
        )
        return EXIT_ERROR
