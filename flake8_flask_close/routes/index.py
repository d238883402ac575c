"""Linking per-module facts into apps, their routes, and which routes serve files."""

from __future__ import annotations

import ast
import logging
import mimetypes
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional, Union

from flake8_flask_close.names import LIBRARY_PACKAGES
from flake8_flask_close.routes import cache
from flake8_flask_close.routes.cache import DEFAULT_CACHE, CacheSettings
from flake8_flask_close.routes.extract import extract, qualify_ref
from flake8_flask_close.routes.facts import (
    ANY_ERROR,
    HTTP_ERROR,
    RAISES,
    SLOTS,
    UNKNOWN,
    UNKNOWN_STATUS,
    ClassFact,
    ErrorHandlerFact,
    FunctionFact,
    HookFact,
    ModuleFacts,
    ObjectFact,
    Ref,
    SentFile,
)
from flake8_flask_close.routes.match import Match, RouteMap
from flake8_flask_close.routes.project import (
    files_under,
    may_have_facts,
)
from flake8_flask_close.routes.scan import (
    ProjectScan,
    display_prefix,
    forget_scans,
    project_scan,
    relpath,
)
from flake8_flask_close.walks import remembered_walks

if TYPE_CHECKING:
    from flake8_flask_close.routes.linked import StoredLink, StoredRoutes

NOT_PROJECT_PACKAGES = LIBRARY_PACKAGES
"""Names that never stand for a project package found by suffix."""
LOG = logging.getLogger("flake8.flask_close")
"""A child of flake8's logger, so ``flake8 -vv`` shows our debug lines."""
HTTP_VIEW_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
HELPER_DEPTH = 6
TEST_SETUP_METHODS = frozenset({"setUp", "setUpClass", "setup_method", "setup_class"})
ELSEWHERE = "?elsewhere"
"""The group of routes and blueprints registered on apps the index can't resolve
(``def init_app(app): app.register_blueprint(bp)``)."""


@dataclass(frozen=True, **SLOTS)
class LinkedRoute:
    """A route of a linked app: its whole rule and what its view serves."""

    rule: Optional[str]
    """The full URL rule; None when a part of it can't be known statically."""
    methods: Optional[frozenset[str]]
    endpoint: str
    evidence: Optional[str]
    """Why the route serves a file ("send_from_directory in app/views.py:12"), or None."""
    method_evidence: Optional[tuple[tuple[str, Optional[str]], ...]] = None
    """For class-based views: evidence per HTTP method."""
    location: str = ""
    static_dir: Optional[str] = None
    """For built-in static routes whose folder is known: the folder on disk."""
    redirects: tuple[str, ...] = ()
    """Where the view redirects (``redirect_fact``: the code, then a path, a URL or
    ``@endpoint``), for ``follow_redirects``."""
    also_answers: bool = False
    """The view also returns something else than a redirect (a page, a file): which of
    its answers a request gets can't be known."""
    sometimes: bool = False
    """The view serves a file on some paths only (see ``FunctionFact.plain_returns``)."""
    mimetypes: Optional[frozenset[str]] = None
    """The types of the files it can serve, when the code says; None = any."""
    sent: Optional[SentFile] = None
    """The one file the view sends, when the code names it, its folder on disk (below the
    root path of the app the route is on)."""
    when_missing: Optional[str] = None
    """What answers a request for a file that isn't there, on a static route or one that
    names its file (``sent``): None, an error that holds no file; ``ANSWERED``, an error
    handler of the route's app that serves no file (with a status of its choosing); the
    evidence of one that serves a file; ``UNKNOWN`` when a handler may answer that the
    index can't place, or one that returns either."""

    def evidence_for(self, method: str) -> Optional[str]:
        if self.method_evidence is None:
            return self.evidence
        table = dict(self.method_evidence)
        if method in table:
            return table[method]
        if method == "HEAD" and "GET" in table:
            return table["GET"]
        return table.get("*")

    def allows(self, method: str) -> bool:
        """Whether the route takes ``method`` (Werkzeug adds HEAD to GET) rather than
        answering 405."""
        methods = self.methods or ("GET",)
        return method in methods or (method == "HEAD" and "GET" in methods)

    @property
    def serves_file(self) -> bool:
        if self.method_evidence is None:
            return self.evidence is not None
        return any(e for _, e in self.method_evidence)


ANSWERED = "\x00answered"
"""``LinkedRoute.when_missing``: an error handler answers, without a file."""
Handlers = dict[int, Optional[str]]
"""Status code (``ANY_ERROR``: every error) -> what an app's error handler for it answers
with: the evidence of the file it serves, None for no file, ``UNKNOWN`` when it may
return either."""
Unplaced = set[Optional[int]]
"""Codes of handlers that may answer where the index can't say (a blueprint's own, one of
an app it can't resolve; None: a handler whose code it can't read)."""


def _settle_missing_files(
    routes: list[LinkedRoute],
    app_root: Optional[str],
    project_root: str,
    own: Handlers,
    unplaced: Unplaced,
    values_rewritten: bool,
) -> None:
    """Give each route's sent file its folder on disk, below ``app_root``, the root path
    of the app the routes are on (a blueprint's view looks below its app's, not its own
    module's; unknown for an app the index can't resolve or whose import name is not its
    module's), and say what answers a request for a missing file (``when_missing``).
    A name from the URL is left unknown when a ``url_value_preprocessor`` may change it,
    or in a folder at or above the project's root: its listing would hold the whole
    project (and the cache folder) in the result cache's world."""
    top = os.path.abspath(project_root)
    for i, route in enumerate(routes):
        sent = route.sent
        if sent is not None:
            folder = None
            if app_root is not None or os.path.isabs(sent.folder):
                folder = os.path.normpath(os.path.join(app_root or "", sent.folder))
            if sent.from_url and (values_rewritten or (folder and _contains(folder, top))):
                folder = None
            sent = None if folder is None else replace(sent, folder=folder)
        if sent is None and route.static_dir is None:
            if route.sent is not None:
                routes[i] = replace(route, sent=None)
            continue
        raises = sent is not None and sent.missing_raises
        routes[i] = replace(route, sent=sent, when_missing=_missing_answer(raises, own, unplaced))


