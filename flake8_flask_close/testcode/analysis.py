"""Find every test-client response in a test module and decide whether it is closed.

The result is a list of ``ResponseUse``: where the response is made, which route it comes
from (and whether that route serves a file), and what happens to it. Rules pick the uses
they report; this module never decides codes.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property, partial
from http import HTTPStatus
from typing import Any, Optional, Union, cast
from urllib.parse import urlsplit

from flake8_flask_close.names import (
    FunctionNode,
    dotted,
    mentions,
    params_of,
    qualify,
    string_constants,
)
from flake8_flask_close.prodcode.flow import LOOPS, holding
from flake8_flask_close.prodcode.guards import FILE_STATUSES, guards_of, skips_file_statuses
from flake8_flask_close.routes.extract import TRIES, module_name_for
from flake8_flask_close.routes.facts import (
    ANY_ERROR,
    FILENAME_MARK,
    HTTP_ERROR,
    UNKNOWN,
    Ref,
    redirect_parts,
)
from flake8_flask_close.routes.index import ANSWERED, ELSEWHERE, LinkedRoute, RouteIndex
from flake8_flask_close.routes.scan import relpath
from flake8_flask_close.testcode.clients import (
    ClientKnowledge,
    bindings_in,
    conftest_tree,
    fixture_name_and_scope,
    fixtures_in,
    is_fixture,
    knowledge_for,
)
from flake8_flask_close.testcode.files import conftest_paths, resolve_import
from flake8_flask_close.testcode.fixture_apps import FixtureApps, fixture_apps_for
from flake8_flask_close.testcode.urls import (
    Endpoint,
    UrlScope,
    UrlValue,
    concrete_paths,
    evaluate,
    for_another_host,
    known_start,
    method_after_redirect,
    redirect_path,
)
from flake8_flask_close.vocabulary import (
    CLIENT_REQUEST_METHODS,
    ResponseClassifier,
    answered_without_file,
    call_arg,
    local_assignments,
)
from flake8_flask_close.walks import (
    own_scope_nodes,
    parents,
    remembered,
    statements,
    walk,
    walk_own_scope,
)

UseFactory = Callable[..., "ResponseUse"]
Callee = Union[FunctionNode, ast.Lambda]
NodeTest = Callable[[ast.AST], bool]
Landing = tuple[Optional[LinkedRoute], dict[str, Any], str]
"""Where a request lands: the route (None: a redirect not followed), the arguments its
rule matched, and the method it was requested with at last (a followed redirect may change
it)."""
CLOSERS = frozenset(
    {"closing", "contextlib.closing", "enter_context", "enterContext", "push", "callback"}
)
WIDE_SCOPES = frozenset({"module", "class", "session", "package"})


class Fate(Enum):
    CLOSED = "closed"
    UNBOUND = "unbound"
    """Never bound to a name: a bare statement, a chained attribute, an argument."""
    UNCLOSED = "unclosed"
    """Bound to a name and not closed on every normal path."""
    CLOSED_LATE = "closed_late"
    """Closed, but not in ``finally``/``with``: an earlier failure skips the close."""
    KEPT = "kept"
    """Kept beyond the test: ``self``, a module global, a wide fixture."""


@dataclass(frozen=True)
class RouteVerdict:
    """Whether a request's route serves a file, the route, and why."""

    serves_file: Optional[bool]
    """True / False, or None when the analysis can't tell."""
    route: str
    evidence: Optional[str] = None
    if_found: Optional[str] = None
    """No file, because the one the route would send isn't on disk now; its evidence,
    should the test make it before the request (``fate_of`` checks for that)."""


@dataclass(frozen=True)
class ResponseUse:
    """A response a test makes: what becomes of it, and its route's verdict."""

    stmt: ast.stmt
    fate: Fate
    verdict: RouteVerdict
    detail: str
    request: str
    """How the response was made, for the fix text: "client.get", "fetch"."""
    close_line: int = 0
    from_client: bool = True
    """Made by a test-client request (``buffered=True`` is then a fix too)."""


@dataclass
class _Helper:
    """A function of the module that makes a request and hands the response back."""

    func: FunctionNode
    source: _Source
    client_param: Optional[str] = None
    """The parameter the helper's request is made on, when it isn't a client by itself
    (``def fetch(cl, url): return cl.get(url)``): a call passes the client there."""


_Place = tuple[str, Union[FunctionNode, ast.ClassDef]]
"""A function or class of a test-side helper module: the module's path and the node."""


@dataclass
class _Source:
    """A call that produces a response."""

    call: ast.Call
    judge: Callable[[], RouteVerdict]
    """Makes ``verdict``: called only when a fate needs it. A response the test closes
    in a ``with`` block never does, and matching its URL against the routers is most
    of what a request costs."""
    request: str
    is_client_request: bool
    client: Optional[ast.expr] = None
    """The client the request is made on: ``client`` in ``client.get(url)``, the argument
    a helper's ``client_param`` is given (``fetch(client, url)``)."""

    @cached_property
    def verdict(self) -> RouteVerdict:
        return self.judge()


def _known(verdict: RouteVerdict) -> Callable[[], RouteVerdict]:
    return lambda: verdict


def _status_value(node: ast.expr) -> Optional[int]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Attribute):
        try:
            return int(HTTPStatus[node.attr])
        except KeyError:
            return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        head = node.value.split(" ", 1)[0]
        return int(head) if head.isdigit() else None
    return None


URL_VARIABLE = re.compile(r"<(?:(\w+)(?:\(.*?\))?:)?(\w+)>")
PLAIN_CONVERTERS = frozenset({"", "default", "string", "path", "any"})
"""Werkzeug's converters that hand the view the URL's text as it is."""


def _plain_converter(rule: Optional[str], variable: str) -> bool:
    """Does the URL ``variable`` of ``rule`` reach the view as the URL's text?"""
    for converter, name in URL_VARIABLE.findall(rule or ""):
        if name == variable:
            return converter in PLAIN_CONVERTERS
    return False


def _served_path(folder: str, name: str) -> Optional[str]:
    """The file Flask's ``send_from_directory`` finds for ``name`` in ``folder``; None
    when the folder isn't there, the name leaves it (joined with Werkzeug's
    ``safe_join``: ``a/../b.css`` is ``b.css``, ``../x`` is none) or names no file
    (symlinks followed)."""
    if not os.path.isdir(folder):
        return None
    from werkzeug.security import safe_join  # imported with the router already

    path = safe_join(folder, name)
    return path if path is not None and os.path.isfile(path) else None


def _known_folder(name: str, start: str) -> str:
    """The folders a file name taken from a URL known up to ``start`` is known to be in:
    its longest leading folders (``js/``) that the known text ends with; "" for none."""
    cut = name.rfind("/")
    while cut >= 0:
        if start.endswith(name[: cut + 1]):
            return name[: cut + 1]
        cut = name.rfind("/", 0, cut)
    return ""


HOLDS_FILES_SCAN = 64
"""Folders ``_holds_files`` lists before it takes a folder for one holding files."""


def _holds_files(folder: str, below: str) -> bool:
    """Whether a request may find a file in ``folder``'s subfolder ``below`` (as Flask's
    ``send_from_directory`` would: symlinks followed); True when that can't be told
    from a few listings."""
    from werkzeug.security import safe_join  # imported with the router already

    top = safe_join(folder, below) if below else folder
    if top is None or not os.path.isdir(top):
        return False
    todo, listed = [top], 0
    while todo and listed < HOLDS_FILES_SCAN:
        current = todo.pop()
        listed += 1
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_file():
                        return True
                    if entry.is_dir():
                        todo.append(entry.path)
        except OSError:
            return True
    return bool(todo)


def _localhost(base_url: ast.expr) -> bool:
    """Is ``base_url`` the test client's own host (``"http://localhost"``,
    ``"https://localhost/"``)?"""
    if not (isinstance(base_url, ast.Constant) and isinstance(base_url.value, str)):
        return False
    try:
        return urlsplit(base_url.value).hostname == "localhost"
    except ValueError:
        return False


def _range_unsatisfiable(path: str, asked: str) -> bool:
    """Does Werkzeug answer the Range header ``asked`` for the file at ``path`` with 416
    (``Response._process_range_request``)? Anything but one range that starts inside
    the file is: one starting at or beyond its end, a suffix longer than it, several
    ranges, a header it can't parse. An empty file is served whole."""
    from werkzeug.http import parse_range_header  # imported with the router already

    try:
        size = os.path.getsize(path)
    except OSError:
        return False
    if not size:
        return False
    ranges = parse_range_header(asked)
    return (
        ranges is None
        or ranges.range_for_length(size) is None
        or ranges.to_content_range_header(size) is None
    )


def _range_needs_the_size(asked: str) -> bool:
    """Does Werkzeug's answer to the Range header ``asked`` depend on the file's size?
    Only one range from the first byte (``bytes=0-99``) is served from any file that
    isn't empty."""
    from werkzeug.http import parse_range_header  # imported with the router already

    ranges = parse_range_header(asked)
    return (
        ranges is None
        or ranges.units != "bytes"
        or len(ranges.ranges) != 1
        or ranges.ranges[0][0] != 0
    )


