"""A file's bytes, its ``ast`` tree and the positions both libraries agree on."""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Optional

from flake8_flask_close.names import FunctionNode
from flake8_flask_close.routes.project import parse_quietly

StmtList = list[ast.stmt]


class SourceText:
    """The file as read from disk. ``ast`` columns are UTF-8 byte offsets, libcst's are
    characters: ``char_col`` converts."""

    def __init__(self, data: bytes, filename: str = "<unknown>") -> None:
        self.data = data
        self.filename = filename
        self.encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        self.text = data.decode(self.encoding)
        self.lines = data.splitlines(keepends=True)
        self.tree = parse_quietly(data, filename)
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def line_bytes(self, line: int) -> bytes:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else b""

    def char_col(self, line: int, byte_col: int) -> int:
        return len(self.line_bytes(line)[:byte_col].decode(self.encoding, errors="replace"))

    def starts_line(self, node: ast.stmt) -> bool:
        """Nothing but indentation before the statement on its first line."""
        return not self.line_bytes(node.lineno)[: node.col_offset].strip()

    def ends_line(self, node: ast.stmt) -> bool:
        """Nothing but a comment after the statement on its last line (no ``; more``)."""
        end_line = node.end_lineno or node.lineno
        rest = self.line_bytes(end_line)[node.end_col_offset or 0 :].strip()
        return not rest or rest.startswith(b"#")

    def own_lines(self, node: ast.stmt) -> bool:
        return self.starts_line(node) and self.ends_line(node)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    # ------------------------------------------------------------------ tree helpers
    def container(self, stmt: ast.stmt) -> Optional[tuple[ast.AST, str, StmtList]]:
        """The statement list holding ``stmt``: (owner, field, list)."""
        owner = self.parents.get(stmt)
        if owner is None:
            return None
        for name in ("body", "orelse", "finalbody"):
            value = getattr(owner, name, None)
            if isinstance(value, list) and any(s is stmt for s in value):
                return owner, name, value
        return None

    def statement_of(self, node: ast.AST) -> Optional[ast.stmt]:
        current: Optional[ast.AST] = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parents.get(current)
        return current

    def function_of(self, node: ast.AST) -> Optional[FunctionNode]:
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return current
            current = self.parents.get(current)
        return None

    def is_within(self, node: ast.AST, ancestor: ast.AST) -> bool:
        current: Optional[ast.AST] = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parents.get(current)
        return False


def identifiers(root: ast.AST) -> set[str]:
    """Every name bound or read under ``root``: a new name must clash with none."""
    names: set[str] = set()
    for node in ast.walk(root):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        # def / class names, except-as and match captures (``rest`` of a mapping)
        for attr in ("name", "rest"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                names.add(value)
    return names


def position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def end_position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def is_name(node: Optional[ast.AST], name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
