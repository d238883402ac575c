"""The production rules' text prefilter (``may_report``): a module none of them can report
in is not analysed, and a hook function is still checked when it is registered from
another module, whose name its own text never says."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flake8_flask_close import checks
from flake8_flask_close.prodcode import context
from flake8_flask_close.prodcode.context import (
    CLOSE_CALL,
    HOOK_WORDS,
    ProdContext,
    closes_something,
)
from flake8_flask_close.routes.extract import HOOK_REGISTRARS
from flake8_flask_close.rules import PROD_RULES
from tests.helpers import codes, lint, write_project

FACTORY = """\
from flask import Flask

from app import hooks, views


def create_app():
    app = Flask(__name__)
    app.add_url_rule("/report/<name>", view_func=views.report)
    app.after_request(hooks.measure)
    app.after_request(hooks.release)
    return app
"""

VIEWS = """\
from flask import send_from_directory

FILES = "/srv/reports"


def report(name):
    return send_from_directory(FILES, name)
"""

HOOKS = """\
def measure(response):
    response.headers["X-Length"] = str(len(response.get_data()))  # FCL204
    return response


def release(response):
    response.close()  # FCL203
    return response
"""


def _project(tmp_path: Path) -> Path:
    write_project(
        tmp_path,
        {
            "setup.cfg": "[metadata]\nname = app\n",
            "app/__init__.py": FACTORY,
            "app/views.py": VIEWS,
            "app/hooks.py": HOOKS,
        },
    )
    return tmp_path / "app"


def test_hooks_registered_from_another_module_are_checked(tmp_path: Path) -> None:
    hooks = _project(tmp_path) / "hooks.py"
    assert not any(word in HOOKS for word in ("after_request", "teardown_"))
    assert codes(lint(hooks)) == {(2, "FCL204"), (7, "FCL203")}


def test_a_module_no_rule_can_report_in_is_not_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _project(tmp_path)
    assert not any(rule.may_report(VIEWS, False) for rule in PROD_RULES)
    analysed: list[str] = []

    def counted(tree: ast.Module, filename: str, *args: Any) -> ProdContext:
        analysed.append(Path(filename).name)
        return ProdContext(tree, filename, *args)

    monkeypatch.setattr(checks, "ProdContext", counted)
    for name in ("views.py", "hooks.py", "__init__.py"):
        lint(folder / name)
    assert analysed == ["hooks.py", "__init__.py"]


@pytest.mark.parametrize("rule", PROD_RULES, ids=[r.CODE.code for r in PROD_RULES])
def test_every_invalid_example_passes_its_rules_prefilter(rule: ModuleType) -> None:
    for example in rule.INVALID:
        hook_here = any(word in example.source for word in HOOK_WORDS)
        assert rule.may_report(example.source, hook_here), example.source


@pytest.mark.parametrize(
    ("text", "closes", "close_call"),
    [
        ("f.close()", True, True),
        ("(response.  # closes it\n close)()", True, True),
        ("(response.  # one\n  # two\n close)()", True, True),
        # a dot, then a line of comment characters: read in one way, not 2**60
        ("x = config." + "#" * 60 + "\n", False, False),
        ("(f.\n    close())", True, True),
        ("f . close ()", True, True),
        ("return closing(response)", True, False),
        ("    with open(path, 'rb') as f:", True, False),
        ("    async  with lock:", True, False),
        ('"""Built in memory: nothing on disk to close, nothing to go with it."""', False, False),
        ("if name.startswith('x'):  # closed with care", False, False),
    ],
)
def test_what_counts_as_closing(text: str, closes: bool, close_call: bool) -> None:
    assert closes_something(text) == closes
    assert (CLOSE_CALL.search(text) is not None) == close_call


FULLWIDTH_CLOSE = """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/report")
def report():
    f = open("/srv/report.txt", "rb")
    response = send_file(f, mimetype="text/plain")  # FCL201
    f.\uff43\uff4c\uff4f\uff53\uff45()
    return response
"""


def test_names_spelled_in_other_characters_are_still_read(tmp_path: Path) -> None:
    """Python folds identifiers to NFKC: ``f.\uff43\uff4c\uff4f\uff53\uff45()`` calls
    ``close``, though the text never says "close"; non-ASCII modules skip the prefilter."""
    write_project(tmp_path, {"setup.cfg": "[metadata]\nname = app\n", "app.py": FULLWIDTH_CLOSE})
    assert not closes_something(FULLWIDTH_CLOSE)
    assert codes(lint(tmp_path / "app.py")) == {(9, "FCL201")}


def test_the_hook_words_are_the_hooks_the_index_records() -> None:
    assert set(HOOK_WORDS) == context.HOOKS == HOOK_REGISTRARS
