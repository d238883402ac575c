"""Where a function goes after a statement: can it reach a ``return`` that hands over
a name, before the name is bound again?

Closing a response (or its file) breaks the request only when the closed object is
then returned: ``resp.close(); return "denied", 403`` drops it, and the server answers
that 403 (and the file route's 200 on the other path). The walk follows the statements'
structure (``if``/``else``, loops, ``try``, ``with``, ``match``) and over-approximates:
every branch may run, a loop may run again or not at all, any statement of a ``try``
body may raise into its handlers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Optional

from flake8_flask_close.names import FunctionNode, mentions
from flake8_flask_close.walks import own_scope_nodes

NEXT = "next"
"""The statements fall through to what follows them."""
BREAK = "break"
CONTINUE = "continue"
FOUND = "found"
"""A ``return`` that hands the name over was reached."""
Exits = frozenset[str]
LOOPS = (ast.For, ast.AsyncFor, ast.While)
SEQUENCE_FIELDS = ("body", "orelse", "finalbody")


def returns_using(name: str) -> Callable[[ast.Return], bool]:
    """A ``return`` whose value uses ``name`` (``return response``,
    ``return wrap(response)``)."""
    return lambda node: node.value is not None and mentions(node.value, name)


def returns_name(name: str) -> Callable[[ast.Return], bool]:
    """``return name`` or ``return name, status...``: the view hands ``name`` to Flask."""

    def hands_over(node: ast.Return) -> bool:
        value = node.value
        if isinstance(value, ast.Tuple) and value.elts:
            value = value.elts[0]
        return isinstance(value, ast.Name) and value.id == name

    return hands_over


def returns_value(node: ast.Return) -> bool:
    return node.value is not None


class _Paths:
    """Exits of statement sequences, for one name and one kind of ``return``."""

    def __init__(self, name: Optional[str], hands_over: Callable[[ast.Return], bool]) -> None:
        self.name = name
        self.hands_over = hands_over

    def sequence(self, stmts: Sequence[ast.stmt]) -> Exits:
        exits: set[str] = set()
        for stmt in stmts:
            found = self.statement(stmt)
            if FOUND in found:
                return frozenset({FOUND})
            exits |= found - {NEXT}
            if NEXT not in found:
                return frozenset(exits)
        return frozenset(exits | {NEXT})

    def statement(self, stmt: ast.stmt) -> Exits:
        if isinstance(stmt, ast.Return):
            return frozenset({FOUND}) if self.hands_over(stmt) else frozenset()
        if isinstance(stmt, ast.Raise):
            return frozenset()
        if isinstance(stmt, ast.Break):
            return frozenset({BREAK})
        if isinstance(stmt, ast.Continue):
            return frozenset({CONTINUE})
        if self._binds(stmt):
            return frozenset()  # the name holds something else from here on
        if isinstance(stmt, ast.If):
            return self.sequence(stmt.body) | self.sequence(stmt.orelse)
        if isinstance(stmt, LOOPS):
            return self._loop(stmt)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self.sequence(stmt.body)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            return self._try(stmt)
        if type(stmt).__name__ == "Match":
            cases = [self.sequence(case.body) for case in getattr(stmt, "cases", [])]
            return frozenset({NEXT}).union(*cases)  # no case may match
        return frozenset({NEXT})

    def _loop(self, loop: ast.stmt) -> Exits:
        body = self.sequence(getattr(loop, "body", []))
        if FOUND in body:
            return body
        after = self.sequence(getattr(loop, "orelse", []))  # run zero times or to the end
        left = frozenset({NEXT}) if BREAK in body else frozenset()
        return (body - {NEXT, BREAK, CONTINUE}) | after | left

    def _try(self, node: ast.stmt) -> Exits:
        body = self.sequence(getattr(node, "body", []))
        exits = set(body - {NEXT})
        if NEXT in body:
            exits |= self.sequence(getattr(node, "orelse", []))
        for handler in getattr(node, "handlers", []):
            exits |= self.sequence(handler.body)
        if FOUND in exits:
            return frozenset({FOUND})
        return self.after_finally(node, frozenset(exits))

    def after_finally(self, node: ast.AST, exits: Exits) -> Exits:
        """The exits once the ``finally`` block has run: its own when it doesn't fall
        through (it returns, raises, breaks), else the ones it was entered with."""
        finalbody: list[ast.stmt] = getattr(node, "finalbody", [])
        if not finalbody or not exits:
            return exits
        after = self.sequence(finalbody)
        return after if FOUND in after or NEXT not in after else exits

    def _binds(self, stmt: ast.stmt) -> bool:
        """Does the statement itself bind the name (not a nested block of it)?"""
        if self.name is None:
            return False
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return stmt.name == self.name
        targets: list[ast.AST] = []
        if isinstance(stmt, ast.Assign):
            targets = list(stmt.targets)
        elif isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)) or (
            isinstance(stmt, ast.AnnAssign) and stmt.value is not None
        ):
            targets = [stmt.target]
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
        elif isinstance(stmt, ast.Delete):
            targets = list(stmt.targets)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return any((a.asname or a.name.split(".")[0]) == self.name for a in stmt.names)
        return any(self.name in _bound_names(t) for t in targets)


def _bound_names(target: ast.AST) -> set[str]:
    """The names a target binds: ``a``, ``a, *b``; not ``a.attr`` or ``a[key]``, which
    change the object ``a`` holds."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return {name for elt in target.elts for name in _bound_names(elt)}
    return set()


