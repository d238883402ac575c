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
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

Nodes = tuple[ast.AST, ...]
# Keyed by id(); the node itself is kept in the value so the id can't be reused while
# the memo lives.
_Memo = dict[tuple[int, Hashable], tuple[ast.AST, Any]]


class _State(threading.local):
    memo: Optional[_Memo] = None
    children: Optional[dict[ast.AST, Sequence[ast.AST]]] = None
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


Children = Sequence[ast.AST]

_NO_CHILDREN: Children = ()


def _no_children(node: Any) -> Children:
    return _NO_CHILDREN


def _children_in_fields(fields: tuple[str, ...]) -> Callable[[Any], Children]:
    """How a node type's children are found: its fields, in order, and the nodes in its
    lists (``Dict.keys`` holds None for ``**rest``, ``Global.names`` strings)."""

    def children(node: Any) -> Children:
        found: list[ast.AST] = []
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        found.append(item)
            elif isinstance(value, ast.AST):
                found.append(value)
        return found

    return children


_FAST_CHILDREN: dict[type, tuple[tuple[str, ...], Callable[[Any], Children]]] = {
    ast.Call: (("func", "args", "keywords"), lambda n: [n.func, *n.args, *n.keywords]),
    ast.Attribute: (("value", "attr", "ctx"), lambda n: (n.value,)),
    ast.keyword: (("arg", "value"), lambda n: (n.value,)),
    ast.Expr: (("value",), lambda n: (n.value,)),
    ast.Assign: (("targets", "value", "type_comment"), lambda n: [*n.targets, n.value]),
    ast.Compare: (("left", "ops", "comparators"), lambda n: [n.left, *n.ops, *n.comparators]),
    ast.Subscript: (("value", "slice", "ctx"), lambda n: (n.value, n.slice)),
    ast.BinOp: (("left", "op", "right"), lambda n: (n.left, n.op, n.right)),
    ast.UnaryOp: (("op", "operand"), lambda n: (n.op, n.operand)),
    ast.Tuple: (("elts", "ctx"), lambda n: n.elts),
    ast.List: (("elts", "ctx"), lambda n: n.elts),
    ast.JoinedStr: (("values",), lambda n: n.values),
    ast.Return: (("value",), lambda n: _NO_CHILDREN if n.value is None else (n.value,)),
    ast.arg: (
        ("arg", "annotation", "type_comment"),
        lambda n: _NO_CHILDREN if n.annotation is None else (n.annotation,),
    ),
    ast.Assert: (("test", "msg"), lambda n: (n.test,) if n.msg is None else (n.test, n.msg)),
    ast.withitem: (
        ("context_expr", "optional_vars"),
        lambda n: (
            (n.context_expr,) if n.optional_vars is None else (n.context_expr, n.optional_vars)
        ),
    ),
}
"""The commonest node types' children, listed without looking at each field: each is
used only where the type's fields are the ones it was written for."""

_LEAVES = (ast.Name, ast.Constant, ast.alias)
"""Common node types whose fields hold no nodes (an identifier, a value, a name)."""

_CHILDREN_OF: dict[type, Callable[[Any], Children]] = {}


def _children_of(kind: type) -> Callable[[Any], Children]:
    """How the children of nodes of type ``kind`` are found (learnt on first sight)."""
    fields = tuple(f for f in kind._fields if f != "ctx")  # type: ignore[attr-defined]
    fast = _FAST_CHILDREN.get(kind)
    if fast is not None and fast[0] == kind._fields:  # type: ignore[attr-defined]
        found = fast[1]
    elif not fields or kind in _LEAVES:
        found = _no_children
    else:
        found = _children_in_fields(fields)
    _CHILDREN_OF[kind] = found
    return found


def _children_from(known: Optional[dict[ast.AST, Children]], node: ast.AST) -> Children:
    """The node's children (``ast.iter_child_nodes`` without expression contexts), from
    ``known`` (and kept there) when walks are remembered; a leaf's none are not kept."""
    kind = type(node)
    children_of = _CHILDREN_OF.get(kind)
    if children_of is None:
        children_of = _children_of(kind)
    if children_of is _no_children:
        return _NO_CHILDREN
    if known is None:
        return children_of(node)
    found = known.get(node)
    if found is None:
        found = known[node] = children_of(node)
    return found


def _whole(node: ast.AST) -> Nodes:
    known = _STATE.children
    out = [node]
    for current in out:  # grows as it goes: breadth first, like ast.walk
        out.extend(_children_from(known, current))
    return tuple(out)


_SCOPE_TYPES = frozenset(SCOPE_NODES)


def _scope_walk(node: ast.AST, children: Callable[[ast.AST], Children]) -> Nodes:
    """What ``children`` reaches below ``node``, depth first, without entering nested
    scopes (their own nodes are listed, not what is below them)."""
    out: list[ast.AST] = []
    stack = list(children(node))
    while stack:
        child = stack.pop()
        out.append(child)
        if type(child) not in _SCOPE_TYPES:
            stack.extend(children(child))
    return tuple(out)


def _own_scope(node: ast.AST) -> Nodes:
    """``_scope_walk`` over all children, its steps written out: the analysis walks
    every function of a test module this way."""
    known = _STATE.children
    children_of = _CHILDREN_OF
    out: list[ast.AST] = []
    stack = list(_children_from(known, node))
    while stack:
        child = stack.pop()
        out.append(child)
        kind = type(child)
        if children_of.get(kind) is _no_children or kind in _SCOPE_TYPES:
            continue
        found = known.get(child) if known is not None else None
        stack.extend(_children_from(known, child) if found is None else found)
    return tuple(out)


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
    children_of = _CHILDREN_OF
    out = [node]
    for current in out:  # grows as it goes: breadth first, like ast.walk
        if children_of.get(type(current)) is _no_children:
            continue
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
