"""Extract ``ModuleFacts`` from one parsed module."""

from __future__ import annotations

import ast
import os
import posixpath
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import AnyStr, Optional, Union

from flake8_flask_close.names import FunctionNode, dotted, import_aliases, params_of, qualify
from flake8_flask_close.routes.facts import (
    ANY_ERROR,
    FILENAME_MARK,
    HTTP_ERROR,
    RAISES,
    UNKNOWN,
    UNKNOWN_STATUS,
    ClassFact,
    ErrorHandlerFact,
    Evidence,
    FunctionFact,
    HookFact,
    ModuleFacts,
    ObjectFact,
    Ref,
    RegistrationFact,
    RouteFact,
    SentFile,
    redirect_fact,
)
from flake8_flask_close.routes.project import X_SENDFILE
from flake8_flask_close.vocabulary import (
    FLASK_SENDERS,
    HTTP_METHOD_DECORATORS,
    ResponseClassifier,
    answered_without_file,
    call_arg,
    is_blueprint_class,
    is_flask_app_class,
    is_send_file,
    local_assignments,
)
from flake8_flask_close.walks import (
    body_fields,
    own_statements,
    statements,
    walk,
    walk_own_scope,
)

HOOK_REGISTRARS = frozenset(
    {
        "after_request",
        "after_app_request",
        "teardown_request",
        "teardown_app_request",
        "teardown_appcontext",
    }
)
FOREIGN_FRAMEWORKS = frozenset(
    {
        "quart",
        "fastapi",
        "starlette",
        "sanic",
        "aiohttp",
        "bottle",
        "falcon",
        "litestar",
        "django",
        "tornado",
        "flask_restx",
        "flask_restful",
        "flask_smorest",
    }
)
"""Apps and routers of these are not Flask apps (Quart's test client gathers the body and
closes the file itself: runtime-behavior c14)."""
SENT_ATTRIBUTE_TAKERS = ("Response", "wrap_file")
"""Beside the send functions, the calls whose file argument may be an attribute a hook
closes (``Response(g.report)``): ``note_sent_attribute``."""
RESOURCE_APIS = {"flask_restful.Api": 1, "flask_restx.Api": 99}
"""The ``Api`` classes whose ``add_resource(Resource, *urls)`` adds class views to the app or
blueprint they are given (``Api(app)``, ``api.init_app(app)``), by the position their
``prefix`` argument may take."""


ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort"})
PAGE_MAKERS = frozenset({"flask.jsonify", "flask.render_template", "flask.render_template_string"})
"""Calls whose value is a page with no file in it, and no redirect (a gate's answer)."""

MAX_LITERAL = 4096
"""Longer "constants" are not URLs or folders: stop folding (``A1 = A0 + A0`` chains)."""


def literal_str(node: Optional[ast.expr], constants: dict[str, str]) -> Optional[str]:
    """The string value of a literal, a module constant or a concatenation of those."""
    try:
        value = _literal_str(node, constants)
    except RecursionError:
        return None
    return value if value is None or len(value) <= MAX_LITERAL else None


def _literal_str(node: Optional[ast.expr], constants: dict[str, str]) -> Optional[str]:
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _literal_str(node.left, constants)
        right = _literal_str(node.right, constants)
        if left is not None and right is not None and len(left) + len(right) <= MAX_LITERAL:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                inner = _literal_str(value.value, constants)
                if inner is None:
                    return None
                parts.append(inner)
            else:
                return None
        return "".join(parts)
    return None


