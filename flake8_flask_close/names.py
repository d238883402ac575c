"""Import aliases and dotted names, tracked by hand (no libcst, no imports of user code)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from typing import Optional, Union

from flake8_flask_close.walks import remembered, statements, walk

LIBRARY_PACKAGES = frozenset(
    getattr(sys, "stdlib_module_names", ())
    or ("io", "os", "json", "re", "sys", "typing", "pathlib", "tempfile", "unittest", "pprint")
) | {"flask", "werkzeug", "pytest", "jinja2", "click"}
"""Top-level packages that are never the project's own: the standard library and the
frameworks around a Flask test suite."""

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def params_of(func: Union[FunctionNode, ast.Lambda]) -> list[str]:
    """The names of a function's parameters, in order (``*args``/``**kw`` left out)."""
    a = func.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


def mentions(node: ast.AST, name: str) -> bool:
    """Does the name ``name`` appear anywhere in ``node``?"""
    return any(isinstance(n, ast.Name) and n.id == name for n in walk(node))


def dotted(node: ast.AST) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):  # the commonest, and ``a.b`` next: no list to join
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def resolve_relative(module: str, is_package: bool, level: int, target: Optional[str]) -> str:
    """Absolute module name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target or ""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


def import_aliases(tree: ast.AST, module: str = "", is_package: bool = False) -> dict[str, str]:
    """Local name -> qualified dotted name, for every import anywhere in the tree.

    Later imports win; imports inside functions count too (tests often import locally).
    """
    found = remembered(
        tree, ("imports", module, is_package), lambda: _aliases(tree, module, is_package)
    )
    return dict(found)


def _aliases(tree: ast.AST, module: str, is_package: bool) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package, node.level or 0, node.module)
            for alias in node.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name
                aliases[local] = f"{base}.{alias.name}" if base else alias.name
    return aliases


def string_constants(body: list[ast.stmt]) -> dict[str, str]:
    """``NAME = "text"`` assignments among these statements."""
    found: dict[str, str] = {}
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt.value.value
    return found


def qualify(node: ast.AST, aliases: Mapping[str, str]) -> Optional[str]:
    """Qualified dotted name of a Name/Attribute expression, through the import aliases."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base
