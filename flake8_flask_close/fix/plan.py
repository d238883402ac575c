"""Decide, on the ``ast`` tree, what to rewrite for each finding, or why to leave it.

Test side (FCL101, FCL102), in order of preference:

1. a ``with`` block: ``with client.get(u) as res:`` around the statements that use the
   response, when no read of its body can happen after the block (runtime-behavior c02i:
   a file body read after the close raises ``ValueError: read of closed file``; status and
   headers stay readable);
2. ``buffered=True`` on the request: the client reads the body and closes the file at once
   (c04a); only for test-client requests, never for a project helper;
3. nothing, with the reason.

A response that leaves its function by ``return``/``yield`` (a fixture, a helper) is never
touched: closing it there would hand a closed response to its users.

Production side: ``with open(p) as f: return send_file(f)`` becomes
``return send_file(open(p))`` (FCL201, p17a); a ``resp.close()`` followed on every path by
``return resp`` is removed, ``with send_file(p) as resp: return resp`` and
``return closing(send_file(p))`` lose the ``with``/``closing`` (FCL202, p15, p16).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Optional, Union

from flake8_flask_close.fix.findings import Candidate
from flake8_flask_close.fix.source import (
    SourceText,
    end_position,
    identifiers,
    is_name,
    position,
)
from flake8_flask_close.names import FunctionNode, dotted
from flake8_flask_close.prodcode.context import ProdContext

# ---------------------------------------------------------------------- vocabulary
LAZY_BODY = frozenset(
    {"response", "iter_encoded", "stream", "get_app_iter", "__iter__", "iter_lines"}
)
"""Attributes that hand out the body itself, unread: using them after the close reads a
closed file."""
SAFE_AFTER_CLOSE = frozenset(
    {
        "status_code",
        "status",
        "headers",
        "mimetype",
        "mimetype_params",
        "content_type",
        "content_length",
        "content_encoding",
        "content_language",
        "content_location",
        "content_range",
        "content_security_policy",
        "location",
        "request",
        "history",
        "is_json",
        "charset",
        "close",
        "cache_control",
        "last_modified",
        "expires",
        "date",
        "age",
        "vary",
        "allow",
        "accept_ranges",
        "retry_after",
        "www_authenticate",
        "access_control_allow_origin",
        "get_etag",
    }
)
"""Attributes that read only the status line and headers: fine after the close (c02i)."""
STORING_CALLS = frozenset(
    {"append", "add", "extend", "insert", "setdefault", "update", "put", "put_nowait"}
)
IMPURE = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)
DEFERRED = (
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.IfExp,
)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
NAME_CHOICES = ("res", "response", "rv", "resp")


# ---------------------------------------------------------------------------- plans
@dataclass(frozen=True)
class Wrap:
    """FCL101: ``name = <call>`` and the statements after it up to ``last`` become
    ``with <call> as name:`` + those statements (``pass`` when there are none)."""

    stmt: ast.Assign
    last: ast.stmt
    name: str


@dataclass(frozen=True)
class Hoist:
    """FCL102: ``<stmt using call>`` becomes ``with <call> as name:`` + the statement
    with ``name`` in place of the call."""

    stmt: ast.stmt
    call: ast.Call
    name: str


@dataclass(frozen=True)
class ChainClose:
    """FCL102, a bare request statement: ``client.get(u)`` becomes
    ``client.get(u).close()``."""

    call: ast.Call


@dataclass(frozen=True)
class AddBuffered:
    call: ast.Call
    why: str = ""
    """Why no with-block was possible."""


@dataclass(frozen=True)
class HandOver:
    """FCL201: ``with <opener> as f: return send(f)`` becomes ``return send(<opener>)``."""

    with_stmt: ast.With
    target: ast.Name


@dataclass(frozen=True)
class RemoveClose:
    """FCL202: drop ``resp.close()``."""

    stmt: ast.Expr


@dataclass(frozen=True)
class UnwrapWith:
    """FCL202: ``with <call> as r: return r`` (``<call>`` possibly inside ``closing()``)
    becomes ``return <call>``."""

    with_stmt: ast.With
    call: ast.Call


@dataclass(frozen=True)
class Unclosing:
    """FCL202: ``closing(<call>)`` becomes ``<call>``."""

    closing_call: ast.Call


Plan = Union[Wrap, Hoist, ChainClose, AddBuffered, HandOver, RemoveClose, UnwrapWith, Unclosing]

WithPlanner = Callable[[Candidate, ast.Call, FunctionNode], Plan]

FIXED_MESSAGES: dict[type, str] = {
    Wrap: "wrapped in with-block",
    Hoist: "wrapped in with-block",
    ChainClose: "closed with a chained .close()",
    AddBuffered: "added buffered=True",
    HandOver: "handed the open file to the response without a with-block",
    RemoveClose: "removed the premature close()",
    UnwrapWith: "returned the response without a with-block",
    Unclosing: "returned the response without closing()",
}


@dataclass(frozen=True)
class Decision:
    candidate: Candidate
    plan: Optional[Plan]
    reason: str = ""
    """Why nothing is rewritten (``plan`` is None)."""

    @property
    def message(self) -> str:
        if self.plan is None:
            return self.reason
        text = FIXED_MESSAGES[type(self.plan)]
        if isinstance(self.plan, AddBuffered) and self.plan.why:
            text += f" (no with-block: {self.plan.why})"
        return text


class Skip(Exception):
    """Leave the finding alone, for the reason given."""


class NoWith(Exception):
    """No with-block is safe here: fall back to ``buffered=True``."""


# --------------------------------------------------------------------------- planner
class Planner:
    def __init__(self, source: SourceText, prod: Optional[ProdContext] = None) -> None:
        self.source = source
        self.parents = source.parents
        self.prod = prod
        self._taken: set[int] = set()
        """Statements a with-block rewrite already starts at (one per statement)."""

    def decide(self, candidates: Iterable[Candidate]) -> list[Decision]:
        decisions: list[Decision] = []
        for candidate in candidates:
            try:
                plan = self._plan(candidate)
            except Skip as why:
                decisions.append(Decision(candidate, None, str(why)))
                continue
            decisions.append(Decision(candidate, plan))
        return decisions

    def _plan(self, candidate: Candidate) -> Plan:
        if candidate.code == "FCL101":
            return self._test_side(candidate, self._plan_with_block)
        if candidate.code == "FCL102":
            return self._test_side(candidate, self._plan_hoist)
        if candidate.code == "FCL201":
            return self._plan_hand_over(candidate)
        return self._plan_fcl202(candidate)

    # ================================================================== test side
    def _test_side(self, candidate: Candidate, with_planner: WithPlanner) -> Plan:
        call = candidate.call
        if call is None or candidate.func is None:
            raise Skip("the request call was not found")
        self._refuse_escape(candidate, call)
        try:
            plan = with_planner(candidate, call, candidate.func)
        except NoWith as why:
            return self._buffered(candidate, call, str(why))
        if isinstance(plan, (Wrap, Hoist)):
            key = id(plan.stmt)
            if key in self._taken:
                return self._buffered(candidate, call, "another fix already wraps this statement")
            self._taken.add(key)
        return plan

    def _buffered(self, candidate: Candidate, call: ast.Call, why_no_with: str) -> Plan:
        if not candidate.from_client:
            name = dotted(call.func) or "the helper"
            raise Skip(
                f"{why_no_with}; buffered=True is a test-client option and {name}() is a"
                " helper: close the response by hand"
            )
        if any(kw.arg is None for kw in call.keywords):
            raise Skip(
                f"{why_no_with}; buffered=True can't be added next to **kwargs (it may be"
                " there already): close the response by hand"
            )
        return AddBuffered(call, why_no_with)

    def _refuse_escape(self, candidate: Candidate, call: ast.Call) -> None:
        """A response returned or yielded to its caller (a fixture, a helper) is closed
        where it is used, never where it is made."""
        func = candidate.func
        owner = f"{func.name}()" if func is not None else "its function"
        parent = self.parents.get(call)
        if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
            raise Skip(
                f"the response leaves {owner} by {_keyword(parent)}: closing it there would"
                " hand a closed response to its users; close it where it is used"
            )
        stmt = candidate.stmt
        if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and func is not None:
                for node in _walk_own(func):
                    if not isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
                        continue
                    if position(node) <= position(stmt) or node.value is None:
                        continue
                    if any(
                        isinstance(n, ast.Name)
                        and n.id == target.id
                        and self._use_kind(n) not in ("eager", "iterate")
                        for n in ast.walk(node.value)
                    ):
                        raise Skip(
                            f"the response leaves {owner} by {_keyword(node)} (line"
                            f" {node.lineno}): closing it there would hand a closed response"
                            " to its users; close it where it is used"
                        )

    # ----------------------------------------------------------------- FCL101
    def _plan_with_block(self, candidate: Candidate, call: ast.Call, func: FunctionNode) -> Plan:
        stmt = candidate.stmt
        if not (
            isinstance(stmt, ast.Assign)
            and stmt.value is call
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            raise NoWith("the response is not bound by a plain 'name = request' statement")
        name = stmt.targets[0].id
        held = self.source.container(stmt)
        if held is None or not self.source.own_lines(stmt):
            raise NoWith("the statement shares its line with other code")
        _, _, block = held
        index = next(i for i, s in enumerate(block) if s is stmt)
        # The block takes every later statement of the same block that uses the response,
        # or a name that holds its unread body, up to the statement that rebinds it.
        watched = {name}
        tainted: set[str] = set()
        last, stop = index, len(block)
        for k in range(index + 1, len(block)):
            later = block[k]
            rebinds = _rebinds(later, name)
            if _reads(later, watched) if rebinds else _mentions(later, watched):
                last = k
                found = self._absorb(later, name, watched)
                tainted |= found
                watched |= found
            if rebinds:
                stop = k
                break
        inside: list[ast.stmt] = block[index : last + 1]
        rebound_after = block[stop + 1 :] if stop < len(block) else []
        self._check_outside(func, inside, rebound_after, name, tainted)
        return Wrap(stmt, block[last], name)

    def _absorb(self, stmt: ast.stmt, name: str, watched: set[str]) -> set[str]:
        """What a statement moved into the block does with the response (or with a name
        holding its unread body); returns the names that may now hold either."""
        tainted: set[str] = set()
        for node in ast.walk(stmt):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                used = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & watched)
                if used:
                    raise NoWith(
                        f"a nested function uses {used[0]} (line {node.lineno}) and may run"
                        " after the block"
                    )
            if not isinstance(node, ast.Name) or node.id not in watched:
                continue
            kind = self._use_kind(node)
            if kind == "store":
                raise NoWith(
                    f"{node.id} is stored in {self._storing_holder(node)} (line"
                    f" {node.lineno}) and may be read after the block"
                )
            if kind in ("eager", "iterate", "del", "bind"):
                continue
            assigned = self._assigned_names(node)
            if assigned is None:
                raise NoWith(
                    f"{node.id} is stored (line {node.lineno}) and may be read after the block"
                )
            tainted |= assigned - {name}
        return tainted

    def _check_outside(
        self,
        func: FunctionNode,
        inside: list[ast.stmt],
        rebound_after: list[ast.stmt],
        name: str,
        tainted: set[str],
    ) -> None:
        """Every use of the response (or of a name holding its body) that is not inside
        the block must be a status or header read (c02i)."""

        def excluded(node: ast.AST) -> bool:
            return any(self.source.is_within(node, s) for s in (*inside, *rebound_after))

        end = inside[-1].end_lineno or inside[-1].lineno

        def where(node: ast.AST) -> str:
            line = getattr(node, "lineno", 0)
            side = "after" if line > end else "outside"
            return f"{side} the with-block (line {line})"

        for node in ast.walk(func):
            if not isinstance(node, ast.Name) or node.id not in tainted | {name}:
                continue
            if isinstance(node.ctx, (ast.Store, ast.Del)) or excluded(node):
                continue
            if node.id == name:
                parent = self.parents.get(node)
                if isinstance(parent, ast.Attribute) and parent.attr in SAFE_AFTER_CLOSE:
                    continue
                what = f"{name}.{parent.attr}" if isinstance(parent, ast.Attribute) else name
                raise NoWith(f"{what} is used {where(node)}, where the file is closed (c02i)")
            raise NoWith(
                f"{node.id} holds the unread body and is used {where(node)}, where the file"
                " is closed (c02i)"
            )

    # ----------------------------------------------------------------- FCL102
    def _plan_hoist(self, candidate: Candidate, call: ast.Call, func: FunctionNode) -> Plan:
        stmt = candidate.stmt
        if isinstance(stmt, ast.Expr) and stmt.value is call:
            return ChainClose(call)
        if not isinstance(
            stmt, (ast.Expr, ast.Assert, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)
        ):
            raise NoWith(f"the request sits in a {type(stmt).__name__.lower()} statement header")
        if self.source.container(stmt) is None or not self.source.own_lines(stmt):
            raise NoWith("the statement shares its line with other code")
        self._check_hoist_path(call, stmt)
        survives = isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Yield, ast.YieldFrom))
        )
        kind = self._use_kind(call)
        if survives and kind not in ("eager",):
            if isinstance(stmt, (ast.Return, ast.Expr)):
                raise Skip(
                    f"the response leaves {func.name}() by {_keyword(stmt)}: closing it there"
                    " would hand a closed response to its users; close it where it is used"
                )
            raise NoWith("the statement keeps the response (or its unread body) beyond itself")
        if kind == "store":
            raise NoWith("the response is stored and may be read after the statement")
        return Hoist(stmt, call, self._fresh_name(func))

    def _check_hoist_path(self, call: ast.Call, stmt: ast.stmt) -> None:
        """Moving the request in front of its statement must not change whether, or in
        which order, things run."""
        node: ast.AST = call
        while node is not stmt:
            parent = self.parents[node]
            if isinstance(parent, DEFERRED):
                raise NoWith("the request runs conditionally or later (lambda, comprehension, if)")
            if isinstance(parent, ast.BoolOp) and node is not parent.values[0]:
                raise NoWith("the request runs only if an and/or lets it")
            if isinstance(parent, ast.Compare) and any(node is c for c in parent.comparators[1:]):
                raise NoWith("the request runs only if an earlier comparison holds")
            if isinstance(parent, ast.Assert) and node is parent.msg:
                raise NoWith("the request runs only when the assert fails")
            if isinstance(parent, (ast.Await, ast.NamedExpr)):
                raise NoWith("the request is awaited or bound by :=")
            node = parent
        roots: list[ast.AST]
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            roots = [stmt.value] if stmt.value is not None else []
        elif isinstance(stmt, ast.AugAssign):
            roots = [stmt.target, stmt.value]
        elif isinstance(stmt, ast.Assert):
            roots = [stmt.test]
        else:
            roots = [child for child in ast.iter_child_nodes(stmt)]
        start = position(call)
        for root in roots:
            for other in ast.walk(root):
                if not isinstance(other, IMPURE) or other is call:
                    continue
                if self.source.is_within(call, other) or self.source.is_within(other, call):
                    continue
                if end_position(other) <= start:
                    raise NoWith(
                        "another call in the statement runs before the request; moving the"
                        " request first would change the order"
                    )

    def _fresh_name(self, func: FunctionNode) -> str:
        """A name the function neither binds nor reads (nor any function inside it):
        binding it in the function shadows nothing."""
        used = identifiers(func)
        for name in NAME_CHOICES:
            if name not in used:
                return name
        n = 1
        while f"res{n}" in used:
            n += 1
        return f"res{n}"

    # ----------------------------------------------------------------- uses
    def _use_kind(self, node: ast.expr) -> str:
        """How an expression holding the response is used by its parent:
        eager (a status, header or body read that yields plain values), iterate (a for
        loop or comprehension over it), del, bind (the target of an assignment), call
        (handed to a function), store (kept in a container or attribute), or value (its
        value survives: assigned, returned, put in a tuple...)."""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del):
            return "del"
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            return "bind"
        parent = self.parents.get(node)
        if isinstance(parent, ast.Attribute):
            if parent.attr in LAZY_BODY:
                return "value"
            return "eager"
        if isinstance(parent, ast.Call) and node is not parent.func:
            callee = parent.func
            short = callee.attr if isinstance(callee, ast.Attribute) else dotted(callee) or ""
            if short in STORING_CALLS:
                return "store"
            if short in ("iter", "enumerate", "zip", "map", "filter", "reversed"):
                return "value"
            return "call"
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and node is getattr(
            parent, "iter", None
        ):
            return "iterate"
        if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.If, ast.While)):
            return "eager"
        if isinstance(parent, ast.Assert) and node is parent.test:
            return "eager"
        if isinstance(parent, ast.withitem) and node is parent.context_expr:
            return "eager"  # ``with res:`` closes it
        if isinstance(parent, ast.Expr):
            return "eager"
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if any(not isinstance(t, ast.Name) for t in targets):
                return "store"
        return "value"

    def _storing_holder(self, node: ast.expr) -> str:
        parent = self.parents.get(node)
        if isinstance(parent, ast.Call):
            return f"{dotted(parent.func) or 'a container'}()"
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return ", ".join(self.source.segment(t) or "?" for t in targets)
        return "a container"

    def _assigned_names(self, node: ast.expr) -> Optional[set[str]]:
        """The plain names an expression's value may end up in, through the assignments
        it is part of (``x = f(res)``, ``pair = (res, 1)``); None when it may end up in
        anything else (an attribute, a container, a return value)."""
        current: ast.AST = node
        while True:
            parent = self.parents.get(current)
            if parent is None or (
                isinstance(parent, ast.stmt)
                and not isinstance(
                    parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Assert)
                )
            ):
                if isinstance(parent, (ast.If, ast.While)) and current is parent.test:
                    return set()
                if isinstance(parent, (ast.For, ast.AsyncFor)) and current is parent.iter:
                    return set()  # iterated inside the block
                if isinstance(parent, (ast.With, ast.AsyncWith)):
                    return set()
                return None
            if isinstance(parent, (ast.Expr, ast.Assert)):
                return set()  # the value is dropped at the end of the statement
            if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                names: set[str] = set()
                for target in targets:
                    found = _target_names(target)
                    if found is None:
                        return None
                    names |= found
                return names
            if isinstance(parent, ast.NamedExpr):
                found = _target_names(parent.target) or set()
                rest = self._assigned_names(parent)
                return None if rest is None else found | rest
            if isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
                return None
            if isinstance(parent, ast.withitem):
                return _target_names(parent.optional_vars) if parent.optional_vars else set()
            if isinstance(parent, ast.comprehension) and current is parent.iter:
                return set()
            current = parent

    # ================================================================= production
    def _plan_hand_over(self, candidate: Candidate) -> Plan:
        ctx = self.prod
        stmt = candidate.stmt
        block = self.parents.get(stmt)
        if ctx is None:
            raise Skip("no production context")
        if not isinstance(block, (ast.With, ast.AsyncWith)) or not any(
            s is stmt for s in block.body
        ):
            raise Skip(
                "the file is closed by a close() call, not by a with-block; no rewrite is"
                " safe without knowing what else needs the file: drop the close() by hand"
            )
        if isinstance(block, ast.AsyncWith):
            raise Skip("an async with-block is not rewritten")
        if len(block.items) != 1:
            raise Skip("the with-statement opens more than one thing")
        item = block.items[0]
        target = item.optional_vars
        if not isinstance(target, ast.Name) or not ctx.is_opener(item.context_expr):
            raise Skip("the with-block does not open the file it hands over")
        name = target.id
        if len(block.body) != 1:
            raise Skip(
                f"the with-block does more than return the response (it has"
                f" {len(block.body)} statements): hand {name} over by hand, without the"
                " with-block, if nothing else needs it closed"
            )
        if not isinstance(stmt, ast.Return) or stmt.value is None:
            raise Skip("the response is not returned from inside the with-block")
        uses = [n for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name]
        sent = [
            n
            for n in ast.walk(stmt.value)
            if isinstance(n, ast.Call) and is_name(ctx.sent_file_argument(n), name)
        ]
        if len(uses) != 1 or not sent:
            raise Skip(f"{name} is used more than once in the returned expression")
        use = uses[0]
        if not self.source.starts_line(block) or not self.source.ends_line(stmt):
            raise Skip("the with-statement shares its lines with other code")
        for other in ast.walk(stmt.value):
            if (
                isinstance(other, IMPURE)
                and not self.source.is_within(use, other)
                and end_position(other) <= position(use)
            ):
                raise Skip(
                    "a call in the returned expression runs before the file would be opened;"
                    " opening it later would change the order"
                )
        return HandOver(block, use)

    def _plan_fcl202(self, candidate: Candidate) -> Plan:
        stmt = candidate.stmt
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._plan_unwrap(stmt)
        if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Call):
            closing = stmt.value
            if len(closing.args) == 1 and not closing.keywords:
                inner = closing.args[0]
                if isinstance(inner, ast.Call):
                    return Unclosing(closing)
            raise Skip("the closing() wrapper is not a plain closing(response)")
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "close"
            and isinstance(stmt.value.func.value, ast.Name)
            and not stmt.value.args
            and not stmt.value.keywords
        ):
            name = stmt.value.func.value.id
            if self.source.container(stmt) is None or not self.source.own_lines(stmt):
                raise Skip("the close() shares its line with other code")
            why = self._paths_return(stmt, name)
            if why:
                raise Skip(why)
            return RemoveClose(stmt)
        raise Skip("not a plain 'response.close()' statement")

    def _plan_unwrap(self, block: Union[ast.With, ast.AsyncWith]) -> Plan:
        if isinstance(block, ast.AsyncWith):
            raise Skip("an async with-block is not rewritten")
        if len(block.items) != 1:
            raise Skip("the with-statement holds more than one context manager")
        item = block.items[0]
        target = item.optional_vars
        call = item.context_expr
        if not isinstance(call, ast.Call):
            raise Skip("the with-statement does not build the response itself")
        if self.prod is not None:
            closer = (self.prod.q(call.func) or "").rsplit(".", 1)[-1]
            if closer == "closing" and call.args and isinstance(call.args[0], ast.Call):
                call = call.args[0]
        if not isinstance(target, ast.Name):
            raise Skip("the response is not bound by 'as name'")
        only_return = (
            len(block.body) == 1
            and isinstance(block.body[0], ast.Return)
            and is_name(block.body[0].value, target.id)
        )
        if not only_return:
            raise Skip(
                f"the with-block does more than 'return {target.id}': replace the with by"
                f" '{target.id} = ...' and dedent its body by hand"
            )
        if not self.source.starts_line(block) or not self.source.ends_line(block.body[0]):
            raise Skip("the with-statement shares its lines with other code")
        return UnwrapWith(block, call)

    def _paths_return(self, stmt: ast.stmt, name: str) -> str:
        """Empty when every path from ``stmt`` goes on to ``return name``; else why not."""
        node: ast.stmt = stmt
        while True:
            held = self.source.container(node)
            if held is None:
                return "the close() is not in a statement block"
            owner, field, block = held
            index = next(i for i, s in enumerate(block) if s is node)
            for later in block[index + 1 :]:
                if isinstance(later, ast.Return):
                    value = later.value
                    if isinstance(value, ast.Tuple) and value.elts:
                        value = value.elts[0]
                    if is_name(value, name):
                        return ""
                    return (
                        f"the path after the close() returns something else (line"
                        f" {later.lineno}): removing the close would leave the file open"
                    )
                if _rebinds(later, name):
                    return f"{name} is reassigned before it is returned (line {later.lineno})"
                if any(
                    isinstance(n, (ast.Return, ast.Raise, ast.Break, ast.Continue))
                    for n in _walk_own(later)
                ):
                    return (
                        f"a path after the close() leaves early (line {later.lineno}): on"
                        " that path, removing the close would leave the file open"
                    )
            if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                return "a path after the close() ends without returning the response"
            if isinstance(owner, (ast.For, ast.AsyncFor, ast.While)) and field == "body":
                return "the close() is in a loop"
            if isinstance(owner, ast.Try) and (owner.orelse or owner.finalbody):
                return "the close() is in a try-statement with else/finally clauses"
            if isinstance(owner, ast.ExceptHandler):
                return "the close() is in an except clause"
            if not isinstance(owner, ast.stmt):
                return "the close() is not in a statement block"
            node = owner


# --------------------------------------------------------------------- ast helpers
def _keyword(node: ast.AST) -> str:
    if isinstance(node, ast.Return):
        return "return"
    if isinstance(node, ast.YieldFrom):
        return "yield from"
    return "yield"


def _walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` without entering nested functions, lambdas or classes."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if not isinstance(child, SCOPES):
            stack.extend(ast.iter_child_nodes(child))


def _mentions(stmt: ast.stmt, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(stmt))


def _reads(stmt: ast.stmt, names: set[str]) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id in names and not isinstance(n.ctx, ast.Store)
        for n in ast.walk(stmt)
    )


def _target_names(target: Optional[ast.AST]) -> Optional[set[str]]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        names: set[str] = set()
        for elt in target.elts:
            inner = elt.value if isinstance(elt, ast.Starred) else elt
            found = _target_names(inner)
            if found is None:
                return None
            names |= found
        return names
    return None


def _rebinds(stmt: ast.stmt, name: str) -> bool:
    """Does ``stmt`` itself (not a nested block) always bind ``name`` anew?"""
    if isinstance(stmt, ast.Assign):
        return any(is_name(t, name) for t in stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return is_name(stmt.target, name) and (
            isinstance(stmt, ast.AugAssign) or stmt.value is not None
        )
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return any(is_name(i.optional_vars, name) for i in stmt.items)
    if isinstance(stmt, ast.Delete):
        return any(is_name(t, name) for t in stmt.targets)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return stmt.name == name
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.split(".")[0]) == name for a in stmt.names)
    return False
