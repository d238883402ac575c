"""Walks that skip work must find what the full walks find: ``own_statements`` is
``walk_own_scope`` without expressions, facts extracted statement by statement (a
module without ``yield`` or ``:=``) are the facts the full walk gives, and so are facts
extracted without searching the statements whose lines name no call the index notes."""

from __future__ import annotations

import ast
import contextlib
import sys
from pathlib import Path

import pytest

from flake8_flask_close import walks
from flake8_flask_close.routes import extract as extraction
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
        by_statement = extract(tree, "app/views.py", (), text=text).to_json()
    assert by_statement == full


def test_yield_and_walrus_need_the_full_walk() -> None:
    assert statements_suffice(COMPOUND)
    assert not statements_suffice("def f():\n    yield 1\n")
    assert not statements_suffice(b"def f(x):\n    if (n := len(x)):\n        return n\n")


ALIASED_CALLS = """\
from flask import Flask, Response as R, g, send_file as sf
from werkzeug.wsgi import wrap_file as wrapped

app = Flask(__name__)


def report():
    return sf(g.report_file)


app.add_url_rule(
    "/report", "report",
    view_func=report,
)


def stream(environ):
    return R(g.stream_file), wrapped(environ, g.wrapped_file)


app.\\
    register_error_handler(404, stream)
"""


def _all_texts() -> list[str]:
    return [COMPOUND, ALIASED_CALLS, *(p.read_text("utf-8") for p in _sources())]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("text", _all_texts())
def test_facts_are_the_same_searching_only_lines_that_name_calls(text: str, line_end: str) -> None:
    source = text.replace("\n", line_end)
    tree = ast.parse(source)
    with remembered_walks():
        everywhere = extract(tree, "app/views.py", ()).to_json()
    for given in (source, source.encode()):
        with remembered_walks():
            assert extract(tree, "app/views.py", (), text=given).to_json() == everywhere


def test_calls_hidden_by_import_aliases_are_found() -> None:
    for given in (ALIASED_CALLS, ALIASED_CALLS.replace("\n", "\r\n").encode()):
        facts = extract(ast.parse(given), "app/views.py", (), text=given)
        assert facts.sent_attributes == [
            "flask.g.report_file",
            "flask.g.stream_file",
            "flask.g.wrapped_file",
        ]
        assert [r.rule for r in facts.routes] == ["/report"]
        assert len(facts.error_handlers) == 1


def test_statements_naming_no_noted_call_are_not_searched_for_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Searching every expression of every statement for calls was a third of the
    extraction; most of a view's statements hold none the index notes."""
    visited: list[ast.Call] = []
    noted = extraction._Extractor.visit_call

    def visit_call(self: extraction._Extractor, call: ast.Call, scope: str) -> None:
        visited.append(call)
        noted(self, call, scope)

    monkeypatch.setattr(extraction._Extractor, "visit_call", visit_call)
    text = """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/report/<name>")
def report(name):
    path = find(clean(name))
    log(path)
    return send_file(path)
"""
    extract(ast.parse(text), "app/views.py", (), text=text)
    assert [ast.unparse(call) for call in visited] == ["send_file(path)"]


EVERY_KIND_OF_NODE = """\
import os as system, sys
from . import sibling
x: int = 1
y = z = [a for a in range(3) if a] + [*x, *y]
d = {**base, "k": {1, 2}, 2: (lambda q, *r, s=1, **t: q)(1)}
global g
assert x, f"{x!r:>{width}} and {y}"
del d["k"]


async def f(a: int, /, b=2, *args: str, c: int = 3, **kwargs) -> None:
    nonlocal_name = 1
    async with open(a) as fh, other():
        pass
    async for item in items:
        await item
    try:
        raise ValueError() from None
    except (KeyError, ValueError) as err:
        print(err)
    while not a:
        break
    return (yield from b) if a else -b


class C(Base, metaclass=Meta):
    @decorated
    def m(self):
        return self.x[1:2, ::3], {k: v for k, v in self.items()}, (i for i in ())
"""
MATCHES = """\
match command:
    case Point(x=0, y=yy) | [1, *rest] | {"k": v, **others} if yy:
        pass
    case str() as text:
        pass
    case None:
        pass
"""


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    return [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]


def _walk_texts() -> list[str]:
    return [EVERY_KIND_OF_NODE, *_all_texts()] + ([MATCHES] if sys.version_info >= (3, 10) else [])


@pytest.mark.parametrize("remembering", [True, False])
def test_walks_find_the_nodes_ast_walk_finds_in_its_order(remembering: bool) -> None:
    """Walks list the commonest node types' children without looking at each field, and
    keep no children for leaves: what they find and its order must not change."""
    for text in _walk_texts():
        tree = ast.parse(text)
        expected_walk: list[ast.AST] = [tree]
        expected_parents: dict[ast.AST, ast.AST] = {}
        for node in expected_walk:
            for child in _child_nodes(node):
                expected_parents[child] = node
                expected_walk.append(child)
        scopes = [n for n in expected_walk if isinstance(n, walks.SCOPE_NODES)]
        with remembered_walks() if remembering else contextlib.nullcontext():
            assert walks.parents(tree) == expected_parents
            assert list(walks.walk(tree)) == expected_walk
            for scope in scopes:
                expected_scope: list[ast.AST] = []
                stack = _child_nodes(scope)
                while stack:
                    node = stack.pop()
                    expected_scope.append(node)
                    if not isinstance(node, walks.SCOPE_NODES):
                        stack.extend(_child_nodes(node))
                assert list(walk_own_scope(scope)) == expected_scope
