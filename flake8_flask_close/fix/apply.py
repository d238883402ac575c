"""Carry out the plans with libcst: comments, quotes and formatting stay as they were.

Plans name ``ast`` nodes; they are found in the libcst tree by position (libcst counts
columns in characters, ``ast`` in UTF-8 bytes). All plans of a file are applied in one
bottom-up pass, so nested rewrites compose: a request that gets ``buffered=True`` or a
statement that gets its own with-block can be moved into another with-block. A second
pass folds the with-lines that came out longer than flake8's line length.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from flake8_flask_close.fix.findings import NOQA
from flake8_flask_close.fix.plan import (
    AddBuffered,
    ChainClose,
    HandOver,
    Hoist,
    Plan,
    RemoveClose,
    Unclosing,
    UnwrapWith,
    Wrap,
)
from flake8_flask_close.fix.source import SourceText

Statement = cst.BaseStatement
Block = Union[cst.IndentedBlock, cst.Module]
Builder = Callable[[list[Statement]], "Built"]


class ApplyError(Exception):
    """A plan could not be carried out on the libcst tree (the file is left unchanged)."""


@dataclass
class Built:
    statements: list[Statement]
    carry: list[cst.EmptyLine] = field(default_factory=list)
    """Comment lines to put in front of whatever follows the replaced statements."""


@dataclass
class ListEdit:
    start: int
    end: int
    build: Builder


@dataclass
class CallEdit:
    kind: str
    """``buffered``, ``close``, ``name`` (becomes ``name``, kept for a with-item),
    ``unclosing``."""
    name: str = ""


class Edits:
    def __init__(self) -> None:
        self.lists: dict[int, list[ListEdit]] = {}
        self.calls: dict[int, CallEdit] = {}
        self.names: dict[int, int] = {}
        """id(Name) -> id(WithItem) whose (updated) expression replaces it."""
        self.items: set[int] = set()
        self.hoisted: dict[int, cst.BaseExpression] = {}
        """id(original request Call) -> the updated call, for its with-item."""
        self.openers: dict[int, cst.BaseExpression] = {}
        """id(original WithItem) -> its updated expression (the opened file)."""
        self.keep: list[cst.CSTNode] = []
        """The nodes whose ids are keys above (kept alive so the ids stay unique)."""

    def add_list(self, block: Block, edit: ListEdit) -> None:
        self.keep.append(block)
        for other in self.lists.get(id(block), []):
            if other.start == edit.start:
                raise ApplyError("two rewrites start at the same statement")
        self.lists.setdefault(id(block), []).append(edit)

    def add_call(self, call: cst.Call, edit: CallEdit) -> None:
        self.keep.append(call)
        if id(call) in self.calls:
            raise ApplyError("two rewrites of the same call")
        self.calls[id(call)] = edit


def apply_plans(
    source: SourceText, plans: Sequence[Plan], max_line_length: Optional[int] = None
) -> bytes:
    """The file with every plan carried out; a with-line the rewrite made longer than
    ``max_line_length`` is folded (``_fold_long_headers``). Raises SyntaxError when
    libcst can't parse the file, ApplyError when a plan can't be carried out."""
    try:
        module = cst.parse_module(source.data)
    except cst.ParserSyntaxError as error:
        raise SyntaxError(f"libcst: {error.message} (line {error.raw_line})") from error
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    locator = _Locator(source, wrapper)
    edits = Edits()
    for plan in plans:
        _register(plan, locator, edits)
    fixed = wrapper.module.visit(_Applier(edits))
    if max_line_length is not None:
        fixed = _fold_long_headers(fixed, source, max_line_length)
    return fixed.bytes


# ------------------------------------------------------------------------- locating
class _Locator:
    def __init__(self, source: SourceText, wrapper: MetadataWrapper) -> None:
        self.source = source
        self.module = wrapper.module
        self.positions: dict[cst.CSTNode, CodeRange] = dict(wrapper.resolve(PositionProvider))
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.by_key: dict[tuple[object, ...], cst.CSTNode] = {}
        for node, where in self.positions.items():
            start, end = where.start, where.end
            name = type(node).__name__
            self.by_key.setdefault((name, start.line, start.column), node)
            self.by_key[(name, start.line, start.column, end.line, end.column)] = node

    def _start(self, node: ast.AST) -> tuple[int, int]:
        line = getattr(node, "lineno", 0)
        return line, self.source.char_col(line, getattr(node, "col_offset", 0))

    def _end(self, node: ast.AST) -> tuple[int, int]:
        line = getattr(node, "end_lineno", 0) or 0
        return line, self.source.char_col(line, getattr(node, "end_col_offset", 0) or 0)

    def expression(self, node: ast.expr, kind: type[cst.CSTNode]) -> cst.CSTNode:
        found = self.by_key.get((kind.__name__, *self._start(node), *self._end(node)))
        if not isinstance(found, kind):
            raise ApplyError(f"no {kind.__name__} at line {getattr(node, 'lineno', '?')}")
        return found

    def call(self, node: ast.Call) -> cst.Call:
        found = self.expression(node, cst.Call)
        assert isinstance(found, cst.Call)
        return found

    def name(self, node: ast.Name) -> cst.Name:
        found = self.expression(node, cst.Name)
        assert isinstance(found, cst.Name)
        return found

    def statement(self, node: ast.stmt) -> tuple[Block, int, Statement]:
        """The libcst statement (a whole line for a simple statement) holding ``node``,
        its block and its index there."""
        kind = type(node).__name__
        found = self.by_key.get((kind, *self._start(node)))
        if found is None:
            raise ApplyError(f"no {kind} at line {node.lineno}")
        line: cst.CSTNode = found
        if isinstance(found, cst.BaseSmallStatement):
            line = self.parents[found]
            if not isinstance(line, cst.SimpleStatementLine):
                raise ApplyError(f"line {node.lineno}: the statement is not on its own line")
            if len(line.body) != 1:
                raise ApplyError(f"line {node.lineno}: other statements share the line")
        return self._in_block(line, node.lineno)

    def _in_block(self, node: cst.CSTNode, lineno: int) -> tuple[Block, int, Statement]:
        block = self.parents.get(node)
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            raise ApplyError(f"line {lineno}: the statement is not in an indented block")
        for index, element in enumerate(block.body):
            if element is node:
                return block, index, element
        raise ApplyError(f"line {lineno}: statement not found in its block")

    def element_at(self, block: Block, lineno: int) -> int:
        """The index of the statement of ``block`` whose lines hold ``lineno``."""
        for index, element in enumerate(block.body):
            where = self.positions.get(element)
            if where is not None and where.start.line <= lineno <= where.end.line:
                return index
        raise ApplyError(f"line {lineno}: no statement of the block holds it")

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


# ---------------------------------------------------------------------- registering
def _register(plan: Plan, locator: _Locator, edits: Edits) -> None:
    if isinstance(plan, AddBuffered):
        edits.add_call(locator.call(plan.call), CallEdit("buffered"))
    elif isinstance(plan, ChainClose):
        edits.add_call(locator.call(plan.call), CallEdit("close"))
    elif isinstance(plan, Unclosing):
        call = locator.call(plan.closing_call)
        wrapped = call.args[0].value if len(call.args) == 1 else None
        if wrapped is None or "#" in locator.code(call).replace(locator.code(wrapped), "", 1):
            raise ApplyError("comments inside closing(...) would be lost")
        edits.add_call(call, CallEdit("unclosing"))
    elif isinstance(plan, Wrap):
        block, start, _ = locator.statement(plan.stmt)
        end = locator.element_at(block, plan.last.end_lineno or plan.last.lineno)
        if end < start:
            raise ApplyError("the block ends before it starts")
        edits.add_list(block, ListEdit(start, end, _wrap_builder(plan.name)))
    elif isinstance(plan, Hoist):
        block, start, _ = locator.statement(plan.stmt)
        call = locator.call(plan.call)
        edits.add_call(call, CallEdit("name", plan.name))
        edits.add_list(block, ListEdit(start, start, _hoist_builder(edits, call, plan.name)))
    elif isinstance(plan, HandOver):
        block, start, node = locator.statement(plan.with_stmt)
        assert isinstance(node, cst.With)
        item = node.items[0]
        edits.items.add(id(item))
        edits.keep.append(item)
        name = locator.name(plan.target)
        edits.keep.append(name)
        edits.names[id(name)] = id(item)
        edits.add_list(block, ListEdit(start, start, _unwrap_builder(None)))
    elif isinstance(plan, UnwrapWith):
        block, start, node = locator.statement(plan.with_stmt)
        assert isinstance(node, cst.With)
        inner = plan.call is not plan.with_stmt.items[0].context_expr
        edits.add_list(block, ListEdit(start, start, _unwrap_builder(inner)))
    elif isinstance(plan, RemoveClose):
        block, start, _ = locator.statement(plan.stmt)
        edits.add_list(block, ListEdit(start, start, _remove_builder))


# ------------------------------------------------------------------------ builders
def _comment_line(comment: cst.Comment) -> cst.EmptyLine:
    return cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""), comment=comment)


def _pass_line() -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Pass()])


def _simple_line(node: Statement) -> cst.SimpleStatementLine:
    if not isinstance(node, cst.SimpleStatementLine):
        raise ApplyError("expected a simple statement line")
    return node


def _wrap_builder(name: str) -> Builder:
    def build(elements: list[Statement]) -> Built:
        first = _simple_line(elements[0])
        assign = first.body[0]
        if not isinstance(assign, cst.Assign):
            raise ApplyError("expected 'name = request'")
        body: list[Statement] = list(elements[1:]) or [_pass_line()]
        node = cst.With(
            items=[cst.WithItem(item=assign.value, asname=cst.AsName(name=cst.Name(name)))],
            body=cst.IndentedBlock(body=body, header=first.trailing_whitespace),
            leading_lines=first.leading_lines,
        )
        return Built([node])

    return build


def _hoist_builder(edits: Edits, call: cst.Call, name: str) -> Builder:
    def build(elements: list[Statement]) -> Built:
        line = _simple_line(elements[0])
        request = edits.hoisted.get(id(call))
        if request is None:
            raise ApplyError("the request was not replaced in its statement")
        node = cst.With(
            items=[cst.WithItem(item=request, asname=cst.AsName(name=cst.Name(name)))],
            body=cst.IndentedBlock(body=[line.with_changes(leading_lines=())]),
            leading_lines=line.leading_lines,
        )
        return Built([node])

    return build


def _unwrap_builder(inner: Optional[bool]) -> Builder:
    """``with X as r:`` + one statement becomes that statement. ``inner`` (UnwrapWith):
    the statement is ``return r`` and returns X itself (the call inside ``closing(...)``
    when True); None (HandOver): the statement already has X in place of ``r``."""

    def build(elements: list[Statement]) -> Built:
        node = elements[0]
        if not isinstance(node, cst.With) or not isinstance(node.body, cst.IndentedBlock):
            raise ApplyError("expected a with-block")
        if len(node.body.body) != 1:
            raise ApplyError("the with-block holds more than one statement")
        line = _simple_line(node.body.body[0])
        statement = line.body[0]
        leading = [*node.leading_lines, *line.leading_lines]
        header = node.body.header
        trailing = line.trailing_whitespace
        if inner is not None:
            value = node.items[0].item
            if inner:
                if not isinstance(value, cst.Call) or len(value.args) != 1:
                    raise ApplyError("expected closing(response)")
                value = value.args[0].value
            if not isinstance(statement, cst.Return):
                raise ApplyError("expected 'return name'")
            statement = statement.with_changes(value=value)
        if header.comment is not None:
            if inner is None:  # HandOver: the send line keeps its comment
                leading.insert(len(node.leading_lines), _comment_line(header.comment))
            else:  # UnwrapWith: the with line was the reported one
                if trailing.comment is not None:
                    leading.append(_comment_line(trailing.comment))
                trailing = header
        new = line.with_changes(
            body=[statement], leading_lines=leading, trailing_whitespace=trailing
        )
        return Built([new], list(node.body.footer))

    return build


def _remove_builder(elements: list[Statement]) -> Built:
    line = _simple_line(elements[0])
    carry = list(line.leading_lines)
    if line.trailing_whitespace.comment is not None:
        carry.append(_comment_line(line.trailing_whitespace.comment))
    return Built([], carry)


# ----------------------------------------------------------------------- transformer
class _Applier(cst.CSTTransformer):
    def __init__(self, edits: Edits) -> None:
        super().__init__()
        self.edits = edits

    def leave_WithItem(
        self, original_node: cst.WithItem, updated_node: cst.WithItem
    ) -> cst.WithItem:
        if id(original_node) in self.edits.items:
            self.edits.openers[id(original_node)] = updated_node.item
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        item = self.edits.names.get(id(original_node))
        if item is None:
            return updated_node
        opener = self.edits.openers.get(item)
        if opener is None:
            raise ApplyError("the opened file was not found")
        return opener

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        edit = self.edits.calls.get(id(original_node))
        if edit is None:
            return updated_node
        if edit.kind == "buffered":
            return _add_buffered(updated_node)
        if edit.kind == "close":
            return cst.Call(func=cst.Attribute(value=updated_node, attr=cst.Name("close")))
        if edit.kind == "unclosing":
            return updated_node.args[0].value
        # "name": the with-item takes the request, the statement takes the name
        self.edits.hoisted[id(original_node)] = updated_node.with_changes(lpar=(), rpar=())
        return cst.Name(edit.name, lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        edits = self.edits.lists.get(id(original_node))
        if not edits:
            return updated_node
        body, footer = _apply_list(list(updated_node.body), edits, list(updated_node.footer))
        return updated_node.with_changes(body=body, footer=footer)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        edits = self.edits.lists.get(id(original_node))
        if not edits:
            return updated_node
        body, footer = _apply_list(list(updated_node.body), edits, list(updated_node.footer))
        return updated_node.with_changes(body=body, footer=footer)


def _apply_list(
    body: list[Statement], edits: list[ListEdit], footer: list[cst.EmptyLine]
) -> tuple[list[Statement], list[cst.EmptyLine]]:
    """Apply the edits of one block, last first; an edit whose range reaches into one
    applied before it grows or shrinks with it (a with-block that takes in another)."""
    pending = sorted(edits, key=lambda e: e.start, reverse=True)
    ranges = [[e.start, e.end] for e in pending]
    current = list(body)
    for k, edit in enumerate(pending):
        start, end = ranges[k]
        if not 0 <= start <= end < len(current):
            raise ApplyError("a rewrite reaches outside its block")
        built = edit.build(current[start : end + 1])
        current[start : end + 1] = built.statements
        size = len(built.statements)
        after = start + size
        if built.carry:
            if after < len(current):
                nxt = current[after]
                if not isinstance(nxt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                    raise ApplyError("unexpected statement kind")
                current[after] = nxt.with_changes(leading_lines=[*built.carry, *nxt.leading_lines])
            else:
                footer = [*built.carry, *footer]
        delta = size - (end - start + 1)
        for other in range(k + 1, len(pending)):
            a, b = ranges[other]
            if b < start:
                continue
            b = b + delta if b > end else start + size - 1
            if b < a:
                raise ApplyError("a rewrite would lose the statements another one moves")
            ranges[other] = [a, b]
    if not current:
        current = [_pass_line()]
    return current, footer


def _add_buffered(call: cst.Call) -> cst.Call:
    """``client.get(u)`` -> ``client.get(u, buffered=True)``, in the call's own style (one
    argument per line with a trailing comma stays so)."""
    new = cst.Arg(
        keyword=cst.Name("buffered"),
        value=cst.Name("True"),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # trailing comma: the new argument goes after it, in the same layout
        previous = args[-2].comma if len(args) > 1 else cst.MaybeSentinel.DEFAULT
        separator = (
            previous
            if isinstance(previous, cst.Comma)
            else cst.Comma(whitespace_after=call.whitespace_before_args)
        )
        if isinstance(separator.whitespace_after, cst.SimpleWhitespace):
            separator = separator.with_changes(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=separator)
        args.append(new.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


# ------------------------------------------------------------------------- folding
def _fold_long_headers(module: cst.Module, source: SourceText, limit: int) -> cst.Module:
    """``with client.get("/a/long/url") as res:``, a line the rewrite made and flake8
    would report as too long (E501), becomes

        with client.get(
            "/a/long/url"
        ) as res:

    as black folds it. Only lines that aren't in the file already, of a with-statement
    whose one item is a call with arguments, all on that line; never a line with a
    ``# noqa`` comment (folding would move it away from the arguments it excuses), nor
    one only its comment makes too long (the comment stays on the with-line)."""
    before = {line.rstrip() for line in source.text.splitlines()}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines = module.code.splitlines()
    long_headers: set[int] = set()
    for node, where in positions.items():
        if not isinstance(node, cst.With) or len(node.items) != 1:
            continue
        call = node.items[0].item
        if not isinstance(call, cst.Call) or not call.args:
            continue
        item = positions[node.items[0]]
        line = lines[where.start.line - 1].rstrip()
        comment = node.body.header.comment if isinstance(node.body, cst.IndentedBlock) else None
        code = line[: len(line) - len(comment.value)].rstrip() if comment else line
        if (
            item.start.line == item.end.line == where.start.line
            and len(code) > limit  # not a line only its comment makes long
            and line not in before
            and not NOQA.search(line.encode())
        ):
            long_headers.add(id(node))
    if not long_headers:
        return module
    return wrapper.module.visit(_HeaderFolder(long_headers, module.default_indent))


class _HeaderFolder(cst.CSTTransformer):
    def __init__(self, headers: set[int], indent: str) -> None:
        super().__init__()
        self.headers = headers
        self.indent = indent

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        if id(original_node) not in self.headers:
            return updated_node
        item = updated_node.items[0]
        call = item.item
        if not isinstance(call, cst.Call):
            return updated_node
        args = list(call.args)
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=_newline()))
        else:
            args[-1] = last.with_changes(whitespace_after_arg=_newline())
        folded = call.with_changes(args=args, whitespace_before_args=_newline(self.indent))
        return updated_node.with_changes(items=[item.with_changes(item=folded)])


def _newline(indent: str = "") -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, then the statement's indentation and ``indent``."""
    return cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(indent))