def falls_through(block: Sequence[ast.stmt]) -> bool:
    """Can the block end by running its last statement (not by ``return``, ``raise``,
    ``break`` or ``continue`` on every path)?"""
    return NEXT in _Paths(None, lambda _: False).sequence(block)


def holding(parent: ast.AST, node: ast.AST) -> Optional[tuple[str, list[ast.stmt]]]:
    """The statement list of ``parent`` that holds ``node``, and its field."""
    for field in SEQUENCE_FIELDS:
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(s is node for s in block):
            return field, block
    return None


def reaches_return(
    parents: Mapping[ast.AST, ast.AST],
    start: ast.stmt,
    func: FunctionNode,
    hands_over: Callable[[ast.Return], bool],
    name: Optional[str] = None,
) -> bool:
    """Can the statements after ``start`` (in ``func``) reach a ``return`` that
    ``hands_over`` accepts, on a path that doesn't bind ``name`` again first?"""
    returns = own_scope_nodes(func, (ast.Return,))
    if not any(hands_over(node) for node in returns if isinstance(node, ast.Return)):
        # none to reach: not walked to (a view of a thousand ``with`` blocks, each asked
        # about, walked the rest of its body once per block)
        return False
    paths = _Paths(name, hands_over)
    node: ast.AST = start
    pending: Exits = frozenset({NEXT})
    while pending:
        parent = parents.get(node)
        if parent is None:
            return False
        held = holding(parent, node)
        if held is not None and NEXT in pending:
            field, block = held
            rest = paths.sequence(block[[id(s) for s in block].index(id(node)) + 1 :])
            if FOUND in rest:
                return True
            pending = (pending - {NEXT}) | rest
        if parent is func:
            return False
        field = held[0] if held is not None else ""
        if isinstance(parent, LOOPS) and field == "body":
            if pending & {NEXT, CONTINUE} and FOUND in paths.sequence(parent.body):
                return True  # the next round
            pending = frozenset({NEXT}) if pending else frozenset()
        elif field != "finalbody" and (
            isinstance(parent, ast.Try) or type(parent).__name__ == "TryStar"
        ):
            pending = paths.after_finally(parent, _after_try_part(paths, parent, field, pending))
            if FOUND in pending:
                return True
        node = parent
    return False


def _after_try_part(paths: _Paths, node: ast.AST, field: str, pending: Exits) -> Exits:
    """Leaving the part ``field`` of a ``try``: its ``else`` after the body, and any
    handler, since a later statement of the body may raise."""
    if field != "body" or NEXT not in pending:
        return pending
    exits = set(pending - {NEXT})
    exits |= paths.sequence(getattr(node, "orelse", []))
    for handler in getattr(node, "handlers", []):
        exits |= paths.sequence(handler.body)
    return frozenset({FOUND}) if FOUND in exits else frozenset(exits)
