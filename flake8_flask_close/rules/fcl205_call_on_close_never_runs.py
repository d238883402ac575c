"""FCL205: ``call_on_close()`` on a file response: the callback never runs.

For direct passthrough responses (everything ``send_file`` and ``send_from_directory``
build) ``get_app_iter`` hands the server the bare file wrapper, so ``Response.close`` and
its close callbacks are never reached: not by Werkzeug's server, waitress, gunicorn, nor
the test client (runtime-behavior p19a). Cleanup registered there (deleting a temporary
file, releasing a lock) silently never happens.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from flake8_flask_close.codes import CODES
from flake8_flask_close.names import FunctionNode
from flake8_flask_close.prodcode.context import ProdContext, own_nodes
from flake8_flask_close.rules.base import Example, Finding, finding_at
from flake8_flask_close.vocabulary import passes_through
from flake8_flask_close.walks import walk

CODE = CODES["FCL205"]


def may_report(source: str, hook_here: bool) -> bool:
    """The module registers a close callback itself."""
    return "call_on_close" in source


INVALID = [
    Example(
        """\
import os

from flask import Flask, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")
CALLED = []


@app.route("/report")
def report():
    response = send_file(REPORT)
    response.call_on_close(lambda: CALLED.append("report"))  # FCL205
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, Response, request
from werkzeug.wsgi import wrap_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")
CALLED = []


@app.route("/report")
def report():
    body = wrap_file(request.environ, open(REPORT, "rb"))
    response = Response(body, mimetype="text/plain", direct_passthrough=True)
    response.call_on_close(lambda: CALLED.append("report"))  # FCL205
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
CALLED = []


@app.route("/report")
def report():
    response = send_file(REPORT)
    response.direct_passthrough = False
    response.call_on_close(lambda: CALLED.append("report"))
    return response
""",
        path="app.py",
    ),
    Example(
        """\
from flask import Flask, make_response

app = Flask(__name__)
CALLED = []


@app.route("/hello")
def hello():
    response = make_response("hello")
    response.call_on_close(lambda: CALLED.append("hello"))
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, Response

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")
CALLED = []


@app.route("/report")
def report():
    response = Response(open(REPORT, "rb"), mimetype="text/plain")
    response.call_on_close(lambda: CALLED.append("report"))
    return response
""",
        path="app.py",
    ),
]

FIX = (
    "run the cleanup from a generator's finally block or a wrapper around the file,"
    " or set response.direct_passthrough = False first"
)


def findings(ctx: ProdContext) -> Iterator[Finding]:
    for func in ctx.functions:
        yield from _in_function(ctx, func)


def _in_function(ctx: ProdContext, func: FunctionNode) -> Iterator[Finding]:
    nodes = own_nodes(func)
    responses: dict[str, str] = {}
    unlocked: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(node.value, ast.Call) and isinstance(target, ast.Name):
                    what = ctx.file_response(node.value, func)
                    if what and passes_through(what):  # else Response.close runs them
                        responses[target.id] = what
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "direct_passthrough"
                    and isinstance(target.value, ast.Name)
                ):
                    unlocked.add(target.value.id)
    for node in _with_decorators(nodes):
        if not (isinstance(node, ast.Attribute) and node.attr == "call_on_close"):
            continue
        receiver = node.value
        if not isinstance(receiver, ast.Name) or receiver.id in unlocked:
            continue
        what = responses.get(receiver.id)
        if what:
            yield finding_at(ctx.statement_of(node), CODE, what=what, fix=FIX)


def _with_decorators(nodes: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """The function's own nodes, plus the decorators of functions defined in it
    (``@response.call_on_close`` above a nested ``def``)."""
    for node in nodes:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                yield from walk(deco)