def _answer_aborts(
    routes: list[LinkedRoute],
    aborting: Mapping[str, int],
    gated: frozenset[str],
    own: Handlers,
    unplaced: Unplaced,
) -> None:
    """A route whose view always aborts (``FunctionFact.aborts``; by the route's
    location) is answered by its app's error handler: one that serves a file makes the
    route serve it; when which one answers can't be known, requests to it are not judged."""
    for i, route in enumerate(routes):
        code = aborting.get(route.location)
        if code is None or route.evidence is not None or route.location in gated:
            continue
        answer: Optional[str]
        if code == RAISES:
            answer = UNKNOWN  # a handler for its class (which the index doesn't keep)?
        elif code == UNKNOWN_STATUS:
            answer = UNKNOWN if unplaced or any(own.values()) else None
        else:
            answer = _missing_answer(False, own, unplaced, code)
        if answer == UNKNOWN:
            routes[i] = replace(route, sometimes=True)
        elif answer is not None and answer != ANSWERED:
            routes[i] = replace(route, evidence=answer)


def _missing_answer(
    raises: bool, own: Handlers, unplaced: Unplaced, status: int = 404
) -> Optional[str]:
    """What answers a request for a missing file: ``send_from_directory``'s ``NotFound``
    goes to the app's 404 handler, else to an ``HTTPException`` one, else to one for
    every error (Flask's order); ``send_file``'s ``FileNotFoundError`` reaches the test
    when Flask propagates it (testing), a handler otherwise: which one can't be known
    when one of them serves a file. So does any other error ``status`` (``abort(403)``)
    or exception (``raises``)."""
    if None in unplaced:
        return UNKNOWN
    if raises:
        codes = (500, HTTP_ERROR, ANY_ERROR)
        if any(c in unplaced or own.get(c) is not None for c in codes):
            return UNKNOWN
        return ANSWERED if any(c in own for c in codes) else None
    codes = (status, HTTP_ERROR, ANY_ERROR)
    if any(c in unplaced for c in codes):
        return UNKNOWN
    for code in codes:
        if code in own:
            answer = own[code]
            return ANSWERED if answer is None else answer
    return None


def _unserved(route: LinkedRoute) -> LinkedRoute:
    """``route`` when a ``before_request`` function answers before its view runs."""
    return replace(
        route,
        evidence=None,
        method_evidence=None,
        static_dir=None,
        sent=None,
        redirects=(),
        also_answers=False,
        sometimes=False,
        mimetypes=None,
        when_missing=None,
    )


def _maybe_sent_by_server(route: LinkedRoute) -> LinkedRoute:
    """``route`` in a project that may turn ``USE_X_SENDFILE`` on: a Flask send call
    given a path (any but ``Response(...)``'s own file and Werkzeug's ``send_file``, which
    doesn't read the setting, as far as the index knows) then opens no file, the web
    server sends it. Which apps it applies to can't be known: requests to such routes are
    not judged."""
    evidence = [route.evidence]
    if route.method_evidence is not None:
        evidence = [e for _, e in route.method_evidence]
    if any(e is not None and not e.startswith(("Response(", "werkzeug.")) for e in evidence):
        return replace(route, sometimes=True)
    return route


