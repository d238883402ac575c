"""What the production rules need to know about one module: its functions, the file
responses they build, its request hooks and which routes those hooks see."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional, Union

from flake8_flask_close.names import dotted, import_aliases, qualify
from flake8_flask_close.routes.extract import module_name_for
from flake8_flask_close.routes.facts import Ref
from flake8_flask_close.routes.index import LinkedRoute, RouteIndex, relpath
from flake8_flask_close.vocabulary import (
    FILE_OPENERS,
    ResponseClassifier,
    call_arg,
    is_send_file,
    is_send_from_directory,
    local_assignments,
    walk_own_scope,
)

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]

AFTER_REQUEST = frozenset({"after_request", "after_app_request"})
TEARDOWN = frozenset({"teardown_request", "teardown_appcontext", "teardown_app_request"})
HOOKS = AFTER_REQUEST | TEARDOWN
TEMP_FILES = frozenset(
    {
        "tempfile.TemporaryFile",
        "tempfile.NamedTemporaryFile",
        "tempfile.SpooledTemporaryFile",
        "io.BytesIO",
        "io.StringIO",
    }
)


@dataclass(frozen=True)
class Hook:
    func: FunctionNode
    kind: str
    """``after_request``, ``teardown_request``..., as registered."""
    target: str
    """The app or blueprint as written (``app``, ``bp``)."""
    routes: tuple[LinkedRoute, ...]
    """The file-serving routes whose responses pass through this hook."""

    @property
    def label(self) -> str:
        return f"{self.target}.{self.kind} hook {self.func.name}()"

    def routes_text(self, limit: int = 2) -> str:
        shown = [f"{_method(r)} {r.rule or r.endpoint}" for r in self.routes[:limit]]
        more = len(self.routes) - limit
        text = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        return f"it sees file responses from {text}"


def _method(route: LinkedRoute) -> str:
    return "GET" if not route.methods or "GET" in route.methods else sorted(route.methods)[0]


class ProdContext:
    def __init__(
        self,
        tree: ast.Module,
        filename: str,
        index: Optional[RouteIndex],
        send_functions: tuple[str, ...] = (),
    ) -> None:
        self.tree = tree
        self.index = index
        self.send_functions = send_functions
        rel = relpath(filename, index.root) if index is not None else filename
        self.module, is_package = module_name_for(rel) if not rel.startswith("../") else ("", False)
        self.aliases = import_aliases(tree, self.module, is_package)
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions: list[FunctionNode] = [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        self._classifiers: dict[int, ResponseClassifier] = {}

    # ---------------------------------------------------------------- expressions
    def q(self, node: ast.AST) -> Optional[str]:
        return qualify(node, self.aliases)

    def classifier(self, func: FunctionNode) -> ResponseClassifier:
        key = id(func)
        if key not in self._classifiers:
            self._classifiers[key] = ResponseClassifier(
                self.aliases, local_assignments(func), self.send_functions
            )
        return self._classifiers[key]

    def statement_of(self, node: ast.AST) -> ast.stmt:
        current = node
        while not isinstance(current, ast.stmt):
            current = self.parents[current]
        return current

    def file_response(self, call: ast.Call, func: FunctionNode) -> Optional[str]:
        """What builds a response that holds a file object, in-memory ones included
        (closing a ``send_file(BytesIO)`` response breaks it just the same, p19g)."""
        q = self.q(call.func)
        if is_send_file(q):
            return "send_file()"
        if is_send_from_directory(q):
            return "send_from_directory()"
        if isinstance(call.func, ast.Attribute) and call.func.attr == "send_static_file":
            return "send_static_file()"
        found = self.classifier(func).classify_call(call)
        if found.evidence:
            return f"{found.evidence}"
        if found.helper is not None and self.index is not None:
            name = dotted(found.helper)
            if name:
                evidence = self._project_file_function(name)
                if evidence:
                    return f"{name}() ({evidence})"
        return None

    def _project_file_function(self, name: str) -> Optional[str]:
        assert self.index is not None
        if self.module in self.index.modules:
            found = self.index.file_view(self.module, Ref("", name))
            if found:
                return found
        head, _, rest = name.partition(".")
        base = self.aliases.get(head)
        if base is None:
            return None
        split = self.index.split_qualified(f"{base}.{rest}" if rest else base)
        return self.index.file_view(split[0], Ref("", split[1])) if split else None

    def sent_file_argument(self, call: ast.Call) -> Optional[ast.expr]:
        """The file object a send call consumes: ``send_file(f)``, ``Response(f)``,
        ``Response(wrap_file(environ, f))``, ``wrap_file(environ, f)``."""
        q = self.q(call.func)
        if is_send_file(q):
            return call_arg(call, 0, "path_or_file", "filename_or_fp")
        if q and q.rsplit(".", 1)[-1] in ("wrap_file", "FileWrapper"):
            return call_arg(call, 1 if q.endswith("wrap_file") else 0, "file")
        name = q.rsplit(".", 1)[-1] if q else ""
        if name in ("Response", "response_class", "make_response"):
            body = call_arg(call, 0, "response")
            if isinstance(body, ast.Call):
                inner = self.sent_file_argument(body)
                if inner is not None:
                    return inner
            return body
        return None

    def is_opener(self, node: ast.expr) -> bool:
        """An expression that opens a file-like object: ``open()``, ``Path.open()``,
        ``app.open_resource()``, tempfile objects, ``io.BytesIO()``."""
        if not isinstance(node, ast.Call):
            return False
        q = self.q(node.func) or ""
        if q in FILE_OPENERS or q in TEMP_FILES:
            return True
        if q.rsplit(".", 1)[-1] in ("BytesIO", "StringIO", "TemporaryFile", "NamedTemporaryFile"):
            return True
        return isinstance(node.func, ast.Attribute) and node.func.attr in ("open", "open_resource")

    # ---------------------------------------------------------------- hooks
    def hooks(self) -> Iterator[Hook]:
        by_name = {f.name: f for f in self.functions}
        for func in self.functions:
            for deco in func.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in HOOKS:
                    owner = dotted(target.value)
                    if owner:
                        yield self._hook(func, target.attr, owner)
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in HOOKS
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in by_name
            ):
                owner = dotted(node.func.value)
                if owner:
                    yield self._hook(by_name[node.args[0].id], node.func.attr, owner)

    def _scope_of(self, node: ast.AST) -> str:
        parts: list[str] = []
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(current.name)
            current = self.parents.get(current)
        return ".".join(reversed(parts))

    def _hook(self, func: FunctionNode, kind: str, owner: str) -> Hook:
        return Hook(func, kind, owner, tuple(self.file_routes_seen_by(owner, func, kind)))

    def file_routes_seen_by(self, owner: str, func: FunctionNode, kind: str) -> list[LinkedRoute]:
        """File-serving routes whose requests run hooks registered on ``owner``."""
        if self.index is None:
            return []
        index = self.index
        key = None
        if self.module in index.modules:
            key = index.resolve_object(self.module, Ref(self._scope_of(func), owner))
        if key is None:
            base = self.aliases.get(owner.split(".", 1)[0])
            if base is not None:
                rest = owner.split(".", 1)[1] if "." in owner else ""
                split = index.split_qualified(f"{base}.{rest}" if rest else base)
                key = index.resolve_object(split[0], Ref("", split[1])) if split else None
        groups = [g for g in index.groups if g.local_scope is None]
        routes: list[LinkedRoute]
        if (
            key is not None
            and index.object_fact(key).kind == "blueprint"
            and kind
            in (
                "after_request",
                "teardown_request",
            )
        ):
            name = index.object_fact(key).bp_name or ""
            routes = [
                r
                for g in groups
                for r in g.routes
                if r.endpoint.startswith(f"{name}.") or f".{name}." in r.endpoint
            ]
        elif key is not None and index.object_fact(key).kind == "app":
            routes = [r for g in index.groups if g.key == ":".join(key) for r in g.routes]
        else:
            routes = [r for g in groups for r in g.routes]
        return [r for r in routes if self._serves_file(r)]

    @staticmethod
    def _serves_file(route: LinkedRoute) -> bool:
        if not route.serves_file or route.sometimes:
            return route.serves_file
        if route.static_dir is not None:
            return os.path.isdir(route.static_dir)  # a missing static folder serves nothing
        return True


def on_error_path(ctx: ProdContext, node: ast.AST, func: FunctionNode) -> bool:
    """Is ``node`` in an ``except`` handler, or in a block that ends by raising? Closing
    a file there is cleanup after a failure, not a premature close."""
    current = ctx.parents.get(node)
    stmt = ctx.statement_of(node)
    while current is not None and current is not func:
        if isinstance(current, ast.ExceptHandler):
            return True
        for field in ("body", "orelse", "finalbody"):
            block = getattr(current, field, None)
            if isinstance(block, list) and stmt in block:
                later = block[block.index(stmt) + 1 :]
                if any(isinstance(s, ast.Raise) for s in later):
                    return True
        current = ctx.parents.get(current)
    return False


def guarded_by(ctx: ProdContext, node: ast.AST, func: FunctionNode, name: str) -> bool:
    """Is ``node`` under a condition on the response ``name`` (its type, passthrough
    mode, mimetype...), or after an early ``if <condition>: return``? Then which responses
    reach it can't be known, and precision comes first. A status check guards nothing:
    file responses answer 200."""
    current = ctx.parents.get(node)
    while current is not None and current is not func:
        if isinstance(current, (ast.If, ast.IfExp, ast.While)) and _tests(current.test, name):
            return True
        current = ctx.parents.get(current)
    line = getattr(node, "lineno", 0)
    for stmt in func.body:
        if stmt.lineno >= line:
            break
        if (
            isinstance(stmt, ast.If)
            and _tests(stmt.test, name)
            and any(isinstance(n, ast.Return) for n in ast.walk(stmt))
        ):
            return True
    return False


def _tests(test: ast.expr, name: str) -> bool:
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Attribute)
            and is_name(node.value, name)
            and node.attr not in ("status_code", "status")
        ):
            return True
        if isinstance(node, ast.Call) and any(is_name(a, name) for a in node.args):
            return True
    return False


def params_of(func: FunctionNode) -> list[str]:
    a = func.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


def is_name(node: Optional[ast.AST], name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def own_nodes(func: FunctionNode) -> list[ast.AST]:
    return list(walk_own_scope(func))
