"""What every rule module provides, and the small Flask project its examples run in."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from flake8_flask_close.codes import Code
from flake8_flask_close.prodcode.context import ProdContext
from flake8_flask_close.testcode.analysis import ResponseUse

EXAMPLE_APP = """\
import io
import os

from flask import Flask, jsonify, send_file, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/file.txt")
def file_txt():
    return send_from_directory(FILES, "file.txt")


@app.route("/files/<path:name>")
def files(name):
    return send_from_directory(FILES, name)


@app.route("/memory")
def memory():
    return send_file(io.BytesIO(b"made in memory"), mimetype="text/plain")


@app.route("/json")
def json_route():
    return jsonify(answer=42)
"""

EXAMPLE_CONFTEST = """\
import pytest

from app import app as flask_app


@pytest.fixture
def app():
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()
"""

EXAMPLE_PROJECT: Mapping[str, str] = {
    "setup.cfg": "[flake8]\n",
    "app.py": EXAMPLE_APP,
    "files/file.txt": "hello\n",
    "static/site.css": "body {}\n",
    "tests/__init__.py": "",
    "tests/conftest.py": EXAMPLE_CONFTEST,
}
"""The project every rule example runs in; ``tests/test_example.py`` is the example."""


@dataclass(frozen=True)
class Example:
    """A module that runs in ``EXAMPLE_PROJECT`` (plus ``extra_files``), at ``path``.

    Test-side examples are ``tests/test_example.py``; production examples replace
    ``app.py``. In an INVALID example, every line that must be reported ends with
    ``# FCLnnn``. The rule-example tests check the linter against these comments and
    run each example for real: test modules under ``pytest -W error``, apps by
    requesting every route.
    """

    source: str
    path: str = "tests/test_example.py"
    extra_files: Mapping[str, str] = field(default_factory=dict)


class Finding(NamedTuple):
    line: int
    col: int
    message: str


class TestRule(Protocol):
    CODE: Code
    VALID: list[Example]
    INVALID: list[Example]
    NAMES_EVERY_ROUTE: bool
    """Whether its findings name the routes of responses that get no file: when no rule
    that runs does, the analysis judges those without matching them."""

    def findings(self, uses: list[ResponseUse]) -> Iterator[Finding]: ...


class ProdRule(Protocol):
    CODE: Code
    VALID: list[Example]
    INVALID: list[Example]

    def may_report(self, source: str, hook_here: bool) -> bool:
        """Whether the rule can report anything in a module with this text (a request
        hook function defined in it or not): most modules need no analysis at all."""
        ...

    def findings(self, ctx: ProdContext) -> Iterator[Finding]: ...


def finding_at(node: ast.AST, code: Code, **fields: str) -> Finding:
    return Finding(
        getattr(node, "lineno", 1), getattr(node, "col_offset", 0), code.format(**fields)
    )


def fix_hint(use: ResponseUse) -> str:
    """The shortest correct fix for the way this response was made."""
    hint = f"use 'with {use.request}(...) as res:'"
    if use.from_client:
        hint += " or pass buffered=True"
    return hint


def finding(code: Code, use: ResponseUse, **fields: str) -> Finding:
    values = {
        "route": use.verdict.route,
        "evidence": use.verdict.evidence or "",
        "fix": fix_hint(use),
        **fields,
    }
    return Finding(use.stmt.lineno, use.stmt.col_offset, code.format(**values))
