"""Shared helpers of the hardening suite: run flake8 for real, run the plugin in-process, and
judge the output against the principle "never crash, never lie".

A crash shows in one of three ways, all of which :func:`crash_signs` reports:

- a traceback on stderr (the plugin, or flake8 choking on something the plugin produced);
- flake8's own wrapper around a plugin exception ("... failed during execution",
  "There was a critical error", "plugin code for ...");
- the plugin's own safety net: ``Plugin.run`` swallows every exception and logs
  ``flake8-flask-close: skipped <file> after an internal error: ...``. That is not a
  traceback, but it is a bug all the same: every finding of that file is lost.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from flake8_flask_close.codes import CODES, DEFAULT_OFF
from flake8_flask_close.config import Config
from flake8_flask_close.plugin import Plugin, forget_previous_run

CRASH_MARKERS = (
    "Traceback (most recent call last)",
    "There was a critical error",
    "failed during execution",
    "plugin code for",
    "after an internal error",
)
FINDING = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>FCL\d{3}) ")
CODE_NAMES = frozenset(CODES)

SIMPLE_APP = """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/f/<name>")
def download(name):
    return send_file(name)
"""
LEAKY_TEST = """\
def test_leak(client):
    res = client.get("/f/report.csv")
    assert res.status_code == 200
"""


def crash_signs(text: str) -> list[str]:
    """The crash markers found in flake8's stderr (or any captured text)."""
    return [m for m in CRASH_MARKERS if m in text]


def flake8(
    cwd: Path,
    *args: str,
    stdin: Optional[str] = None,
    timeout: float = 120,
    env: Optional[dict[str, str]] = None,
    memory_limit: Optional[int] = None,
) -> subprocess.CompletedProcess[str]:
    """A real ``flake8`` subprocess (``sys.executable -m flake8``).

    ``memory_limit`` (bytes) caps the address space of the child, so that an input that
    makes the plugin allocate without bound fails fast instead of waking the OOM killer.
    A run that outlives ``timeout`` raises ``subprocess.TimeoutExpired``.
    """

    def cap_memory() -> None:  # runs in the child, before exec
        import resource

        assert memory_limit is not None
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        input=stdin,
        env=full_env,
        preexec_fn=cap_memory if memory_limit is not None else None,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """Exit code 0 or 1 and nothing on stderr that betrays a crash."""
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-3000:])
    signs = crash_signs(result.stderr)
    assert not signs, f"{signs}\n{result.stderr[-3000:]}"


def findings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    """(path, line, code) of every FCL line flake8 printed."""
    out = []
    for line in result.stdout.splitlines():
        m = FINDING.match(line)
        if m:
            out.append((m["path"], int(m["line"]), m["code"]))
    return out


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())


@contextmanager
def plugin_warnings() -> Iterator[list[str]]:
    """Warnings the plugin logs (its safety net reports internal errors this way)."""
    handler = _Capture()
    logger = logging.getLogger("flake8_flask_close")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def run_plugin(
    filename: str | Path,
    source: str,
    *,
    tree: Optional[ast.Module] = None,
    test_patterns: Optional[Sequence[str]] = None,
    project_root: Optional[str | Path] = None,
    fresh: bool = True,
) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Run the plugin in-process as flake8 would: (results, internal-error warnings).

    Every opt-in code is on and the on-disk cache is off; ``fresh`` forgets the indexes
    of earlier runs (flake8 does so once per run, in ``parse_options``).
    """
    if fresh:
        forget_previous_run()
    kwargs: dict[str, object] = {"opt_in": frozenset(DEFAULT_OFF), "no_cache": True}
    if test_patterns is not None:
        kwargs["test_patterns"] = tuple(test_patterns)
    if project_root is not None:
        kwargs["project_root"] = str(project_root)
    Plugin.config = Config(**kwargs)  # type: ignore[arg-type]
    if tree is None:
        tree = ast.parse(source)
    with plugin_warnings() as warnings:
        plugin = Plugin(tree, str(filename), source.splitlines(keepends=True))
        results = [(line, col, msg) for line, col, msg, _ in plugin.run()]
    return results, warnings


def check_results(results: list[tuple[int, int, str]], source: str) -> None:
    """Every finding sits on a line of the file and starts with a registered code."""
    n_lines = max(1, len(source.splitlines()))
    for line, col, msg in results:
        assert 1 <= line <= n_lines, (line, n_lines, msg)
        assert col >= 0, (col, msg)
        assert msg.split(" ", 1)[0] in CODE_NAMES, msg
        assert "\n" not in msg and "\r" not in msg, msg
