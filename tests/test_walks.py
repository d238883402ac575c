"""Walks that skip work must find what the full walks find: ``own_statements`` is
``walk_own_scope`` without expressions, and facts extracted statement by statement (a
module without ``yield`` or ``:=``) are the facts the full walk gives."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from flake8_flask_close.routes.extract import extract, statements_suffice
from flake8_flask_close.walks import (
    own_statements,
    remembered_walks,
    walk_own_scope,
)

REPO = Path(__file__).resolve().parents[1]

COMPOUND = """\
from contextlib import closing
from flask import Flask, jsonify, redirect, send_file

app = Flask(__name__)


@app.route("/a/<name>")
def every_kind_of_block(name):
    try:
        if name == "x":
            return redirect("/b")
        for part in name:
            while part:
                with open(part, "rb") as fh:
                    return send_file(fh)
        else:
            path = f"/srv/{name}"
    except KeyError:
        return jsonify(error=name), 404
    else:
        def nested():
            return send_file("/etc/hosts")
        return nested()
    finally:
        path = None
    return jsonify(ok=True)
"""

MATCH = """\
from flask import send_file


def view(name):
    match name:
        case "report":
            return send_file("/srv/report.pdf")
        case _:
            try:
                pass
            except* ValueError:
                return None
    return send_file(name)
"""
needs_match = pytest.mark.skipif(sys.version_info < (3, 11), reason="match and except*")


STATEMENT_LIKE: tuple[type[ast.AST], ...] = (ast.stmt, ast.excepthandler) + (
    (ast.match_case,) if sys.version_info >= (3, 10) else ()
)


def _statement_like(node: ast.AST) -> bool:
    return isinstance(node, STATEMENT_LIKE)


@pytest.mark.parametrize(
    ("text", "count"), [(COMPOUND, 2), pytest.param(MATCH, 1, marks=needs_match)]
)
def test_own_statements_are_the_scope_walks_statements_in_its_order(text: str, count: int) -> None:
    tree = ast.parse(text)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert len(functions) == count
    for function in functions:
        with remembered_walks():
            expected = [n for n in walk_own_scope(function) if _statement_like(n)]
            assert list(own_statements(function)) == expected


def _sources() -> list[Path]:
    folders = [REPO / "examples", REPO / "tests" / "projects", REPO / "tests" / "prodprojects"]
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def _plain_texts() -> list[str]:
    """The texts the index reads statement by statement (most of them)."""
    texts = [COMPOUND, *(p.read_text("utf-8") for p in _sources())]
    return [text for text in texts if statements_suffice(text)]


@pytest.mark.parametrize("text", _plain_texts())
def test_facts_are_the_same_statement_by_statement(text: str) -> None:
    tree = ast.parse(text)
    with remembered_walks():
        full = extract(tree, "app/views.py", ()).to_json()
    with remembered_walks():
        by_statement = extract(tree, "app/views.py", (), statements_suffice=True).to_json()
    assert by_statement == full


def test_yield_and_walrus_need_the_full_walk() -> None:
    assert statements_suffice(COMPOUND)
    assert not statements_suffice("def f():\n    yield 1\n")
    assert not statements_suffice(b"def f(x):\n    if (n := len(x)):\n        return n\n")