def _contains(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class AppGroup:
    """Routes reachable through one app (or one unresolved route target)."""

    def __init__(
        self,
        key: str,
        label: str,
        routes: Optional[list[LinkedRoute]] = None,
        error_evidence: Optional[dict[int, str]] = None,
        local_scope: Optional[tuple[str, str]] = None,
        stored: Optional[StoredRoutes] = None,
    ) -> None:
        self.key = key
        self.label = label
        self.error_evidence: dict[int, str] = error_evidence or {}
        self.local_scope = local_scope
        """(module, function qualname) for routes added to an unknown app inside a function."""
        self._stored = stored
        """The stored links' buckets of routes, each read when first asked for."""
        self._routes = routes if routes is not None or stored is not None else []
        self._map: Optional[RouteMap] = None
        self._by_endpoint: Optional[dict[str, list[LinkedRoute]]] = None

    @property
    def routes(self) -> list[LinkedRoute]:
        if self._routes is None:
            assert self._stored is not None
            self._routes = self._stored.everything()
        return self._routes

    @property
    def route_map(self) -> RouteMap:
        if self._map is None:
            if self._routes is None:
                self._map = RouteMap(buckets=self._stored)
            else:
                self._map = RouteMap(self._routes)
        return self._map

    def with_endpoint(self, endpoint: str) -> list[LinkedRoute]:
        if self._by_endpoint is None:
            table: dict[str, list[LinkedRoute]] = {}
            for route in self.routes:
                table.setdefault(route.endpoint, []).append(route)
            self._by_endpoint = table
        return self._by_endpoint.get(endpoint, [])


ObjKey = tuple[str, str, str]  # module, scope, var
EvidenceMemo = dict[tuple[str, str], Optional[str]]
"""(module, function qualname) -> why it returns a file response, or None."""


class FunctionMemo:
    """What linking worked out about functions: why each returns a file response (or
    None), and which of those serve a file on some paths only (the others are left out
    of ``mixed``: thousands of entries at 10,000 files)."""

    def __init__(self) -> None:
        self.evidence: EvidenceMemo = {}
        self.mixed: dict[tuple[str, str], bool] = {}

    def load(self, module: str) -> None:
        """Have what is known about ``module``'s functions at hand (stored links read
        it when first asked for, see ``routes.linked``)."""

    def everything(self) -> tuple[EvidenceMemo, dict[tuple[str, str], bool]]:
        return self.evidence, self.mixed


def folder_mimetypes(folder: str, limit: int = 5000) -> Optional[frozenset[str]]:
    """The types of the files in a static folder (None when it is too big to list: then
    any type may be served)."""
    names = files_under(folder, limit)
    if names is None:
        return None
    return frozenset(mimetypes.guess_type(n)[0] or "application/octet-stream" for n in names)


def test_scope_of(scope: str) -> Optional[str]:
    """The test function or test class a scope (a function qualname) sits in, if any: an
    app made there serves that test (or that class's tests) only. ``TestDownloads.setUp``
    -> ``TestDownloads``; ``test_x.<locals>`` -> ``test_x``."""
    parts = scope.split(".") if scope else []
    for i, part in enumerate(parts):
        if part.startswith("test") or (i == 0 and len(parts) > 1 and "Test" in part):
            return ".".join(parts[: i + 1])
    return None


def _join(prefix: Optional[str], rule: Optional[str]) -> Optional[str]:
    if prefix == UNKNOWN or rule is None:
        return None
    if not prefix:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix


def _join_prefix(outer: Optional[str], inner: Optional[str]) -> Optional[str]:
    if outer == UNKNOWN or inner == UNKNOWN:
        return UNKNOWN
    if not outer:
        return inner
    if not inner:
        return outer
    return outer.rstrip("/") + "/" + inner.lstrip("/")


class RouteIndex:
    def __init__(
        self,
        root: str,
        modules: Union[Iterable[ModuleFacts], Mapping[str, ModuleFacts]],
        send_functions: tuple[str, ...] = (),
        stored: Optional[StoredLink] = None,
    ):
        """Link ``modules``; or, with ``stored``, take the links a run over the same
        facts made (``modules`` is then a mapping that reads each module on first use,
        see ``routes.linked``)."""
        self.root = root
        self.send_functions = send_functions
        self.modules: Mapping[str, ModuleFacts]
        self.paths: list[str]
        """The paths of the modules indexed (several may share a module name)."""
        if isinstance(modules, Mapping):
            assert stored is not None, "a mapping of modules comes with their links"
            self.modules, self.paths = modules, stored.paths
        else:
            listed = list(modules)
            self.modules = {facts.module: facts for facts in listed}
            self.paths = [facts.path for facts in listed]
        self._memo = FunctionMemo()
        self._shown = self._display_paths()
        self.groups: list[AppGroup] = []
        self._hooks: Optional[list[tuple[ModuleFacts, HookFact]]] = None
        self._sent: Optional[frozenset[str]] = None
        self._hook_modules: Optional[frozenset[str]] = None
        self._method_sets: dict[frozenset[str], frozenset[str]] = {}
        self._aborting: dict[str, int] = {}
        """Route location -> the error its view always ends in (``FunctionFact.aborts``)."""
        self._gated_locations: set[str] = set()
        """Locations of routes a blueprint's ``before_request`` answers for."""
        self._merged_groups: dict[str, AppGroup] = {}
        suffixes: dict[str, Optional[str]] = {}
        for name in self.modules:
            parts = name.split(".")
            for i in range(1, len(parts)):
                suffix = ".".join(parts[i:])
                suffixes[suffix] = None if suffix in suffixes else name
        self._suffixes = {k: v for k, v in suffixes.items() if v is not None}
        self._hook_owners: Optional[list[str]] = None
        """Modules registering hooks, when known without reading every module."""
        self.blueprint_apps: dict[str, list[str]] = {}
        """Blueprint (``module:scope:var``) -> the keys of the app groups it is registered
        on, directly or through another blueprint: where its app-wide hooks
        (``after_app_request``) run."""
        if stored is None:
            self._link()
        else:
            self.groups = stored.groups
            self._memo = stored.memo
            self._hook_owners = stored.hook_owners
            self._sent = stored.sent_attributes
            self.blueprint_apps = stored.blueprint_apps

    def _display_paths(self) -> dict[str, str]:
        prefix = display_prefix(self.root)
        return {path: f"{prefix}{path}" for path in self.paths} if prefix else {}

    def shown(self, facts: ModuleFacts) -> str:
        """A module's path as the user sees it: relative to the working directory when the
        project is below it (flake8 prints its own paths that way), else to the root."""
        return self._shown.get(facts.path, facts.path)

    # ---------------------------------------------------------------- resolution
    def _scopes(self, scope: str) -> list[str]:
        out = [scope]
        while scope:
            scope = scope.rpartition(".")[0]
            out.append(scope)
        return out

    def resolve_object(self, module: str, ref: Ref, depth: int = 0) -> Optional[ObjKey]:
        facts = self.modules.get(module)
        if facts is None or depth > 6:
            return None
        head, _, rest = ref.name.partition(".")
        if not rest:
            for scope in self._scopes(ref.scope):
                for obj in facts.objects:
                    if obj.scope == scope and obj.var == head:
                        return (module, scope, head)
        if head in ("self", "cls") and rest and "." not in rest:
            return self._resolve_attribute(facts, ref, depth)
        for scope in self._scopes(ref.scope):
            for target_ref, source in facts.bindings:
                if target_ref.scope == scope and target_ref.name == ref.name and source != ref.name:
                    return self.resolve_object(module, Ref(scope, source), depth + 1)
        target = qualify_ref(ref, facts.aliases)
        if target is None or (target == ref.name and not rest):
            return None
        split = self.split_qualified(target)
        if split is None or split == (module, ref.name):
            return None
        return self.resolve_object(split[0], Ref("", split[1]), depth + 1)

    def _resolve_attribute(self, facts: ModuleFacts, ref: Ref, depth: int) -> Optional[ObjKey]:
        """``self.app`` in a method of class C: an app created as ``self.app = Flask()``
        in any method of C, or bound with ``self.app = app`` there."""
        cls = ref.scope.split(".", 1)[0]
        if not cls or cls not in facts.classes:
            return None
        inside = [s for s in {o.scope for o in facts.objects} if s.startswith(cls + ".")]
        for obj in facts.objects:
            if obj.var == ref.name and obj.scope in inside:
                return (facts.module, obj.scope, obj.var)
        for target_ref, source in facts.bindings:
            if (
                target_ref.name == ref.name
                and target_ref.scope.startswith(cls + ".")
                and source != ref.name
            ):
                return self.resolve_object(facts.module, Ref(target_ref.scope, source), depth + 1)
        return None

    def find_module(self, name: str) -> Optional[str]:
        """A module by its dotted name, or by a unique dotted suffix: a project whose
        package sits in ``backend/app`` imports it as ``app``."""
        if name in self.modules:
            return name
        if name.split(".", 1)[0] in NOT_PROJECT_PACKAGES:
            return None
        return self._suffixes.get(name)

    def split_qualified(self, qualified: str) -> Optional[tuple[str, str]]:
        """("pkg.views", "bp") for "pkg.views.bp": the longest known module prefix."""
        mod, _, rest = qualified.rpartition(".")
        while mod:
            found = self.find_module(mod)
            if found is not None:
                return found, rest
            mod, _, head = mod.rpartition(".")
            rest = f"{head}.{rest}"
        return None

    def imported(self, aliases: Mapping[str, str], name: str) -> Optional[tuple[str, str]]:
        """Where the dotted ``name`` a module imports (its ``aliases``) is defined: the
        module and the name there."""
        head, _, rest = name.partition(".")
        base = aliases.get(head)
        if base is None:
            return None
        return self.split_qualified(f"{base}.{rest}" if rest else base)

    def resolve_function(
        self, module: str, ref: Ref, depth: int = 0
    ) -> Optional[tuple[ModuleFacts, Union[FunctionFact, ClassFact]]]:
        facts = self.modules.get(module)
        if facts is None or depth > 6:
            return None
        for scope in self._scopes(ref.scope):
            qualname = f"{scope}.{ref.name}" if scope else ref.name
            if qualname in facts.functions:
                return facts, facts.functions[qualname]
            if qualname in facts.classes:
                return facts, facts.classes[qualname]
        target = qualify_ref(ref, facts.aliases)
        if target is None or (target == ref.name and "." not in ref.name):
            return None
        split = self.split_qualified(target)
        if split is None or split == (module, ref.name):
            return None
        return self.resolve_function(split[0], Ref("", split[1]), depth + 1)

    def object_fact(self, key: ObjKey) -> ObjectFact:
        module, scope, var = key
        for obj in self.modules[module].objects:
            if obj.scope == scope and obj.var == var:
                return obj
        raise KeyError(key)

    # ---------------------------------------------------------------- evidence
    def function_evidence(
        self, facts: ModuleFacts, fn: FunctionFact, depth: int = 0
    ) -> Optional[str]:
        key = (facts.module, fn.qualname)
        memo = self._memo
        memo.load(facts.module)
        if key in memo.evidence:
            return memo.evidence[key]
        memo.evidence[key] = None  # breaks recursion
        found: Optional[str] = None
        mixed = fn.plain_returns > 0
        if fn.direct:
            first = fn.direct[0]
            found = f"{first.what} in {self.shown(facts)}:{first.line}"
        if depth < HELPER_DEPTH:
            for helper in fn.helpers:
                target = self.resolve_function(facts.module, helper)
                if target is None:
                    continue
                hfacts, hfn = target
                if not isinstance(hfn, FunctionFact):
                    continue
                inner = self.function_evidence(hfacts, hfn, depth + 1)
                if inner is None:
                    mixed = True  # a project helper that returns an ordinary response
                elif found is None:
                    found = f"{inner} via {hfn.qualname.rsplit('.', 1)[-1]}()"
                mixed = mixed or memo.mixed.get((hfacts.module, hfn.qualname), False)
        memo.evidence[key] = found
        if found is not None and mixed:
            memo.mixed[key] = True
        return found

    def function_mimetypes(
        self, facts: ModuleFacts, fn: FunctionFact, depth: int = 0
    ) -> Optional[frozenset[str]]:
        """The types of the files a view serves, when every send call says (a literal
        ``mimetype=`` or file name); None when any of them may be anything."""
        found: set[str] = set()
        for evidence in fn.direct:
            if evidence.mimetype is None:
                return None
            found.add(evidence.mimetype)
        for helper in fn.helpers:
            target = self.resolve_function(facts.module, helper)
            if target is None or not isinstance(target[1], FunctionFact):
                continue
            if self.function_evidence(target[0], target[1]) is None:
                continue
            inner = self.function_mimetypes(target[0], target[1], depth + 1)
            if inner is None or depth > HELPER_DEPTH:
                return None
            found |= inner
        return frozenset(found) if found else None

    def is_mixed(self, facts: ModuleFacts, fn: FunctionFact) -> bool:
        """Does this function return a file on some paths and an ordinary page on others?"""
        self.function_evidence(facts, fn)
        return self._memo.mixed.get((facts.module, fn.qualname), False)

    def class_view_evidence(
        self, facts: ModuleFacts, cls: ClassFact
    ) -> tuple[tuple[str, Optional[str]], ...]:
        table: dict[str, Optional[str]] = {}
        seen: set[tuple[str, str]] = set()
        todo: list[tuple[ModuleFacts, ClassFact]] = [(facts, cls)]
        while todo:
            cfacts, current = todo.pop(0)
            if (cfacts.module, current.qualname) in seen:
                continue
            seen.add((cfacts.module, current.qualname))
            for meth in current.methods:
                fn = cfacts.functions.get(f"{current.qualname}.{meth}")
                if fn is None:
                    continue
                ev = self.function_evidence(cfacts, fn)
                if meth in HTTP_VIEW_METHODS:
                    table.setdefault(meth.upper(), ev)
                elif meth == "dispatch_request":
                    table.setdefault("*", ev)
            for base in current.bases:
                resolved = self.resolve_function(cfacts.module, base)
                if resolved is not None and isinstance(resolved[1], ClassFact):
                    todo.append((resolved[0], resolved[1]))
        return tuple(sorted(table.items()))

    # ---------------------------------------------------------------- linking
    def _link(self) -> None:
        bp_routes: dict[ObjKey, list[tuple[LinkedRoute, str]]] = {}
        """Blueprint -> (route relative to the blueprint, endpoint relative to it)."""
        groups: dict[str, AppGroup] = {}
        roots: dict[str, str] = {}
        """App group -> the app's root path, where Flask's send calls look for files
        (``Flask(__name__)``: its module's folder, as for the static folder)."""
        apps: list[ObjKey] = []
        for facts in self.modules.values():
            for obj in facts.objects:
                key = (facts.module, obj.scope, obj.var)
                if obj.kind == "app":
                    local = self._test_scope(facts, obj.scope)
                    if local is None:
                        apps.append(key)
                    group = AppGroup(
                        key=":".join(key),
                        label=f"{obj.var} ({self.shown(facts)}:{obj.line})",
                        local_scope=(facts.module, local) if local is not None else None,
                    )
                    static = self._static_route(facts, obj, None, "static")
                    if static is not None:
                        group.routes.append(static)
                    groups[group.key] = group
                    if obj.module_root:
                        roots[group.key] = self.module_folder(facts)
                else:
                    bp_routes[key] = []
                    static = self._static_route(facts, obj, None, "static")
                    if static is not None:
                        bp_routes[key].append((static, "static"))

        def group_for_unresolved(facts: ModuleFacts, ref: Ref) -> AppGroup:
            """An app we can't see. Inside a test function it is that test's own app
            (``def test_x(app): @app.route(...)``); elsewhere (``def init_app(app)``,
            ``app = create_app()``) it is the project's app, seen from another angle."""
            local = self._test_scope(facts, ref.scope)
            if local is not None:
                gkey = f"?{facts.module}:{local}:{ref.name}"
                if gkey not in groups:
                    groups[gkey] = AppGroup(
                        key=gkey,
                        label=f"{ref.name} in {local} ({self.shown(facts)})",
                        local_scope=(facts.module, local),
                    )
                return groups[gkey]
            return self._fallback_group(groups)

        for facts in self.modules.values():
            for route in facts.routes:
                if self.is_foreign(facts.module, route.target):
                    continue
                linked = self._linked_route(facts, route.view, route.view_is_class, route)
                if linked is None:
                    continue
                target = self.resolve_object(facts.module, route.target)
                if target is not None and target in bp_routes:
                    bp_routes[target].append((linked, linked.endpoint))
                elif target is not None and ":".join(target) in groups:
                    groups[":".join(target)].routes.append(linked)
                else:
                    group_for_unresolved(facts, route.target).routes.append(linked)

        # blueprint registrations: parent -> [(child, url_prefix, name)]
        children: dict[ObjKey, list[tuple[ObjKey, Optional[str], Optional[str]]]] = {}
        registered: set[ObjKey] = set()
        app_children: dict[str, list[tuple[ObjKey, Optional[str], Optional[str]]]] = {}
        for facts in self.modules.values():
            for reg in facts.registrations:
                child = self.resolve_object(facts.module, reg.child)
                if child is None or child not in bp_routes:
                    continue
                registered.add(child)
                parent = self.resolve_object(facts.module, reg.parent)
                entry = (child, reg.url_prefix, reg.name)
                if parent is not None and parent in bp_routes:
                    children.setdefault(parent, []).append(entry)
                elif parent is not None and ":".join(parent) in groups:
                    app_children.setdefault(":".join(parent), []).append(entry)
                else:
                    gkey = group_for_unresolved(facts, reg.parent).key
                    app_children.setdefault(gkey, []).append(entry)

        unregistered = [bp for bp in bp_routes if bp not in registered]
        real_groups = [":".join(a) for a in apps]
        if unregistered:
            targets = real_groups or [self._fallback_group(groups).key]
            for gkey in targets:
                for bp in unregistered:
                    app_children.setdefault(gkey, []).append((bp, None, None))

        gated_apps, gated_bps = self._gates(groups, bp_routes)
        for gkey, entries in app_children.items():
            group = groups[gkey]
            for child, prefix, name in entries:
                self._mount(group, child, prefix, name, None, "", bp_routes, children, gated_bps, 0)

        mounted: dict[ObjKey, set[str]] = {}
        """Blueprint -> the app groups it is registered on, directly or nested."""
        for gkey, entries in app_children.items():
            todo = [child for child, _, _ in entries]
            while todo:
                bp = todo.pop()
                if gkey not in mounted.setdefault(bp, set()):
                    mounted[bp].add(gkey)
                    todo += [child for child, _, _ in children.get(bp, [])]
        self.blueprint_apps = {":".join(bp): sorted(keys) for bp, keys in mounted.items()}
        own, unplaced = self._attach_error_handlers(groups, mounted)
        if self._aborting:
            gated_locations = frozenset(self._gated_locations)
            for gkey, group in groups.items():
                _answer_aborts(
                    group.routes, self._aborting, gated_locations, own.get(gkey, {}), unplaced
                )
        for gkey in gated_apps:
            routes = groups[gkey].routes
            routes[:] = [_unserved(route) for route in routes]
        if any(f.x_sendfile for f in self.modules.values()):
            for group in groups.values():
                group.routes[:] = [_maybe_sent_by_server(route) for route in group.routes]
        rewritten = any(f.url_value_preprocessors for f in self.modules.values())
        for gkey, group in groups.items():
            _settle_missing_files(
                group.routes, roots.get(gkey), self.root, own.get(gkey, {}), unplaced, rewritten
            )
        self.groups = list(groups.values())

    def _test_scope(self, facts: ModuleFacts, scope: str) -> Optional[str]:
        """The test function or test class ``scope`` sits in: named so, or a class with a
        ``setUp``-style method or a ``...TestCase`` base."""
        named = test_scope_of(scope)
        if named is not None:
            return named
        cls = scope.split(".", 1)[0] if "." in scope else ""
        fact = facts.classes.get(cls)
        if fact is not None and (
            set(fact.methods) & TEST_SETUP_METHODS
            or any(b.name.rsplit(".", 1)[-1].endswith("TestCase") for b in fact.bases)
        ):
            return cls
        return None

    def _fallback_group(self, groups: dict[str, AppGroup]) -> AppGroup:
        key = ELSEWHERE
        if key not in groups:
            groups[key] = AppGroup(key=key, label="an app the index can't resolve")
        return groups[key]

    def is_foreign(self, module: str, ref: Ref, depth: int = 0) -> bool:
        """Is ``ref`` bound to another framework's app or router (Quart, FastAPI...)?"""
        facts = self.modules.get(module)
        if facts is None or depth > 4:
            return False
        head = ref.name.split(".", 1)[0]
        scopes = self._scopes(ref.scope)
        if any(f.name == head and f.scope in scopes for f in facts.foreign):
            return True
        target = qualify_ref(Ref(ref.scope, head), facts.aliases)
        split = self.split_qualified(target) if target and target != head else None
        return split is not None and self.is_foreign(split[0], Ref("", split[1]), depth + 1)

    def _gates(
        self, groups: dict[str, AppGroup], bp_routes: dict[ObjKey, list[tuple[LinkedRoute, str]]]
    ) -> tuple[set[str], set[ObjKey]]:
        """The apps and blueprints whose ``before_request`` function always answers: no
        view of theirs runs."""
        apps: set[str] = set()
        blueprints: set[ObjKey] = set()
        for facts in self.modules.values():
            for gate in facts.gates:
                key = self.resolve_object(facts.module, gate.target)
                if key is None:
                    continue
                if key in bp_routes:
                    blueprints.add(key)
                elif ":".join(key) in groups:
                    apps.add(":".join(key))
        return apps, blueprints

    def _mount(
        self,
        group: AppGroup,
        bp: ObjKey,
        reg_prefix: Optional[str],
        reg_name: Optional[str],
        outer_prefix: Optional[str],
        outer_name: str,
        bp_routes: dict[ObjKey, list[tuple[LinkedRoute, str]]],
        children: dict[ObjKey, list[tuple[ObjKey, Optional[str], Optional[str]]]],
        gated: set[ObjKey],
        depth: int,
    ) -> None:
        """Put ``bp``'s routes, and its nested blueprints', on ``group``. A blueprint in
        ``gated`` answers every request itself, for its nested blueprints too (Flask runs
        the hooks of every blueprint a request's endpoint is in)."""
        if depth > 8:
            return
        obj = self.object_fact(bp)
        own_prefix = reg_prefix if reg_prefix is not None else obj.url_prefix
        if obj.subdomain:
            own_prefix = UNKNOWN  # no path alone reaches a subdomain's routes
        prefix = _join_prefix(outer_prefix, own_prefix)
        bp_name = reg_name if reg_name not in (None, UNKNOWN) else obj.bp_name
        name = f"{outer_name}{bp_name if bp_name not in (None, UNKNOWN) else '?'}"
        for route, endpoint in bp_routes.get(bp, []):
            mounted = replace(route, rule=_join(prefix, route.rule), endpoint=f"{name}.{endpoint}")
            if bp in gated:
                self._gated_locations.add(route.location)
                mounted = _unserved(mounted)
            group.routes.append(mounted)
        inner_gated = (
            gated | {child for child, _, _ in children.get(bp, [])} if bp in gated else gated
        )
        for child, cprefix, cname in children.get(bp, []):
            self._mount(
                group,
                child,
                cprefix,
                cname,
                prefix,
                f"{name}.",
                bp_routes,
                children,
                inner_gated,
                depth + 1,
            )

    def _static_route(
        self, facts: ModuleFacts, obj: ObjectFact, prefix: Optional[str], endpoint: str
    ) -> Optional[LinkedRoute]:
        if obj.static_folder is None:
            return None
        url_path = obj.static_url_path
        if url_path is None:
            url_path = f"/{obj.static_basename}" if obj.static_basename else UNKNOWN
        rule = None if url_path == UNKNOWN else f"{url_path.rstrip('/')}/<path:filename>"
        static_dir = None
        if obj.static_folder != UNKNOWN:
            static_dir = os.path.normpath(
                os.path.join(self.module_folder(facts), obj.static_folder)
            )
        kind = "app" if obj.kind == "app" else "blueprint"
        where = f"{self.shown(facts)}:{obj.line}"
        return LinkedRoute(
            rule=rule,
            methods=None,
            endpoint=endpoint,
            mimetypes=folder_mimetypes(static_dir) if static_dir else None,
            evidence=f"the built-in static route of {kind} {obj.var} ({where})",
            location=f"{self.shown(facts)}:{obj.line}",
            static_dir=static_dir,
        )

    def module_folder(self, facts: ModuleFacts) -> str:
        """The folder of a module on disk: an app's root path when it is made there with
        ``Flask(__name__)``, and where its folders are found."""
        return os.path.dirname(os.path.join(self.root, facts.path))

    def _linked_route(
        self, facts: ModuleFacts, view: Ref, is_class: bool, route: object
    ) -> Optional[LinkedRoute]:
        from flake8_flask_close.routes.facts import RouteFact

        assert isinstance(route, RouteFact)
        resolved = self.resolve_function(facts.module, view)
        evidence: Optional[str] = None
        method_evidence = None
        redirects: tuple[str, ...] = ()
        also_answers = False
        sometimes = False
        types: Optional[frozenset[str]] = None
        sent: Optional[SentFile] = None
        methods = route.methods
        location = f"{self.shown(facts)}:{route.line}"
        if resolved is not None:
            vfacts, fn = resolved
            if isinstance(fn, ClassFact):
                method_evidence = self.class_view_evidence(vfacts, fn)
                if methods is None:
                    own = [m for m, _ in method_evidence if m != "*"]
                    methods = own or None
            else:
                evidence = self.function_evidence(vfacts, fn)
                sometimes = self.is_mixed(vfacts, fn)
                types = self.function_mimetypes(vfacts, fn)
                redirects = fn.redirects
                also_answers = bool(redirects) and bool(fn.plain_returns or fn.direct or fn.helpers)
                if len(fn.direct) == 1 and not fn.helpers:
                    sent = fn.direct[0].sent
                if fn.aborts is not None and evidence is None:
                    self._aborting[location] = fn.aborts
        endpoint = route.endpoint
        if endpoint is None or endpoint == UNKNOWN:
            endpoint = view.name.rsplit(".", 1)[-1]
        return LinkedRoute(
            rule=route.rule,
            methods=self._method_set(methods) if methods else None,
            endpoint=endpoint,
            evidence=evidence,
            method_evidence=method_evidence,
            location=location,
            redirects=redirects,
            also_answers=also_answers,
            sometimes=sometimes,
            mimetypes=types,
            sent=sent,
        )

    def _method_set(self, methods: Iterable[str]) -> frozenset[str]:
        """One set object per distinct set of methods: a big project's routes repeat a
        handful of them ({"GET"}...) thousands of times, at 216 bytes a set."""
        found = frozenset(methods)
        return self._method_sets.setdefault(found, found)

    def _attach_error_handlers(
        self, groups: dict[str, AppGroup], mounted: dict[ObjKey, set[str]]
    ) -> tuple[dict[str, Handlers], Unplaced]:
        """Give every group the files the project's error handlers return as their answer
        (what a test asserting that error status may get: ``AppGroup.error_evidence``).
        Return each app's own handlers (registered on it, or app-wide by a blueprint
        registered on it) and the codes of those the index can't place."""
        own: dict[str, Handlers] = {}
        unplaced: Unplaced = set()
        for facts in self.modules.values():
            for handler in facts.error_handlers:
                evidence, answer = self._handler_answer(facts, handler)
                if evidence is not None and handler.code is not None and not handler.by_class:
                    for group in groups.values():
                        group.error_evidence.setdefault(handler.code, evidence)
                if handler.code is None:
                    if answer is not None:
                        unplaced.add(None)
                    continue
                key = self.resolve_object(facts.module, handler.target)
                if key is None:
                    places: set[str] = set()
                elif handler.app_wide:
                    places = mounted.get(key, set())
                else:
                    places = {":".join(key)} & groups.keys()
                if not places:
                    unplaced.add(handler.code)
                for gkey in places:
                    handlers = own.setdefault(gkey, {})
                    before = handlers.get(handler.code, answer)
                    # two of them: which one Flask keeps depends on the order they run in
                    handlers[handler.code] = answer if before == answer else UNKNOWN
        return own, unplaced

    def _handler_answer(
        self, facts: ModuleFacts, handler: ErrorHandlerFact
    ) -> tuple[Optional[str], Optional[str]]:
        """(the file the handler's view returns as an ordinary answer, as
        ``function_evidence`` says; what it answers an error with: the file it serves,
        None for none, ``UNKNOWN`` when it may return either or can't be read)."""
        resolved = self.resolve_function(facts.module, handler.view)
        if resolved is None:
            return None, UNKNOWN
        hfacts, fn = resolved
        if not isinstance(fn, FunctionFact):
            return None, UNKNOWN
        evidence = self.function_evidence(hfacts, fn)
        page = evidence
        if page is None and fn.error_files:
            first = fn.error_files[0]
            page = f"{first.what} in {self.shown(hfacts)}:{first.line}"
        if page is None:
            return None, None
        if self.is_mixed(hfacts, fn) or fn.plain_returns or fn.plain_errors or fn.redirects:
            return evidence, UNKNOWN
        return evidence, page

    # ---------------------------------------------------------------- queries
    def candidate_groups(
        self,
        module: Optional[str],
        scope: str,
        app: Optional[tuple[str, ...]] = None,
        near: tuple[str, ...] = (),
    ) -> list[AppGroup]:
        """Groups a request made in ``module``/``scope`` may go to: the client's own app(s)
        when known, else the test function's own apps, else the apps made in the ``near``
        modules (the test module and its conftest files), else every project app."""
        if app:
            mine = [g for g in self.groups if g.key in app]
            if len(mine) > 1:
                return [self._merged(mine)]
            if mine:
                return mine
        if module is not None:
            scopes = self._with_base_classes(module, scope)
            local = [
                g
                for g in self.groups
                if g.local_scope is not None
                and g.local_scope[0] == module
                and any(
                    s == g.local_scope[1] or s.startswith(g.local_scope[1] + ".") for s in scopes
                )
            ]
            if local:
                return local
        shared = [g for g in self.groups if g.local_scope is None]
        close = [g for g in shared if g.key.split(":", 1)[0] in near]
        return close or shared

    def _with_base_classes(self, module: str, scope: str) -> list[str]:
        """``scope``, and the same method seen from each base class defined in the module
        (a test class inherits the app its base class builds in ``setUp``)."""
        facts = self.modules.get(module)
        cls, _, rest = scope.partition(".")
        scopes = [scope]
        if facts is None or cls not in facts.classes:
            return scopes
        todo, seen = [cls], {cls}
        while todo:
            current = facts.classes.get(todo.pop())
            for base in current.bases if current is not None else []:
                name = base.name
                if name in facts.classes and name not in seen:
                    seen.add(name)
                    todo.append(name)
                    scopes.append(f"{name}.{rest}" if rest else name)
        return scopes

    def _merged(self, groups: list[AppGroup]) -> AppGroup:
        """One app that also got the routes of other groups (an app handed to an extension
        that registers routes): one router, so the most specific rule wins, as in Flask."""
        key = "+".join(g.key for g in groups)
        if key not in self._merged_groups:
            routes = [r for g in groups for r in g.routes]
            self._merged_groups[key] = AppGroup(key=key, label=groups[0].label, routes=routes)
        return self._merged_groups[key]

    def app_key(self, module: str, ref: Ref) -> Optional[str]:
        """The group of the app ``ref`` names, when it resolves to one."""
        key = self.resolve_object(module, ref)
        return ":".join(key) if key is not None else None

    def match(
        self,
        path: str,
        method: str,
        module: Optional[str] = None,
        scope: str = "",
        app: Optional[tuple[str, ...]] = None,
        near: tuple[str, ...] = (),
    ) -> list[Match]:
        out: list[Match] = []
        for group in self.candidate_groups(module, scope, app, near):
            found = group.route_map.match(path, method)
            if found is not None:
                out.append(found)
        return out

    def may_serve_file(
        self,
        path: str,
        method: str,
        module: Optional[str] = None,
        scope: str = "",
        app: Optional[tuple[str, ...]] = None,
        near: tuple[str, ...] = (),
    ) -> bool:
        """Whether ``match`` may find a route serving a file for ``method path``, without
        matching it."""
        return any(
            group.route_map.may_serve_file(path, method)
            for group in self.candidate_groups(module, scope, app, near)
        )

    def by_endpoint(
        self,
        endpoint: str,
        module: Optional[str] = None,
        scope: str = "",
        app: Optional[tuple[str, ...]] = None,
        near: tuple[str, ...] = (),
    ) -> list[LinkedRoute]:
        return [
            r
            for g in self.candidate_groups(module, scope, app, near)
            for r in g.with_endpoint(endpoint)
        ]

    def hook_facts(self) -> list[tuple[ModuleFacts, HookFact]]:
        """Every request hook registration in the project (asked by every production
        file: listed once)."""
        if self._hooks is None:
            owners = (
                self.modules.values()
                if self._hook_owners is None
                else [self.modules[m] for m in self._hook_owners]
            )
            self._hooks = [(f, h) for f in owners for h in f.hooks]
        return self._hooks

    def hook_owners(self) -> list[str]:
        """The modules that register request hooks, in the index's order."""
        if self._hook_owners is None:
            self._hook_owners = [m for m, f in self.modules.items() if f.hooks]
        return self._hook_owners

    def hook_modules(self) -> frozenset[str]:
        """Modules that may define a request hook function: those registering hooks, and
        every module a registration's function name may live in (``app.after_request(
        hooks.release)`` makes ``pkg.hooks`` one, and ``pkg`` too)."""
        if self._hook_modules is None:
            found: set[str] = set()
            for facts, hook in self.hook_facts():
                found.add(facts.module)
                parts = (qualify_ref(hook.func, facts.aliases) or "").split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts)))
            self._hook_modules = frozenset(found)
        return self._hook_modules

    def sent_attributes(self) -> frozenset[str]:
        """Attribute chains (``flask.g.report_file``) views hand to send calls, project-wide."""
        if self._sent is None:
            self._sent = frozenset(a for f in self.modules.values() for a in f.sent_attributes)
        return self._sent

    def error_handler_evidence(self, code: Optional[int] = None) -> Optional[str]:
        """Evidence that an error handler for ``code`` (None: for any error) answers with a
        file."""
        for group in self.groups:
            if code is None and group.error_evidence:
                return next(iter(group.error_evidence.values()))
            if code in group.error_evidence:
                return group.error_evidence[code]
        return None

    def file_view(self, module: str, ref: Ref) -> Optional[str]:
        """Evidence when ``ref`` (as seen from ``module``) is a project function that
        returns a file response."""
        resolved = self.resolve_function(module, ref)
        if resolved is None or not isinstance(resolved[1], FunctionFact):
            return None
        return self.function_evidence(resolved[0], resolved[1])

    def all_routes(self) -> list[tuple[AppGroup, LinkedRoute]]:
        return [(g, r) for g in self.groups for r in g.routes]

    def evidence_memo(self) -> tuple[EvidenceMemo, dict[tuple[str, str], bool]]:
        """What linking worked out about functions (kept with the links: computed in
        another order, a helper that calls itself back could come out otherwise)."""
        return self._memo.everything()


