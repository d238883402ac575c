"""Which app a client fixture makes its client from, so that a test's requests are matched
against that app's routes only (a project with several apps serves a path in one of them
and answers 404 in the others).

Followed: a ``client`` fixture of the test module or of its conftest files (the nearest
first, as pytest picks them) whose client is ``X.test_client()``; ``X`` a module-level app,
an imported one, an app factory's call (``create_app(...)``), a local name bound to one of
these, or another fixture (``def client(app)``) that returns or yields one. pytest-flask's
own ``client`` fixture makes its client from the ``app`` fixture. Anything else: unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.names import FunctionNode, dotted, params_of
from flake8_flask_close.routes.extract import module_name_for
from flake8_flask_close.routes.facts import Ref
from flake8_flask_close.routes.index import RouteIndex
from flake8_flask_close.routes.scan import relpath
from flake8_flask_close.testcode.clients import conftest_aliases, conftest_tree, fixtures_in
from flake8_flask_close.walks import walk_own_scope

MAX_DEPTH = 5
PYTEST_FLASK_CLIENT = "client"
Place = tuple[ast.Module, str, Mapping[str, str]]
"""A module fixtures are looked for in: its tree, its dotted name, its import aliases."""


@dataclass(frozen=True)
class _Fixture:
    """A fixture function, with the module it is defined in and that module's aliases."""

    func: FunctionNode
    module: str
    aliases: Mapping[str, str]


_BY_CHAIN: dict[tuple[str, ...], FixtureApps] = {}
"""The apps of a chain of conftest files, worked out once per run for every test module
under them that defines no fixture of its own."""


def forget() -> None:
    """A new run: conftest files may have changed."""
    _BY_CHAIN.clear()


def fixture_apps_for(index: RouteIndex, own: Optional[Place], conftests: list[str]) -> FixtureApps:
    """The apps of the fixtures a test module can request: ``own`` is the test module
    when it defines fixtures (they win over its conftest files'), ``conftests`` its
    conftest files, outermost first. A conftest's client fixture that requests another
    fixture is resolved with the conftest files' (not a test module's override of it)."""
    chain = tuple(reversed(conftests))
    if own is None and chain in _BY_CHAIN:
        return _BY_CHAIN[chain]
    places: list[Place] = [own] if own is not None else []
    for path in chain:
        conftest = conftest_tree(path)
        if conftest is not None:
            name, is_package = module_name_for(relpath(path, index.root))
            places.append((conftest, name, conftest_aliases(path, name, is_package)))
    found = FixtureApps(index, places)
    if own is None:
        _BY_CHAIN[chain] = found
    return found


class FixtureApps:
    """The apps of the fixtures found in some modules (the first that defines a name
    wins, as pytest picks the nearest)."""

    def __init__(self, index: RouteIndex, places: list[Place]) -> None:
        self.index = index
        self.places = places
        self._found: dict[str, Optional[_Fixture]] = {}
        self._apps: dict[str, Optional[str]] = {}

    def client_app(self, fixture_name: str) -> Optional[str]:
        """The app group of the client the fixture ``fixture_name`` gives, when known."""
        if fixture_name not in self._apps:
            self._apps[fixture_name] = self._client_app(fixture_name)
        return self._apps[fixture_name]

    def _client_app(self, fixture_name: str) -> Optional[str]:
        fixture = self._fixture(fixture_name)
        if fixture is None:
            if fixture_name == PYTEST_FLASK_CLIENT:
                return self._fixture_app("app", 0)
            return None
        apps = {
            ast.dump(node.func.value): node.func.value
            for node in walk_own_scope(fixture.func)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "test_client"
        }
        if len(apps) != 1:
            return None
        return self._app(next(iter(apps.values())), fixture, 0)

    def app_in(
        self, node: ast.expr, func: FunctionNode, module: str, aliases: Mapping[str, str]
    ) -> Optional[str]:
        """The app group ``node`` stands for in ``func``, a test or one of its helpers:
        an app factory's call (``create_api().test_client()``), a name bound to one, a
        fixture the test requests, a module-level or imported app."""
        return self._app(node, _Fixture(func, module, aliases), 0)

    def module_object(
        self, node: ast.expr, module: str, aliases: Mapping[str, str]
    ) -> Optional[str]:
        """The app group a module-level or imported name stands for in ``module``."""
        name = dotted(node)
        if name is None:
            return None
        return self._module_object(name, module, aliases)

    def _fixture(self, name: str) -> Optional[_Fixture]:
        """The fixture pytest gives a test of this module for ``name``: its own module's
        first, then the nearest conftest's."""
        if name not in self._found:
            self._found[name] = None
            for tree, module, aliases in self.places:
                # the last definition of a module is the one
                for fixture_name, func in fixtures_in(tree.body, aliases):
                    if fixture_name == name:
                        self._found[name] = _Fixture(func, module, aliases)
                if self._found[name] is not None:
                    break
        return self._found[name]

    def _fixture_app(self, name: str, depth: int) -> Optional[str]:
        """The app the fixture ``name`` returns or yields."""
        fixture = self._fixture(name)
        if fixture is None or depth > MAX_DEPTH:
            return None
        given = {
            ast.dump(node.value): node.value
            for node in walk_own_scope(fixture.func)
            if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None
        }
        if len(given) != 1:
            return None
        return self._app(next(iter(given.values())), fixture, depth + 1)

    def _app(self, node: ast.expr, fixture: _Fixture, depth: int) -> Optional[str]:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Call):
            return self._factory_app(node.func, fixture)
        name = dotted(node)
        if name is None:
            return None
        if isinstance(node, ast.Name):
            nodes = walk_own_scope(fixture.func)
            stores = [
                n
                for n in nodes
                if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
            ]
            if stores:
                # bound here (over a parameter of that name too): only ``name = value``
                # once is followed; a loop, a ``with``, an unpacking... may bind anything
                bound = [
                    stmt.value
                    for stmt in nodes
                    if isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == name
                ]
                if len(bound) != 1 or len(stores) != 1:
                    return None
                return self._app(bound[0], fixture, depth + 1)
            if name in params_of(fixture.func):
                return self._fixture_app(name, depth + 1)
        return self._module_object(name, fixture.module, fixture.aliases)

    def _module_object(self, name: str, module: str, aliases: Mapping[str, str]) -> Optional[str]:
        """The app a module-level or imported name stands for."""
        if module in self.index.modules:
            key = self.index.app_key(module, Ref("", name))
            if key is not None:
                return key
        split = self.index.imported(aliases, name)
        return self.index.app_key(split[0], Ref("", split[1])) if split else None

    def _factory_app(self, func: ast.expr, fixture: _Fixture) -> Optional[str]:
        """The one app a factory (``create_app(...)``) makes, as the index knows it."""
        name = dotted(func)
        if name is None:
            return None
        if name.partition(".")[0] in fixture.aliases:
            split = self.index.imported(fixture.aliases, name)
        else:
            split = (fixture.module, name)  # a factory of the fixture's own module
        if split is None:
            return None
        prefix = f"{split[0]}:{split[1]}:"
        made = [g.key for g in self.index.groups if g.key.startswith(prefix)]
        return made[0] if len(made) == 1 else None
