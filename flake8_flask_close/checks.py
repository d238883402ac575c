"""The analysis of one file: its findings, on the test side or the production side.

Imported by the plugin only when a file's findings are not in the result cache, so a run
over an unchanged project doesn't even load it.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from types import ModuleType

from flake8_flask_close.config import Config
from flake8_flask_close.prodcode.context import HOOK_WORDS, ProdContext
from flake8_flask_close.result_cache import Finding
from flake8_flask_close.routes import index as route_index
from flake8_flask_close.routes.extract import module_name_for
from flake8_flask_close.routes.project import find_root
from flake8_flask_close.routes.scan import relpath
from flake8_flask_close.rules import PROD_RULES, TEST_RULES
from flake8_flask_close.testcode import clients
from flake8_flask_close.testcode.analysis import ModuleAnalysis
from flake8_flask_close.testcode.files import helper_module_paths


def printable(message: str) -> str:
    """One line of text any terminal encoding can print: route strings and file names come
    from user code (a newline in a rule, a non-UTF-8 file name)."""
    one_line = " ".join(message.split())
    if one_line.isprintable() and one_line.isascii():
        return one_line
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in one_line)
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def _index(
    tree: ast.Module, filename: str, source: str, config: Config
) -> tuple[str, route_index.RouteIndex]:
    root = find_root(filename, config.project_root)
    index = route_index.get_index(
        root, config.send_functions, (filename, source, tree), config.cache
    )
    return root, index


def prod_findings(
    tree: ast.Module, filename: str, source: str, config: Config
) -> Iterator[Finding]:
    root, index = _index(tree, filename, source, config)
    rel = relpath(filename, root)
    module = module_name_for(rel)[0]
    hook_here = any(word in source for word in HOOK_WORDS) or module in index.hook_modules()
    rules = [
        rule
        for rule in PROD_RULES
        # names in non-ASCII text may be spelled otherwise than Python reads them (NFKC)
        if not source.isascii() or rule.may_report(source, hook_here)
    ]
    if not rules:
        return  # most production modules: nothing any rule looks for
    ctx = ProdContext(tree, filename, index, config.send_functions)
    seen: set[tuple[int, int, str]] = set()
    for rule in rules:
        for line, col, message in rule.findings(ctx):
            key = (line, col, message[:6])
            if key not in seen:
                seen.add(key)
                yield line, col, printable(message)


def test_module_analysis(
    tree: ast.Module,
    filename: str,
    source: str,
    index: route_index.RouteIndex,
    config: Config,
    rules: Collection[ModuleType],
) -> ModuleAnalysis:
    """The analysis of the test module ``filename`` for the test-side ``rules``."""
    module, is_package = module_name_for(relpath(filename, index.root))
    knowledge = clients.knowledge_for(
        filename, tree, index.root, config.client_names, module, is_package
    )
    helpers = helper_module_paths(filename, source, index.root, config.test_patterns)
    return ModuleAnalysis(
        tree,
        filename,
        index,
        knowledge,
        config.send_functions,
        tuple(helpers),
        names_every_route=any(rule.NAMES_EVERY_ROUTE for rule in rules),
    )


def test_findings(
    tree: ast.Module, filename: str, source: str, config: Config
) -> Iterator[Finding]:
    _, index = _index(tree, filename, source, config)
    rules = [r for r in TEST_RULES if r.CODE.default_on or r.CODE.code in config.opt_in]
    uses = test_module_analysis(tree, filename, source, index, config, rules).uses()
    seen: set[tuple[int, int, str]] = set()
    for rule in rules:
        for line, col, message in rule.findings(uses):
            key = (line, col, message[:6])
            if key in seen:
                continue
            seen.add(key)
            yield line, col, printable(message)
