"""Tree walks, remembered while one file is checked.

The rules ask the same questions of the same tree (every import, every function, the
nodes of one function's own scope) dozens of times per file; walking the tree again each
time was most of the plugin's cost. Inside ``remembered_walks()`` each walk is made once and
its nodes kept, in the order ``ast.walk`` / the scope walk gives. Outside it (the fixer, the
command line) walks are made afresh, so nothing outlives the tree it came from.
"""

from __future__ import annotations

import ast
import threading
from collections import deque
from collections.abc import Hashable, Iterator
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


_STATE = _State()


@contextmanager
def remembered_walks() -> Iterator[None]:
    """Remember walks until the block ends; nested blocks share the outer memo."""
    if _STATE.memo is not None:
        yield
        return
    _STATE.memo = {}
    try:
        yield
    finally:
        _STATE.memo = None


def _whole(node: ast.AST) -> Nodes:
    out: list[ast.AST] = []
    todo = deque([node])
    while todo:
        current = todo.popleft()
        todo.extend(ast.iter_child_nodes(current))
        out.append(current)
    return tuple(out)


def _own_scope(node: ast.AST) -> Nodes:
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        out.append(child)
        if not isinstance(child, SCOPE_NODES):
            stack.extend(ast.iter_child_nodes(child))
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


def walk(node: ast.AST) -> Nodes:
    """The nodes ``ast.walk(node)`` yields, in its order."""
    return remembered(node, "walk", lambda: _whole(node))


def walk_own_scope(node: ast.AST) -> Nodes:
    """The nodes below ``node`` (a function, usually), without entering nested scopes."""
    return remembered(node, "own scope", lambda: _own_scope(node))