def optional_str(node: Optional[ast.expr], constants: dict[str, str]) -> Optional[str]:
    """None when absent or literally None; the string; or UNKNOWN."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    value = literal_str(node, constants)
    return UNKNOWN if value is None else value


def folder_basename(node: ast.expr, constants: dict[str, str]) -> Optional[str]:
    """Basename of a folder expression: a literal, or the last literal of a join / ``/``."""
    value = literal_str(node, constants)
    if value is not None:
        return os.path.basename(value.rstrip("/\\")) or None
    if isinstance(node, ast.Call) and node.args:
        return folder_basename(node.args[-1], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return folder_basename(node.right, constants)
    return None


def methods_of(call: ast.Call) -> Optional[list[str]]:
    node = call_arg(call, 99, "methods")
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found = [
            e.value.upper()
            for e in node.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
        return found if len(found) == len(node.elts) else None
    return None


class _Extractor:
    def __init__(
        self,
        tree: ast.Module,
        facts: ModuleFacts,
        send_functions: tuple[str, ...],
        statements_suffice: bool,
        call_lines: Optional[list[int]] = None,
    ) -> None:
        self.tree = tree
        self.facts = facts
        self._scope_assignments: Optional[dict[tuple[str, str], list[ast.expr]]] = None
        self.call_lines = call_lines
        """The lines, in order, whose text names what ``visit_call`` reacts to; None when
        unknown (every statement is searched for calls then)."""
        self.aliases = facts.aliases
        self.send_functions = send_functions
        self.statements_suffice = statements_suffice
        self.status_constants: dict[str, int] = {}
        """Module-level ``NAME = 307`` (or an ``HTTPStatus``): a redirect's code by name."""
        self.branch_depth = 0
        """How many blocks of a compound statement (``if``, ``try``...) hold the statement
        being visited, in its function or module: what's registered there may not be."""
        self.function_body: list[ast.stmt] = []
        self.statement_index = 0
        """The body of the function being visited (empty at a module's top level) and
        the index in it of the statement holding the one being visited."""
        self.apis: dict[tuple[str, str], tuple[Optional[Ref], Optional[str]]] = {}
        """(scope, name) of ``api = Api(app, prefix="/api")`` -> the app or blueprint it adds
        its resources to (None until ``init_app``), and its prefix (None when it can't be
        read)."""
        self.resources: list[tuple[Ref, ast.Call]] = []
        """``api.add_resource(...)`` calls: the api (in the scope of the call), the call."""

    def q(self, node: ast.AST) -> Optional[str]:
        return qualify(node, self.aliases)

    # ---------------------------------------------------------------- scopes
    def visit_body(self, body: list[ast.stmt], scope: str) -> None:
        for stmt in body:
            self.visit_stmt(stmt, scope)

    def visit_stmt(self, stmt: ast.stmt, scope: str) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.visit_function(stmt, scope)
            return
        if isinstance(stmt, ast.ClassDef):
            self.visit_class(stmt, scope)
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.visit_assign(stmt, scope)
        elif isinstance(stmt, ast.Return) and scope and isinstance(stmt.value, ast.Call):
            self.visit_returned_object(stmt.value, scope)
        bodies = _child_bodies(stmt)
        if self.may_call(stmt):
            for node in _walk_stmt(stmt) if bodies else walk(stmt):
                if isinstance(node, ast.Call):
                    self.visit_call(node, scope)
        self.branch_depth += 1
        for child_body in bodies:
            self.visit_body(child_body, scope)
        self.branch_depth -= 1

    def may_call(self, stmt: ast.stmt) -> bool:
        """May ``stmt`` hold a call ``visit_call`` notes? Not when none of its lines names
        one: walking every expression of every statement for calls was a third of the
        extraction, and most statements of a view hold none of these."""
        lines = self.call_lines
        if lines is None:
            return True
        at = bisect_left(lines, stmt.lineno)
        return at < len(lines) and lines[at] <= (stmt.end_lineno or stmt.lineno)

    def visit_function(self, node: FunctionNode, scope: str) -> None:
        qualname = f"{scope}.{node.name}" if scope else node.name
        for deco in node.decorator_list:
            self.visit_decorator(deco, node, scope, qualname)
        self.facts.functions[qualname] = self.function_fact(node, qualname)
        outer = self.branch_depth, self.function_body, self.statement_index
        self.branch_depth, self.function_body = 0, node.body
        for self.statement_index, stmt in enumerate(node.body):
            self.visit_stmt(stmt, qualname)
        self.branch_depth, self.function_body, self.statement_index = outer

    def visit_class(self, node: ast.ClassDef, scope: str) -> None:
        qualname = f"{scope}.{node.name}" if scope else node.name
        methods = [
            s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        bases = [Ref(scope, d) for d in (dotted(b) for b in node.bases) if d]
        self.facts.classes[qualname] = ClassFact(qualname, bases, methods, node.lineno)
        self.visit_body(node.body, qualname)

    def rooted_in_module(self, call: ast.Call) -> bool:
        """``Flask(__name__)``: the app's root path is its module's folder. Flask finds it
        from the import name; another name (or ``root_path=``) may put it anywhere."""
        if call_arg(call, 99, "root_path") is not None:
            return False
        name = call_arg(call, 0, "import_name")
        if isinstance(name, ast.Name):
            return name.id == "__name__"
        return literal_str(name, {}) == self.facts.module

    # ---------------------------------------------------------------- objects
    def visit_returned_object(self, value: ast.Call, scope: str) -> None:
        """``return Flask(__name__)`` in a factory: an app no name is bound to, known by
        the function that makes it (``create_app()``). Not a blueprint: one a factory
        returns is registered as ``register_blueprint(make_bp())``, which the index
        can't follow, and an unregistered blueprint's routes would be matched unprefixed."""
        obj = self.object_fact(value, scope, f"{scope.rsplit('.', 1)[-1]}()")
        if obj is not None and obj.kind == "app":
            self.facts.objects.append(obj)

    def visit_assign(self, stmt: Union[ast.Assign, ast.AnnAssign], scope: str) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if scope == "" and value is not None:
            text = literal_str(value, self.facts.constants)
            code = None if text is not None else self.status_code(value)
            for t in targets:
                if isinstance(t, ast.Name):
                    if text is not None:
                        self.facts.constants[t.id] = text
                    elif code is not None:
                        self.status_constants[t.id] = code
        source = dotted(value) if value is not None else None
        if source is not None:
            for target in targets:
                name = dotted(target)
                if name is not None and name != source:
                    self.facts.bindings.append((Ref(scope, name), source))
        if not isinstance(value, ast.Call):
            return
        q = self.q(value.func) or ""
        root = q.split(".", 1)[0]
        for target in targets:
            name = dotted(target)
            if name is None:
                continue
            if q in RESOURCE_APIS:
                app_node = call_arg(value, 0, "app")
                owner = dotted(app_node) if app_node is not None else None
                prefix_node = call_arg(value, RESOURCE_APIS[q], "prefix")
                prefix = (
                    "" if prefix_node is None else literal_str(prefix_node, self.facts.constants)
                )
                self.apis[scope, name] = (Ref(scope, owner) if owner else None, prefix)
            if root in FOREIGN_FRAMEWORKS:
                self.facts.foreign.append(Ref(scope, name))
                continue
            obj = self.object_fact(value, scope, name)
            if obj is not None:
                self.facts.objects.append(obj)

    def object_fact(self, call: ast.Call, scope: str, var: str) -> Optional[ObjectFact]:
        q = self.q(call.func)
        consts = self.facts.constants
        if is_flask_app_class(q) or self.is_local_subclass(q, is_flask_app_class):
            folder_node = call_arg(call, 2, "static_folder")
            if folder_node is None:
                folder: Optional[str] = "static"
                basename: Optional[str] = "static"
            else:
                folder = optional_str(folder_node, consts)
                basename = folder_basename(folder_node, consts) if folder is not None else None
            return ObjectFact(
                kind="app",
                scope=scope,
                var=var,
                line=call.lineno,
                static_folder=folder,
                static_basename=basename,
                static_url_path=optional_str(call_arg(call, 1, "static_url_path"), consts),
                module_root=self.rooted_in_module(call),
            )
        if is_blueprint_class(q) or self.is_local_subclass(q, is_blueprint_class):
            folder_node = call_arg(call, 2, "static_folder")
            folder = optional_str(folder_node, consts)
            return ObjectFact(
                kind="blueprint",
                scope=scope,
                var=var,
                line=call.lineno,
                bp_name=optional_str(call_arg(call, 0, "name"), consts),
                url_prefix=optional_str(call_arg(call, 5, "url_prefix"), consts),
                static_folder=folder,
                static_basename=(
                    folder_basename(folder_node, consts)
                    if folder is not None and folder_node is not None
                    else None
                ),
                static_url_path=optional_str(call_arg(call, 3, "static_url_path"), consts),
                subdomain=for_a_host(call, 6),
            )
        return None

    def is_local_subclass(self, q: Optional[str], base_test: object) -> bool:
        cls = self.facts.classes.get(q or "")
        if cls is None or not callable(base_test):
            return False
        return any(base_test(qualify_ref(b, self.aliases)) for b in cls.bases)

    # ---------------------------------------------------------------- calls
    def visit_call(self, call: ast.Call, scope: str) -> None:
        # only statements naming one of CALLED_NAMES get here: a call noted by another
        # name must have it added there
        self.note_sent_attribute(call)
        func = call.func
        if (
            isinstance(func, ast.Call)
            and isinstance(func.func, ast.Attribute)
            and func.func.attr in ERROR_REGISTRARS
            and call.args
        ):  # app.errorhandler(404)(not_found)
            owner = dotted(func.func.value)
            if owner is not None:
                code = call_arg(func, 0, "code_or_exception")
                app_wide = func.func.attr == "app_errorhandler"
                handler_name = dotted(call.args[0])
                self.note_error_handler(owner, code, handler_name, app_wide, scope, call.lineno)
            return
        if not isinstance(func, ast.Attribute):
            return
        target = dotted(func.value)
        if target is None:
            return
        consts = self.facts.constants
        if func.attr == "add_url_rule":
            view_node = call_arg(call, 2, "view_func")
            rule = None if for_a_host(call) else literal_str(call_arg(call, 0, "rule"), consts)
            endpoint = optional_str(call_arg(call, 1, "endpoint"), consts)
            view, is_class, as_view_name = self.view_ref(view_node, scope)
            if view is None:
                return
            self.facts.routes.append(
                RouteFact(
                    target=Ref(scope, target),
                    rule=rule,
                    methods=methods_of(call),
                    endpoint=endpoint if endpoint is not None else as_view_name,
                    view=view,
                    view_is_class=is_class,
                    line=call.lineno,
                )
            )
        elif func.attr == "register_blueprint":
            child = call_arg(call, 0, "blueprint")
            child_name = dotted(child) if child is not None else None
            if child_name is None:
                return
            self.facts.registrations.append(
                RegistrationFact(
                    parent=Ref(scope, target),
                    child=Ref(scope, child_name),
                    # registered for a subdomain: no path alone reaches its routes
                    url_prefix=UNKNOWN
                    if for_a_host(call)
                    else optional_str(call_arg(call, 99, "url_prefix"), consts),
                    name=optional_str(call_arg(call, 99, "name"), consts),
                    line=call.lineno,
                )
            )
        elif func.attr in HOOK_REGISTRARS and call.args:
            hook = dotted(call.args[0])
            if hook is not None:
                self.facts.hooks.append(
                    HookFact(func.attr, Ref(scope, target), Ref(scope, hook), call.lineno)
                )
        elif func.attr == "url_value_preprocessor":
            self.facts.url_value_preprocessors += 1
        elif func.attr == "add_resource":
            self.resources.append((Ref(scope, target), call))
        elif func.attr == "init_app" and call.args:
            api = self.api_named(Ref(scope, target))
            owner = dotted(call.args[0])
            if api is not None and owner is not None and self.apis[api][0] is None:
                self.apis[api] = (Ref(scope, owner), self.apis[api][1])
        elif func.attr == "register_error_handler":
            code = call_arg(call, 0, "code_or_exception")
            handler = call_arg(call, 1, "f")
            handler_name = dotted(handler) if handler is not None else None
            self.note_error_handler(target, code, handler_name, False, scope, call.lineno)

    def api_named(self, ref: Ref) -> Optional[tuple[str, str]]:
        """The ``Api`` object ``ref`` names here: one made in its scope or an outer one."""
        scope = ref.scope
        while True:
            if (scope, ref.name) in self.apis:
                return scope, ref.name
            if not scope:
                return None
            scope = scope.rpartition(".")[0]

    def add_resource_routes(self) -> None:
        """A route per URL of each ``api.add_resource(Resource, *urls, endpoint=...)`` of an
        ``Api`` made in this module for a known app or blueprint: a class view, named
        (flask-restful) by its class in lower case."""
        consts = self.facts.constants
        for api_ref, call in self.resources:
            api = self.api_named(api_ref)
            if api is None or not call.args:
                continue
            owner, prefix = self.apis[api]
            view = dotted(call.args[0])
            if owner is None or prefix is None or view is None:
                continue
            endpoint = optional_str(call_arg(call, 99, "endpoint"), consts)
            if endpoint is None:
                endpoint = view.rsplit(".", 1)[-1].lower()
            for url in call.args[1:]:
                text = literal_str(url, consts)
                self.facts.routes.append(
                    RouteFact(
                        target=owner,
                        rule=None if text is None else prefix + text,
                        methods=None,
                        endpoint=endpoint,
                        view=Ref(api_ref.scope, view),
                        view_is_class=True,
                        line=call.lineno,
                    )
                )

    def note_error_handler(
        self,
        target: str,
        code: Optional[ast.expr],
        view_name: Optional[str],
        app_wide: bool,
        scope: str,
        line: int,
    ) -> None:
        """``errorhandler(404)``, ``register_error_handler(NotFound, f)``..., by the
        status code whose errors the handler answers (``HANDLED_CLASSES``)."""
        if view_name is None:
            return
        number = None if code is None else self.status_code(code)
        by_class = False
        named = dotted(code) if number is None and code is not None else None
        if named is not None:
            last = named.rsplit(".", 1)[-1]
            number = HANDLED_CLASSES.get(last)
            by_class = number is not None
            if number is None and not last.isupper():
                return  # another exception class (``ValueError``): none of those asked about
        self.facts.error_handlers.append(
            ErrorHandlerFact(
                Ref(scope, target), number, Ref(scope, view_name), app_wide, line, by_class
            )
        )

    def note_sent_attribute(self, call: ast.Call) -> None:
        """``send_file(g.report_file)``: remember ``flask.g.report_file``."""
        q = self.q(call.func) or ""
        if not (is_send_file(q) or q.rsplit(".", 1)[-1] in SENT_ATTRIBUTE_TAKERS):
            return
        arg = call_arg(
            call, 1 if q.endswith("wrap_file") else 0, "path_or_file", "response", "file"
        )
        if isinstance(arg, ast.Attribute):
            name = self.q(arg)
            if name and name not in self.facts.sent_attributes:
                self.facts.sent_attributes.append(name)

    def view_ref(
        self, node: Optional[ast.expr], scope: str, depth: int = 0
    ) -> tuple[Optional[Ref], bool, Optional[str]]:
        """(view reference, is a class view, the as_view() endpoint name)."""
        if node is None or depth > 8:
            return None, False, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "as_view":
                cls = dotted(node.func.value)
                name = literal_str(call_arg(node, 0, "name"), self.facts.constants)
                return (Ref(scope, cls) if cls else None), True, name
            return None, False, None
        if isinstance(node, ast.Name):
            for value in self.scope_assignments.get((scope, node.id), []):
                found = self.view_ref(value, scope, depth + 1)
                if found[0] is not None:
                    return found
        name = dotted(node)
        return (Ref(scope, name) if name else None), False, None

    def visit_decorator(
        self, deco: ast.expr, node: FunctionNode, scope: str, qualname: str
    ) -> None:
        if isinstance(deco, ast.Attribute) and deco.attr == "url_value_preprocessor":
            self.facts.url_value_preprocessors += 1
            return
        if isinstance(deco, ast.Attribute) and deco.attr == "before_request":
            target = dotted(deco.value)
            if (
                target is not None
                and not self.branch_depth
                and not self.may_have_left()
                and len(node.decorator_list) == 1
                and any(o.scope == scope and o.var == target for o in self.facts.objects)
                and self.always_answers(node)
            ):
                self.facts.gates.append(
                    HookFact(deco.attr, Ref(scope, target), Ref(scope, node.name), deco.lineno)
                )
            return
        if isinstance(deco, ast.Attribute) and deco.attr in HOOK_REGISTRARS:
            target = dotted(deco.value)
            if target is not None:
                self.facts.hooks.append(
                    HookFact(deco.attr, Ref(scope, target), Ref(scope, node.name), deco.lineno)
                )
            return
        if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
            return
        target = dotted(deco.func.value)
        if target is None:
            return
        attr = deco.func.attr
        consts = self.facts.constants
        if attr == "route" or attr in HTTP_METHOD_DECORATORS:
            methods = [HTTP_METHOD_DECORATORS[attr]] if attr != "route" else methods_of(deco)
            self.facts.routes.append(
                RouteFact(
                    target=Ref(scope, target),
                    rule=None
                    if for_a_host(deco)
                    else literal_str(call_arg(deco, 0, "rule"), consts),
                    methods=methods,
                    endpoint=optional_str(call_arg(deco, 99, "endpoint"), consts),
                    view=Ref(scope, node.name),
                    view_is_class=False,
                    line=deco.lineno,
                )
            )
        elif attr in HOOK_REGISTRARS:
            self.facts.hooks.append(
                HookFact(attr, Ref(scope, target), Ref(scope, node.name), deco.lineno)
            )
        elif attr in ERROR_REGISTRARS:
            code = call_arg(deco, 0, "code_or_exception")
            app_wide = attr == "app_errorhandler"
            self.note_error_handler(target, code, node.name, app_wide, scope, deco.lineno)

    # ---------------------------------------------------------------- functions
    def function_fact(self, node: FunctionNode, qualname: str) -> FunctionFact:
        # a third of the build was walking every expression of every function for the
        # returns, yields and walruses most modules' texts show they don't have
        nodes = own_statements(node) if self.statements_suffice else walk_own_scope(node)
        returns: list[ast.Return] = []
        for n in nodes:
            if isinstance(n, ast.Return):
                returns.append(n)
            elif isinstance(n, (ast.Yield, ast.YieldFrom)):
                return FunctionFact(qualname, node.lineno, is_generator=True)
        if returns:
            dead = _statements_after_ends(node.body, self.never_completes)
            returns = [ret for ret in returns if id(ret) not in dead]
        aborts = self.error_status(node.body) if any(map(self.raises, node.body)) else None
        if not returns:  # most functions of a test module
            return FunctionFact(qualname, node.lineno, aborts=aborts)
        assigned = local_assignments(node, nodes if self.statements_suffice else None)
        classifier = ResponseClassifier(self.aliases, assigned, self.send_functions)
        direct: list[Evidence] = []
        helpers: list[Ref] = []
        redirects: list[str] = []
        errors: list[Evidence] = []
        plain_returns = plain_errors = 0
        for ret in returns:
            target = self.redirect_target(ret.value)
            if target is not None:
                redirects.append(target)
                continue
            judged = classifier.classify(ret.value)
            if self.answers_without_body(ret.value):
                # says nothing of the view's successful answer; an error handler's page
                pages = [Evidence(f.evidence, ret.lineno, f.mimetype) for f in judged if f.evidence]
                errors += pages
                if not pages and isinstance(ret.value, ast.Tuple):
                    plain_errors += 1  # ``return jsonify(...), 404``
                continue
            if not any(f.evidence or f.helper is not None for f in judged):
                plain_returns += 1
            for found in judged:
                if found.evidence:
                    sent = self.sent_file(ret.value, node) if len(judged) == 1 else None
                    direct.append(Evidence(found.evidence, ret.lineno, found.mimetype, sent))
                elif found.helper is not None:
                    name = dotted(found.helper)
                    if name:
                        helpers.append(Ref(qualname, name))
        return FunctionFact(
            qualname,
            node.lineno,
            tuple(direct),
            tuple(helpers),
            redirects=tuple(redirects),
            plain_returns=plain_returns,
            error_files=tuple(errors),
            plain_errors=plain_errors,
            aborts=aborts,
        )

    def may_have_left(self) -> bool:
        """May a statement before the one being visited, in its function, return or
        raise (``if testing: return app``)? Then what follows may not run."""
        return any(map(_may_leave, self.function_body[: self.statement_index]))

    def always_answers(self, func: FunctionNode) -> bool:
        """A ``before_request`` function that does nothing but return a page (no file,
        no redirect): no view of what it guards ever runs. Anything before the return
        may raise instead, and the error's handler may serve a file."""
        body = func.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring
        return len(body) == 1 and isinstance(body[0], ast.Return) and self.is_page(body[0].value)

    def is_page(self, value: Optional[ast.expr]) -> bool:
        """``"down for maintenance", 503``, ``jsonify(...)``, ``{"error": ...}``."""
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        if isinstance(value, ast.Constant):
            return isinstance(value.value, (str, bytes))
        if isinstance(value, ast.Call):
            return self.q(value.func) in PAGE_MAKERS
        return isinstance(value, (ast.JoinedStr, ast.Dict, ast.List))

    def error_status(self, body: list[ast.stmt]) -> Optional[int]:
        """The status of the error the first statement of ``body`` that never completes
        raises (``abort(404)``, ``raise Forbidden()``, ``RAISES``...); None when it is a
        ``return``, or when a statement before it may return or raise."""
        for stmt in body:
            if not self.never_completes(stmt):
                if _may_leave(stmt):
                    return None  # ``if DEBUG: return page``: not every call aborts
                continue
            if isinstance(stmt, ast.Return):
                return None
            if isinstance(stmt, ast.Raise):
                raised = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
                name = (dotted(raised) or "").rsplit(".", 1)[-1] if raised is not None else ""
                return HTTP_ERROR_CLASSES.get(name, RAISES)
            assert isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            code = _int(call_arg(stmt.value, 0, "status"))
            return code if code is not None else UNKNOWN_STATUS
        return None

    def never_completes(self, stmt: ast.stmt) -> bool:
        """``return ...``, ``raise ...`` or ``abort(404)``: what follows it in its block never
        runs (``abort(404); return send_file(...)`` serves no file)."""
        return isinstance(stmt, ast.Return) or self.raises(stmt)

    def raises(self, stmt: ast.stmt) -> bool:
        """``raise ...`` or ``abort(404)``."""
        if isinstance(stmt, ast.Raise):
            return True
        return (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and self.q(stmt.value.func) in ABORTS
        )

    def sent_file(self, value: Optional[ast.expr], func: FunctionNode) -> Optional[SentFile]:
        """The file ``return send_from_directory("files", name)`` (``name`` a parameter
        the view never rebinds), ``send_from_directory("files", "a.txt")`` or
        ``send_file("files/a.txt")`` sends; None when the code doesn't name it. Paths with
        ``..`` are left alone: the system resolves them through symlinks, ``normpath``
        doesn't. So are views that may catch the missing file's error (a ``try``, a
        decorator other than a route's, which may also change the arguments)."""
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        if not isinstance(value, ast.Call) or not _plain_view(func):
            return None
        q = self.q(value.func)
        if q not in FLASK_SENDERS:
            return None
        consts = self.facts.constants
        if q.endswith("send_file"):
            path = literal_str(call_arg(value, 0, "path_or_file", "filename_or_fp"), consts)
            if path is None or ".." in path.split("/"):
                return None
            head, slash, tail = path.rpartition("/")
            if not tail:
                return None
            return SentFile(head or slash, tail, missing_raises=True)  # "/a.txt": in "/"
        directory = literal_str(call_arg(value, 0, "directory"), consts)
        if directory is None or ".." in directory.split("/"):
            return None
        name_node = call_arg(value, 1, "path", "filename")
        literal = literal_str(name_node, consts)
        if literal:
            # as safe_join cleans it up ("./a", "a/", "b/../a": "a"), so that the result
            # cache watches the file a request looks for
            return SentFile(directory, posixpath.normpath(literal))
        if isinstance(name_node, ast.Name) and _unbound_parameter(func, name_node.id):
            return SentFile(directory, name_node.id, from_url=True)
        return None

    def answers_without_body(self, value: Optional[ast.expr]) -> bool:
        """``return "gone", 404``, ``return abort(403)``, ``return None``: an error or a
        redirect status, which tells nothing about the view's successful answer."""
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            return True
        status: Optional[ast.expr] = None
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            status = value.elts[1]
        elif isinstance(value, ast.Call):
            q = self.q(value.func) or ""
            if q.rsplit(".", 1)[-1] == "abort":
                return True
            if q.rsplit(".", 1)[-1] == "make_response" and len(value.args) >= 2:
                status = value.args[1]
        return (
            isinstance(status, ast.Constant)
            and isinstance(status.value, int)
            and answered_without_file(status.value)
        )

    def redirect_target(self, value: Optional[ast.expr]) -> Optional[str]:
        """``redirect("/path")`` -> "302 /path"; ``redirect(url_for("name"), 307)`` ->
        "307 @name" (``redirect_fact``)."""
        if not isinstance(value, ast.Call):
            return None
        q = self.q(value.func) or ""
        if q not in ("redirect", "flask.redirect", "werkzeug.utils.redirect"):
            return None
        location = call_arg(value, 0, "location")
        target = self.redirect_location(location) if location is not None else None
        if target is None:
            return None
        given_code = call_arg(value, 1, "code")
        code = 302 if given_code is None else self.status_code(given_code)
        return redirect_fact(code, target)

    def status_code(self, node: ast.expr) -> Optional[int]:
        """``307``, ``HTTPStatus.TEMPORARY_REDIRECT`` or a module constant naming one."""
        if isinstance(node, ast.Name):
            return self.status_constants.get(node.id)
        if isinstance(node, ast.Attribute):
            q = self.q(node) or ""
            if q.startswith("http.HTTPStatus."):
                from http import HTTPStatus

                found = HTTPStatus.__members__.get(q[len("http.HTTPStatus.") :])
                return int(found) if found is not None else None
            return None
        return _int(node)

    def redirect_location(self, location: ast.expr) -> Optional[str]:
        text = literal_str(location, self.facts.constants)
        if text is not None:
            # the client follows any location on its own host (``redirect_path``), a
            # relative one from "/"; "@" starts an endpoint's name here
            return None if text.startswith("@") else text
        if (
            isinstance(location, ast.Call)
            and location.args
            and (self.q(location.func) or "") in ("url_for", "flask.url_for")
        ):
            name = literal_str(location.args[0], self.facts.constants)
            if not name:
                return None
            given = next((k.value for k in location.keywords if k.arg == "filename"), None)
            filename = literal_str(given, self.facts.constants)
            if filename is None or FILENAME_MARK in filename:
                return f"@{name}"
            return f"@{name}{FILENAME_MARK}{filename}"
        return None

    @property
    def scope_assignments(self) -> dict[tuple[str, str], list[ast.expr]]:
        """(scope, name) -> assigned values, for ``view = Cls.as_view(...)`` indirections:
        collected when a view is first given by name (most modules give none)."""
        if self._scope_assignments is None:
            self._scope_assignments = _scope_assignments(self.tree)
        return self._scope_assignments


def _scope_assignments(tree: ast.Module) -> dict[tuple[str, str], list[ast.expr]]:
    found: dict[tuple[str, str], list[ast.expr]] = {}
    # A stack, not a recursive inner function: that one would be a reference cycle
    # holding the tree until the cyclic gc runs (and it is paused during the build).
    todo: list[tuple[Iterator[ast.stmt], str]] = [(iter(tree.body), "")]
    while todo:
        body, scope = todo[-1]
        stmt = next(body, None)
        if stmt is None:
            todo.pop()
            continue
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner = f"{scope}.{stmt.name}" if scope else stmt.name
            todo.append((iter(stmt.body), inner))
            continue
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    found.setdefault((scope, t.id), []).append(stmt.value)
        todo.extend((iter(child), scope) for child in reversed(_child_bodies(stmt)))
    return found


def qualify_ref(ref: Ref, aliases: dict[str, str]) -> Optional[str]:
    head, _, rest = ref.name.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base


TRIES = (ast.Try, *filter(None, [getattr(ast, "TryStar", None)]))  # try/except* on 3.11


def _plain_view(func: FunctionNode) -> bool:
    """No ``try`` in the view, and no decorator but its routes'."""
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if not (
            isinstance(target, ast.Attribute)
            and (target.attr == "route" or target.attr in HTTP_METHOD_DECORATORS)
        ):
            return False
    return not any(isinstance(node, TRIES) for node in own_statements(func))


def _unbound_parameter(func: FunctionNode, name: str) -> bool:
    """``name`` is a parameter of ``func`` that its body never binds again, nor a nested
    function through ``nonlocal`` (a nested function's own ``name`` is another one)."""
    if name not in params_of(func):
        return False
    if any(isinstance(n, ast.Nonlocal) and name in n.names for n in statements(func)):
        return False
    for node in walk_own_scope(func):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return False
        if isinstance(node, ast.Global) and name in node.names:
            return False
        if name in (getattr(node, "name", None), getattr(node, "asname", None)):
            return False  # ``def name``, ``except E as name``, ``import x as name``...
    return True


ERROR_REGISTRARS = frozenset({"errorhandler", "app_errorhandler"})
HANDLED_CLASSES = {
    "NotFound": 404,
    "InternalServerError": 500,
    # a missing send_file path, when Flask doesn't propagate it to the test (not testing)
    "FileNotFoundError": 500,
    "OSError": 500,
    "IOError": 500,
    "EnvironmentError": 500,
    "HTTPException": HTTP_ERROR,
    "Exception": ANY_ERROR,
    "BaseException": ANY_ERROR,
}
"""Error handlers registered for an exception class, by the status code whose errors
they answer (of those the analysis asks about); other classes answer none of them."""
HTTP_ERROR_CLASSES = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "Gone": 410,
    "InternalServerError": 500,
}
"""Werkzeug's exceptions a view raises to answer with an error status."""


