"""The flake8 entry point."""

from __future__ import annotations

import argparse
import ast
import gc
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from flake8_flask_close import __version__
from flake8_flask_close.codes import DEFAULT_OFF
from flake8_flask_close.config import DEFAULT_CONFIG, Config, config_from_options, register_options
from flake8_flask_close.prodcode.context import ProdContext
from flake8_flask_close.routes import index as route_index
from flake8_flask_close.routes.extract import module_name_for
from flake8_flask_close.routes.index import relpath
from flake8_flask_close.routes.project import find_root
from flake8_flask_close.rules import PROD_RULES, TEST_RULES
from flake8_flask_close.testcode import clients
from flake8_flask_close.testcode.analysis import ModuleAnalysis
from flake8_flask_close.testcode.files import is_test_file
from flake8_flask_close.walks import remembered_walks

LOG = logging.getLogger(__name__)

REQUEST_TOKENS = (
    ".get(",
    ".post(",
    ".put(",
    ".patch(",
    ".delete(",
    ".head(",
    ".options(",
    ".open(",
    "send_",
    "request_context",
)
"""A test file mentioning none of these makes no response we could judge."""

PROD_TOKENS = (
    "send_",
    "call_on_close",
    "after_request",
    "after_app_request",
    "teardown_",
    "wrap_file",
    "Response(",
    "response_class",
    ".close(",
    "get_data",
    "iter_encoded",
    ".response",
)
"""A module mentioning none of these builds, closes or hooks no file response."""

Result = tuple[int, int, str, type]


def printable(message: str) -> str:
    """One line of text any terminal encoding can print: route strings and file names come
    from user code (a newline in a rule, a non-UTF-8 file name)."""
    one_line = " ".join(message.split())
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in one_line)
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


class Plugin:
    name = "flake8-flask-close"
    version = __version__

    config: ClassVar[Config] = DEFAULT_CONFIG

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(option_manager: Any) -> None:
        register_options(option_manager)
        option_manager.extend_default_ignore(DEFAULT_OFF)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.config = config_from_options(options)
        # flake8 parses options once per run: a new run (an editor re-linting in the same
        # process) must see the project as it is now.
        route_index.reset_memo()
        clients.reset_memo()
        cls._build_index_early(options)

    @classmethod
    def _build_index_early(cls, options: argparse.Namespace) -> None:
        """Build (or load) the index once, here, before flake8 forks its workers: they
        inherit it under fork, and find it in the on-disk cache under spawn/forkserver."""
        names = list(getattr(options, "filenames", None) or ["."])
        first = names[0]
        if first == "-":
            return  # one buffer, no workers: the index is built if and when it's needed
        probe = os.path.join(first, "__probe__.py") if os.path.isdir(first) else first
        try:
            root = find_root(probe, cls.config.project_root)
            index = route_index.get_index(root, cls.config.send_functions, None, cls.config.cache)
            for group in index.groups:
                group.route_map  # noqa: B018 - built now, shared by every worker
            # The index lives for the whole run: keep the cyclic gc from walking it again
            # and again while flake8 checks files.
            gc.freeze()
        except Exception as exc:  # the lazy path tries again, per file
            LOG.debug("flake8-flask-close: early index build skipped: %r", exc)

    def run(self) -> Iterator[Result]:
        try:
            with remembered_walks():
                results = list(self._run())
        except Exception as exc:
            LOG.warning(
                "flake8-flask-close: skipped %s after an internal error: %r", self.filename, exc
            )
            return
        yield from results

    def _run(self) -> Iterator[Result]:
        if not isinstance(self.tree, ast.Module):
            return
        source = "".join(self.lines)
        if is_test_file(self.filename, self.config.test_patterns):
            if any(token in source for token in REQUEST_TOKENS):
                yield from self._test_side(self.tree, source)
        elif any(token in source for token in PROD_TOKENS):
            yield from self._prod_side(self.tree, source)

    def _index(self, tree: ast.Module, source: str) -> tuple[str, route_index.RouteIndex]:
        config = self.config
        root = find_root(self.filename, config.project_root)
        index = route_index.get_index(
            root, config.send_functions, (self.filename, source, tree), config.cache
        )
        return root, index

    def _prod_side(self, tree: ast.Module, source: str) -> Iterator[Result]:
        _, index = self._index(tree, source)
        ctx = ProdContext(tree, self.filename, index, self.config.send_functions)
        seen: set[tuple[int, int, str]] = set()
        for rule in PROD_RULES:
            for line, col, message in rule.findings(ctx):
                key = (line, col, message[:6])
                if key not in seen:
                    seen.add(key)
                    yield line, col, printable(message), type(self)

    def _test_side(self, tree: ast.Module, source: str) -> Iterator[Result]:
        config = self.config
        root, index = self._index(tree, source)
        rel = relpath(self.filename, root)
        module, is_package = module_name_for(rel) if not rel.startswith("../") else ("", False)
        knowledge = clients.knowledge_for(
            self.filename, tree, root, config.client_names, module, is_package
        )
        analysis = ModuleAnalysis(tree, self.filename, index, knowledge, config.send_functions)
        uses = analysis.uses()
        seen: set[tuple[int, int, str]] = set()
        for rule in TEST_RULES:
            if not rule.CODE.default_on and rule.CODE.code not in config.opt_in:
                continue
            for line, col, message in rule.findings(uses):
                key = (line, col, message[:6])
                if key in seen:
                    continue
                seen.add(key)
                yield line, col, printable(message), type(self)
