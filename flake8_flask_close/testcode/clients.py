"""What holds a Flask test client: fixtures, locals, ``self.client``, ``app.test_client()``."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from flake8_flask_close.names import FunctionNode, dotted, import_aliases, params_of, qualify
from flake8_flask_close.routes.extract import module_name_for
from flake8_flask_close.routes.project import parse
from flake8_flask_close.routes.scan import relpath
from flake8_flask_close.testcode.files import (
    conftest_paths,
    conftest_source,
    forget_conftest_sources,
)
from flake8_flask_close.vocabulary import (
    MOCKER_FIXTURES,
    OTHER_CLIENT_PACKAGES,
    TEST_CLIENT_CLASSES,
)
from flake8_flask_close.walks import own_scope_nodes, statements, walk, walk_own_scope

DEFAULT_CLIENT_NAMES = frozenset({"client"})
"""pytest-flask's fixture, and by far the most common name for a test client."""
BINDINGS = (ast.Assign, ast.With, ast.AsyncWith, ast.NamedExpr)
"""The nodes ``client_bindings`` finds bindings in (the branches it has)."""


def looks_like_client(name: str) -> bool:
    """``client``, ``auth_client``, ``admin_client``: fixtures and attributes named so hold
    test clients in Flask suites whose fixtures live where we can't see them
    (``pytest_plugins``, installed plugins)."""
    return name in DEFAULT_CLIENT_NAMES or name.endswith("_client")


def is_fixture(func: FunctionNode, aliases: Mapping[str, str]) -> bool:
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        q = qualify(target, dict(aliases))
        if q and (q.endswith("fixture") or q.endswith("yield_fixture")):
            return True
    return False


