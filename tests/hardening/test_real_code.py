"""The plugin through real ``flake8`` subprocesses over large bodies of real code that any
machine has: the standard library of the running Python and a slice of site-packages.

None of this code uses a Flask test client on a file route, so the right answer is (almost)
always silence. What is checked:

- exit code 0 or 1, and no sign of a crash on stderr (see ``support.crash_signs``; the
  plugin's own "skipped ... after an internal error" counts as a crash);
- every finding is plausible: an ``FCL1xx`` sits on a statement that makes a request or a
  response (``.get(``, ``.post(``, ``send_``...), an ``FCL2xx`` on one that builds, closes
  or hooks a response; in the standard library there are none at all;
- a canary project (a known leak and a known premature close) run in the same flake8
  invocation is reported, which proves the plugin really ran in that configuration.

Each tree is linted twice: with ``--flask-close-test-patterns=*.py`` (every file goes
through the test-side analysis, the hard case) and with the default patterns (production
rules; ``test/`` folders still count as tests). ``--flask-close-project-root`` points at the
tree's root so the route index is built over all of it; the index cache goes to a
temporary folder (never into the Python installation).

To stay within about two minutes on two cores, only slices are linted (``--jobs 2``):

- standard library: the packages ``email json http urllib wsgiref xmlrpc unittest
  concurrent logging sqlite3`` (~58k lines, 110 files; ``unittest/test`` is test code
  under the default patterns); the index covers the whole library;
- site-packages: ``flask werkzeug jinja2 _pytest pytest_flask`` (~70k lines), when
  installed; the index covers the whole site-packages folder.

``scripts/sweep.py`` is the long version: every installed Python's whole standard library
and every site-packages tree.
"""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest

from tests.hardening.support import assert_clean, findings, flake8

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PURELIB = Path(sysconfig.get_paths()["purelib"])
STDLIB_SLICE = (
    "email",
    "json",
    "http",
    "urllib",
    "wsgiref",
    "xmlrpc",
    "unittest",
    "concurrent",
    "logging",
    "sqlite3",
)
SITE_SLICE = ("flask", "werkzeug", "jinja2", "_pytest", "pytest_flask")

TEST_SIDE_TOKENS = re.compile(
    r"\.(get|post|put|patch|delete|head|options|open)\(|send_|test_request_context"
)
PROD_SIDE_TOKENS = re.compile(
    r"send_|Response|wrap_file|close|call_on_close|get_data|after_request|teardown|\.response"
)
STATEMENT_SPAN = 6
"""A finding lands on the first line of its statement: look this many lines further."""

CANARY_TEST = """\
from flask import send_file


def test_canary(app):
    with app.test_request_context():
        res = send_file(__file__)
        assert res.status_code == 200
"""
CANARY_VIEW = """\
from flask import send_file


def download(path):
    with open(path, "rb") as fh:
        return send_file(fh)
"""


def _canary(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "canary"
    folder.mkdir()
    (folder / "test_canary.py").write_text(CANARY_TEST)
    (folder / "canary_view.py").write_text(CANARY_VIEW)
    return folder / "test_canary.py", folder / "canary_view.py"


def _plausible(path: str, line: int, code: str) -> bool:
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    text = "\n".join(lines[line - 1 : line - 1 + STATEMENT_SPAN])
    tokens = TEST_SIDE_TOKENS if code.startswith("FCL1") else PROD_SIDE_TOKENS
    return bool(tokens.search(text))


def _lint_tree(
    tmp_path: Path, root: Path, paths: list[Path], test_side: bool
) -> list[tuple[str, int, str]]:
    canary_test, canary_view = _canary(tmp_path)
    args = [
        "--select=FCL",
        "--jobs=2",
        f"--flask-close-project-root={root}",
        f"--flask-close-cache-dir={tmp_path / 'cache'}",
    ]
    if test_side:
        args.append("--flask-close-test-patterns=*.py")
    result = flake8(
        tmp_path, *args, *map(str, paths), str(canary_test), str(canary_view), timeout=300
    )
    assert_clean(result)
    found = findings(result)
    canary = {(Path(p).name, line, code) for p, line, code in found if "canary" in p}
    expected = {("test_canary.py", 6, "FCL101")}
    if not test_side:
        expected.add(("canary_view.py", 6, "FCL201"))
    assert canary == expected, result.stdout[-3000:]
    real = [f for f in found if "canary" not in f[0]]
    implausible = [f for f in real if not _plausible(*f)]
    assert not implausible, implausible
    return real


@pytest.mark.parametrize(
    "test_side", [True, False], ids=["all-files-are-tests", "default-patterns"]
)
def test_stdlib_slice(tmp_path: Path, test_side: bool) -> None:
    paths = [STDLIB / name for name in STDLIB_SLICE if (STDLIB / name).is_dir()]
    assert len(paths) >= 6, paths
    real = _lint_tree(tmp_path, STDLIB, paths, test_side)
    assert real == [], real  # the standard library uses no Flask test client


@pytest.mark.parametrize(
    "test_side", [True, False], ids=["all-files-are-tests", "default-patterns"]
)
def test_site_packages_slice(tmp_path: Path, test_side: bool) -> None:
    paths = [PURELIB / name for name in SITE_SLICE if (PURELIB / name).is_dir()]
    if not paths:
        pytest.skip(f"none of {SITE_SLICE} installed in {PURELIB}")
    _lint_tree(tmp_path, PURELIB, paths, test_side)
