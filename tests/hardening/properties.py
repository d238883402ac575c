"""The fuzzing properties, shared by ``test_fuzz.py`` (short) and ``scripts/fuzz.py`` (the
long campaign). Each ``check_*`` function raises ``AssertionError`` when a property fails and
``Rejected`` when the generated input is not usable (Hypothesis callers turn that into
``assume(False)``)."""

from __future__ import annotations

import ast
import random
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flake8_flask_close.routes import index as route_index
from flake8_flask_close.routes.cache import CacheSettings
from flake8_flask_close.routes.scan import scan_project
from tests.hardening.strategies import Project
from tests.hardening.support import LEAKY_TEST, SIMPLE_APP, check_results, run_plugin

ROUTE_WORDS = ("route", "add_url_rule", "Flask", "Blueprint", "register_blueprint", "send_")
"""A generated module holding none of these can't change the simple app's routes."""

Results = dict[str, list[tuple[int, int, str]]]
FILE_MARKERS = ("send_file(name)", "send_file(fh)", "send_from_directory(", "Response(open(")
"""What the project strategy writes only into views that serve a file."""
ALWAYS_ALLOWED = ("FCL100", "FCL103")
"""Codes about any response, file or not (opt-in hygiene)."""


def serves_no_file(project: Project) -> bool:
    """No view serves a file and no app or blueprint has a static route."""
    sources = [text for name, text in project.files.items() if not name.startswith("tests/")]
    if any(marker in text for text in sources for marker in FILE_MARKERS):
        return False
    app = project.files.get("app.py", "")
    if "static_folder=None" not in app:
        return False
    return not any('static_folder="static"' in text for text in sources)


class Rejected(Exception):
    """The generated input can't be used (it doesn't parse here)."""


@contextmanager
def project_dir(files: dict[str, str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ffc-fuzz-") as folder:
        root = Path(folder)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        yield root


def parse(source: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise Rejected(repr(exc)) from None


def lint_all(root: Path, names: list[str]) -> Results:
    """One flake8-like run over ``names`` in this order: a fresh state once, then every
    file against the same memos (as one flake8 process does)."""
    out: Results = {}
    fresh = True
    for name in names:
        source = (root / name).read_text(encoding="utf-8")
        results, internal = run_plugin(root / name, source, fresh=fresh)
        fresh = False
        assert internal == [], (name, internal)
        check_results(results, source)
        out[name] = sorted(results)
    return out


def check_grammar_checked(source: str, as_test: bool) -> None:
    """Any program, as a test file or a production file: no exception, no internal error,
    well-formed findings."""
    tree = parse(source)
    with project_dir({"setup.cfg": "", "app.py": SIMPLE_APP}) as root:
        name = root / ("tests/test_gen.py" if as_test else "gen.py")
        results, internal = run_plugin(name, source, tree=tree)
        assert internal == [], internal
        check_results(results, source)


def check_grammar_project_module(source: str) -> None:
    """Any program as a module the index reads: no exception, no internal error, and the
    simple app's leak is still found when the program can't touch routes."""
    parse(source)
    files = {"setup.cfg": "", "app.py": SIMPLE_APP, "test_leak.py": LEAKY_TEST, "gen.py": source}
    with project_dir(files) as root:
        results, internal = run_plugin(root / "test_leak.py", LEAKY_TEST)
        assert internal == [], internal
        check_results(results, LEAKY_TEST)
        if not any(word in source for word in ROUTE_WORDS):
            assert [(line, msg[:6]) for line, _, msg in results] == [(2, "FCL101")], results


def check_project(project: Project) -> Results:
    """Deterministic, independent of the order files are linted in, well-formed, no
    test-side finding on a provably closed request, and no file finding at all in a
    project that serves no file."""
    names = sorted(n for n in project.files if n.endswith(".py"))
    with project_dir(project.files) as root:
        forwards = lint_all(root, names)
        backwards = lint_all(root, names[::-1])
    assert forwards == backwards, "findings depend on the order of the files"
    for name, lines in project.safe_lines.items():
        wrong = [r for r in forwards[name] if r[0] in lines and r[2].startswith("FCL1")]
        assert not wrong, (name, wrong)
    if serves_no_file(project):
        claims = [
            (name, r) for name, rs in forwards.items() for r in rs if r[2][:6] not in ALWAYS_ALLOWED
        ]
        assert not claims, ("a file finding in a project that serves no file", claims)
    return forwards


def check_index_order(project: Project, seed: int) -> None:
    """The route index links the same routes whatever the order of its modules."""
    with project_dir(project.files) as root:
        modules = scan_project(str(root), (), CacheSettings(enabled=False))

        def routes(order: list[str]) -> set[tuple[object, ...]]:
            index = route_index.RouteIndex(str(root), [modules[k] for k in order])
            return {
                (g.key, r.rule, r.methods, r.endpoint, r.evidence, r.sometimes, r.static_dir)
                for g, r in index.all_routes()
            }

        keys = sorted(modules)
        shuffled = keys[:]
        random.Random(seed).shuffle(shuffled)
        assert routes(keys) == routes(shuffled), "routes depend on the order of the modules"