def _int(node: Optional[ast.expr]) -> Optional[int]:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    ):
        return node.value
    return None


def _child_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    bodies: list[list[ast.stmt]] = []
    for name in body_fields(type(stmt)):  # none for most statements
        value = getattr(stmt, name)
        if name in ("handlers", "cases"):
            bodies += [inner.body for inner in value]
        elif isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    return bodies


def _may_leave(stmt: ast.stmt) -> bool:
    """Does ``stmt`` hold a ``return`` or a ``raise`` of its function (not of a nested
    one)?"""
    todo = [stmt]
    while todo:
        inner = todo.pop()
        if isinstance(inner, (ast.Return, ast.Raise)):
            return True
        if not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            todo += [s for body in _child_bodies(inner) for s in body]
    return False


def _statements_after_ends(
    body: list[ast.stmt], never_completes: Callable[[ast.stmt], bool]
) -> set[int]:
    """The ids of the statements (nested ones too, not in nested scopes) that follow a
    statement that never completes, in its block or an enclosing one."""
    dead: set[int] = set()
    # a loop, not a recursive closure: the index is built with the cyclic gc paused
    todo: list[tuple[list[ast.stmt], bool]] = [(body, False)]
    while todo:
        stmts, unreachable = todo.pop()
        for stmt in stmts:
            if unreachable:
                dead.add(id(stmt))
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                todo += [(child, unreachable) for child in _child_bodies(stmt)]
            unreachable = unreachable or never_completes(stmt)
    return dead


