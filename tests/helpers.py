"""Shared test helpers: write small projects, run the plugin in-process or through flake8."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from flake8_flask_close.codes import DEFAULT_OFF
from flake8_flask_close.config import Config
from flake8_flask_close.plugin import Plugin, forget_previous_run

EXPECT = re.compile(r"#\s*(FCL\d{3})\b")


REPO = Path(__file__).resolve().parents[1]


def copy_package_sources(dest: Path) -> Path:
    """The package's sources alone, in ``dest``: pip builds a local path in place, and a
    ``build/`` folder left in the checkout by an earlier build would leak stale modules
    into the wheel."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(
        REPO / "flake8_flask_close",
        dest / "flake8_flask_close",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return dest


def write_project(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def expected_codes(source: str) -> set[tuple[int, str]]:
    """(line, code) for every ``# FCLnnn`` trailing comment."""
    found = set()
    for lineno, line in enumerate(source.splitlines(), start=1):
        for code in EXPECT.findall(line):
            found.add((lineno, code))
    return found


def lint(
    path: Path, source: str | None = None, opt_in: tuple[str, ...] = DEFAULT_OFF
) -> list[tuple[int, int, str]]:
    """Run the plugin in-process on one file, as flake8 would (fresh run state), with the
    opt-in codes ``opt_in`` on (all of them unless told)."""
    text = path.read_text(encoding="utf-8") if source is None else source
    forget_previous_run()
    Plugin.config = Config(opt_in=frozenset(opt_in))
    plugin = Plugin(ast.parse(text), str(path), text.splitlines(keepends=True))
    return [(line, col, msg) for line, col, msg, _ in plugin.run()]


def codes(results: list[tuple[int, int, str]]) -> set[tuple[int, str]]:
    return {(line, msg.split(" ", 1)[0]) for line, _, msg in results}


def run_pytest(cwd: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-W", "error", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def run_flake8(
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    start_method: str | None = None,
    prelude: str = "",
) -> subprocess.CompletedProcess[str]:
    """A real flake8 run; ``start_method`` forces multiprocessing's (fork, spawn,
    forkserver) for ``--jobs``; ``prelude``, Python statements run first."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    command = [sys.executable, "-m", "flake8"]
    if start_method is not None or prelude:
        method = f"multiprocessing.set_start_method({start_method!r}); " if start_method else ""
        command = [
            sys.executable,
            "-c",
            f"import multiprocessing, sys; {method}{prelude}"
            "from flake8.main.cli import main; sys.exit(main())",
        ]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        env=env,
    )


Returned = TypeVar("Returned")


def recorded(calls: list[Any], func: Callable[..., Returned]) -> Callable[..., Returned]:
    """``func``, noting each call in ``calls`` first: its one argument, or the tuple of
    them."""

    def noting(*args: Any) -> Returned:
        calls.append(args[0] if len(args) == 1 else args)
        return func(*args)

    return noting
