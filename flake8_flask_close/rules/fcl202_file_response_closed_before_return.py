"""FCL202: a file response is closed before the view returns it.

``resp.close()`` (or ``with send_file(...) as resp:``) closes the file inside the response
before the WSGI server reads it: every server answers 500 with ``ValueError: I/O
operation on closed file`` (runtime-behavior p15, p16, p19g). The server closes the
response itself after sending it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from flake8_flask_close.codes import CODES
from flake8_flask_close.names import FunctionNode
from flake8_flask_close.prodcode.context import (
    ProdContext,
    closes_something,
    on_error_path,
    own_nodes,
)
from flake8_flask_close.prodcode.flow import reaches_return, returns_name
from flake8_flask_close.rules.base import Example, Finding, finding_at
from flake8_flask_close.walks import walk

CODE = CODES["FCL202"]


def may_report(source: str, hook_here: bool) -> bool:
    """The response is closed by ``close()``, ``closing()`` or a ``with`` block here."""
    return closes_something(source)


INVALID = [
    Example(
        """\
import os

from flask import Flask, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    response = send_from_directory(FILES, name)
    response.headers["Cache-Control"] = "no-store"
    response.close()  # FCL202
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    with send_file(REPORT) as response:  # FCL202
        return response
""",
        path="app.py",
    ),
]

VALID = [
    Example(
        """\
import os

from flask import Flask, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    response = send_from_directory(FILES, name)
    response.headers["Cache-Control"] = "no-store"
    return response
""",
        path="app.py",
    ),
    Example(
        """\
from flask import Flask, make_response

app = Flask(__name__)


@app.route("/hello")
def hello():
    with make_response("hello") as response:
        return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, request, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    response = send_from_directory(FILES, name)
    if request.args.get("deny"):
        response.close()
        return "denied", 403
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    response = send_file(REPORT)
    response.close()
    response = send_file(REPORT, mimetype="text/plain")
    return response
""",
        path="app.py",
    ),
]

FIX = "return it unclosed: the server closes it after sending"
CLOSED_FILE = "500, 'ValueError: I/O operation on closed file'"


def findings(ctx: ProdContext) -> Iterator[Finding]:
    for func in ctx.functions:
        yield from _closed_then_returned(ctx, func)
        yield from _with_response(ctx, func)
        yield from _returned_closing(ctx, func)


def _closed_then_returned(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    nodes = own_nodes(func)
    responses: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            what = ctx.file_response(node.value, func)
            for target in node.targets:
                if what and isinstance(target, ast.Name):
                    responses[target.id] = what
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        if node.func.attr != "close" or not isinstance(receiver, ast.Name):
            continue
        what = responses.get(receiver.id)
        if not what or on_error_path(ctx, node, func):
            continue
        # closing it breaks the request only when that response is then returned
        closed = ctx.statement_of(node)
        if reaches_return(ctx.parents, closed, func, returns_name(receiver.id), receiver.id):
            closer = f"by {receiver.id}.close()"
            yield finding_at(closed, CODE, what=what, closer=closer, error=CLOSED_FILE, fix=FIX)


def _with_response(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    for node in own_nodes(func):
        if not isinstance(node, (ast.With, ast.AsyncWith)):
            continue
        body = ast.Module(body=node.body, type_ignores=[])
        if not any(isinstance(n, ast.Return) and n.value is not None for n in walk(body)):
            continue
        for item in node.items:
            call = _unwrap_closing(ctx, item.context_expr)
            what = ctx.file_response(call, func) if call is not None else None
            if what:
                closer = f"by the with block on line {node.lineno}"
                yield finding_at(node, CODE, what=what, closer=closer, error=CLOSED_FILE, fix=FIX)


def _returned_closing(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    for node in own_nodes(func):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            q = ctx.q(node.value.func) or ""
            if q.rsplit(".", 1)[-1] != "closing" or not node.value.args:
                continue
            inner = node.value.args[0]
            what = ctx.file_response(inner, func) if isinstance(inner, ast.Call) else None
            if what:
                error = "500: a closing() wrapper is not a response Flask accepts"
                yield finding_at(node, CODE, what=what, closer="by closing()", error=error, fix=FIX)


def _unwrap_closing(ctx: ProdContext, node: ast.expr) -> Optional[ast.Call]:
    if not isinstance(node, ast.Call):
        return None
    if (ctx.q(node.func) or "").rsplit(".", 1)[-1] == "closing" and node.args:
        inner = node.args[0]
        return inner if isinstance(inner, ast.Call) else None
    return node
