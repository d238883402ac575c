"""The conditions a statement of a request hook runs under, and what they exclude.

A hook that closes or reads the response only for error statuses
(``if response.status_code >= 400:``) never touches a file response: those answer 200,
206 (a range) or 304 (not modified). A teardown hook that closes only on an exception
(``if exc is not None:``) runs so when no file is being sent. A hook guarded on the
request (``request.path``, ``request.endpoint``, ``request.blueprint``) may skip every
file route, and which routes it lets through isn't worked out: precision first.

Tests use the same evaluation: a close under ``if res.status_code != 200:`` never
closes a file response (``testcode.analysis``).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from flake8_flask_close.names import FunctionNode
from flake8_flask_close.prodcode.flow import falls_through

FILE_STATUSES = (200, 206, 304)
"""What a file response answers: the whole file, a range of it, or "not modified"."""
STATUS_ATTRIBUTES = frozenset({"status_code"})


@dataclass(frozen=True)
class Guard:
    """A condition a statement runs under."""

    test: ast.expr
    holds: bool
    """The guarded statement runs only when ``test`` is true (False: when it is false)."""


def guards_of(parents: Mapping[ast.AST, ast.AST], node: ast.AST, func: FunctionNode) -> list[Guard]:
    """The conditions ``node`` runs under inside ``func``: the tests of the ``if``,
    ``while`` and conditional expressions around it, and those of earlier
    ``if <test>: return`` statements (early exits) in the blocks around it."""
    found: list[Guard] = []
    child: ast.AST = node
    current = parents.get(node)
    while current is not None and child is not func:
        if isinstance(current, (ast.If, ast.IfExp, ast.While)) and child is not current.test:
            body = current.body  # statements, or an ``IfExp``'s one expression
            holds = any(s is child for s in body) if isinstance(body, list) else body is child
            found.append(Guard(current.test, holds=holds))
        found += _early_exits(current, child)
        child, current = current, parents.get(current)
    return found


def _early_exits(parent: ast.AST, child: ast.AST) -> list[Guard]:
    """``if <test>: return ...`` (no ``else``) before ``child`` in its block: ``child``
    runs only when the test is false."""
    exits: list[Guard] = []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if not isinstance(block, list) or not any(s is child for s in block):
            continue
        for stmt in block:
            if stmt is child:
                break
            if isinstance(stmt, ast.If) and not stmt.orelse and not falls_through(stmt.body):
                exits.append(Guard(stmt.test, holds=False))
    return exits


# ---------------------------------------------------------------- evaluation
UNKNOWN: Any = object()
"""A value that can't be worked out statically."""
COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Add: operator.add,
    ast.Sub: operator.sub,
}
Subject = Callable[[ast.expr], Any]
"""The value an expression stands for when it is the subject (``response.status_code``
-> 200), or ``UNKNOWN``."""
IsSubject = Callable[[ast.expr], bool]


def truth(test: ast.expr, subject: Subject) -> Optional[bool]:
    """Whether ``test`` is true, given the subject's value; None when it can't be told."""
    value = _value(test, subject)
    if value is UNKNOWN:
        return None
    try:
        return bool(value)
    except Exception:  # a value whose truth raises: can't tell
        return None


def _value(node: ast.expr, subject: Subject) -> Any:
    known = subject(node)
    if known is not UNKNOWN:
        return known
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_value(e, subject) for e in node.elts]
        return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = truth(node.operand, subject)
        return UNKNOWN if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        return _bool_op(node, subject)
    if isinstance(node, ast.Compare):
        return _compare(node, subject)
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        return _apply(ARITHMETIC[type(node.op)], node.left, node.right, subject)
    if isinstance(node, ast.Call):
        return _call(node, subject)
    return UNKNOWN


def _bool_op(node: ast.BoolOp, subject: Subject) -> Any:
    """``and``/``or`` by truth: one false operand makes ``and`` false, whatever the
    others; one true one makes ``or`` true."""
    decisive = isinstance(node.op, ast.Or)
    parts = [truth(v, subject) for v in node.values]
    if decisive in parts:
        return decisive
    return UNKNOWN if None in parts else not decisive


def _compare(node: ast.Compare, subject: Subject) -> Any:
    left = node.left
    for op, right in zip(node.ops, node.comparators):
        result = _apply(COMPARISONS[type(op)], left, right, subject)
        if result is UNKNOWN or not result:
            return result
        left = right
    return True


def _apply(
    how: Callable[[Any, Any], Any], left: ast.expr, right: ast.expr, subject: Subject
) -> Any:
    a, b = _value(left, subject), _value(right, subject)
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    try:
        return how(a, b)
    except Exception:  # None < 400, 1 in 3: Python would raise, so no branch is known
        return UNKNOWN


def _call(node: ast.Call, subject: Subject) -> Any:
    """``range(400, 600)`` and ``isinstance(exc, ...)`` of a known ``None``."""
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    args = [_value(a, subject) for a in node.args]
    if node.keywords or any(a is UNKNOWN for a in args[:1]):
        return UNKNOWN
    if name == "range" and all(isinstance(a, int) for a in args) and 1 <= len(args) <= 3:
        return range(*args)
    if name == "isinstance" and len(args) == 2 and args[0] is None:
        return False  # a class tuple may name NoneType, but nobody guards so
    return UNKNOWN


# ---------------------------------------------------------------- what guards exclude
def excluded(guards: list[Guard], is_subject: IsSubject, values: tuple[Any, ...]) -> bool:
    """Is some guard false (or true, for an early exit) for every one of ``values``
    of the subject? The guarded statement then never runs for them."""
    for guard in guards:
        outcomes = [truth(guard.test, _valued(is_subject, value)) for value in values]
        if all(o is not None and o != guard.holds for o in outcomes):
            return True
    return False


def _valued(is_subject: IsSubject, value: Any) -> Subject:
    return lambda node: value if is_subject(node) else UNKNOWN


def status_of(name: str) -> IsSubject:
    """``name.status_code``: the status of the response ``name``."""
    return lambda node: (
        isinstance(node, ast.Attribute)
        and node.attr in STATUS_ATTRIBUTES
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    )


def the_name(name: str) -> IsSubject:
    return lambda node: isinstance(node, ast.Name) and node.id == name


def skips_file_statuses(
    guards: list[Guard], response: str, statuses: tuple[int, ...] = FILE_STATUSES
) -> bool:
    """The guards let no file response through: false for 200, 206 and 304, or the
    ``statuses`` a file answers the request with (``if response.status_code >= 400:``)."""
    return excluded(guards, status_of(response), statuses)


def only_on_error(guards: list[Guard], exc: str) -> bool:
    """The guards hold only when the teardown hook got an exception
    (``if exc is not None:``, ``if exc:``, ``if exc is None: return``)."""
    return excluded(guards, the_name(exc), (None,))


def on_request(guards: list[Guard], is_request: IsSubject) -> bool:
    """Some guard looks at the request (``request.path``, ``request.endpoint``...)."""
    return any(is_request(n) for g in guards for n in ast.walk(g.test) if isinstance(n, ast.expr))