def _sent_headers(request: ast.Call) -> Optional[list[tuple[str, ast.expr]]]:
    """(name, value) of each header a request sends, the name as Werkzeug reads it (lower
    case, ``If_Range`` as ``if-range``); None when its headers aren't a literal dict with
    literal names, or another argument may set headers."""
    if any(kw.arg in (None, "environ_base", "environ_overrides") for kw in request.keywords):
        return None
    headers = next((kw.value for kw in request.keywords if kw.arg == "headers"), None)
    if headers is None:
        return []
    if not isinstance(headers, ast.Dict):
        return None
    sent: list[tuple[str, ast.expr]] = []
    for key, value in zip(headers.keys, headers.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        sent.append((key.value.lower().replace("_", "-"), value))
    return sent


def _asked_range(request: ast.Call) -> Optional[str]:
    """The Range header a request sends (``headers={"Range": "bytes=900-"}``), when its
    headers are a literal dict that asks for nothing else that decides the answer (no
    ``If-Range``, no conditional header) and no other argument may set headers; None
    otherwise."""
    headers = _sent_headers(request)
    if headers is None:
        return None
    asked = None
    for header, value in headers:
        if header == "if-range" or header in CONDITIONAL_HEADERS:
            return None
        if header == "range":
            text = value.value if isinstance(value, ast.Constant) else None
            if not isinstance(text, str) or asked is not None:
                return None  # not literal, or two of them (sent joined)
            asked = text
    return asked


def _is_status(node: ast.AST, is_response: NodeTest) -> bool:
    """``res.status_code`` (or ``.status``) of the response ``is_response`` picks."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("status_code", "status")
        and bool(is_response(node.value))
    )


def _asserts_success(where: ast.AST, is_response: NodeTest, lines: tuple[int, int]) -> bool:
    """An assert of a 2xx status on the response, on a line from ``lines[0]`` up to
    ``lines[1]`` (where its name is bound again): ``assert res.status_code == 200``,
    ``self.assertEqual(res.status_code, 200)``, ``assert_200(res)``,
    ``assertStatus(res, 200)``. Not a condition, a negation or an alternative."""

    def success(node: ast.expr) -> bool:
        code = _status_value(node)
        return code is not None and 200 <= code < 300

    def status_is_success(sides: list[ast.expr]) -> bool:
        return any(_is_status(s, is_response) for s in sides) and any(map(success, sides))

    for _, test, method, args in _assertions(where, lines):
        if test is not None:
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)
                and status_is_success([test.left, *test.comparators])
            ):
                return True
            continue
        named = ASSERT_STATUS_METHOD.match(method)
        if named and 200 <= int(named.group(1)) < 300 and any(map(is_response, args)):
            return True
        if method in ("assertEqual", "assertEquals") and status_is_success(args[:2]):
            return True
        given = args[:2] if method in ("assertStatus", "assert_status") else []
        if len(given) == 2 and is_response(given[0]) and success(given[1]):
            return True
    return False


def _assertions(
    where: ast.AST, lines: tuple[int, int]
) -> Iterator[tuple[ast.stmt, Optional[ast.expr], str, list[ast.expr]]]:
    """The asserts in ``where`` on a line from ``lines[0]`` up to ``lines[1]``: (the
    statement, an ``assert``'s test; or None, the method and the arguments of a call
    statement such as ``self.assertEqual(a, b)`` or ``assert_200(res)``)."""
    first, last = lines
    for node in walk(where):
        if not isinstance(node, (ast.Assert, ast.Expr)) or not first <= node.lineno < last:
            continue
        if isinstance(node, ast.Assert):
            yield node, node.test, "", []
        elif isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute):
            yield node, None, node.value.func.attr, node.value.args


def _is_location(node: ast.AST, is_response: NodeTest) -> Optional[str]:
    """``"header"`` for ``res.headers["Location"]`` (a ``KeyError`` without one),
    ``"value"`` for ``res.location`` or ``res.headers.get("Location")`` (None without
    one), of the response ``is_response`` picks; else None."""
    if isinstance(node, ast.Attribute) and node.attr == "location" and is_response(node.value):
        return "value"
    key: Optional[ast.expr] = None
    headers: Optional[ast.expr] = None
    kind = "header"
    if isinstance(node, ast.Subscript):
        key, headers = node.slice, node.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and len(node.args) == 1
        and not node.keywords  # a default: never None
    ):
        key, headers, kind = node.args[0], node.func.value, "value"
    if (
        isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and key.value.lower() == "location"
        and isinstance(headers, ast.Attribute)
        and headers.attr == "headers"
        and is_response(headers.value)
    ):
        return kind
    return None


def _requires_location(test: ast.expr, is_response: NodeTest) -> bool:
    """An assertion of ``test`` fails unless the response has a ``Location`` header:
    ``res.location == "/login"``, ``"/login" in res.location``,
    ``res.headers["Location"].endswith("/login")``. Not a negation or an alternative."""

    def read(node: ast.expr) -> bool:
        return _is_location(node, is_response) is not None

    def none(node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) and node.value is None

    def text(node: ast.expr) -> bool:
        """A value that is never None: ``"/login"``, an f-string, ``url_for(...)``."""
        if isinstance(node, ast.Call):
            return (dotted(node.func) or "").rsplit(".", 1)[-1] == "url_for"
        return isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        )

    if isinstance(test, ast.BoolOp):
        return isinstance(test.op, ast.And) and any(
            _requires_location(v, is_response) for v in test.values
        )
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        if isinstance(op, ast.Eq):
            return (read(left) and text(right)) or (read(right) and text(left))
        if isinstance(op, ast.IsNot):
            return (read(left) and none(right)) or (read(right) and none(left))
        if isinstance(op, ast.In):
            return read(right)
        return _is_location(left, is_response) == "header"
    if isinstance(test, ast.Call):
        func = test.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("startswith", "endswith")
            and read(func.value)
        )
    return read(test)


def _unittest_test(method: str, args: list[ast.expr]) -> Optional[ast.expr]:
    """What a unittest assert method checks, as the test of an ``assert`` statement:
    ``assertEqual(a, b)`` as ``a == b``, ``assertIn(a, b)`` as ``a in b``..."""
    if method in ("assertEqual", "assertEquals", "assertIn") and len(args) >= 2:
        op: ast.cmpop = ast.In() if method == "assertIn" else ast.Eq()
        return ast.Compare(left=args[0], ops=[op], comparators=[args[1]])
    if method in ("assertTrue", "assertIsNotNone", "assertRegex") and args:
        return args[0]
    return None


def _asserts_redirect(
    where: ast.AST,
    is_response: NodeTest,
    lines: tuple[int, int],
    runs_always: Callable[[ast.stmt], bool],
) -> bool:
    """An assert that the response has a ``Location`` header (it is a redirect, or
    the ``201 Created`` of a form, not a file), on a line from ``lines[0]`` up to
    ``lines[1]``, that ``runs_always`` (not under an ``if``, in a loop or a ``try``):
    ``assert res.location == "/login"``, ``assert
    res.headers["Location"].endswith("/login")``, ``self.assertIn("/login",
    res.location)``, flask-testing's ``self.assertRedirects(res, "/login")``."""
    for stmt, test, method, args in _assertions(where, lines):
        if not runs_always(stmt):
            continue
        if test is None:
            redirects = method in ("assertRedirects", "assert_redirects")
            if redirects and args and is_response(args[0]):
                return True
            test = _unittest_test(method, args)
        if test is not None and _requires_location(test, is_response):
            return True
    return False


def _error_codes(node: ast.expr) -> list[int]:
    values = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    codes = [_status_value(v) for v in values]
    if codes and all(answered_without_file(c) for c in codes):
        return [c for c in codes if c is not None]
    return []


ASSERT_STATUS_METHOD = re.compile(r"^assert_?(\d{3})$")
"""flask-testing's ``assert404(res)`` and friends."""


class ModuleAnalysis:
    def __init__(
        self,
        tree: ast.Module,
        filename: str,
        index: RouteIndex,
        clients: ClientKnowledge,
        send_functions: tuple[str, ...] = (),
        helper_paths: tuple[str, ...] = (),
        names_every_route: bool = True,
    ) -> None:
        self.tree = tree
        self.names_every_route = names_every_route
        """Every request's route is matched, to name it (FCL100 reports requests to
        routes serving no file); when False, a request no route serving a file can
        answer is judged "no file" without matching it (see ``route_verdict``)."""
        self.filename = filename
        self.helper_paths = helper_paths
        """The test-side helper modules it imports that key its answer (``files``)."""
        self._taken_from: dict[tuple[int, str], tuple[str, ...]] = {}
        """Per function and response name: the name and the names taken from it."""
        self.index = index
        self.clients = clients
        self.aliases = dict(clients.aliases)
        self.send_functions = send_functions
        rel = relpath(filename, index.root)
        self.module, _ = module_name_for(rel)
        self.constants = self._constants()
        conftest_files = conftest_paths(filename, index.root)
        conftests = [relpath(p, index.root) for p in conftest_files]
        self.near = (self.module, *(module_name_for(c)[0] for c in conftests))
        """The test module and its conftest modules: their apps are the likeliest target."""
        self.parents = parents(tree)
        self.functions = [
            n for n in statements(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        self.module_names = {
            t.id
            for stmt in tree.body
            if isinstance(stmt, (ast.Assign, ast.AnnAssign))
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
            if isinstance(t, ast.Name)
        }
        self._client_names: dict[int, set[str]] = {}
        self._fixture_client_apps: dict[tuple[str, int], Optional[str]] = {}
        self._scope_names: Optional[frozenset[str]] = None
        """Every function's ``scope_name``: a nested one hides a module-level namesake."""
        self._classifiers: dict[int, ResponseClassifier] = {}
        self.helpers: dict[str, _Helper] = {}
        """Functions that return a response, by qualname (``fetch``, ``TestX.get``)."""
        self.classes = [n for n in statements(tree) if isinstance(n, ast.ClassDef)]
        self.fixtures: dict[str, tuple[FunctionNode, str]] = {}
        for func in self.functions:
            if is_fixture(func, self.aliases):
                _, scope = fixture_name_and_scope(func)
                self.fixtures[func.name] = (func, scope)
        own = (tree, self.module, self.aliases) if self.fixtures else None
        self.fixture_apps = fixture_apps_for(index, own, conftest_files)
        self._find_helpers()  # asks for the apps of the clients helpers make

    # ---------------------------------------------------------------- context
    def _constants(self) -> dict[str, str]:
        constants: dict[str, str] = {}
        for local, qualified in self.aliases.items():
            split = self.index.split_qualified(qualified)
            if split is not None and split[1] in self.index.modules[split[0]].constants:
                constants[local] = self.index.modules[split[0]].constants[split[1]]
        constants.update(string_constants(self.tree.body))
        return constants

    def enclosing_class(self, func: FunctionNode) -> Optional[ast.ClassDef]:
        parent = self.parents.get(func)
        return parent if isinstance(parent, ast.ClassDef) else None

    def scope_name(self, func: FunctionNode) -> str:
        parts = [func.name]
        node: Optional[ast.AST] = self.parents.get(func)
        while node is not None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(node.name)
            node = self.parents.get(node)
        return ".".join(reversed(parts))

    def parametrize_values(self, func: FunctionNode) -> dict[str, list[ast.expr]]:
        values: dict[str, list[ast.expr]] = {}
        for deco in func.decorator_list:
            if not isinstance(deco, ast.Call) or len(deco.args) < 2:
                continue
            names = self._parametrized_names(deco)
            data = deco.args[1]
            if names is None or not isinstance(data, (ast.List, ast.Tuple)):
                continue
            for row in data.elts:
                if isinstance(row, ast.Call) and (qualify(row.func, self.aliases) or "").endswith(
                    "param"
                ):
                    row = (
                        row.args[0]
                        if len(names) == 1 and row.args
                        else ast.Tuple(elts=list(row.args), ctx=ast.Load())
                    )
                cells = (
                    row.elts if len(names) > 1 and isinstance(row, (ast.Tuple, ast.List)) else [row]
                )
                for name, cell in zip(names, cells):
                    values.setdefault(name, []).append(cell)
        return values

    def class_attributes(self, cls: Optional[ast.ClassDef]) -> dict[str, str]:
        return string_constants(cls.body) if cls is not None else {}

    # ---------------------------------------------------------------- routes
    def url_scope(
        self, func: FunctionNode, bound: Optional[Mapping[str, list[UrlValue]]] = None
    ) -> UrlScope:
        return UrlScope(
            aliases=self.aliases,
            constants=self.constants,
            locals=_assignments(func),
            params=self.parametrize_values(func),
            attributes=self.class_attributes(self.enclosing_class(func)),
            bound=bound or {},
        )

    def route_verdict(
        self,
        call: ast.Call,
        method: str,
        func: FunctionNode,
        url_node: Optional[ast.expr],
        bound: Optional[Mapping[str, list[UrlValue]]] = None,
        app: Optional[tuple[str, ...]] = None,
        exact: bool = False,
    ) -> RouteVerdict:
        """Whether the request ``call`` gets a file, through which route, and why. Unless
        ``exact`` or ``names_every_route``, a request that no route serving a file can
        answer gets ``False`` and its URL for a route, without matching it: its route
        is named only by FCL100, and whether it is matched at all (False or None) only
        a helper's caller asks (``helper_verdict``). Matching is most of a request's
        cost, and most of a project's unclosed requests go to routes serving no file."""
        scope = self.url_scope(func, bound)
        follow = any(
            kw.arg == "follow_redirects"
            and isinstance(kw.value, ast.Constant)
            and kw.value.value is True
            for kw in call.keywords
        )
        scope_name = self.scope_name(func)
        values = evaluate(url_node, scope)
        if not (exact or self.names_every_route or follow) and not self._may_serve_file(
            values, method, scope_name, app
        ):
            return RouteVerdict(False, f"{method} {self._url_text(url_node)}")
        asked_range = _asked_range(call)
        file_hits: list[tuple[str, str]] = []
        other_hits: list[tuple[str, Optional[str]]] = []
        unknown = False
        for value in values:
            if for_another_host(value):
                unknown = True
                continue
            hits = self._value_hits(value, method, follow, scope_name, app, asked_range)
            if hits is None:
                unknown = True
                continue
            files, others = hits
            if files and not others:
                file_hits.extend(files)
            elif others and not files:
                other_hits.extend(others)
            else:
                unknown = True
        if file_hits:
            route, evidence = file_hits[0]
            return RouteVerdict(True, route, evidence)
        if other_hits and not unknown:
            found = next((e for _, e in other_hits if e), None)
            return RouteVerdict(False, other_hits[0][0], if_found=found)
        return RouteVerdict(None, f"{method} {self._url_text(url_node)}")

    def _may_serve_file(
        self, values: list[UrlValue], method: str, scope: str, app: Optional[tuple[str, ...]]
    ) -> bool:
        """Whether a request for one of ``values`` (not following redirects) may land on
        a route serving a file: one of the rules Werkzeug would pick from does (a URL
        for another host lands on none the index knows; ``url_for`` names are left to
        ``_value_hits``)."""
        where = (self.module, scope, app, self.near)
        for value in values:
            if isinstance(value, Endpoint):
                return True
            if for_another_host(value):
                continue
            if any(
                self.index.may_serve_file(path, method, *where) for path in concrete_paths(value)
            ):
                return True
        return False

    def _url_text(self, node: Optional[ast.expr]) -> str:
        if node is None:
            return "?"
        try:
            text = ast.unparse(node)
        except Exception:
            return "?"
        return text if len(text) <= 60 else text[:57] + "..."

    def _value_hits(
        self,
        value: UrlValue,
        method: str,
        follow: bool,
        scope: str,
        app: Optional[tuple[str, ...]],
        asked_range: Optional[str] = None,
    ) -> Optional[tuple[list[tuple[str, str]], list[tuple[str, Optional[str]]]]]:
        """(file-serving routes, other routes) the value may reach, each with its evidence
        (for the others, were the missing file they'd send there); None if none."""
        where = (self.module, scope, app, self.near)
        landings: list[tuple[Landing, Optional[str]]] = []
        if isinstance(value, Endpoint):
            args = {"filename": value.filename} if value.filename else {}
            for endpoint_route in self.index.by_endpoint(value.name, *where):
                landed = self._land(endpoint_route, args, method, follow, where)
                landings += [(landing, None) for landing in landed]
        else:
            start = known_start(value)
            for path in concrete_paths(value):
                landed = self._resolve(path, method, follow, where)
                landings += [(landing, start) for landing in landed]
        files: list[tuple[str, str]] = []
        others: list[tuple[str, Optional[str]]] = []
        if any(route is not None and route.sometimes for (route, _, _), _ in landings):
            return None  # the view serves a file on some paths only: can't tell which
        for (route, args, landed_method), start in landings:
            if route is None:
                others.append((f"{landed_method} (a redirect)", None))
                continue
            label = f"{landed_method} {route.rule or repr(route.endpoint)}"
            # a route named by url_for may refuse the method (405): no file
            evidence = route.evidence_for(landed_method) if route.allows(landed_method) else None
            if_found = None
            if evidence:
                # Werkzeug serves ranges of GET and HEAD requests only
                ranged = asked_range if landed_method in ("GET", "HEAD") else None
                found = self._file_found(route, args, start, evidence, ranged)
                if found == UNKNOWN:
                    return None  # an error handler may answer: which file, if any?
                if found is None:  # a plain 404 (or 500): a 2xx means the file was there
                    if_found = evidence
                evidence = None if found == ANSWERED else found
            if evidence:
                files.append((label, evidence))
            else:
                others.append((label, if_found))
        if not files and not others:
            return None
        return files, others

    def _resolve(
        self, path: str, method: str, follow: bool, where: tuple[Any, ...], hops: int = 0
    ) -> list[Landing]:
        """Where a ``method`` request for ``path`` lands; with ``follow_redirects=True``,
        through strict-slash redirects (308: the method is kept) and views that return
        ``redirect(...)`` (c04b)."""
        landed: list[Landing] = []
        for match in self.index.match(path, method, *where):
            if match.route is None:
                location = match.redirect_to if follow and hops < 3 else None
                target = redirect_path(location) if location else None
                if target is not None:
                    landed += self._resolve(target, method, follow, where, hops + 1)
                else:
                    landed.append((None, {}, method))
                continue
            landed += self._land(match.route, match.arguments, method, follow, where, hops)
        return landed

    def _land(
        self,
        route: LinkedRoute,
        args: dict[str, Any],
        method: str,
        follow: bool,
        where: tuple[Any, ...],
        hops: int = 0,
    ) -> list[Landing]:
        """Where a ``method`` request that reached ``route`` lands: there, or where the
        client follows the view's redirects to; both when the view also answers without
        redirecting (which one a request gets can't be known)."""
        here: list[Landing] = [(route, args, method)]
        if not (follow and route.redirects and hops < 3):
            return here
        landed = list(here) if route.also_answers else []
        for redirect in route.redirects:
            landed += self._follow(redirect, route, args, method, where, hops)
        return landed

    def _follow(
        self,
        redirect: str,
        route: LinkedRoute,
        args: dict[str, Any],
        method: str,
        where: tuple[Any, ...],
        hops: int,
    ) -> list[Landing]:
        """Where the client follows a view's ``redirect`` (``redirect_fact``) to. A
        redirect it doesn't follow (a 300), one that keeps a method the target refuses
        (405), or one whose code can't be known for a method it may or may not keep, ends
        on the redirecting view: no file."""
        here: list[Landing] = [(route, args, method)]
        code, target = redirect_parts(redirect)
        followed = method_after_redirect(code, method)
        if followed is None:
            return here
        if target.startswith("@"):
            name, marked, filename = target[1:].partition(FILENAME_MARK)
            given = {"filename": filename} if marked else {}
            landed: list[Landing] = []
            for endpoint_route in self.index.by_endpoint(name, *where):
                if endpoint_route.allows(followed):
                    landed += self._land(
                        endpoint_route, dict(given), followed, True, where, hops + 1
                    )
            return landed or here
        path = redirect_path(target)
        if path is None:
            return here
        return self._resolve(path, followed, True, where, hops + 1) or here

    def _file_found(
        self,
        route: LinkedRoute,
        args: Mapping[str, Any],
        start: Optional[str],
        evidence: str,
        asked_range: Optional[str] = None,
    ) -> Optional[str]:
        """``evidence``, unless the file the route would send isn't there: then what
        answers instead (``LinkedRoute.when_missing``: None for a plain error,
        ``ANSWERED`` for a handler's answer without a file, a handler's file, or
        ``UNKNOWN``). The built-in static route looks
        for the request's ``filename`` in its folder; a view for the file its send call
        names (``LinkedRoute.sent``), from the URL only through converters that pass the
        text on as it is. A folder the index can't name may hold anything. A URL known up
        to ``start`` (None: known whole) names a file only in the folder its known part
        names (``/static/js/{name}``: ``js``), if that folder holds any. A request for
        a range the file that is there can't satisfy (``asked_range``) is answered 416:
        ``send_file`` closes the file first (c06g); when the file can't be known, nor can
        the answer to any range but one from its first byte."""
        folder, name = "", None
        from_url = route.static_dir is not None
        if route.static_dir is not None:
            folder, name = route.static_dir, args.get("filename")
        elif route.sent is not None:
            folder, name = route.sent.folder, route.sent.name
            from_url = route.sent.from_url
            if from_url:
                name = args.get(name) if _plain_converter(route.rule, name) else None
        if from_url and start is not None and isinstance(name, str):
            if not _holds_files(folder, _known_folder(name, start)):
                return route.when_missing
            name = None
        if not isinstance(name, str):
            return UNKNOWN if asked_range and _range_needs_the_size(asked_range) else evidence
        path = _served_path(folder, name)
        if path is None:
            return route.when_missing  # None, ANSWERED, UNKNOWN or a handler's file
        if asked_range is not None and _range_unsatisfiable(path, asked_range):
            serving = (self.index.error_handler_evidence(c) for c in (416, HTTP_ERROR, ANY_ERROR))
            # an app's handler of that error may answer it with a file
            return UNKNOWN if any(e is not None for e in serving) else None
        return evidence

    # ---------------------------------------------------------------- sources
    def client_request(
        self,
        call: ast.Call,
        func: FunctionNode,
        bound: Optional[Mapping[str, list[UrlValue]]] = None,
        client_param: Optional[str] = None,
        exact: bool = False,
    ) -> Optional[_Source]:
        f = call.func
        if not isinstance(f, ast.Attribute) or f.attr not in CLIENT_REQUEST_METHODS:
            return None
        cls = self.enclosing_class(func)
        local = self._local_clients(func)
        if client_param is not None:
            local = local | {client_param}
        if not self.clients.is_client(f.value, local, cls.name if cls else None):
            return None
        for kw in call.keywords:
            if kw.arg == "buffered":
                return None  # buffered=True closes; anything else we can't judge
            if kw.arg == "subdomain" or (kw.arg == "base_url" and not _localhost(kw.value)):
                return None  # for another host: which of its routes answers isn't known
        method = f.attr.upper()
        if f.attr == "open":
            given = call_arg(call, 99, "method")
            if given is None:
                method = "GET"
            elif isinstance(given, ast.Constant) and isinstance(given.value, str):
                method = given.value.upper()
            else:
                return None
        url_node = call_arg(call, 0, "path")
        app = self._client_app(f.value, func)
        if app is not None and app[0] in self._buffering_apps:
            return None  # the app's test_client_class asks for buffered=True
        judge = partial(self.route_verdict, call, method, func, url_node, bound, app, exact)
        request = f"{dotted(f.value) or 'client'}.{f.attr}"
        return _Source(call, judge, request, True, f.value)

    def _client_app(
        self, client: ast.expr, func: FunctionNode, depth: int = 0
    ) -> Optional[tuple[str, ...]]:
        """The app a client was made from, when it is a name the index resolves
        (``app.test_client()``, ``c = app.test_client()``, ``with app.test_client() as c``,
        ``self.client`` set in ``setUp``). An app handed to another callable
        (``configure_uploads(app)``, ``AutoIndex(app)``) may have got routes there: the
        routes registered on apps the index can't resolve count too."""
        if isinstance(client, ast.Name):
            if depth > 3:
                return None
            for target, value in bindings_in(func):
                if target == client.id:
                    return self._client_app(value, func, depth + 1)
            requests_fixtures = func.name.startswith("test") or is_fixture(func, self.aliases)
            if requests_fixtures and client.id in params_of(func):
                key = self._fixture_client_app(client.id, func)
                # the routes an init_app(app) registers, which the index can't tie to an
                # app, may be this one's
                return (key, ELSEWHERE) if key is not None else None
            return None
        attr = dotted(client)
        cls = self.enclosing_class(func)
        if attr is not None and attr.startswith("self.") and cls is not None and depth < 3:
            for method in cls.body:
                if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in walk_own_scope(method):
                    if isinstance(node, ast.Assign) and any(
                        dotted(t) == attr for t in node.targets
                    ):
                        return self._client_app(node.value, method, depth + 1)
            return None
        if not (
            isinstance(client, ast.Call)
            and isinstance(client.func, ast.Attribute)
            and client.func.attr == "test_client"
        ):
            return None
        app = dotted(client.func.value)
        if app is not None and self.module in self.index.modules:
            key = self.index.app_key(self.module, Ref(self.scope_name(func), app))
            if key is not None:
                return (key, ELSEWHERE) if self._handed_over(app, func) else (key,)
        made = self.fixture_apps.app_in(client.func.value, func, self.module, self.aliases)
        # the routes an init_app(app) registers, which the index can't tie to an app
        return (made, ELSEWHERE) if made is not None else None

    def _fixture_client_app(self, name: str, func: FunctionNode) -> Optional[str]:
        """The app of the client fixture ``name`` a test (or fixture) requests: its own
        class's fixture of that name first, then the module's and the conftest files'
        (found once per class: every test of a module asks)."""
        cls = self.enclosing_class(func)
        key = (name, id(cls))
        if key not in self._fixture_client_apps:
            self._fixture_client_apps[key] = self._class_fixture_client_app(name, cls)
        return self._fixture_client_apps[key]

    def _class_fixture_client_app(self, name: str, cls: Optional[ast.ClassDef]) -> Optional[str]:
        if name in self._fixtures_not_followed:
            return None
        class_fixtures = fixtures_in(cls.body if cls is not None else [], self.aliases)
        own: list[ast.stmt] = [f for fixture_name, f in class_fixtures if fixture_name == name]
        if own:
            in_class = (ast.Module(body=list(own), type_ignores=[]), self.module, self.aliases)
            return FixtureApps(self.index, [in_class, *self.fixture_apps.places]).client_app(name)
        if name in self._class_fixtures:
            return None  # another class's, or a base class's: not followed
        return self.fixture_apps.client_app(name)

    @cached_property
    def _buffering_apps(self) -> frozenset[str]:
        """The app groups whose ``test_client_class`` asks for ``buffered=True``, as far
        as the index resolves them."""
        found: set[str] = set()
        for target, func, module, aliases in self.clients.buffering_apps:
            if func is not None:
                key = self.fixture_apps.app_in(target, func, module, aliases)
            else:
                key = self.fixture_apps.module_object(target, module, aliases)
            if key is not None:
                found.add(key)
        return frozenset(found)

    @cached_property
    def _module_dicts(self) -> dict[str, ast.Dict]:
        """Module-level names bound once to a dict literal (``AUTH = {"headers": ...}``)."""
        return {
            name: values[0]
            for name, values in self._module_assignments.items()
            if len(values) == 1 and isinstance(values[0], ast.Dict)
        }

    @cached_property
    def _class_fixtures(self) -> frozenset[str]:
        """The names of the fixtures the module's classes define."""
        return frozenset(
            fixture_name
            for cls in self.classes
            for fixture_name, _ in fixtures_in(cls.body, self.aliases)
        )

    @cached_property
    def _fixtures_not_followed(self) -> frozenset[str]:
        """Names a test of this module may get otherwise than from a fixture
        ``fixture_apps`` follows: a ``parametrize`` argument, a fixture imported into the
        module."""
        names = set(self.aliases)
        for node in walk(self.tree):
            if isinstance(node, ast.Call):
                names.update(self._parametrized_names(node) or ())
        return frozenset(names)

    def _parametrized_names(self, call: ast.Call) -> Optional[list[str]]:
        """The argument names of a ``pytest.mark.parametrize(...)`` call; None for another
        call, or names that aren't literal."""
        if not call.args or not (qualify(call.func, self.aliases) or "").endswith("parametrize"):
            return None
        names_node = call.args[0]
        if isinstance(names_node, ast.Constant) and isinstance(names_node.value, str):
            return [n.strip() for n in names_node.value.split(",") if n.strip()]
        if isinstance(names_node, (ast.List, ast.Tuple)):
            return [
                e.value
                for e in names_node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
        return None

    def _handed_over(self, app: str, func: FunctionNode) -> bool:
        """Is the app passed to a call in this function, or in any method of its class
        when it is ``self.app``?"""
        scopes: list[ast.AST] = [func]
        cls = self.enclosing_class(func)
        if app.startswith("self.") and cls is not None:
            scopes = list(cls.body)
        return any(
            isinstance(node, ast.Call) and any(dotted(a) == app for a in node.args)
            for scope in scopes
            for node in walk(scope)
        )

    def _local_clients(self, func: FunctionNode) -> set[str]:
        """Names bound to a client in ``func`` or in the functions around it."""
        key = id(func)
        if key not in self._client_names:
            cls = self.enclosing_class(func)
            names = self.clients.local_clients(func, cls.name if cls else None)
            outer = self.parents.get(func)
            while outer is not None:
                if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names |= self._local_clients(outer)
                    break
                outer = self.parents.get(outer)
            self._client_names[key] = names
        return self._client_names[key]

    def direct_response(self, call: ast.Call, func: FunctionNode) -> Optional[_Source]:
        """A file response made in the test itself: ``send_file(...)`` or a call of a
        project function that returns one (typically inside ``test_request_context``)."""
        found = self._classifier(func).classify_call(call)
        name = dotted(call.func) or "?"
        if found.evidence:
            line = call.lineno
            return _Source(
                call,
                _known(
                    RouteVerdict(True, f"{name}(...)", f"{found.evidence} called on line {line}")
                ),
                name,
                False,
            )
        if found.helper is None:
            return None
        owner, helper = self, self._helper_for(name, func)
        if helper is None:
            owner, helper = self._imported_helper(call.func, func)
        if helper is not None:
            given = self._call_arguments(helper.func, call).get(helper.client_param or "")
            if (
                helper.client_param is not None
                and not self._is_client(given, func)
                and not self._hands_on_its_parameter(given, call, func)
            ):
                return None  # ``fetch(session, url)``: maybe no test client, no response
            if _forwards_buffered(helper, call, self._module_dicts):
                return None  # buffered=True through the helper's **kwargs closes it
            judge = partial(self.helper_verdict, helper, call, func, owner)
            return _Source(call, judge, name, False, given)
        evidence = None
        if self.module in self.index.modules:
            evidence = self.index.file_view(self.module, Ref("", name))
        if evidence is None:
            evidence = self._imported_file_view(name)
        if evidence is None:
            return None
        return _Source(call, _known(RouteVerdict(True, f"{name}(...)", evidence)), name, False)

    def _classifier(self, func: FunctionNode) -> ResponseClassifier:
        key = id(func)
        if key not in self._classifiers:
            self._classifiers[key] = ResponseClassifier(
                self.aliases, _assignments(func), self.send_functions
            )
        return self._classifiers[key]

    def _imported_file_view(self, name: str) -> Optional[str]:
        split = self.index.imported(self.aliases, name)
        return self.index.file_view(split[0], Ref("", split[1])) if split else None

    def sources(self, func: FunctionNode) -> Iterator[_Source]:
        for node in walk_own_scope(func):
            if not isinstance(node, ast.Call):
                continue
            source = self.client_request(node, func) or self.direct_response(node, func)
            if source is not None:
                yield source

    def _helper_for(self, name: str, caller: FunctionNode) -> Optional[_Helper]:
        """``fetch(...)`` names a helper nested in the caller or a function around it, or
        a module-level one; ``self.get(...)`` the method of the caller's own class (or of
        a base class in this module)."""
        if not name.startswith(("self.", "cls.")):
            local = None if "." in name else self._local_function(name, caller)
            return self.helpers.get(local or name)
        method = name.split(".", 1)[1]
        cls = self.enclosing_class(caller)
        for current in self._lineage(cls)[0] if cls is not None else []:
            found = self.helpers.get(f"{self.scope_name_of_class(current)}.{method}")
            if found is not None:
                return found
        return None

    def _local_function(self, name: str, caller: Optional[FunctionNode]) -> Optional[str]:
        """The scope name of the function ``name`` names where ``caller`` runs: one nested
        in it or in a function around it (it hides a module-level one), or a module-level
        one; None when this module defines none there."""
        names = self._function_names()
        scope: Optional[ast.AST] = caller
        while scope is not None:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nested = f"{self.scope_name(scope)}.{name}"
                if nested in names:
                    return nested
            scope = self.parents.get(scope)
        return name if name in names else None

    def _function_names(self) -> frozenset[str]:
        if self._scope_names is None:
            self._scope_names = frozenset(self.scope_name(f) for f in self.functions)
        return self._scope_names

    def scope_name_of_class(self, cls: ast.ClassDef) -> str:
        parts = [cls.name]
        node: Optional[ast.AST] = self.parents.get(cls)
        while node is not None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(node.name)
            node = self.parents.get(node)
        return ".".join(reversed(parts))

    def _find_helpers(self) -> None:
        """Functions that hand a response back to their caller (c10f): their call sites
        are judged instead of their ``return``. A helper may call one found later in the
        pass: three passes follow chains of three; a pass that finds none ends them, as the
        next would find what it found."""
        for _ in range(3):
            known = len(self.helpers)
            for func in self.functions:
                if (
                    func.name.startswith("test")
                    or func.name in self.fixtures
                    # its call makes a coroutine; what awaiting it gives isn't followed
                    or isinstance(func, ast.AsyncFunctionDef)
                ):
                    continue
                key = self.scope_name(func)
                if key in self.helpers:
                    continue
                for source in self.sources(func):
                    if self._returned_from(source.call, func):
                        if not _may_buffer(func, source.call, self._module_dicts):
                            # made on a parameter named like a client: a call must pass one
                            client = source.client
                            param = client.id if isinstance(client, ast.Name) else None
                            if param not in params_of(func):
                                param = None
                            self.helpers[key] = _Helper(func, source, param)
                        break
                else:
                    found = self._client_param_helper(func)
                    if found is not None and not _may_buffer(
                        func, found.source.call, self._module_dicts
                    ):
                        self.helpers[key] = found
            if len(self.helpers) == known:
                break

    def _client_param_helper(self, func: FunctionNode) -> Optional[_Helper]:
        """``def fetch(cl, url): return cl.get(url)``: a request made on a parameter that
        isn't a client by itself, and returned."""
        params = [p for p in params_of(func) if p not in ("self", "cls")]
        for node in walk_own_scope(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in params
                and self._returned_from(node, func)
            ):
                param = node.func.value.id
                source = self.client_request(node, func, client_param=param)
                if source is not None:
                    return _Helper(func, source, param)
        return None

    @staticmethod
    def _call_arguments(callee: Callee, call: ast.Call) -> dict[str, ast.expr]:
        """The argument ``call`` gives each parameter of ``callee`` (``self.get(...)``:
        none for ``self``)."""
        params = _positional_params(callee, call)
        given = {p: a for p, a in zip(params, call.args) if not isinstance(a, ast.Starred)}
        given.update((kw.arg, kw.value) for kw in call.keywords if kw.arg is not None)
        return given

    def _is_client(self, given: Optional[ast.expr], caller: FunctionNode) -> bool:
        """Is ``given``, what a call in ``caller`` passes as a helper's ``client_param``,
        a test client?"""
        if given is None:
            return False
        cls = self.enclosing_class(caller)
        local = self._local_clients(caller)
        return self.clients.is_client(given, local, cls.name if cls else None)

    def _hands_on_its_parameter(
        self, given: Optional[ast.expr], call: ast.Call, func: FunctionNode
    ) -> bool:
        """Is ``call`` a helper's request that ``func``, a helper itself, returns, made on
        a parameter of its own as the client (``given``: ``def chained(cl, name): return
        fetch(cl, name)``)? Its callers must then pass the client."""
        return (
            isinstance(given, ast.Name)
            and given.id in params_of(func)
            and not func.name.startswith("test")
            and func.name not in self.fixtures
            and self._returned_from(call, func)
        )

    def helper_verdict(
        self,
        helper: _Helper,
        call: ast.Call,
        caller: FunctionNode,
        owner: Optional[ModuleAnalysis] = None,
    ) -> RouteVerdict:
        """The helper's route, with the caller's arguments in place of its parameters
        (``fetch(client, "/exports/a.csv")`` for ``def fetch(client, url)``); ``owner``
        is the analysis of the helper's module when it is another one's."""
        verdict = helper.source.verdict
        if helper.source.is_client_request:
            caller_scope = self.url_scope(caller)
            bound = {
                param: evaluate(arg, caller_scope)
                for param, arg in self._call_arguments(helper.func, call).items()
            }
            rebound = (owner or self).client_request(
                helper.source.call, helper.func, bound, helper.client_param, exact=True
            )
            if rebound is not None and rebound.verdict.serves_file is not None:
                verdict = rebound.verdict
        return RouteVerdict(
            verdict.serves_file, f"{verdict.route} via {helper.func.name}()", verdict.evidence
        )

    def _returned_from(self, call: ast.Call, func: FunctionNode) -> bool:
        """The response ``call`` makes is what ``func`` returns, unclosed (``r =
        cl.get(url); r.close(); return r`` hands back a closed one)."""
        parent = self.parents.get(call)
        if isinstance(parent, ast.Return):
            return True
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
            if isinstance(target, ast.Name):
                name = target.id
                returned = False
                for n in walk_own_scope(func):
                    if isinstance(n, ast.Return) and isinstance(n.value, ast.Name):
                        returned = returned or n.value.id == name
                    elif (
                        isinstance(n, ast.Attribute)
                        and n.attr == "close"
                        and isinstance(n.value, ast.Name)
                        and n.value.id == name
                    ):
                        return False
                return returned
        return False

    # ---------------------------------------------------------------- fates
    def uses(self) -> list[ResponseUse]:
        found: list[ResponseUse] = []
        for func in self.functions:
            for source in self.sources(func):
                use = self.fate_of(source, func)
                if use is not None:
                    found.append(use)
        return found

    def _unconditional(self, stmt: ast.stmt, func: FunctionNode) -> bool:
        """Is ``stmt`` in ``func``'s own body or a ``with`` block of it, not under an
        ``if``, in a loop, a ``try`` or a ``match``?"""
        return all(isinstance(n, (ast.With, ast.AsyncWith)) for n, _ in self._chain(stmt, func))

    def _statement_of(self, node: ast.AST) -> ast.stmt:
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            current = self.parents[current]
        return current

    def fate_of(self, source: _Source, func: FunctionNode) -> Optional[ResponseUse]:
        use = self._fate(source, func)
        if use is None or use.fate not in (Fate.UNCLOSED, Fate.UNBOUND, Fate.KEPT):
            return use
        verdict = use.verdict
        if not verdict.serves_file and not verdict.if_found:
            return use
        parent = self.parents.get(source.call)
        where: ast.AST = use.stmt
        is_response: NodeTest = lambda n: n is source.call  # noqa: E731
        lines = (use.stmt.lineno, (use.stmt.end_lineno or use.stmt.lineno) + 1)
        if isinstance(parent, ast.Assign) and isinstance(parent.targets[0], ast.Name):
            name = parent.targets[0].id
            where = func
            is_response = lambda n: isinstance(n, ast.Name) and n.id == name  # noqa: E731
            lines = (lines[0], self._next_binding(func, name, lines[1]))
        if verdict.if_found:
            if verdict.serves_file is False and _asserts_success(where, is_response, lines):
                # the file wasn't there when flake8 ran, but was when the test did
                return replace(use, verdict=RouteVerdict(True, verdict.route, verdict.if_found))
            return use
        if use.fate is Fate.KEPT:
            return use
        if self._asserts_error_status(where, is_response, source, lines) or _asserts_redirect(
            where, is_response, lines, lambda node: self._unconditional(node, func)
        ):
            # The view answered an error or a redirect: no file was opened (c06g-i).
            return replace(use, verdict=RouteVerdict(False, use.verdict.route))
        return use

    def _fate(self, source: _Source, func: FunctionNode) -> Optional[ResponseUse]:
        call = source.call
        parent = self.parents.get(call)
        stmt = self._statement_of(call)

        def use(fate: Fate, detail: str, close_line: int = 0) -> ResponseUse:
            return ResponseUse(
                stmt,
                fate,
                source.verdict,
                detail,
                source.request,
                close_line,
                source.is_client_request,
            )

        if isinstance(parent, ast.Await):
            return None
        if isinstance(parent, ast.withitem):
            return None
        if isinstance(parent, ast.Call) and call in parent.args:
            callee = qualify(parent.func, self.aliases) or ""
            short = callee.rsplit(".", 1)[-1]
            if callee in CLOSERS or short in CLOSERS:
                return None
            for called in (parent, _deferred(parent)):  # self.addCleanup(close_it, ...)
                if called is not None and (
                    self._closes_argument(func, called, lambda n: n is call)
                    or self._unseen_function(called.func, func)
                ):
                    return None
            if short in ("append", "add", "extend", "insert") and isinstance(
                parent.func, ast.Attribute
            ):
                holder = dotted(parent.func.value)
                if holder in self.module_names:
                    return use(Fate.KEPT, f"kept in module-level {holder}")
                return None
            return use(Fate.UNBOUND, f"passed straight into {short or 'a call'}()")
        if isinstance(parent, ast.Attribute):
            closing, grand = parent, self.parents.get(parent)
            if parent.attr == "response" and isinstance(grand, ast.Attribute):
                closing, grand = grand, self.parents.get(grand)  # .response.close()
            if closing.attr == "close" and isinstance(grand, ast.Call) and grand.func is closing:
                return None
            return use(Fate.UNBOUND, f"only .{parent.attr} is used")
        if isinstance(parent, ast.Expr):
            return use(Fate.UNBOUND, "a bare statement")
        if isinstance(parent, ast.NamedExpr) and isinstance(self.parents.get(parent), ast.withitem):
            return None  # with (res := client.get(...)):
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) != 1:
                return None
            target = targets[0]
            if isinstance(target, ast.Name):
                return self._bound_fate(source, func, target.id, stmt, parent, use)
            name = dotted(target)
            if name and name.split(".")[0] in ("self", "cls") and name.count(".") == 1:
                attr = name.split(".")[1]
                if self._class_closes(func, attr):
                    return None
                return use(Fate.KEPT, f"stored on {name}")
            return None
        if isinstance(parent, (ast.Return, ast.Yield)):
            return self._escaped_fate(source, func, stmt, use, isinstance(parent, ast.Yield))
        if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.keyword)):
            return use(Fate.UNBOUND, "used in an expression and never bound")
        if isinstance(parent, (ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.SetComp)):
            return self._container_fate(call, parent, func, use)
        return None

    def _container_fate(
        self, call: ast.Call, holder: ast.expr, func: FunctionNode, use: UseFactory
    ) -> Optional[ResponseUse]:
        """``responses = [client.get(a), client.get(b)]``, ``[client.get(u) for u in
        urls]``: responses kept in a list the test only reads (items' attributes,
        ``len``, loops and comprehensions that close none of them) are never closed.
        Anything else done with the list (handed on, closed in a nested function, an
        item taken into a name) may close them: not judged."""
        if isinstance(holder, (ast.ListComp, ast.SetComp)) and holder.elt is not call:
            return None
        bound = self.parents.get(holder)
        if not (
            isinstance(bound, ast.Assign)
            and len(bound.targets) == 1
            and isinstance(bound.targets[0], ast.Name)
        ):
            return None
        target = bound.targets[0]
        name = target.id
        for node in walk(func):
            if (
                isinstance(node, ast.Name)
                and node.id == name
                and node is not target
                and not (isinstance(node.ctx, ast.Load) and self._items_only_read(node))
            ):
                return None
        return use(Fate.UNCLOSED, f"kept in the list {name}, never closed")

    def _items_only_read(self, container: ast.Name) -> bool:
        """Is this use of a list of responses a read that closes none of them?"""
        parent = self.parents.get(container)
        if isinstance(parent, ast.Subscript) and parent.value is container:
            return self._only_read(parent)
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id == "len"
        ):
            return True
        if isinstance(parent, ast.For) and parent.iter is container:
            body: list[ast.AST] = [*parent.body, *parent.orelse]
            return self._each_only_read(parent.target, body)
        if isinstance(parent, ast.comprehension) and parent.iter is container:
            around = self.parents.get(parent)
            if isinstance(around, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
                return self._each_only_read(parent.target, [around.elt, *parent.ifs])
        return False

    def _each_only_read(self, item: ast.expr, body: list[ast.AST]) -> bool:
        """The loop variable ``item`` is only read in ``body`` (``r.status_code``)."""
        if not isinstance(item, ast.Name):
            return False
        for part in body:
            for node in walk(part):
                if isinstance(node, ast.Name) and node.id == item.id and not self._only_read(node):
                    return False
        return True

    def _only_read(self, response: ast.expr) -> bool:
        """``response.status_code``, ``response.data``: an attribute other than ``close``
        read off it, not the response handed on, bound or used in a ``with``."""
        parent = self.parents.get(response)
        return isinstance(parent, ast.Attribute) and parent.attr not in ("close", "__exit__")

    # ---------------------------------------------------------------- helpers of fate
    @staticmethod
    def _next_binding(func: FunctionNode, name: str, after: int) -> int:
        """The line where ``name`` is bound again, from line ``after`` on (a line past
        the end when it isn't)."""
        lines = [
            node.lineno
            for node in walk_own_scope(func)
            if isinstance(node, ast.Name)
            and node.id == name
            and isinstance(node.ctx, ast.Store)
            and node.lineno >= after
        ]
        return min(lines, default=(func.end_lineno or func.lineno) + 1)

    def _asserts_error_status(
        self,
        where: ast.AST,
        is_response: NodeTest,
        source: _Source,
        lines: Optional[tuple[int, int]] = None,
    ) -> bool:
        """True when the code asserts an error status (4xx/5xx) on the response: the view
        failed before opening the file (runtime-behavior c06g-i), unless an error handler
        for that status serves a file itself. So does asserting it isn't 200 (``assert
        res.status_code != 200``, on a line from ``lines[0]`` up to ``lines[1]`` when
        given), when the request can only be answered whole and no error handler of the
        project may serve a file."""

        codes: list[int] = []
        for node in walk(where):
            placed = lines is None or lines[0] <= getattr(node, "lineno", 0) < lines[1]
            if placed and self._asserts_not_ok(node, is_response, source):
                return True
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_status(s, is_response) for s in sides):
                    for s in sides:
                        codes += _error_codes(s)
                    if any(isinstance(op, (ast.GtE, ast.Gt)) for op in node.ops):
                        codes += [c for c in (_status_value(s) for s in sides) if c and c >= 399]
            elif isinstance(node, ast.Call) and any(_is_status(a, is_response) for a in node.args):
                for a in node.args:
                    codes += _error_codes(a)
            elif isinstance(node, ast.Call) and any(is_response(a) for a in node.args):
                method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                named = ASSERT_STATUS_METHOD.match(method)
                if named and answered_without_file(int(named.group(1))):
                    codes.append(int(named.group(1)))
                elif method in ("assertStatus", "assert_status"):
                    for a in node.args:
                        codes += _error_codes(a)
        if not codes:
            return False
        return all(self.index.error_handler_evidence(c) is None for c in codes)

    def _asserts_not_ok(self, node: ast.AST, is_response: NodeTest, source: _Source) -> bool:
        """``node`` is ``assert res.status_code != 200`` (or ``assertNotEqual``) of a
        request answered whole, in a project none of whose error handlers may answer
        with a file."""
        if isinstance(node, ast.Assert):
            test = node.test
            if not (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], ast.NotEq)
            ):
                return False
            sides = [test.left, *test.comparators]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("assertNotEqual", "assertNotEquals")
        ):
            sides = node.args[:2]
        else:
            return False
        if not (
            any(_is_status(s, is_response) for s in sides)
            and any(_status_value(s) == 200 for s in sides)
        ):
            return False
        request = source.call
        # answered whole: a file response could only be a 200
        if not (
            source.is_client_request
            and len(request.args) <= 1
            and _file_statuses(request) == (200,)
        ):
            return False
        return self.index.error_handler_evidence() is None

    def _bound_fate(
        self,
        source: _Source,
        func: FunctionNode,
        name: str,
        stmt: ast.stmt,
        binding: ast.AST,
        use: UseFactory,
    ) -> Optional[ResponseUse]:
        """``binding`` binds ``name``: an assignment, or ``(res := ...)`` inside ``stmt``,
        whose own body (an ``if``'s) may already close it."""
        end = (getattr(binding, "end_lineno", 0) or 0, getattr(binding, "end_col_offset", 0) or 0)
        events = self._events(func, name, end)

        some_paths: Optional[ast.stmt] = None
        """The first close on some paths only (an except handler, an if): a later one may
        close it on every path."""
        closes = {id(self._statement_of(node)) for kind, node in events if kind == "close"}
        statuses = _file_statuses(source.call) if source.is_client_request else FILE_STATUSES
        for kind, node in events:
            if self._exclusive(stmt, node, func):
                continue  # if head: res = client.head(...) else: res = client.get(...)
            if kind == "close":
                close_stmt = self._statement_of(node)
                if self._only_without_file(close_stmt, func, name, statuses):
                    continue  # if res.status_code != 200: res.close(); pytest.fail(...)
                if not self._definite(close_stmt, stmt, func, name, closes):
                    covering = self._covering_statement(close_stmt, stmt, func, name, closes)
                    if covering is None:
                        some_paths = some_paths or close_stmt
                        continue
                    close_stmt = covering
                if self._in_finally(close_stmt, func) or not self._risky_between(
                    func, stmt, close_stmt
                ):
                    return None
                return use(Fate.CLOSED_LATE, "closed late", close_stmt.lineno)
            if kind == "closed":
                return None
            line = getattr(node, "lineno", 0)
            if kind == "rebind":
                return use(Fate.UNCLOSED, f"reassigned on line {line} before it is closed")
            if kind == "del":
                return use(Fate.UNCLOSED, f"deleted on line {line} without close")
            if kind in ("return", "yield"):
                rest = events[events.index((kind, node)) + 1 :]
                if any(k in ("close", "closed") for k, _ in rest):
                    return None
                return self._escaped_fate(source, func, stmt, use, kind == "yield")
            if kind == "store_self":
                attr = node.attr if isinstance(node, ast.Attribute) else ""
                if self._class_closes(func, attr):
                    return None
                return use(Fate.KEPT, f"stored on self.{attr}")
            if kind == "store_global":
                return use(Fate.KEPT, "kept in a module global")
            if kind == "escape":
                return None
        if some_paths is not None:
            leaving = self._exit_between(stmt, some_paths, func, name, closes)
            if leaving is not None:
                how = type(leaving).__name__.lower()
                return use(Fate.UNCLOSED, f"left open by the {how} on line {leaving.lineno}")
            return use(Fate.UNCLOSED, f"closed only on some paths (line {some_paths.lineno})")
        if self._is_global(func, name):
            return use(Fate.KEPT, "kept in a module global")
        return use(Fate.UNCLOSED, "never closed")

    def _is_global(self, func: FunctionNode, name: str) -> bool:
        return any(isinstance(n, ast.Global) and name in n.names for n in walk_own_scope(func))

    def _events(
        self, func: FunctionNode, name: str, after: tuple[int, int]
    ) -> list[tuple[str, ast.AST]]:
        """What happens to ``name`` after position ``after``, in source order."""
        found: list[tuple[tuple[int, int], str, ast.AST]] = []

        def is_name(n: Optional[ast.AST]) -> bool:
            return isinstance(n, ast.Name) and n.id == name

        def is_close(n: ast.AST) -> bool:
            """``name.close``, ``name.response.close`` (the body's iterable: its file; once
            the body is read, a list without ``close``), or ``getattr(name, "close")``."""
            if isinstance(n, ast.Attribute):
                if n.attr != "close":
                    return False
                if is_name(n.value):
                    return True
                return is_name(_body_of(n.value)) and not _reads_body(func, name)
            return (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Name)
                and n.func.id == "getattr"
                and len(n.args) == 2
                and is_name(n.args[0])
                and isinstance(n.args[1], ast.Constant)
                and n.args[1].value == "close"
            )

        for node in own_scope_nodes(func, _EVENT_NODES):
            # a with-item has no position of its own: its expression's is used
            located = node.context_expr if isinstance(node, ast.withitem) else node
            pos = (getattr(located, "lineno", 0), getattr(located, "col_offset", 0))
            if pos <= after:
                continue
            kind: Optional[str] = None
            if isinstance(node, ast.Call):
                f = node.func
                if is_close(f):
                    kind = "close"
                elif any(is_close(a) for a in node.args):
                    kind = "closed"  # registered as a callback: addfinalizer, addCleanup...
                elif any(is_name(a) for a in node.args) or any(
                    is_name(k.value) for k in node.keywords
                ):
                    callee = (qualify(f, self.aliases) or "").rsplit(".", 1)[-1]
                    later = _deferred(node)
                    if callee in CLOSERS and any(is_name(a) for a in node.args):
                        kind = "closed"
                    elif self._closes_argument(func, node, is_name):
                        kind = "close"  # a function of the test module that closes it
                    elif later is not None and self._closes_argument(func, later, is_name):
                        kind = "closed"  # self.addCleanup(close_it, res)
                    elif self._unseen_function(f, func) or (
                        later is not None and self._unseen_function(later.func, func)
                    ):
                        kind = "escape"  # check_and_close(res) from tests/helpers.py
                    elif callee in ("append", "add", "extend", "insert") and isinstance(
                        f, ast.Attribute
                    ):
                        holder = dotted(f.value)
                        kind = "store_global" if holder in self.module_names else "escape"
            elif isinstance(node, ast.withitem) and is_name(node.context_expr):
                kind = "closed"
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(is_name(t) for t in targets):
                    kind = "rebind"
                elif node.value is not None and is_close(node.value):
                    kind = "closed"  # closer = res.close: a close held for later
                elif node.value is not None and is_name(node.value):
                    t = targets[0]
                    tname = dotted(t)
                    if tname and tname.split(".")[0] in ("self", "cls"):
                        kind = "store_self"
                        node = t
                    elif isinstance(t, ast.Name) and self._is_global(func, t.id):
                        kind = "store_global"
                    else:
                        kind = "escape"
            elif (isinstance(node, (ast.For, ast.AsyncFor)) and is_name(node.target)) or (
                isinstance(node, ast.withitem) and is_name(node.optional_vars)
            ):
                kind = "rebind"
            elif isinstance(node, ast.Delete) and any(is_name(t) for t in node.targets):
                kind = "del"
            elif isinstance(node, ast.Return) and is_name(node.value):
                kind = "return"
            elif isinstance(node, (ast.Yield, ast.YieldFrom)) and is_name(node.value):
                kind = "yield"
            elif isinstance(node, (ast.Tuple, ast.List, ast.Dict, ast.Set)):
                elts = node.values if isinstance(node, ast.Dict) else node.elts
                if any(is_name(e) for e in elts):
                    kind = "escape"
            elif isinstance(node, (ast.Nonlocal,)) and name in node.names:
                kind = "escape"
            if kind is not None:
                found.append((pos, kind, node))
        nested = [
            cast(Callee, n)
            for n in own_scope_nodes(func, _NESTED_SCOPES)
            if any(is_name(x) for x in walk(n))
        ]
        for closer in nested:
            # a finalizer: addfinalizer(lambda: res.close()), def fin(): res.close()
            if name in _closed_names(closer) and (closer.lineno, closer.col_offset) > after:
                found.append(((closer.lineno, closer.col_offset), "closed", closer))
        if nested:
            found.append(((10**9, 0), "escape", func))
        found.sort(key=lambda item: item[0])
        return [(kind, node) for _, kind, node in found]

    def _chain(self, node: ast.AST, func: FunctionNode) -> list[tuple[ast.AST, str]]:
        """(compound statement, field) pairs from ``node`` up to ``func``."""
        chain: list[tuple[ast.AST, str]] = []
        child: ast.AST = node
        parent = self.parents.get(child)
        while parent is not None and parent is not func:
            if isinstance(parent, ast.stmt):
                for field_name in ("body", "orelse", "finalbody", "handlers"):
                    value = getattr(parent, field_name, None)
                    if isinstance(value, list) and child in value:
                        chain.append((parent, field_name))
            elif isinstance(parent, ast.excepthandler):
                chain.append((parent, "handler"))
            elif sys.version_info >= (3, 10) and isinstance(parent, ast.match_case):
                chain.append((parent, "case"))
            child, parent = parent, self.parents.get(parent)
        return chain

    def _definite(
        self,
        close_stmt: ast.stmt,
        start: ast.stmt,
        func: FunctionNode,
        name: str = "",
        closes: Optional[set[int]] = None,
    ) -> bool:
        """Does every normal path from ``start`` reach ``close_stmt``? A close under an
        ``if`` that tests the response itself (``if res.status_code == 200:``) counts:
        whether the other answers hold a file can't be known."""
        start_chain = {(id(n), f) for n, f in self._chain(start, func)}
        for node, field_name in self._chain(close_stmt, func):
            if (id(node), field_name) in start_chain:
                continue
            if isinstance(node, (ast.With, ast.AsyncWith)) and field_name == "body":
                continue
            if isinstance(node, ast.Try) and field_name in ("body", "finalbody", "orelse"):
                continue
            if isinstance(node, LOOPS) and self._always_runs(node, field_name, func):
                continue
            if isinstance(node, ast.If) and self._tests_response(node.test, name, func):
                continue
            if field_name == "case" and name and mentions(self._match_subject(node), name):
                continue  # match res.status_code: case 200: ...
            return False
        return self._exit_between(start, close_stmt, func, name, closes or set()) is None

    def _always_runs(self, loop: ast.stmt, field_name: str, func: FunctionNode) -> bool:
        """Does the block ``field_name`` of ``loop`` run whenever the loop does: the
        ``else`` of a loop no ``break`` leaves, the body of ``while True:``?"""
        if field_name == "body":
            return _forever(loop)
        return field_name == "orelse" and not any(
            isinstance(node, ast.Break) and self._broken_loop(node, func) is loop
            for node in walk_own_scope(func)
        )

    def _broken_loop(self, node: ast.Break, func: FunctionNode) -> Optional[ast.AST]:
        """The loop a ``break`` leaves: the nearest one whose body holds it (a ``break``
        in a loop's ``else`` leaves the loop around that one)."""
        child: ast.AST = node
        current = self.parents.get(node)
        while current is not None and current is not func:
            if isinstance(current, LOOPS) and any(s is child for s in current.body):
                return current
            child, current = current, self.parents.get(current)
        return None

    def _only_without_file(
        self, node: ast.AST, func: FunctionNode, name: str, statuses: tuple[int, ...]
    ) -> bool:
        """Does ``node`` run only when the response ``name`` holds no file: under a status
        test false for every status a file answers with (``if res.status_code != 200:``)?"""
        return bool(name) and skips_file_statuses(
            guards_of(self.parents, node, func), name, statuses
        )

    def _exit_between(
        self,
        start: ast.stmt,
        close_stmt: ast.stmt,
        func: FunctionNode,
        name: str,
        closes: set[int],
    ) -> Optional[ast.stmt]:
        """A statement by which a path from ``start`` leaves before reaching
        ``close_stmt``: a ``return`` (or a ``continue``/``break`` of a loop around the
        close; a ``continue`` doesn't skip the loop's ``else``) between them, not in
        another branch than ``start``, not only for answers without a file, and not in a
        ``try`` whose ``finally`` is the close."""
        begin = (start.end_lineno or start.lineno, start.end_col_offset or 0)
        end = (close_stmt.lineno, close_stmt.col_offset)
        finally_of = [
            n
            for n, f in self._chain(close_stmt, func)
            if isinstance(n, ast.Try) and f == "finalbody"
        ]
        for node in walk_own_scope(func):
            if not isinstance(node, (ast.Return, ast.Continue, ast.Break)):
                continue
            if not begin < (node.lineno, node.col_offset) < end:
                continue
            if not isinstance(node, ast.Return):
                loop = self._loop_of(node, func)
                if (
                    isinstance(node, ast.Continue)
                    and _forever(loop)
                    and not any(n is loop for n, _ in self._chain(start, func))
                ):
                    continue  # while True: ... continue ... close; break: runs again
                skipped = ("body",) if isinstance(node, ast.Continue) else ("body", "orelse")
                if loop is None or not any(
                    n is loop and f in skipped for n, f in self._chain(close_stmt, func)
                ):
                    continue  # leaves a loop that ends before the close, or its body only
            if any(self._inside(node, t, ("body", "handlers", "orelse")) for t in finally_of):
                continue
            if self._exclusive(start, node, func) or self._closed_before(node, start, closes):
                continue
            guards = guards_of(self.parents, node, func)
            if any(self._tests_response(g.test, name, func) for g in guards):
                continue  # if res.status_code != HTTPStatus.OK: return (as a close there)
            if self._in_own_handler(node, start):
                continue  # try: res = client.get(...) except ...: return (no response)
            if self._after_failing(node):
                continue  # pytest.skip("..."); return: never runs
            return node
        return None

    def _tests_response(self, test: ast.expr, name: str, func: FunctionNode) -> bool:
        """Does ``test`` look at the response ``name``, or at a name taken from it
        (``status = res.status_code; if status != 200:``)?"""
        if not name:
            return False
        key = (id(func), name)
        if key not in self._taken_from:
            self._taken_from[key] = (
                name,
                *{
                    target.id
                    for n in walk_own_scope(func)
                    if isinstance(n, ast.Assign) and mentions(n.value, name)
                    for target in n.targets
                    if isinstance(target, ast.Name)
                },
            )
        return any(mentions(test, n) for n in self._taken_from[key])

    def _closed_before(self, node: ast.AST, start: ast.stmt, closes: set[int]) -> bool:
        """Is the response closed on the path to ``node`` already: by a statement before
        it, in its block or a block around it, after ``start``, that closes it on every
        path?"""
        child = node
        parent = self.parents.get(node)
        while parent is not None:
            earlier = _statements_before(parent, child)
            if any(s.lineno > start.lineno and _closes_on_every_path(s, closes) for s in earlier):
                return True
            if any(s is start for s in earlier):
                return False
            child, parent = parent, self.parents.get(parent)
        return False

    def _after_failing(self, node: ast.AST) -> bool:
        """Does a ``raise`` or ``pytest.skip(...)`` come before ``node`` in its block?"""
        parent = self.parents.get(node)
        earlier = _statements_before(parent, node) if parent is not None else []
        return any(isinstance(s, ast.Raise) or _fails(s) for s in earlier)

    def _in_own_handler(self, node: ast.AST, start: ast.stmt) -> bool:
        """Is ``node`` in an except handler of a ``try`` whose body makes the request?"""
        current = self.parents.get(node)
        while current is not None:
            parent = self.parents.get(current)
            if (
                isinstance(current, ast.excepthandler)
                and isinstance(parent, TRIES)
                and any(start is s for s in parent.body)
            ):
                return True
            current = parent
        return False

    def _loop_of(self, node: ast.AST, func: FunctionNode) -> Optional[ast.AST]:
        current = self.parents.get(node)
        while current is not None and current is not func:
            if isinstance(current, LOOPS):
                return current
            current = self.parents.get(current)
        return None

    def _inside(self, node: ast.AST, holder: ast.AST, fields: tuple[str, ...]) -> bool:
        """Is ``node`` within one of the statement lists ``fields`` of ``holder``?"""
        current: Optional[ast.AST] = node
        while current is not None:
            parent = self.parents.get(current)
            if parent is holder:
                return any(any(current is h for h in getattr(holder, f, ())) for f in fields)
            current = parent
        return False

    def _exclusive(self, stmt: ast.stmt, node: ast.AST, func: FunctionNode) -> bool:
        """Whether ``node`` sits in another branch than ``stmt`` of one ``if`` or
        ``match``: no path runs both."""
        branches = {id(n): f for n, f in self._chain(stmt, func) if f in ("body", "orelse")}
        cases = {id(self.parents[n]): n for n, f in self._chain(stmt, func) if f == "case"}
        for other, field_name in self._chain(node, func):
            if field_name in ("body", "orelse") and isinstance(other, ast.If):
                if branches.get(id(other), field_name) != field_name:
                    return True
            elif field_name == "case" and cases.get(id(self.parents[other]), other) is not other:
                return True
        return False

    def _match_subject(self, case: ast.AST) -> ast.AST:
        match = self.parents[case]
        return (
            match.subject if sys.version_info >= (3, 10) and isinstance(match, ast.Match) else case
        )

    def _covering_statement(
        self,
        close_stmt: ast.stmt,
        start: ast.stmt,
        func: FunctionNode,
        name: str,
        closes: set[int],
    ) -> Optional[ast.stmt]:
        """The statement around ``close_stmt`` that closes the response on each of its
        paths, reached on every path from ``start``: an ``if`` closing it in both
        branches, a ``try`` closing it in its body and in every handler."""
        node = self.parents.get(close_stmt)
        while node is not None and node is not func:
            if isinstance(node, ast.stmt) and _closes_on_every_path(node, closes):
                return node if self._definite(node, start, func, name, closes) else None
            node = self.parents.get(node)
        return None

    def _closes_argument(
        self, caller: FunctionNode, call: ast.Call, is_response: Callable[[ast.expr], bool]
    ) -> bool:
        """Whether ``call`` calls a function of this module that closes the parameter it
        is given the response as: ``done(res)``, ``check(res=res)``, ``self.done(res)``,
        ``Helper.done(res)``, ``checker.done(res)`` (``checker = Checker()``), ``close(res)``
        (``close = lambda r: r.close()``), ``close_all(a, res)`` (``def close_all(*rs):``
        closing each)."""
        callee = self._module_function(call.func, caller)
        if callee is None:
            return False
        closed = _closed_names(callee)
        if any(
            param in closed and is_response(arg)
            for param, arg in self._call_arguments(callee, call).items()
        ):
            return True
        rest = callee.args.vararg
        extra = call.args[len(_positional_params(callee, call)) :]
        return rest is not None and rest.arg in closed and any(map(is_response, extra))

    def _module_function(self, called: ast.expr, caller: FunctionNode) -> Optional[Callee]:
        """The function ``called`` names: one nested in ``caller``, a module-level one (or
        a lambda bound to the name once), a method of a module class called through
        ``self``/``cls``, the class or an instance of it bound to the name once, or one of
        a test-side helper module this module imports."""
        imported = self._imported_function(called, caller)
        if imported is not None and imported is not UNSEEN:
            return cast(FunctionNode, imported)
        if isinstance(called, ast.Name):
            nested = (
                n
                for n in walk_own_scope(caller)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not caller
            )
            found = next((n for n in nested if n.name == called.id), None) or next(
                (
                    n
                    for n in self.tree.body
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and n.name == called.id
                ),
                None,
            )
            if found is not None:
                return found
            value = self._value_of(called.id, caller)
            return value if isinstance(value, ast.Lambda) else None
        if not (isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name)):
            return None
        cls = self._owner_class(called.value.id, caller)
        if cls is None:
            return None
        methods = (
            n
            for c in self._lineage(cls)[0]
            for n in c.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == called.attr
        )
        return next(methods, None)

    def _owner_class(self, owner: str, caller: FunctionNode) -> Optional[ast.ClassDef]:
        """The class of this module whose method ``owner.method(...)`` calls: the
        caller's own for ``self``/``cls``, a module-level class of that name, or the class
        of an instance bound to the name once (``checker = Checker()``)."""
        if owner in ("self", "cls"):
            return self.enclosing_class(caller)

        def module_class(name: str) -> Optional[ast.ClassDef]:
            return next(
                (n for n in self.tree.body if isinstance(n, ast.ClassDef) and n.name == name),
                None,
            )

        value = self._value_of(owner, caller)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return module_class(value.func.id)
        return module_class(owner)

    def _value_of(self, name: str, caller: FunctionNode) -> Optional[ast.expr]:
        """The value ``name`` holds where ``caller`` runs, when one assignment binds it
        there: in ``caller`` itself or, when neither it nor its parameters bind it, at the
        module's level (``close = lambda r: r.close()``, ``checker = Checker()``)."""
        if name in params_of(caller):
            return None
        own = _assignments(caller)
        values = own.get(name) if name in own else self._module_assignments.get(name)
        return values[0] if values is not None and len(values) == 1 else None

    @cached_property
    def _module_assignments(self) -> dict[str, list[ast.expr]]:
        return local_assignments(self.tree, self.tree.body)

    def _unseen_function(self, called: ast.expr, caller: FunctionNode) -> bool:
        """Does ``called`` name a function whose body can't be seen from here, which may
        close what it is given: one imported from a module of the project that isn't a
        test-side helper module read with this one, or a method of a module class that
        it inherits from a base class of another module (not an ``assert...``/``fail...``
        one)? Or a parameter (a fixture's value: ``res = closer(client.get(...))``, whose
        fixture may close what it was given after the test). Library functions never
        close a response they're given."""
        if isinstance(called, ast.Name) and called.id in params_of(caller):
            return True
        if isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name):
            cls = self._owner_class(called.value.id, caller)
            if cls is not None:
                return (
                    self._lineage(cls)[1]
                    and self._module_function(called, caller) is None
                    and not called.attr.startswith(("assert", "fail"))
                )
        return self._imported_function(called, caller) is UNSEEN

    def _imported_helper(
        self, called: ast.expr, caller: FunctionNode
    ) -> tuple[ModuleAnalysis, Optional[_Helper]]:
        """The helper ``called`` names in a test-side helper module this module imports
        (``fetch(client, url)`` after ``from tests.helpers import fetch``), with that
        module's analysis: the helper's request is judged there, with its own imports,
        constants and clients."""
        if not self.helper_paths:
            return self, None
        if (
            isinstance(called, ast.Attribute)
            and isinstance(called.value, ast.Name)
            and called.value.id in ("self", "cls")
        ):
            return self._inherited_helper(called, caller)
        place = self._imported_place(called, caller)
        if place is None or place is UNSEEN:
            return self, None
        path, func = cast(_Place, place)
        owner = self._helper_module_analysis(path)
        if owner is None or isinstance(func, ast.ClassDef):
            return self, None
        return owner, owner.helpers.get(owner.scope_name(func))

    def _inherited_helper(
        self, called: ast.Attribute, caller: FunctionNode
    ) -> tuple[ModuleAnalysis, Optional[_Helper]]:
        """The helper ``self.<method>(...)`` calls when the caller's class inherits it from
        a base class of a test-side helper module (``class TestX(BaseCase)``, after ``from
        tests.base import BaseCase``), and no class of this module defines the method."""
        cls = self.enclosing_class(caller)
        if cls is None or self._module_function(called, caller) is not None:
            return self, None  # not in a class, or this module's own method
        method = called.attr
        for current in self._lineage(cls)[0]:
            for base in current.bases:
                name = dotted(base) or ""
                if name in self.module_classes:
                    continue
                place = self._imported_place(base, caller)
                if place is None or place is UNSEEN:
                    continue
                path, found = cast(_Place, place)
                owner = self._helper_module_analysis(path)
                if owner is None or not isinstance(found, ast.ClassDef):
                    continue
                for ancestor in owner._lineage(found)[0]:
                    key = f"{owner.scope_name_of_class(ancestor)}.{method}"
                    if key in owner.helpers:
                        return owner, owner.helpers[key]
        return self, None

    def _helper_module_analysis(self, path: str) -> Optional[ModuleAnalysis]:
        """The analysis of the helper module at ``path``, made once per run and index: it
        follows the helper modules this one does (the ones it imports from, which the
        result cache keys this module's answer by too). None while it is being made (two
        helper modules importing from each other)."""
        key = (
            path,
            self.send_functions,
            self.clients.extra_names,
            self.helper_paths,
            self.names_every_route,
        )
        made = _HELPER_ANALYSES.get(key)
        if made is not None and made[0] is self.index:
            return made[1]
        tree = conftest_tree(path)
        if tree is None or key in _HELPER_ANALYSES_MADE:
            return None
        module, is_package = module_name_for(relpath(path, self.index.root))
        knowledge = knowledge_for(
            path, tree, self.index.root, self.clients.extra_names, module, is_package
        )
        _HELPER_ANALYSES_MADE.add(key)
        try:
            analysis = ModuleAnalysis(
                tree,
                path,
                self.index,
                knowledge,
                self.send_functions,
                self.helper_paths,
                self.names_every_route,
            )
        finally:
            _HELPER_ANALYSES_MADE.discard(key)
        _HELPER_ANALYSES[key] = (self.index, analysis)
        return analysis

    def _imported_function(
        self, called: ast.expr, caller: FunctionNode
    ) -> Union[FunctionNode, object, None]:
        """The function ``called`` names in a test-side helper module this module imports
        (``check(res)`` after ``from helpers import check``, ``helpers.check(res)``,
        ``Checks.done(res)``); ``UNSEEN`` for one of another project module, or one the
        helper module doesn't define itself; None for a library's or this module's."""
        place = self._imported_place(called, caller)
        if place is None or place is UNSEEN:
            return place
        found = cast(_Place, place)[1]
        return UNSEEN if isinstance(found, ast.ClassDef) else found

    def _imported_place(
        self, called: ast.expr, caller: Optional[FunctionNode], hops: int = 0
    ) -> Union[_Place, object, None]:
        """``_imported_function``, with the helper module's path; or the class ``called``
        names there. A name the helper module imports from another one (``from .http
        import fetch`` in ``tests/helpers/__init__.py``) is followed there."""
        chain = (dotted(called) or "").split(".")
        if self._defined_here(chain[0], caller):
            return None  # def fetch(...) in this module hides the imported one
        binding = self._import_binding(chain, caller)
        if binding is None:
            return None
        level, module, name, local = binding
        resolved = resolve_import(self.filename, self.index.root, level, module, name)
        if resolved is None:
            return None
        path, name_is_module = resolved
        if not path or path not in self.helper_paths:
            return UNSEEN
        if name and not name_is_module:
            inside = [name, *chain[1:]]  # from helpers import check: check(res)
        elif name or local:
            inside = chain[1:]  # from tests import helpers / import tests.helpers as h
        else:
            inside = chain[len(module.split(".")) :]  # import tests.helpers
        tree = conftest_tree(path)
        found = _defined(tree, inside) if tree is not None else None
        if found is None and len(inside) == 1 and hops < 2:
            owner = self._helper_module_analysis(path)
            if owner is not None:
                return owner._imported_place(ast.Name(id=inside[0]), None, hops + 1)
        return UNSEEN if found is None else (path, found)

    def _defined_here(self, name: str, caller: Optional[FunctionNode]) -> bool:
        """Is ``name`` a function or class of this module where ``caller`` runs: nested in
        it or in a function around it, or at the module's level?"""
        return self._local_function(name, caller) is not None or any(
            isinstance(n, ast.ClassDef) and n.name == name for n in self.tree.body
        )

    @cached_property
    def _module_imports(self) -> list[ast.stmt]:
        return list(_module_level_imports(self.tree.body))

    def _import_binding(
        self, chain: list[str], caller: Optional[FunctionNode]
    ) -> Optional[tuple[int, str, str, bool]]:
        """How the name ``chain[0]`` is imported where ``caller`` runs: (level, module,
        imported name, whether it is bound under a name of its own); the imported name is
        empty for ``import a.b`` and ``import a.b as c``. Module-level imports, then the
        caller's own; of several ``import a.b`` / ``import a.c``, the one the dotted
        ``chain`` goes through."""
        local = chain[0]
        found: Optional[tuple[int, str, str, bool]] = None
        own = walk_own_scope(caller) if caller is not None else ()
        for node in (*self._module_imports, *own):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == local:
                        found = (node.level or 0, node.module or "", alias.name, True)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if alias.asname == local:
                        found = (0, alias.name, "", True)
                    elif (
                        not alias.asname
                        and chain[: len(parts)] == parts
                        and (found is None or found[3] or len(found[1].split(".")) <= len(parts))
                    ):
                        found = (0, alias.name, "", False)  # the longest a.b the chain uses
        return found

    def _in_finally(self, close_stmt: ast.stmt, func: FunctionNode) -> bool:
        return any(
            isinstance(n, ast.Try) and f == "finalbody" for n, f in self._chain(close_stmt, func)
        )

    def _risky_between(self, func: FunctionNode, start: ast.stmt, close_stmt: ast.stmt) -> bool:
        """Whether a statement between ``start`` and ``close_stmt`` may raise; not one of an
        except handler: it runs only once something raised, which is what counts."""
        begin = start.end_lineno or start.lineno
        for node in walk_own_scope(func):
            if not isinstance(node, ast.stmt) or node is close_stmt:
                continue
            if begin < node.lineno < close_stmt.lineno and not any(
                f == "handler" for _, f in self._chain(node, func)
            ):
                if isinstance(node, (ast.Assert, ast.Raise)):
                    return True
                if (
                    any(isinstance(n, ast.Call) for n in walk(node))
                    and not isinstance(node, COMPOUND_STATEMENTS)
                    and not _is_close_call(node)
                ):
                    return True
        return False

    def _class_closes(self, func: FunctionNode, attr: str) -> bool:
        """Whether the test's class, or a base class, closes ``self.<attr>``; a base class
        that isn't in this module (nor unittest's) may: then it is taken to."""
        cls = self.enclosing_class(func)
        if cls is None:
            return _closes_attribute(func, attr)
        lineage, unseen_base = self._lineage(cls)
        return unseen_base or any(_closes_attribute(c, attr) for c in lineage)

    def _lineage(self, cls: ast.ClassDef) -> tuple[list[ast.ClassDef], bool]:
        """``cls`` and its base classes defined in this module, and whether it has a base
        class from elsewhere (other than unittest's ``TestCase`` and the like)."""
        found: list[ast.ClassDef] = []
        unseen_base = False
        todo = [cls]
        while todo:
            current = todo.pop()
            if any(current is c for c in found):
                continue
            found.append(current)
            for base in current.bases:
                name = dotted(base) or ""
                local = self.module_classes.get(name)
                if local is not None and local is not current:
                    todo.append(local)
                elif name.rsplit(".", 1)[-1] not in KNOWN_BASES:
                    unseen_base = True  # class Base(Base): the imported one
        return found, unseen_base

    @cached_property
    def module_classes(self) -> dict[str, ast.ClassDef]:
        """The classes of this module by name (the first one of a name)."""
        found: dict[str, ast.ClassDef] = {}
        for cls in self.classes:
            found.setdefault(cls.name, cls)
        return found

    def _escaped_fate(
        self, source: _Source, func: FunctionNode, stmt: ast.stmt, use: UseFactory, yielded: bool
    ) -> Optional[ResponseUse]:
        """The response leaves the function by return/yield."""
        fixture = self.fixtures.get(func.name)
        if fixture is None:
            return None  # a helper: its callers are judged (c10f)
        _, scope = fixture
        fixture_name, _ = fixture_name_and_scope(func)
        if scope in WIDE_SCOPES:
            return use(Fate.KEPT, f"held by the {scope}-scoped fixture {fixture_name}")
        if yielded:
            return use(Fate.UNCLOSED, f"yielded by fixture {fixture_name} and never closed")

        def is_fixture_value(n: ast.AST) -> bool:
            return isinstance(n, ast.Name) and n.id == fixture_name

        for other in self.functions:
            if fixture_name not in params_of(other):
                continue
            events = self._events(other, fixture_name, (other.lineno, -1))
            if any(k in ("close", "closed") for k, _ in events):
                return None
            if self._asserts_error_status(other, is_fixture_value, source):
                return None
        return use(Fate.UNCLOSED, f"returned by fixture {fixture_name} and never closed")