# -------------------------------------------------------------------- building
def reset_memo() -> None:
    """Forget scanned projects: called when flake8 parses options, i.e. once per run."""
    forget_scans()


def get_index(
    root: str,
    send_functions: tuple[str, ...] = (),
    override: Optional[tuple[str, str, ast.Module]] = None,
    settings: CacheSettings = DEFAULT_CACHE,
) -> RouteIndex:
    """The index of ``root``, scanned once per run; ``override`` = (path, source, tree) of
    the file being checked, whose facts replace its on-disk copy (unsaved editor buffers)."""
    project = project_scan(root, send_functions, settings)
    if override is not None:
        path, source, tree = override
        rel = relpath(path, root)
        entry = project.entries.get(rel)
        # the module's facts are compared by digest: reading them would read the facts file
        current = entry.facts_digest if entry is not None else None
        unchanged = (
            entry is not None
            and current is not None
            and entry.text_digest == cache.text_digest(source)
        )
        if (
            not rel.startswith("../")
            and not unchanged
            and (current is not None or may_have_facts(source, send_functions))
        ):
            try:
                with remembered_walks():
                    facts: Optional[ModuleFacts] = extract(tree, rel, send_functions, source)
            except RecursionError:
                facts = None
            if facts is not None and current != cache.facts_digest_of(facts):
                modules = {**project.modules(), rel: facts}
                return RouteIndex(root, modules.values(), send_functions)
    if project.linked is None:
        project.linked = _linked(project, send_functions, settings)
    return project.linked


def _linked(
    project: ProjectScan, send_functions: tuple[str, ...], settings: CacheSettings
) -> RouteIndex:
    """The project's index: with the links a run over the same facts stored, when there
    are any, else linked here (and stored)."""
    from flake8_flask_close.routes import linked

    path = linked.path_for(project, send_functions, settings)
    if path is not None:
        index = linked.load(path, project, send_functions)
        if index is not None:
            cache.trace("linked-load", project.root)
            return index
    index = RouteIndex(project.root, project.modules().values(), send_functions)
    if path is not None:
        linked.save(path, index)
        cache.trace("linked-store", project.root)
    return index