def _walk_stmt(stmt: ast.stmt) -> list[ast.AST]:
    """The expressions of a compound statement's header (its bodies are visited apart)."""
    nodes: list[ast.AST] = []
    for name, value in ast.iter_fields(stmt):
        if name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        if isinstance(value, ast.AST):
            nodes.extend(walk(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    nodes.extend(walk(item))
    return nodes


def module_name_for(relpath: str) -> tuple[str, bool]:
    """Dotted module name of a path relative to the project root, and whether it's a
    package; ``("", False)`` for a file outside the root (``../x.py``: no module of it)."""
    parts = relpath.replace("\\", "/").split("/")
    if parts[0] == "..":
        return "", False
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    last = parts[-1]
    if last.endswith(".pyi"):
        last = last[:-4]
    elif last.endswith(".py"):
        last = last[:-3]
    is_package = last == "__init__"
    parts = parts[:-1] if is_package else [*parts[:-1], last]
    return ".".join(p for p in parts if p), is_package


def statements_suffice(text: Union[str, bytes]) -> bool:
    """Whether a module with this text has no ``yield`` and no ``:=``: then a function's
    returns and local assignments are all among its statements (see ``extract``)."""
    if isinstance(text, bytes):
        return b"yield" not in text and b":=" not in text
    return "yield" not in text and ":=" not in text


def for_a_host(call: ast.Call, subdomain_at: int = 99) -> bool:
    """Is the route, blueprint or registration ``call`` makes given a subdomain or a host
    (``subdomain="files"``, ``host="files.example.com"``)? A request for a path alone
    never reaches it (``host`` is ignored unless the app matches hosts: then such a
    route is missed)."""
    for value in (call_arg(call, subdomain_at, "subdomain"), call_arg(call, 99, "host")):
        # None, and "" (the default subdomain), bind nothing
        if value is not None and not (isinstance(value, ast.Constant) and not value.value):
            return True
    return False


def extract(
    tree: ast.Module,
    relpath: str,
    send_functions: tuple[str, ...] = (),
    text: Union[str, bytes, None] = None,
) -> ModuleFacts:
    """The module's facts. ``text``, the text ``tree`` was parsed from, spares work it
    shows can't matter: without ``yield`` and ``:=`` (``statements_suffice``) functions
    are searched statement by statement; a statement whose lines name nothing
    ``visit_call`` reacts to isn't searched for calls; ``x_sendfile_settings`` are
    looked for only where ``USE_X_SENDFILE`` is named."""
    module, is_package = module_name_for(relpath)
    facts = ModuleFacts(
        module=module,
        path=relpath,
        is_package=is_package,
        aliases=import_aliases(tree, module, is_package),
    )
    if text is None:
        extractor = _Extractor(tree, facts, send_functions, False, None)
    else:
        call_lines = _call_lines(text, facts.aliases)
        extractor = _Extractor(tree, facts, send_functions, statements_suffice(text), call_lines)
    extractor.visit_body(tree.body, "")
    extractor.add_resource_routes()
    if text is None or _names_x_sendfile(text):
        facts.x_sendfile = x_sendfile_settings(tree)
    return facts


_X_SENDFILE_BYTES = X_SENDFILE.encode()


def _names_x_sendfile(text: Union[str, bytes]) -> bool:
    if isinstance(text, bytes):
        return _X_SENDFILE_BYTES in text
    return X_SENDFILE in text


CALLED_NAMES = (
    "add_url_rule",
    "register_blueprint",
    *sorted(HOOK_REGISTRARS),
    "url_value_preprocessor",
    "add_resource",
    "init_app",
    "register_error_handler",
    *sorted(ERROR_REGISTRARS),
    "send_file",
    *SENT_ATTRIBUTE_TAKERS,
)
"""The names a call ``visit_call`` notes has in its text: the attribute a registration
is called by, or the last part of a send function's qualified name (which an import
alias may hide: ``_call_lines`` adds those)."""


def _call_lines(text: Union[str, bytes], aliases: dict[str, str]) -> Optional[list[int]]:
    """The numbers of the lines of ``text`` naming one of ``CALLED_NAMES`` (or a name
    imported as one), in order; None when a lone carriage return ends a line (the
    parser counts it as a line break, this count of line feeds wouldn't)."""
    names = [*CALLED_NAMES]
    names += (
        local
        for local, target in aliases.items()
        if target.rsplit(".", 1)[-1] in CALLED_NAMES and local not in CALLED_NAMES
    )
    if isinstance(text, bytes):
        return _lines_naming(text, [name.encode() for name in names], b"\n", b"\r")
    return _lines_naming(text, names, "\n", "\r")


def _lines_naming(text: AnyStr, names: list[AnyStr], lf: AnyStr, cr: AnyStr) -> Optional[list[int]]:
    if cr in text and text.count(cr) != text.count(cr + lf):
        return None
    offsets: list[int] = []
    for name in names:
        at = text.find(name)
        while at != -1:
            offsets.append(at)
            at = text.find(name, at + len(name))
    lines: list[int] = []
    line, counted = 1, 0
    for at in sorted(offsets):
        line += text.count(lf, counted, at)
        counted = at
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def x_sendfile_settings(tree: ast.Module) -> int:
    """How many places of the module may turn ``USE_X_SENDFILE`` on: the setting given a
    value that isn't a literal false one (by assignment, keyword or dict key), or its
    name in a string anywhere else (read from the environment, or passed on)."""
    found = 0
    settled: set[int] = set()
    for node in walk(tree):
        pairs: list[tuple[Optional[ast.AST], Optional[ast.expr]]] = []
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Tuple, ast.List)):
                    value = node.value
                    values: list[Optional[ast.expr]] = list(
                        value.elts if isinstance(value, (ast.Tuple, ast.List)) else []
                    )
                    if len(values) != len(target.elts):
                        values = [None] * len(target.elts)  # unpacked: may be anything
                    pairs += zip(target.elts, values)
                else:
                    pairs.append(
                        (target.slice if isinstance(target, ast.Subscript) else target, node.value)
                    )
        elif isinstance(node, ast.keyword) and node.arg == X_SENDFILE:
            found += _may_be_true(node.value)
        elif isinstance(node, ast.Dict):
            pairs += zip(node.keys, node.values)
        for key, value in pairs:
            name = (
                key.id
                if isinstance(key, ast.Name)
                else key.attr
                if isinstance(key, ast.Attribute)
                else key.value
                if isinstance(key, ast.Constant)
                else None
            )
            if name == X_SENDFILE:
                settled.add(id(key))
                found += _may_be_true(value)
    for node in walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and X_SENDFILE in node.value
            and id(node) not in settled
        ):
            found += 1
    return found


def _may_be_true(value: Optional[ast.expr]) -> bool:
    return not (isinstance(value, ast.Constant) and not value.value)