def fixtures_in(
    body: Iterable[ast.stmt], aliases: Mapping[str, str]
) -> Iterator[tuple[str, FunctionNode]]:
    """The fixtures these statements define: (the name tests request it by, function)."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_fixture(stmt, aliases):
            yield fixture_name_and_scope(stmt)[0], stmt


def fixture_name_and_scope(func: FunctionNode) -> tuple[str, str]:
    name, scope = func.name, "function"
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call):
            for kw in deco.keywords:
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    if kw.arg == "name":
                        name = kw.value.value
                    elif kw.arg == "scope":
                        scope = kw.value.value
    return name, scope


AppInPlace = tuple[ast.expr, Optional[FunctionNode], str, Mapping[str, str]]


@dataclass
class ClientKnowledge:
    """Client names known in one module: fixture names, class attributes."""

    aliases: Mapping[str, str]
    fixture_names: set[str] = field(default_factory=set)
    module_clients: set[str] = field(default_factory=set)
    class_attrs: dict[str, set[str]] = field(default_factory=dict)
    """Class qualname -> ``self.X`` attributes that hold a client."""
    other_attrs: dict[str, set[str]] = field(default_factory=dict)
    """Class qualname -> ``self.X`` attributes named like clients that the class (and
    its bases here) only ever sets to something else (``makes_something_else``)."""
    other_fixtures: set[str] = field(default_factory=set)
    """Fixtures named like clients that return something else."""
    client_classes: set[str] = field(default_factory=set)
    """Local subclasses of ``FlaskClient`` / Werkzeug's ``Client``."""
    extra_names: frozenset[str] = frozenset()
    buffering_classes: set[str] = field(default_factory=set)
    """Client classes (here or in a conftest file) whose ``open()`` asks for
    ``buffered=True``."""
    buffering_apps: list[AppInPlace] = field(default_factory=list)
    """The apps whose ``test_client_class`` is set to one of those, here or in a conftest
    file (``app.test_client_class = BufferedClient``): the expression, the function it
    is in (None: the module's top level), the module and its import aliases."""

    def is_client_call(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "test_client":
            return True
        q = qualify(func, self.aliases)
        return q in TEST_CLIENT_CLASSES or q in self.client_classes

    def is_client(
        self, node: ast.expr, local_clients: set[str], class_name: Optional[str] = None
    ) -> bool:
        if isinstance(node, ast.Await):
            return False
        if self.is_client_call(node):
            return True
        if isinstance(node, ast.Name):
            return (
                node.id in local_clients
                or node.id in self.module_clients
                or node.id in self.extra_names
            )
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            if node.attr in self.extra_names:
                return True
            if class_name is not None:
                if node.attr in self.class_attrs.get(class_name, ()):
                    return True
                if node.attr in self.other_attrs.get(class_name, ()):
                    return False
            return looks_like_client(node.attr)
        return False

    def makes_something_else(self, value: ast.expr, local_clients: set[str]) -> bool:
        """``value`` is a call of a module that makes no Flask test client (a mock, a
        client of another service: ``OTHER_CLIENT_PACKAGES``), given no client
        (``Mock(wraps=app.test_client())`` makes its requests through the one it wraps).
        pytest-mock's ``mocker.Mock()`` is a mock too."""
        if not isinstance(value, ast.Call):
            return False
        name = dotted(value.func)
        if name is None:
            return False
        head = name.partition(".")[0]
        if head in self.aliases:
            module = (qualify(value.func, self.aliases) or "").rpartition(".")[0]
        elif head in MOCKER_FIXTURES:
            module = "unittest.mock"
        else:
            return False  # a name of the module's own
        if not any(
            module == package or module.startswith(package + ".")
            for package in OTHER_CLIENT_PACKAGES
        ):
            return False
        return not any(
            isinstance(inner, ast.expr) and self.is_client(inner, local_clients)
            for inner in walk(value)
        )

    def local_clients(self, func: FunctionNode, class_name: Optional[str] = None) -> set[str]:
        """Names bound to a client inside ``func`` (parameters that are client fixtures,
        assignments, ``with ... as c``), to a fixpoint."""
        names = {
            p
            for p in params_of(func)
            if p in self.fixture_names
            or p in self.extra_names
            or (looks_like_client(p) and p not in self.other_fixtures)
        }
        bindings = bindings_in(func)
        changed = True
        while changed:
            changed = False
            for target, value in bindings:
                if target not in names and self.is_client(value, names, class_name):
                    names.add(target)
                    changed = True
        return names


def bindings_in(func: FunctionNode) -> list[tuple[str, ast.expr]]:
    """``client_bindings`` of every node of ``func``'s own scope, in its walk's order."""
    return [b for node in own_scope_nodes(func, BINDINGS) for b in client_bindings(node)]


def client_bindings(node: ast.AST) -> Iterable[tuple[str, ast.expr]]:
    """(name, value) for ``name = value``, ``with value as name`` and ``name := value``."""
    if isinstance(node, ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name):
                yield t.id, node.value
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                yield item.optional_vars.id, item.context_expr
    elif isinstance(node, ast.NamedExpr):
        yield node.target.id, node.value


def _returned(func: FunctionNode) -> list[ast.expr]:
    values: list[ast.expr] = []
    for node in walk_own_scope(func):
        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            values.append(node.value)
    return values


def learn_module(tree: ast.Module, knowledge: ClientKnowledge, module: str = "") -> None:
    """Add this module's client fixtures, module-level clients and ``self.X`` clients."""
    for node in tree.body:
        for target, value in client_bindings(node):
            if knowledge.is_client(value, set()):
                knowledge.module_clients.add(target)
    functions = [
        n for n in statements(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    fixtures = [f for f in functions if is_fixture(f, knowledge.aliases)]
    changed = True
    while changed:
        changed = False
        for func in fixtures:
            name, _ = fixture_name_and_scope(func)
            if name in knowledge.fixture_names:
                continue
            local = knowledge.local_clients(func)
            if any(knowledge.is_client(v, local) for v in _returned(func)):
                knowledge.fixture_names.add(name)
                knowledge.other_fixtures.discard(name)
                changed = True
    for func in fixtures:
        returned = _returned(func)
        if not returned or not all(isinstance(v, ast.Call) for v in returned):
            continue
        local = knowledge.local_clients(func)
        if all(knowledge.makes_something_else(v, local) for v in returned):
            name, _ = fixture_name_and_scope(func)
            knowledge.fixture_names.discard(name)
            knowledge.other_fixtures.add(name)
    classes = [n for n in statements(tree) if isinstance(n, ast.ClassDef)]
    for cls in classes:
        if any(qualify(b, knowledge.aliases) in TEST_CLIENT_CLASSES for b in cls.bases):
            knowledge.client_classes.add(cls.name)
            if _asks_for_buffered(cls):
                knowledge.buffering_classes.add(cls.name)
    if knowledge.buffering_classes:
        places: list[tuple[Sequence[ast.AST], Optional[FunctionNode]]] = [(tree.body, None)]
        places += [(walk_own_scope(f), f) for f in functions]
        for nodes, place in places:
            for item in nodes:
                if (
                    isinstance(item, ast.Assign)
                    and isinstance(item.value, ast.Name)
                    and item.value.id in knowledge.buffering_classes
                ):
                    knowledge.buffering_apps += [
                        (t.value, place, module, knowledge.aliases)
                        for t in item.targets
                        if isinstance(t, ast.Attribute) and t.attr == "test_client_class"
                    ]
    unknown_attrs: dict[str, set[str]] = {}
    for cls in classes:
        attrs: set[str] = set()
        others: set[str] = set()
        unknown = unknown_attrs[cls.name] = set()
        for item in cls.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            local = knowledge.local_clients(item)
            for inner in walk_own_scope(item):
                if isinstance(inner, ast.Assign):
                    for t in inner.targets:
                        attr_path = dotted(t)
                        if (
                            attr_path
                            and attr_path.count(".") == 1
                            and attr_path.split(".")[0] in ("self", "cls")
                        ):
                            attr = attr_path.split(".")[1]
                            if knowledge.is_client(inner.value, local):
                                attrs.add(attr)
                            elif knowledge.makes_something_else(inner.value, local):
                                others.add(attr)
                            else:
                                unknown.add(attr)
        knowledge.class_attrs[cls.name] = attrs
        knowledge.other_attrs[cls.name] = others - unknown
    for cls in classes:
        for base in cls.bases:
            base_name = dotted(base)
            if base_name in knowledge.class_attrs:
                knowledge.class_attrs[cls.name] |= knowledge.class_attrs[base_name]
                knowledge.other_attrs[cls.name] |= knowledge.other_attrs[base_name]
        knowledge.other_attrs[cls.name] -= knowledge.class_attrs[cls.name] | unknown_attrs[cls.name]


def _asks_for_buffered(cls: ast.ClassDef) -> bool:
    """The client class's ``open()`` sets ``buffered=True`` for every request: first
    thing in its body, ``kwargs["buffered"] = True`` or ``kwargs.setdefault("buffered",
    True)``; or every ``open(...)`` call it makes (``super().open(...)``) passes
    ``buffered=True``."""

    def true(node: Optional[ast.expr]) -> bool:
        return isinstance(node, ast.Constant) and node.value is True

    def buffered(node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) and node.value == "buffered"

    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or method.name != "open":
            continue
        for stmt in method.body:
            if isinstance(stmt, ast.Assign) and true(stmt.value):
                if any(isinstance(t, ast.Subscript) and buffered(t.slice) for t in stmt.targets):
                    return True
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                if (
                    isinstance(call.func, ast.Attribute)
                    and call.func.attr == "setdefault"
                    and len(call.args) == 2
                    and buffered(call.args[0])
                    and true(call.args[1])
                ):
                    return True
            if any(isinstance(n, (ast.Return, ast.Raise)) for n in walk_own_scope(stmt)):
                break  # what follows may not run
        opens = [
            n
            for n in walk_own_scope(method)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "open"
        ]
        return bool(opens) and all(
            any(kw.arg == "buffered" and true(kw.value) for kw in n.keywords) for n in opens
        )
    return False


_CONFTEST_MEMO: dict[str, Optional[ast.Module]] = {}


def reset_memo() -> None:
    """Forget the conftest files this process read: a new run, or the fixer after it
    rewrote one, reads them again."""
    _CONFTEST_MEMO.clear()
    _FIXTURES_MEMO.clear()
    _ALIASES_MEMO.clear()
    forget_conftest_sources()


def conftest_tree(path: str) -> Optional[ast.Module]:
    """The conftest file as this run read it (``conftest_source``), parsed once."""
    if path not in _CONFTEST_MEMO:
        source = conftest_source(path)
        _CONFTEST_MEMO[path] = None if source is None else parse(source, path)
    return _CONFTEST_MEMO[path]


_ALIASES_MEMO: dict[tuple[str, str], dict[str, str]] = {}


def conftest_aliases(path: str, module: str, is_package: bool) -> dict[str, str]:
    """The import aliases of the conftest file, found once per run."""
    key = (path, module)
    if key not in _ALIASES_MEMO:
        tree = conftest_tree(path)
        _ALIASES_MEMO[key] = {} if tree is None else import_aliases(tree, module, is_package)
    return _ALIASES_MEMO[key]


_FIXTURES_MEMO: dict[tuple[tuple[str, ...], frozenset[str], str], ClientKnowledge] = {}


def _conftest_knowledge(
    chain: tuple[str, ...], extra: frozenset[str], root: str
) -> ClientKnowledge:
    """What the conftest files ``chain`` (outermost first) say about clients: the client
    fixtures they define, the buffering client classes; each chain is learned once per
    run, not once per test module under it."""
    key = (chain, extra, root)
    if key not in _FIXTURES_MEMO:
        known = ClientKnowledge({}, set(DEFAULT_CLIENT_NAMES) | set(extra), extra_names=extra)
        for path in chain:
            conftest = conftest_tree(path)
            if conftest is None:
                continue
            k = ClientKnowledge(
                import_aliases(conftest),
                known.fixture_names,
                other_fixtures=known.other_fixtures,
                extra_names=extra,
                buffering_classes=known.buffering_classes,
                buffering_apps=known.buffering_apps,
            )
            learn_module(conftest, k, module_name_for(relpath(path, root))[0])
            known = k
        _FIXTURES_MEMO[key] = known
    return _FIXTURES_MEMO[key]


def knowledge_for(
    filename: str,
    tree: ast.Module,
    root: str,
    extra_names: Iterable[str],
    module: str = "",
    is_package: bool = False,
) -> ClientKnowledge:
    """Client knowledge for the file being checked: conftests up the tree, then the file."""
    extra = frozenset(extra_names)
    this = os.path.abspath(filename)
    # the buffer being checked wins over its on-disk copy
    chain = tuple(p for p in conftest_paths(filename, root) if os.path.abspath(p) != this)
    conftests = _conftest_knowledge(chain, extra, root)
    knowledge = ClientKnowledge(
        import_aliases(tree, module, is_package),
        set(conftests.fixture_names),
        other_fixtures=set(conftests.other_fixtures),
        extra_names=extra,
        buffering_classes=set(conftests.buffering_classes),
        buffering_apps=list(conftests.buffering_apps),
    )
    learn_module(tree, knowledge, module)
    return knowledge
