"""FCL203: a request hook closes the response, or the file behind it, before it is sent.

``after_request`` hooks, ``teardown_request`` and ``teardown_appcontext`` all run before
the WSGI server reads the body (``Flask.wsgi_app`` returns the response iterable and pops
the request context first). Closing a file response there, or a file a view stored on
``g`` and handed to ``send_file``, makes every server answer 500 with
``ValueError: I/O operation on closed file`` (runtime-behavior p18a, p18b). The hook is
reported only when its app or blueprint has routes that serve files.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Optional

from flake8_flask_close.codes import CODES
from flake8_flask_close.names import dotted, params_of, qualify
from flake8_flask_close.prodcode.context import (
    AFTER_REQUEST,
    CLOSE_CALL,
    Hook,
    ProdContext,
    hook_touches_file_responses,
    own_nodes,
)
from flake8_flask_close.prodcode.flow import reaches_return, returns_using
from flake8_flask_close.prodcode.guards import guards_of, only_on_error
from flake8_flask_close.rules.base import Example, Finding, finding_at
from flake8_flask_close.walks import walk

CODE = CODES["FCL203"]


def may_report(source: str, hook_here: bool) -> bool:
    """A hook function defined here calls ``close()``."""
    return hook_here and CLOSE_CALL.search(source) is not None


INVALID = [
    Example(
        """\
import os

from flask import Flask, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.after_request
def release(response):
    response.close()  # FCL203
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, g, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    g.report_file = open(REPORT, "rb")
    return send_file(g.report_file, mimetype="text/plain")


@app.teardown_request
def close_report(exc):
    if "report_file" in g:
        g.report_file.close()  # FCL203
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
    return send_from_directory(FILES, name)


@app.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
""",
        path="app.py",
    ),
    Example(
        """\
from flask import Flask, jsonify

app = Flask(__name__, static_folder=None)


@app.route("/status")
def status():
    return jsonify(ok=True)


@app.after_request
def release(response):
    response.close()
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, make_response, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")
MAINTENANCE = False


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.after_request
def release_errors(response):
    if response.status_code >= 400:
        response.close()
    return response


@app.after_request
def maintenance(response):
    if MAINTENANCE:
        response.close()
        return make_response("down", 503)
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, g, send_file

app = Flask(__name__)
REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")


@app.route("/report")
def report():
    g.report_file = open(REPORT, "rb")
    return send_file(g.report_file, mimetype="text/plain")


@app.teardown_request
def close_report_on_error(exc):
    if exc is not None:
        report_file = g.pop("report_file", None)
        if report_file is not None:
            report_file.close()
""",
        path="app.py",
    ),
]

FIX = "let the server close it: it does, after sending the body"


def findings(ctx: ProdContext) -> Iterator[Finding]:
    sent = _sent_attributes(ctx)
    for hook in ctx.hooks():
        if hook.kind in AFTER_REQUEST:
            yield from _closes_response(ctx, hook)
        else:
            yield from _closes_sent_file(ctx, hook, sent)


def _closes_response(ctx: ProdContext, hook: Hook) -> Iterator[Finding]:
    params = params_of(hook.func)
    if not params or not hook.routes:
        return
    name = params[0]
    for node in own_nodes(hook.func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "close"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and hook_touches_file_responses(ctx, hook, node, name)
            # a closed response the hook then replaces (returns another one) isn't sent
            and reaches_return(
                ctx.parents, ctx.statement_of(node), hook.func, returns_using(name), name
            )
        ):
            yield finding_at(
                ctx.statement_of(node),
                CODE,
                hook=hook.label,
                what="the response",
                routes=hook.routes_text(),
                fix=FIX,
            )


def _sent_attributes(ctx: ProdContext) -> set[str]:
    """Attribute chains (``flask.g.report_file``) that views hand to send calls, across
    the project."""
    sent: set[str] = set(ctx.index.sent_attributes()) if ctx.index is not None else set()
    for node in walk(ctx.tree):
        if isinstance(node, ast.Call):
            arg = ctx.sent_file_argument(node)
            if isinstance(arg, ast.Attribute):
                q = qualify(arg, ctx.aliases)
                if q:
                    sent.add(q)
    return sent


def _closes_sent_file(ctx: ProdContext, hook: Hook, sent: set[str]) -> Iterator[Finding]:
    if not sent:
        return
    taken = _taken_from_g(ctx, hook)
    params = params_of(hook.func)
    for node in own_nodes(hook.func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "close"
        ):
            continue
        if params and only_on_error(guards_of(ctx.parents, node, hook.func), params[0]):
            continue  # the request failed: the response is an error page, not a file
        receiver = node.func.value
        held = qualify(receiver, ctx.aliases)
        if isinstance(receiver, ast.Name) and receiver.id in taken:
            held = taken[receiver.id]
        if held not in sent:
            continue
        what = f"{dotted(receiver)}, a file a view handed to send_file()"
        routes = hook.routes_text() if hook.routes else "it runs on every request"
        yield finding_at(
            ctx.statement_of(node), CODE, hook=hook.label, what=what, routes=routes, fix=FIX
        )


def _taken_from_g(ctx: ProdContext, hook: Hook) -> dict[str, str]:
    """Locals read from an attribute holder: ``f = g.pop("report_file", None)``,
    ``g.get(...)``, ``getattr(g, "report_file", None)``, ``f = g.report_file``."""
    taken: dict[str, str] = {}
    for node in own_nodes(hook.func):
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            continue
        value = node.value
        held: Optional[str] = None
        if isinstance(value, ast.Attribute):
            held = qualify(value, ctx.aliases)
        elif isinstance(value, ast.Call) and value.args:
            key = value.args[1] if len(value.args) > 1 else None
            func = value.func
            if isinstance(func, ast.Attribute) and func.attr in ("pop", "get"):
                key, holder = value.args[0], func.value
            elif isinstance(func, ast.Name) and func.id == "getattr" and key is not None:
                holder = value.args[0]
            else:
                continue
            base = qualify(holder, ctx.aliases)
            if base and isinstance(key, ast.Constant) and isinstance(key.value, str):
                held = f"{base}.{key.value}"
        if held:
            taken[node.targets[0].id] = held
    return taken