COMPOUND_STATEMENTS = (
    ast.If,
    ast.For,
    ast.While,
    ast.With,
    *TRIES,
    *filter(None, [getattr(ast, "Match", None)]),
)
"""Statements whose own calls are their parts' (a body's call is judged where it is)."""


KNOWN_BASES = frozenset({"object", "TestCase", "IsolatedAsyncioTestCase", "Generic", "ABC"})
"""Base classes that close nothing of a test's: a test class deriving from another one
that isn't in the module may close its responses in a ``tearDown`` we can't see."""


def _closes_attribute(scope: ast.AST, attr: str) -> bool:
    holders = (f"self.{attr}", f"cls.{attr}")
    return any(
        isinstance(node, ast.Attribute) and node.attr == "close" and dotted(node.value) in holders
        for node in walk(scope)
    )


RANGE_HEADERS = frozenset({"range", "if-range"})
CONDITIONAL_HEADERS = frozenset(
    {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since"}
)


def _file_statuses(request: ast.Call) -> tuple[int, ...]:
    """What a response holding a file can answer to ``request``: 200, 206 for a range
    and 304 for a conditional request (c06d-f), when its headers ask for them or may
    (headers that aren't a literal dict, keyword arguments that may hold them)."""
    headers = _sent_headers(request)
    if headers is None:
        return FILE_STATUSES
    statuses = {200}
    for header, _ in headers:
        statuses |= {206} if header in RANGE_HEADERS else set()
        statuses |= {304} if header in CONDITIONAL_HEADERS else set()
    return tuple(sorted(statuses))


DEFERRING = frozenset({"addCleanup"})
"""unittest's ``self.addCleanup(function, *args, **kwargs)``: ``function(*args,
**kwargs)`` runs when the test ends."""


def _deferred(call: ast.Call) -> Optional[ast.Call]:
    """The call ``call`` registers to run when the test ends: ``close_it(res)`` for
    ``self.addCleanup(close_it, res)``; None for any other call."""
    if not (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in DEFERRING
        and call.args
        and not isinstance(call.args[0], ast.Starred)
    ):
        return None
    return ast.Call(func=call.args[0], args=call.args[1:], keywords=call.keywords)


def _assignments(func: FunctionNode) -> dict[str, list[ast.expr]]:
    """``func``'s own ``name = value`` bindings, found once per function."""
    return remembered(func, "assignments", lambda: local_assignments(func))


def _positional_params(callee: Callee, call: ast.Call) -> list[str]:
    """The parameters ``call`` may fill by position (``self.get(...)``: not ``self``)."""
    params = [p.arg for p in (*callee.args.posonlyargs, *callee.args.args)]
    if params and params[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        return params[1:]
    return params


def _may_buffer(
    func: FunctionNode, request: ast.Call, module_dicts: Mapping[str, ast.Dict]
) -> bool:
    """Does the helper hand its request keywords it builds, which may hold ``buffered``
    (``kw.setdefault("buffered", True)``, ``opts = {"buffered": True, **kw}``)? Its
    ``**kwargs`` passed on as the caller gave them are ``_forwards_buffered``'s, and a
    module-level dict without that key holds none."""
    passed_on = func.args.kwarg
    for kw in request.keywords:
        if kw.arg is not None:
            continue
        name = kw.value.id if isinstance(kw.value, ast.Name) else None
        if passed_on is not None and name == passed_on.arg:
            if any(
                (isinstance(n, ast.Constant) and n.value == "buffered")
                or (isinstance(n, ast.keyword) and n.arg == "buffered")
                for n in walk_own_scope(func)
            ):
                return True
        elif name is None or name not in module_dicts or _may_hold_buffered(module_dicts[name]):
            return True
    return False


def _may_hold_buffered(spread: ast.Dict) -> bool:
    return any(not isinstance(key, ast.Constant) or key.value == "buffered" for key in spread.keys)


def _forwards_buffered(
    helper: _Helper, call: ast.Call, module_dicts: Mapping[str, ast.Dict]
) -> bool:
    """Does ``call`` hand the helper's request ``buffered=True`` through the helper's
    ``**kwargs`` (``get(client, url, buffered=True)`` for ``def get(client, url, **kw):
    return client.get(url, **kw)``), or keywords that may hold it (``**options``, but
    not a module-level dict without a ``"buffered"`` key)?"""
    kwargs = helper.func.args.kwarg
    if kwargs is None or not helper.source.is_client_request:
        return False
    if not any(
        kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id == kwargs.arg
        for kw in helper.source.call.keywords
    ):
        return False
    named = params_of(helper.func)
    for kw in call.keywords:
        if kw.arg == "buffered" and kw.arg not in named:
            return isinstance(kw.value, ast.Constant) and kw.value.value is True
        if kw.arg is None:
            spread = module_dicts.get(kw.value.id) if isinstance(kw.value, ast.Name) else None
            if spread is None or _may_hold_buffered(spread):
                return True  # may hold buffered=True
    return False


UNSEEN = object()
"""A function whose body the analysis can't see."""

_HelperKey = tuple[str, tuple[str, ...], frozenset[str], tuple[str, ...], bool]
_HELPER_ANALYSES: dict[_HelperKey, tuple[RouteIndex, ModuleAnalysis]] = {}
"""Helper modules' analyses this run made, with the index each was made with."""
_HELPER_ANALYSES_MADE: set[_HelperKey] = set()
"""The ones being made now."""


def forget_helper_analyses() -> None:
    """Called once per run: the next run reads the helper modules as they are then."""
    _HELPER_ANALYSES.clear()


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The imports of a module's own level, also under ``if``/``try`` there."""
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt
        elif isinstance(stmt, (ast.If, *TRIES)):
            handlers = getattr(stmt, "handlers", [])
            for field in ("body", "orelse", "finalbody"):
                yield from _module_level_imports(getattr(stmt, field, []))
            for handler in handlers:
                yield from _module_level_imports(handler.body)


def _defined(tree: ast.Module, path: list[str]) -> Union[FunctionNode, ast.ClassDef, None]:
    """The function or class ``path`` names in ``tree``: ``["check"]``, ``["Checks",
    "done"]``."""
    scope: list[ast.stmt] = tree.body
    for i, part in enumerate(path):
        node = next(
            (
                n
                for n in scope
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n.name == part
            ),
            None,
        )
        if node is None:
            return None
        if i == len(path) - 1:
            return node
        if not isinstance(node, ast.ClassDef):
            return None
        scope = node.body
    return None


FAILING_CALLS = frozenset({"fail", "skip", "xfail", "exit", "skipTest"})
"""``pytest.fail(...)``, ``self.fail(...)``, ``pytest.skip(...)``: they raise."""


def _is_close_call(stmt: ast.stmt) -> bool:
    """``x.close()``: a close on another path doesn't raise."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Attribute)
        and stmt.value.func.attr == "close"
        and not stmt.value.args
    )


def _fails(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and (dotted(stmt.value.func) or "").rsplit(".", 1)[-1] in FAILING_CALLS
    )


def _statements_before(parent: ast.AST, child: ast.AST) -> list[ast.stmt]:
    """The statements before ``child`` in the block of ``parent`` that holds it."""
    held = holding(parent, child)
    if held is None:
        return []
    block = held[1]
    return block[: next(i for i, s in enumerate(block) if s is child)]


NOT_CLOSING = frozenset(
    {"print", "len", "repr", "str", "isinstance", "getattr", "hasattr", "type", "id", "vars"}
)
"""Builtins a response may be given to without being closed."""


_EVENT_NODES = (
    ast.Call, ast.withitem, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor,
    ast.Delete, ast.Return, ast.Yield, ast.YieldFrom, ast.Tuple, ast.List, ast.Dict, ast.Set,
    ast.Nonlocal,
)  # fmt: skip
"""The nodes of a function that may be an event of a response's name (``_events``)."""
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _body_of(node: ast.expr) -> ast.expr:
    """``x`` for ``x.response`` (a response's body iterable, which closing closes its
    file), else ``node`` itself."""
    if isinstance(node, ast.Attribute) and node.attr == "response":
        return node.value
    return node


def _forever(loop: Optional[ast.AST]) -> bool:
    """``while True:`` (or ``while 1:``): only a ``break`` or a ``return`` leaves it."""
    return (
        isinstance(loop, ast.While)
        and isinstance(loop.test, ast.Constant)
        and bool(loop.test.value)
    )


SEQUENCE_READS = frozenset({"data", "get_data", "json", "get_json", "text", "iter_encoded"})
"""Reads that turn a response's body into a list (``Response.make_sequence``)."""


def _reads_body(func: ast.AST, name: str) -> bool:
    """Does ``func`` read the body of the response ``name`` (``name.data``...)?"""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr in SEQUENCE_READS
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        for n in walk(func)
    )


def _closed_names(func: ast.AST) -> set[str]:
    """The names ``func`` closes, or may: ``x.close()``, ``x.response.close()``, ``with
    x:``, ``closing(x)``, ``stack.enter_context(x)``, ``addfinalizer(x.close)``, and
    ``finish(x)``, a function handed ``x`` that may close it (any but a few builtins and
    ``assert...`` methods); and ``xs`` when a loop over it closes each item (``for x in
    xs: x.close()``)."""
    closed: set[str] = set()
    loops: list[tuple[str, str]] = []
    for node in walk(func):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            if isinstance(node.target, ast.Name) and isinstance(node.iter, ast.Name):
                loops.append((node.target.id, node.iter.id))
        elif isinstance(node, ast.Attribute) and node.attr == "close":
            value = _body_of(node.value)
            if isinstance(value, ast.Name):
                closed.add(value.id)
        elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Name):
            closed.add(node.context_expr.id)
        elif isinstance(node, ast.Call):
            called = (dotted(node.func) or "").rsplit(".", 1)[-1]
            if called in NOT_CLOSING or called.startswith(("assert", "fail")):
                continue
            given = [*node.args, *(k.value for k in node.keywords)]
            closed.update(a.id for a in given if isinstance(a, ast.Name))
    grown = True
    while grown:  # for group in groups: for x in group: x.close()
        grown = False
        for item, items in loops:
            if item in closed and items not in closed:
                closed.add(items)
                grown = True
    return closed


