"""FCL201: the file handed to ``send_file`` / ``Response`` is closed before it is sent.

``send_file(f)`` does not read the file: it wraps it, and the WSGI server reads it after
the view has returned. A ``with open(...) as f:`` block around ``return send_file(f)``
closes the file on the way out, so every server answers 500 with
``ValueError: I/O operation on closed file`` (runtime-behavior p17a-c). Tools that say
"use a with-block for open()" (pylint R1732, ruff SIM115, Semgrep open-never-closed) lead
straight here: ``send_file`` takes ownership of the file, and the server closes it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from flake8_flask_close.codes import CODES
from flake8_flask_close.names import FunctionNode, dotted
from flake8_flask_close.prodcode.context import (
    ProdContext,
    closes_something,
    on_error_path,
    own_nodes,
)
from flake8_flask_close.prodcode.flow import reaches_return, returns_using, returns_value
from flake8_flask_close.rules.base import Example, Finding, finding_at

CODE = CODES["FCL201"]


def may_report(source: str, hook_here: bool) -> bool:
    """The file is closed by a ``with`` block or a ``close()`` call in this module
    (``closes_something`` also lets ``closing()`` through: one test for FCL201 and 202)."""
    return closes_something(source)


INVALID = [
    Example(
        """\
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    with open(REPORT, "rb") as f:
        return send_file(f, mimetype="text/plain")  # FCL201
""",
        path="app.py",
    ),
    Example(
        """\
import io

from flask import Flask, send_file

app = Flask(__name__)


@app.route("/export")
def export():
    with io.BytesIO(b"id,total\\n1,10\\n") as buffer:
        return send_file(buffer, mimetype="text/csv")  # FCL201
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
    f = open(REPORT, "rb")
    response = send_file(f, mimetype="text/plain")  # FCL201
    f.close()
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
    f = open(REPORT, "rb")
    try:
        return send_file(f, mimetype="text/plain")  # FCL201
    finally:
        f.close()
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
    with open(REPORT, "rb") as f:
        response = send_file(f, mimetype="text/plain")  # FCL201
    response.headers["Cache-Control"] = "no-store"
    return response
""",
        path="app.py",
    ),
]

VALID = [
    Example(
        """\
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    return send_file(open(REPORT, "rb"), mimetype="text/plain")
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
    return send_file(REPORT, mimetype="text/plain")
""",
        path="app.py",
    ),
    Example(
        """\
import io
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    with open(REPORT, "rb") as f:
        data = f.read()
    return send_file(io.BytesIO(data), mimetype="text/plain")
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, request, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    f = open(REPORT, "rb")
    response = send_file(f, mimetype="text/plain")
    if request.args.get("deny"):
        f.close()
        return "denied", 403
    return response
""",
        path="app.py",
    ),
]

FIX = "hand the file over without closing it (send_file(open(path, 'rb')) or send_file(path)):"
FIX += " the server closes it after sending"


def findings(ctx: ProdContext) -> Iterator[Finding]:
    for func in ctx.functions:
        yield from _closed_by_with(ctx, func)
        yield from _closed_by_call(ctx, func)


def _sends(ctx: ProdContext, root: ast.AST) -> dict[str, list[ast.Call]]:
    """Send calls inside ``root`` whose file argument is a variable, by its name: one
    walk, done once per block or function, not once per ``close()`` in it."""
    found: dict[str, list[ast.Call]] = {}
    for node in ast.walk(root):
        if isinstance(node, ast.Call):
            file = ctx.sent_file_argument(node)
            if isinstance(file, ast.Name):
                found.setdefault(file.id, []).append(node)
    return found


def _closed_by_with(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    for node in own_nodes(func):
        if not isinstance(node, (ast.With, ast.AsyncWith)):
            continue
        body = ast.Module(body=node.body, type_ignores=[])
        sends: Optional[dict[str, list[ast.Call]]] = None
        for item in node.items:
            var = item.optional_vars
            if not isinstance(var, ast.Name) or not ctx.is_opener(item.context_expr):
                continue
            returns_inside = any(
                isinstance(n, ast.Return) and n.value is not None for n in ast.walk(body)
            )
            sends = _sends(ctx, body) if sends is None else sends
            for call in sends.get(var.id, []):
                if returns_inside or _returned_later(ctx, call, node, func):
                    what = f"{dotted(call.func) or 'the response'}()"
                    closer = f"the with block on line {node.lineno}"
                    stmt = ctx.statement_of(call)
                    yield finding_at(stmt, CODE, what=what, closer=closer, fix=FIX)


def _response_name(ctx: ProdContext, call: ast.Call) -> Optional[str]:
    """The name the response a send call builds is bound to: ``resp = send_file(f)``."""
    stmt = ctx.statement_of(call)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    return None


def _returned_later(ctx: ProdContext, call: ast.Call, block: ast.stmt, func: FunctionNode) -> bool:
    """``with open(p) as f: resp = send_file(f)`` and ``return resp`` after the block."""
    name = _response_name(ctx, call)
    return name is not None and reaches_return(ctx.parents, block, func, returns_using(name), name)


def _returned_after_close(
    ctx: ProdContext, call: ast.Call, close: ast.stmt, func: FunctionNode
) -> bool:
    """Is the response built on the file returned after the file is closed? A close on
    a path that returns something else (``f.close(); return "denied", 403``) drops it."""
    name = _response_name(ctx, call)
    if name is None:
        return reaches_return(ctx.parents, close, func, returns_value)
    return reaches_return(ctx.parents, close, func, returns_using(name), name)


def _finally_try(ctx: ProdContext, node: ast.AST, func: FunctionNode) -> Optional[ast.Try]:
    """The ``try`` whose ``finally`` block holds ``node``."""
    stmt = ctx.statement_of(node)
    current = ctx.parents.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.Try) and any(
            stmt is s or stmt in ast.walk(s) for s in current.finalbody
        ):
            return current
        current = ctx.parents.get(current)
    return None


def _within(ctx: ProdContext, node: ast.AST, block: list[ast.stmt]) -> bool:
    stmt = ctx.statement_of(node)
    return any(stmt is s or stmt in ast.walk(s) for s in block)


def _closed_by_call(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    nodes = own_nodes(func)
    sends: Optional[dict[str, list[ast.Call]]] = None
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "close" or not isinstance(node.func.value, ast.Name):
            continue
        name = node.func.value.id
        sends = _sends(ctx, func) if sends is None else sends
        if name not in sends or on_error_path(ctx, node, func):
            continue
        finally_of = _finally_try(ctx, node, func)
        for call in sends[name]:
            in_try_body = finally_of is not None and _within(ctx, call, finally_of.body)
            if in_try_body or (
                call.lineno < node.lineno
                and _returned_after_close(ctx, call, ctx.statement_of(node), func)
            ):
                what = f"{dotted(call.func) or 'the response'}()"
                closer = f"{name}.close() on line {node.lineno}"
                yield finding_at(ctx.statement_of(call), CODE, what=what, closer=closer, fix=FIX)
