"""A copy of the bundled example project, and a flake8 run that reports what the plugin's
index and result cache did (through the ``FLAKE8_FLASK_CLOSE_TRACE`` debug log)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import run_flake8

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flask_shop"
CACHE = ".flake8_flask_close_cache"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "flask_shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(CACHE, "__pycache__"))
    return root


def lint(root: Path, *args: str, **kwargs: str) -> tuple[list[str], Counter[str], list[str]]:
    """(FCL lines, trace event counts, files the index read)."""
    trace = root.parent / "trace.txt"
    if trace.exists():
        trace.unlink()
    result = run_flake8(
        root, "--select=FCL", *args, ".", env={"FLAKE8_FLASK_CLOSE_TRACE": str(trace)}, **kwargs
    )
    assert "Traceback" not in result.stderr, result.stderr
    events = trace.read_text().splitlines() if trace.exists() else []
    counts = Counter(line.split()[1] for line in events)
    reads = [line.split()[2] for line in events if line.split()[1] == "read"]
    return sorted(line for line in result.stdout.splitlines() if " FCL" in line), counts, reads
