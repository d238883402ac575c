"""FCL204: an ``after_request`` hook reads the body of file responses.

File responses are built in direct passthrough mode: their body is the file wrapper,
meant for the server. ``response.get_data()``, ``.data`` or ``.json`` on one raises
``RuntimeError: Attempted implicit sequence conversion but the response object is in
direct passthrough mode`` and the request answers 500 (runtime-behavior p19d). Setting
``response.direct_passthrough = False`` first makes the read work (p19d').
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace
from typing import Optional

from flake8_flask_close.codes import CODES
from flake8_flask_close.names import dotted, params_of
from flake8_flask_close.prodcode.context import (
    AFTER_REQUEST,
    Hook,
    ProdContext,
    hook_touches_file_responses,
    is_name,
    own_nodes,
)
from flake8_flask_close.routes.index import LinkedRoute
from flake8_flask_close.rules.base import Example, Finding, finding_at
from flake8_flask_close.vocabulary import passes_through

CODE = CODES["FCL204"]


def may_report(source: str, hook_here: bool) -> bool:
    """A hook function defined here reads the body (in too many ways to look for)."""
    return hook_here


INVALID = [
    Example(
        """\
import hashlib
import os

from flask import Flask, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.after_request
def add_etag(response):
    digest = hashlib.sha256(response.get_data()).hexdigest()  # FCL204
    response.headers["X-Digest"] = digest
    return response
""",
        path="app.py",
    ),
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
def log_body(response):
    if response.status_code == 200:
        app.logger.info("%s", response.get_data(as_text=True))  # FCL204
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import hashlib
import os

from flask import Blueprint, Flask, send_from_directory

app = Flask(__name__)
audit = Blueprint("audit", __name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@audit.after_app_request
def add_digest(response):
    digest = hashlib.sha256(response.get_data()).hexdigest()  # FCL204
    response.headers["X-Digest"] = digest
    return response


app.register_blueprint(audit)
""",
        path="app.py",
    ),
]

VALID = [
    Example(
        """\
import hashlib
import os

from flask import Flask, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.after_request
def add_etag(response):
    response.direct_passthrough = False
    digest = hashlib.sha256(response.get_data()).hexdigest()
    response.headers["X-Digest"] = digest
    return response
""",
        path="app.py",
    ),
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
def add_length(response):
    if response.direct_passthrough:
        return response
    response.headers["X-Length"] = str(len(response.get_data()))
    return response
""",
        path="app.py",
    ),
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
def log_errors(response):
    if response.status_code >= 400:
        app.logger.warning("%s", response.get_data(as_text=True))
    return response
""",
        path="app.py",
    ),
    Example(
        """\
import os

from flask import Flask, jsonify, request, send_from_directory

app = Flask(__name__)
FILES = os.path.join(os.path.dirname(__file__), "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.route("/api/status")
def status():
    return jsonify(ok=True)


@app.after_request
def api_length(response):
    if request.path.startswith("/api"):
        response.headers["X-Length"] = str(len(response.get_data()))
    return response
""",
        path="app.py",
    ),
]

FAILS = "this raises RuntimeError: every such request answers 500"
EMPTIES = "this uses up the file: the client gets the headers and an empty body"
READS: dict[str, tuple[str, Optional[str]]] = {
    "get_data": (FAILS, None),
    "data": (FAILS, None),
    "get_json": (FAILS, "json"),
    "json": (FAILS, "json"),
    "iter_encoded": (EMPTIES, None),
}
"""Body reads: what they do to a file response, and the only type they touch
(``.json`` reads the body of JSON responses only)."""
FIX = "set response.direct_passthrough = False before reading, or skip file responses"


def findings(ctx: ProdContext) -> Iterator[Finding]:
    for hook in ctx.hooks():
        if hook.kind not in AFTER_REQUEST:
            continue
        # only direct passthrough bodies refuse to be read: Response(open(...)) is read
        hook = replace(hook, routes=tuple(r for r in hook.routes if _passes_through(r)))
        params = params_of(hook.func)
        if not params or not hook.routes:
            continue
        yield from _reads(ctx, hook, params[0])


def _passes_through(route: LinkedRoute) -> bool:
    if route.method_evidence is None:
        return route.evidence is not None and passes_through(route.evidence)
    return any(e is not None and passes_through(e) for _, e in route.method_evidence)


def _read_of(node: ast.AST, name: str) -> Optional[tuple[str, str, Optional[str]]]:
    """(how it reads, what that does, the only type it touches) for a body read of the
    response ``name``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in READS and is_name(node.func.value, name):
            return (f"{name}.{method}()", *READS[method])
    if isinstance(node, ast.Attribute) and node.attr in READS and is_name(node.value, name):
        return (f"{name}.{node.attr}", *READS[node.attr])
    if isinstance(node, (ast.For, ast.comprehension)):
        target = node.iter
        if is_name(target, name) or (
            isinstance(target, ast.Attribute)
            and target.attr == "response"
            and is_name(target.value, name)
        ):
            return (f"iterating {dotted(target)}", EMPTIES, None)
    if isinstance(node, ast.Call) and any(
        isinstance(a, ast.Attribute) and a.attr == "response" and is_name(a.value, name)
        for a in node.args
    ):
        return (f"{name}.response passed to {dotted(node.func) or 'a call'}()", EMPTIES, None)
    return None


def _unlocks(node: ast.AST, name: str) -> bool:
    """``response.direct_passthrough = False``: the body may be read from here on."""
    return isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Attribute) and t.attr == "direct_passthrough" and is_name(t.value, name)
        for t in node.targets
    )


def _reads(ctx: ProdContext, hook: Hook, name: str) -> Iterator[Finding]:
    nodes = own_nodes(hook.func)
    unlocked = [getattr(n, "lineno", 0) for n in nodes if _unlocks(n, name)]
    reported: set[int] = set()
    for node in nodes:
        found = _read_of(node, name)
        if found is None:
            continue
        read, consequence, only_type = found
        line = getattr(node, "lineno", 0)
        if any(u <= line for u in unlocked):
            continue
        if not hook_touches_file_responses(ctx, hook, node, name, only_type):
            continue
        stmt = ctx.statement_of(node)
        if id(stmt) in reported:
            continue
        reported.add(id(stmt))
        yield finding_at(
            stmt,
            CODE,
            hook=hook.label,
            read=read,
            routes=hook.routes_text(),
            consequence=consequence,
            fix=FIX,
        )
