"""Tree walks, remembered while one file is checked.

The rules ask the same questions of the same tree (every import, every function, the
nodes of one function's own scope) dozens of times per file; walking the tree again each
time was most of the plugin's cost. Inside ``remembered_walks()`` each walk is made once and
its nodes kept, in the order ``ast.walk`` / the scope walk gives. Outside it (the fixer, the
command line) walks are made afresh, so nothing outlives the tree it came from. Walks leave
out expression contexts (``Load``, ``Store``, ``Del``): a quarter of a tree's nodes, which no
rule asks about (they read ``node.ctx`` instead).
"""

from __future__ import annotations

import ast
import threading
from collections import deque
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

Nodes = tuple[ast.AST, ...]
# Keyed by id(); the node itself is kept in the value so the id can't be reused while
# the memo lives.
_Memo = dict[tuple[int, Hashable], tuple[ast.AST, Any]]


class _State(threading.local):
    memo: Optional[_Memo] = None
    children: Optional[dict[ast.AST, list[ast.AST]]] = None
    """Each node's children, once a whole-tree walk found them (the scope walks and
    subtree walks that follow reuse them)."""


_STATE = _State()


@contextmanager
def remembered_walks() -> Iterator[None]:
    """Remember walks until the block ends; nested blocks share the outer memo."""
    if _STATE.memo is not None:
        yield
        return
    _STATE.memo = {}
    _STATE.children = {}
    try:
        yield
    finally:
        _STATE.memo = None
        _STATE.children = None


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    ast.Name: (),
    ast.Constant: (),
    ast.alias: (),
    ast.Attribute: ("value",),
    ast.keyword: ("value",),
    ast.arg: ("annotation",),
}
"""The fields that can hold nodes, for the commonest node types (a third of a tree's
nodes are names and constants)."""


def _fields_of(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = tuple(f for f in kind._fields if f != "ctx")  # type: ignore[attr-defined]
        _CHILD_FIELDS[kind] = fields
    return fields


def _children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes``, as a list, without expression contexts."""
    found: list[ast.AST] = []
    for name in _fields_of(type(node)):
        value = getattr(node, name, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    found.append(item)
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def _children_from(known: Optional[dict[ast.AST, list[ast.AST]]], node: ast.AST) -> list[ast.AST]:
    """The node's children, from ``known`` (and kept there) when walks are remembered."""
    if known is None:
        return _children(node)
    found = known.get(node)
    if found is None:
        found = known[node] = _children(node)
    return found


def _whole(node: ast.AST) -> Nodes:
    known = _STATE.children
    out = [node]
    for current in out:  # grows as it goes: breadth first, like ast.walk
        out.extend(_children_from(known, current))
    return tuple(out)


def _scope_walk(node: ast.AST, children: Callable[[ast.AST], list[ast.AST]]) -> Nodes:
    """What ``children`` reaches below ``node``, depth first, without entering nested
    scopes (their own nodes are listed, not what is below them)."""
    out: list[ast.AST] = []
    stack = list(children(node))
    while stack:
        child = stack.pop()
        out.append(child)
        if not isinstance(child, SCOPE_NODES):
            stack.extend(children(child))
    return tuple(out)


def _own_scope(node: ast.AST) -> Nodes:
    return _scope_walk(node, partial(_children_from, _STATE.children))


def remembered(node: ast.AST, question: Hashable, answer: Callable[[], T]) -> T:
    """``answer()``, computed once per node and question while walks are remembered."""
    memo = _STATE.memo
    if memo is None:
        return answer()
    key = (id(node), question)
    hit = memo.get(key)
    if hit is None:
        hit = (node, answer())
        memo[key] = hit
    result: T = hit[1]
    return result


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
"""The fields through which statements hold statements (via except handlers and match
cases, too)."""


_BODY_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _body_fields(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields of ``_BODIES`` a node type has, in that order and in field order:
    none for most statements (``x = 1``, ``return x``), which hold no statements."""
    found = _BODY_FIELDS.get(kind)
    if found is None:
        names = kind._fields  # type: ignore[attr-defined]
        found = _BODY_FIELDS[kind] = (
            tuple(f for f in _BODIES if f in names),
            tuple(f for f in names if f in _BODIES),
        )
    return found


def body_fields(kind: type) -> tuple[str, ...]:
    """The fields through which nodes of type ``kind`` hold statements, in the order
    ``body``, ``orelse``, ``finalbody``, ``handlers``, ``cases``."""
    return _body_fields(kind)[0]


def _statements(node: ast.AST) -> Nodes:
    out: list[ast.AST] = []
    todo = deque([node])
    while todo:
        current = todo.popleft()
        if isinstance(current, ast.stmt):
            out.append(current)
        for name in body_fields(type(current)):
            children = getattr(current, name)
            if type(children) is list:  # parsed trees hold nothing but nodes there
                todo.extend(children)
    return tuple(out)


def _statement_children(node: ast.AST) -> list[ast.AST]:
    """The children through which ``node`` holds statements (its bodies, except handlers,
    match cases), in field order."""
    found: list[ast.AST] = []
    for name in _body_fields(type(node))[1]:
        value = getattr(node, name)
        if type(value) is list:
            found.extend(value)
    return found


def _whole_with_parents(node: ast.AST) -> dict[ast.AST, ast.AST]:
    parents: dict[ast.AST, ast.AST] = {}
    known = _STATE.children
    out = [node]
    for current in out:  # grows as it goes: breadth first, like ast.walk
        children = _children_from(known, current)
        for child in children:
            parents[child] = current
        out.extend(children)
    remembered(node, "walk", lambda: tuple(out))
    return parents


def statements(node: ast.AST) -> Nodes:
    """The statements ``ast.walk(node)`` yields, in its order, found without walking into
    expressions (which hold no statements): imports, functions and classes are found
    this way at a fraction of the cost."""
    return remembered(node, "statements", lambda: _statements(node))


def parents(node: ast.AST) -> dict[ast.AST, ast.AST]:
    """Child -> parent for every node below ``node``."""
    return remembered(node, "parents", lambda: _whole_with_parents(node))


def walk(node: ast.AST) -> Nodes:
    """The nodes ``ast.walk(node)`` yields but expression contexts, in its order."""
    return remembered(node, "walk", lambda: _whole(node))


def walk_own_scope(node: ast.AST) -> Nodes:
    """The nodes below ``node`` (a function, usually), without entering nested scopes."""
    return remembered(node, "own scope", lambda: _own_scope(node))


def own_scope_nodes(node: ast.AST, kinds: tuple[type, ...]) -> Nodes:
    """The nodes of ``walk_own_scope(node)`` that are of one of ``kinds``, in its order:
    found once while walks are remembered (the analysis asks again for each response a
    function makes)."""
    return remembered(
        node,
        ("own scope", kinds),
        lambda: tuple(n for n in walk_own_scope(node) if isinstance(n, kinds)),
    )


def own_statements(node: ast.AST) -> Nodes:
    """The statements of ``walk_own_scope(node)`` (and the except handlers and match cases
    holding some), in its order, found without walking into expressions."""
    return remembered(node, "own statements", lambda: _scope_walk(node, _statement_children))
