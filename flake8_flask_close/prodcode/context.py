"""What the production rules need to know about one module: its functions, the file
responses they build, its request hooks and which routes those hooks see."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.names import FunctionNode, dotted, import_aliases, qualify
from flake8_flask_close.prodcode.guards import guards_of, on_request, skips_file_statuses
from flake8_flask_close.routes.extract import HOOK_REGISTRARS, module_name_for, qualify_ref
from flake8_flask_close.routes.facts import ModuleFacts, Ref
from flake8_flask_close.routes.index import LinkedRoute, RouteIndex
from flake8_flask_close.routes.scan import relpath
from flake8_flask_close.vocabulary import (
    FILE_OPENERS,
    ResponseClassifier,
    call_arg,
    is_send_file,
    is_send_from_directory,
    local_assignments,
)
from flake8_flask_close.walks import parents, statements, walk, walk_own_scope

AFTER_REQUEST = frozenset({"after_request", "after_app_request"})
BLUEPRINT_ONLY = frozenset({"after_request", "teardown_request"})
"""On a blueprint these run for its own routes only."""
TEARDOWN = frozenset({"teardown_request", "teardown_appcontext", "teardown_app_request"})
HOOKS = AFTER_REQUEST | TEARDOWN
HOOK_WORDS = tuple(sorted(HOOK_REGISTRARS))
"""What a module that registers a request hook itself says (the index records these)."""
CLOSE_CALL = re.compile(r"\.(?:[ \t\f\\\r\n]|#[^\r\n]*[\r\n])*close\b")
"""What a module that calls ``x.close()`` says, whatever stands between the dot and the
name (spaces, line breaks, a comment inside parentheses); "close" in prose isn't a call.
A comment is matched with the line break that ends it, so that each text can be read in
one way only: ``#[^\r\n]*`` alone let a line of ``#`` after a dot be split in 2**n ways,
and site-packages took minutes."""
WITH_STATEMENT = re.compile(r"^[ \t\f]*(?:async[ \t\f]+)?with\b", re.MULTILINE)
"""A ``with`` statement: a compound statement starts a line, unlike "with" in prose."""


def closes_something(source: str) -> bool:
    """Whether a module with this text may close something: ``x.close()``, ``closing()``
    or a ``with`` statement (substring checks first: one regex of all three took 70 us
    per module). Text only: the caller skips it for non-ASCII text, where a name may be
    spelled in other characters that Python folds to ASCII ones (NFKC)."""
    return (
        ("close" in source and CLOSE_CALL.search(source) is not None)
        or "closing" in source
        or ("with" in source and WITH_STATEMENT.search(source) is not None)
    )


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
    """A request hook (``after_request``...) and the file routes it runs for."""

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
        self.module, is_package = module_name_for(rel)
        self.aliases = import_aliases(tree, self.module, is_package)
        self.parents = parents(tree)
        self.functions: list[FunctionNode] = [
            n for n in statements(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
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
        split = self.index.imported(self.aliases, name)
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

    def is_request(self, node: ast.expr) -> bool:
        """``flask.request`` however it is imported."""
        return isinstance(node, (ast.Name, ast.Attribute)) and self.q(node) == "flask.request"

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
        """Request hooks whose function is defined in this module, wherever they are
        registered (``app.after_request(hooks.release)`` in a factory counts)."""
        if self.index is None:
            return
        index = self.index
        mine = {self.qualname(f): f for f in self.functions}
        seen: set[tuple[int, str]] = set()
        for facts, hook in index.hook_facts():
            qualname = self._hook_function(facts, hook.func)
            func = mine.get(qualname) if qualname is not None else None
            if func is None or (id(func), hook.kind) in seen:
                continue
            seen.add((id(func), hook.kind))
            key = index.resolve_object(facts.module, hook.target)
            routes = tuple(self._routes_through(key, hook.kind))
            yield Hook(func, hook.kind, hook.target.name, routes)

    def qualname(self, func: FunctionNode) -> str:
        scope = self._scope_of(func)
        return f"{scope}.{func.name}" if scope else func.name

    def _hook_function(self, facts: ModuleFacts, ref: Ref) -> Optional[str]:
        """The qualname in this module of the hook function ``ref`` names in ``facts``."""
        assert self.index is not None
        if facts.module == self.module:
            resolved = self.index.resolve_function(facts.module, ref)
            if resolved is not None and resolved[0].module == self.module:
                return resolved[1].qualname
            return f"{ref.scope}.{ref.name}" if ref.scope else ref.name
        target = qualify_ref(ref, facts.aliases)
        if target and self.module and target.startswith(self.module + "."):
            return target[len(self.module) + 1 :]
        return None

    def _scope_of(self, node: ast.AST) -> str:
        parts: list[str] = []
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(current.name)
            current = self.parents.get(current)
        return ".".join(reversed(parts))

    def _routes_through(self, key: Optional[tuple[str, str, str]], kind: str) -> list[LinkedRoute]:
        """File-serving routes whose requests run a hook registered on ``key``: a
        blueprint's own hooks see its routes, ``after_app_request`` and app hooks see the
        app's, and an app we can't resolve stands for every project app."""
        assert self.index is not None
        index = self.index
        shared = [g for g in index.groups if g.local_scope is None]
        routes: list[LinkedRoute]
        obj = index.object_fact(key) if key is not None else None
        if obj is not None and obj.kind == "blueprint" and kind in BLUEPRINT_ONLY:
            name = obj.bp_name or ""
            routes = [
                r
                for g in shared
                for r in g.routes
                if r.endpoint.startswith(f"{name}.") or f".{name}." in r.endpoint
            ]
        elif obj is not None and key is not None:
            # an app's own key; a blueprint's app-wide hooks run on the apps it is on
            apps = {":".join(key), *index.blueprint_apps.get(":".join(key), ())}
            routes = [r for g in index.groups if g.key in apps for r in g.routes]
        else:
            routes = [r for g in shared for r in g.routes]
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


def response_guards(
    ctx: ProdContext, node: ast.AST, func: FunctionNode, name: str
) -> list[ast.expr]:
    """The conditions on the response ``name`` that ``node`` runs under: enclosing
    ``if`` tests, and the tests of earlier ``if <condition>: return`` statements. Status
    checks are left out: file responses answer 200."""
    tests: list[ast.expr] = []
    current = ctx.parents.get(node)
    while current is not None and current is not func:
        if isinstance(current, (ast.If, ast.IfExp, ast.While)) and _tests(current.test, name):
            tests.append(current.test)
        current = ctx.parents.get(current)
    line = getattr(node, "lineno", 0)
    for stmt in func.body:
        if stmt.lineno >= line:
            break
        if (
            isinstance(stmt, ast.If)
            and _tests(stmt.test, name)
            and any(isinstance(n, ast.Return) for n in walk(stmt))
        ):
            tests.append(stmt.test)
    return tests


TYPE_ATTRIBUTES = frozenset({"mimetype", "content_type", "is_json", "mimetype_params"})
BODY_READS = frozenset({"data", "json", "get_data", "get_json"})
"""A condition that itself reads the body (``response.is_json and response.json``) is
judged by the read, not as a guard."""


def reaches_file_routes(
    tests: list[ast.expr],
    name: str,
    routes: tuple[LinkedRoute, ...],
    only_type: Optional[str] = None,
) -> bool:
    """Can a response of one of ``routes`` get past these conditions (and be of
    ``only_type``, for reads that touch JSON bodies only)? Conditions on the content type
    are checked against the types the routes serve; any other condition on the response
    (``direct_passthrough``, ``is_streamed``...) may exclude file responses, so it counts
    as a no: precision first."""
    wanted: list[str] = [only_type] if only_type else []
    for test in tests:
        attrs = {
            n.attr for n in walk(test) if isinstance(n, ast.Attribute) and is_name(n.value, name)
        } - BODY_READS
        if not attrs or not attrs <= TYPE_ATTRIBUTES or _negated(test):
            return False
        if "is_json" in attrs:
            wanted.append("json")
        wanted += [
            n.value.lower()
            for n in walk(test)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
    if not wanted:
        return bool(routes)
    for route in routes:
        if route.mimetypes is None:
            continue  # may serve any type: can't tell, stay silent
        if any(w in t.lower() for w in wanted for t in route.mimetypes):
            return True
    return False


def hook_touches_file_responses(
    ctx: ProdContext, hook: Hook, node: ast.AST, name: str, only_type: Optional[str] = None
) -> bool:
    """Can ``node`` of an ``after_request`` hook (whose response parameter is ``name``)
    run for a response of the hook's file routes? Not under a condition on the response
    that excludes them (its type, ``direct_passthrough``, a status file responses don't
    answer), and not under a condition on the request: which routes that lets through
    isn't worked out, so the hook is taken as missing them (precision first)."""
    if not reaches_file_routes(
        response_guards(ctx, node, hook.func, name), name, hook.routes, only_type
    ):
        return False
    guards = guards_of(ctx.parents, node, hook.func)
    return not skips_file_statuses(guards, name) and not on_request(guards, ctx.is_request)


def _tests(test: ast.expr, name: str) -> bool:
    """Does this condition look at the response (other than its status)?"""
    for node in walk(test):
        if (
            isinstance(node, ast.Attribute)
            and is_name(node.value, name)
            and node.attr not in ("status_code", "status")
        ):
            return True
        if isinstance(node, ast.Call) and any(is_name(a, name) for a in node.args):
            return True
    return False


def _negated(test: ast.expr) -> bool:
    """``if not response.is_json`` / ``!=`` tests let the *other* types through."""
    return any(isinstance(n, (ast.Not, ast.NotEq, ast.NotIn)) for n in walk(test))


def is_name(node: Optional[ast.AST], name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def own_nodes(func: FunctionNode) -> Sequence[ast.AST]:
    return walk_own_scope(func)
