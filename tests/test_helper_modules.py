"""Test-side helper modules a test module imports: which files they are, and when a test
module without requests of its own is analysed for theirs."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

from flake8_flask_close.config import DEFAULT_CONFIG, DEFAULT_TEST_PATTERNS
from flake8_flask_close.plugin import forget_previous_run, may_make_requests
from flake8_flask_close.testcode.files import helper_module_paths, is_test_file, resolve_import
from tests.helpers import codes, lint, write_project

APP = """\
from flask import Flask, send_from_directory

app = Flask(__name__)


@app.get("/exports/<path:name>")
def export(name):
    return send_from_directory("exports", name)
"""

FETCH = 'def fetch(cl, name):\n    return cl.get(f"/exports/{name}")\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(
        tmp_path,
        {
            "setup.cfg": "[flake8]\n",
            "app.py": APP,
            "tests/__init__.py": "",
            "tests/utils.py": FETCH,
            "tests/fetch.py": FETCH,
            "tests/steps.py": "def done(res):\n    res.close()\n",
        },
    )
    forget_previous_run()
    return tmp_path


def test_a_parenthesised_import_over_several_lines(project: Path) -> None:
    source = "from tests import (  # helpers\n    steps,\n    utils,  # requests\n)\n"
    found = helper_module_paths(
        str(project / "tests" / "test_x.py"), source, str(project), DEFAULT_TEST_PATTERNS
    )
    assert [Path(p).name for p in found] == ["steps.py", "utils.py"]


def test_a_function_named_like_its_module(project: Path) -> None:
    """``from tests.fetch import fetch`` imports the function of ``tests/fetch.py``."""
    test = str(project / "tests" / "test_x.py")
    assert resolve_import(test, str(project), 0, "tests.fetch", "fetch") == (
        str(project / "tests" / "fetch.py"),
        False,
    )
    assert resolve_import(test, str(project), 0, "tests", "fetch") == (
        str(project / "tests" / "fetch.py"),
        True,
    )


@pytest.mark.parametrize(
    ("source", "analysed"),
    [
        ("from tests.utils import fetch\n\ndef test_a(client):\n    fetch(client, 'a')\n", True),
        ("from tests.steps import done\n\ndef test_a(client):\n    done(client)\n", False),
        ("from tests.utils import fetch\n\ndef test_a(web):\n    fetch(web, 'a')\n", False),
        ("def test_a(client):\n    client.get('/exports/a')\n", True),
        (
            "from tests.utils import Case\n\nclass TestA(Case):\n"
            "    def test_a(self):\n        self.fetch('a')\n",
            True,
        ),
    ],
)
def test_a_module_without_requests_of_its_own(project: Path, source: str, analysed: bool) -> None:
    """It is analysed when it mentions a client (or ``self.``) and imports a helper module
    that makes requests (a client under another name is a known miss: no import is looked
    up)."""
    test = str(project / "tests" / "test_x.py")
    assert may_make_requests(test, source, DEFAULT_CONFIG) is analysed


def test_an_imported_helper_is_judged_where_it_is_called(project: Path) -> None:
    (project / "exports").mkdir()
    (project / "exports" / "a.csv").write_text("a\n")
    test = project / "tests" / "test_x.py"
    test.write_text(
        "from tests import (\n    utils,\n)\n\n\ndef test_a(client):\n"
        '    res = utils.fetch(client, "a.csv")\n    assert res.status_code == 200\n'
    )
    assert codes(lint(test)) == {(7, "FCL101")}


def _matches_a_glob(filename: str, patterns: tuple[str, ...]) -> bool:
    """``is_test_file`` as its docstring says, with ``fnmatch`` itself."""
    parts = filename.replace(os.sep, "/").split("/")
    for pattern in patterns:
        if "/" not in pattern:
            if fnmatch.fnmatch(parts[-1], pattern):
                return True
            continue
        folder, rest = pattern.split("/", 1)
        for i, part in enumerate(parts[:-1]):
            if fnmatch.fnmatch(part, folder) and fnmatch.fnmatch("/".join(parts[i + 1 :]), rest):
                return True
    return False


TEST_FILE_PATTERNS = [
    DEFAULT_TEST_PATTERNS,
    ("*.py",),
    ("check_*.py", "spec/*/*_spec.py", "[Tt]ests/*", "it?/*"),
]
FILE_NAMES = [
    "test_x.py",
    "./tests/test_x.py",
    "proj/tests/unit/helpers.py",
    "app/views.py",
    "app/test/x.py",
    "conftest.py",
    "app/x_test.py",
    "Tests/a.py",
    "spec/a/b_spec.py",
    "spec/b_spec.py",
    "it1/a.py",
    "check_me.py",
    "a/tests",
    "tests.py",
    "attests/x.py",
]


@pytest.mark.parametrize("patterns", TEST_FILE_PATTERNS)
def test_test_files_are_the_ones_the_globs_match(patterns: tuple[str, ...]) -> None:
    """The globs are compiled once per run: they must match what ``fnmatch`` matches."""
    for name in FILE_NAMES:
        assert is_test_file(name, patterns) == _matches_a_glob(name, patterns), name
