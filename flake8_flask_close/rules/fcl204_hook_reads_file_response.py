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
from typing import Optional

from flake8_flask_close.codes import CODES
from flake8_flask_close.prodcode.context import (
    AFTER_REQUEST,
    Hook,
    ProdContext,
    guarded_by,
    is_name,
    own_nodes,
    params_of,
)
from flake8_flask_close.rules.base import Example, Finding, finding_at

CODE = CODES["FCL204"]

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
]

READ_METHODS = frozenset({"get_data", "get_json", "iter_encoded"})
READ_ATTRIBUTES = frozenset({"data", "json"})
FIX = "set response.direct_passthrough = False before reading, or skip file responses"


def findings(ctx: ProdContext) -> Iterator[Finding]:
    for hook in ctx.hooks():
        if hook.kind not in AFTER_REQUEST or not hook.routes:
            continue
        params = params_of(hook.func)
        if not params:
            continue
        yield from _reads(ctx, hook, params[0])


def _read_of(node: ast.AST, name: str) -> Optional[str]:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in READ_METHODS
        and is_name(node.func.value, name)
    ):
        return f"{name}.{node.func.attr}()"
    if isinstance(node, ast.Attribute) and node.attr in READ_ATTRIBUTES:
        return f"{name}.{node.attr}" if is_name(node.value, name) else None
    if isinstance(node, (ast.For, ast.comprehension)) and is_name(node.iter, name):
        return f"iterating {name}"
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
    for node in nodes:
        read = _read_of(node, name)
        if read is None:
            continue
        line = getattr(node, "lineno", 0)
        if any(u <= line for u in unlocked) or guarded_by(ctx, node, hook.func, name):
            continue
        yield finding_at(
            ctx.statement_of(node),
            CODE,
            hook=hook.label,
            read=read,
            routes=hook.routes_text(),
            fix=FIX,
        )
