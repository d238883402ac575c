"""The findings the fixer may act on, from the plugin's own analysis (never a second
implementation of what a client, a response or a file route is)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.checks import test_module_analysis
from flake8_flask_close.config import Config
from flake8_flask_close.fix.model import PROD_CODES, TEST_CODES
from flake8_flask_close.fix.source import SourceText
from flake8_flask_close.names import FunctionNode
from flake8_flask_close.plugin import PROD_TOKENS, may_make_requests
from flake8_flask_close.prodcode.context import ProdContext
from flake8_flask_close.routes import index as route_index
from flake8_flask_close.routes.project import find_root
from flake8_flask_close.rules import (
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl201_file_closed_before_send,
    fcl202_file_response_closed_before_return,
)
from flake8_flask_close.testcode.analysis import ResponseUse
from flake8_flask_close.testcode.files import is_test_file

TEST_RULES = (fcl101_unclosed_file_response, fcl102_unclosable_file_response)
PROD_RULES = (fcl201_file_closed_before_send, fcl202_file_response_closed_before_return)

NOQA = re.compile(
    rb"#\s*noqa(?::[\s]?(?P<codes>[A-Z][0-9]+(?:[,\s]+[A-Z][0-9]+)*))?", re.IGNORECASE
)
"""flake8's inline ``# noqa`` / ``# noqa: FCL101,E501`` (its own pattern, simplified)."""


@dataclass(frozen=True)
class Candidate:
    code: str
    line: int
    col: int
    message: str
    stmt: ast.stmt
    """The statement the finding is reported on."""
    call: Optional[ast.Call] = None
    """Test side: the request that makes the response."""
    func: Optional[FunctionNode] = None
    use: Optional[ResponseUse] = None

    @property
    def from_client(self) -> bool:
        return self.use is not None and self.use.from_client


def is_test_side(filename: str, config: Config) -> bool:
    return is_test_file(filename, config.test_patterns)


@dataclass
class Analysis:
    candidates: list[Candidate]
    prod: Optional[ProdContext] = None
    """The production context the FCL2xx rules ran with (production files only)."""


def analyze(
    source: SourceText,
    filename: str,
    config: Config,
    select: Iterable[str],
    on_disk: bool = False,
) -> Analysis:
    """Every selected FCL101/FCL102 (test files) or FCL201/FCL202 (other files) finding,
    without the ones silenced by ``# noqa``; sorted by position. ``on_disk``: the route
    index keeps the file's facts as read from disk (the rewrites change no route, only
    line numbers, and a changed file would cost a new index)."""
    wanted = frozenset(select)
    prod: Optional[ProdContext] = None
    if is_test_side(filename, config):
        if not wanted & TEST_CODES or not may_make_requests(filename, source.text, config):
            return Analysis([])
        found = list(_test_candidates(source, filename, config, wanted, on_disk))
    else:
        if not wanted & PROD_CODES or not any(t in source.text for t in PROD_TOKENS):
            return Analysis([])
        index = _index(source, filename, config, on_disk)
        prod = ProdContext(source.tree, filename, index, config.send_functions)
        found = list(_prod_candidates(source, prod, wanted))
    found = [c for c in found if not _silenced(source, c)]
    return Analysis(sorted(found, key=lambda c: (c.line, c.col, c.code)), prod)


def _index(
    source: SourceText, filename: str, config: Config, on_disk: bool = False
) -> route_index.RouteIndex:
    root = find_root(filename, config.project_root)
    override = None if on_disk else (filename, source.text, source.tree)
    return route_index.get_index(root, config.send_functions, override, config.cache)


def _test_candidates(
    source: SourceText, filename: str, config: Config, wanted: frozenset[str], on_disk: bool
) -> Iterator[Candidate]:
    index = _index(source, filename, config, on_disk)
    rules = [rule for rule in TEST_RULES if rule.CODE.code in wanted]
    analysis = test_module_analysis(source.tree, filename, source.text, index, config, rules)
    # ModuleAnalysis.uses(), keeping the request call each use was made from: the fixer
    # rewrites that call (ResponseUse carries only its statement).
    for func in analysis.functions:
        for src in analysis.sources(func):
            use = analysis.fate_of(src, func)
            if use is None:
                continue
            for rule in TEST_RULES:
                if rule.CODE.code not in wanted:
                    continue
                for line, col, message in rule.findings([use]):
                    yield Candidate(
                        rule.CODE.code, line, col, message, use.stmt, src.call, func, use
                    )


def _prod_candidates(
    source: SourceText, ctx: ProdContext, wanted: frozenset[str]
) -> Iterator[Candidate]:
    statements: dict[tuple[int, int], ast.stmt] = {}
    for node in ast.walk(source.tree):
        if isinstance(node, ast.stmt):
            statements.setdefault((node.lineno, node.col_offset), node)
    seen: set[tuple[int, int, str]] = set()
    for rule in PROD_RULES:
        code = rule.CODE.code
        if code not in wanted:
            continue
        for line, col, message in rule.findings(ctx):
            stmt = statements.get((line, col))
            if stmt is None or (line, col, code) in seen:
                continue
            seen.add((line, col, code))
            yield Candidate(code, line, col, message, stmt, func=source.function_of(stmt))


def _silenced(source: SourceText, candidate: Candidate) -> bool:
    """``# noqa`` or ``# noqa: <code or prefix>`` on a line of the reported statement (its
    header only, for a compound statement), as flake8 would apply it."""
    stmt = candidate.stmt
    last = stmt.lineno
    if not isinstance(stmt, (ast.With, ast.AsyncWith, ast.If, ast.For, ast.While, ast.Try)):
        last = stmt.end_lineno or stmt.lineno
    elif isinstance(stmt, (ast.With, ast.AsyncWith)) and stmt.body:
        last = max(stmt.lineno, stmt.body[0].lineno - 1)
    for line in range(candidate.line, last + 1):
        for match in NOQA.finditer(source.line_bytes(line)):
            codes = match.group("codes")
            if codes is None:
                return True
            listed = [c.decode().upper() for c in re.split(rb"[,\s]+", codes) if c]
            if any(candidate.code.startswith(c) for c in listed):
                return True
    return False