def _closes_on_every_path(stmt: ast.stmt, closes: set[int]) -> bool:
    """Whether every normal path through ``stmt`` runs one of the ``closes`` (statements,
    by id). A path that leaves by ``raise`` fails the test anyway and doesn't count."""
    if id(stmt) in closes:
        return True
    if isinstance(stmt, ast.If):
        return _block_closes(stmt.body, closes) and _block_closes(stmt.orelse, closes)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return _block_closes(stmt.body, closes)
    if isinstance(stmt, TRIES):
        if _block_closes(stmt.finalbody, closes):
            return True
        return _block_closes([*stmt.body, *stmt.orelse], closes) and all(
            _block_closes(handler.body, closes) for handler in stmt.handlers
        )
    if sys.version_info >= (3, 10) and isinstance(stmt, ast.Match):
        last = stmt.cases[-1] if stmt.cases else None
        catch_all = (
            last is not None
            and last.guard is None
            and isinstance(last.pattern, ast.MatchAs)
            and last.pattern.pattern is None
        )
        return catch_all and all(_block_closes(case.body, closes) for case in stmt.cases)
    return False


def _block_closes(body: list[ast.stmt], closes: set[int]) -> bool:
    for stmt in body:
        if _closes_on_every_path(stmt, closes):
            return True
        if isinstance(stmt, ast.Raise) or _fails(stmt):
            return True
        if isinstance(stmt, (ast.Return, ast.Continue, ast.Break)):
            return False
    return False
