"""Runtime proof of ``flake8-flask-close fix``: run the fixer on every runtime-truth
project that leaks, then run the project for real.

Test side (``tests/projects/``, the projects with ``# FCL101`` / ``# FCL102`` comments):
each project is copied to a temporary folder and fixed with ``--select FCL101,FCL102``.
Then

(a) its own tests run under ``pytest -W error`` with the runtime oracle of
    ``tests/test_runtime_truth.py``: no test function the fixer fixed leaks any more, no
    test fails for another reason (a body read after a with-block would), every test still
    runs, and the only leaks left belong to findings the fixer skipped (with a reason) or to
    other codes (FCL104);
(b) ``flake8 --select=FCL101,FCL102`` reports only what the fixer skipped;
(c) a second fixer run changes nothing;
(d) the diff touches only the flagged statements and the later statements of the same
    block (the ones a with-block takes in).

Production side (``tests/prodprojects/`` with ``# FCL201`` / ``# FCL202`` comments): the
same, and the fixed project is served by waitress through ``tests/prodprojects/runner.py``:
every fixed view now serves its whole file, and the views still failing are exactly the
ones whose findings were skipped.

The pytest, flake8 and waitress subprocesses of all projects run in parallel, once per
session.
"""

from __future__ import annotations

import ast
import difflib
import json
import sys
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import pytest

from flake8_flask_close.fix.engine import fix_paths
from flake8_flask_close.fix.model import RunResult
from flake8_flask_close.fix.settings import load_settings
from tests.test_prod_runtime_truth import PROD_DIR, View, run_runner
from tests.test_prod_runtime_truth import copy_project as copy_prod_project
from tests.test_runtime_truth import (
    PROJECTS,
    PROJECTS_DIR,
    LintResult,
    Project,
    RuntimeResult,
    TestMap,
    copy_project,
    expected_comments,
    fmt_findings,
    linter_installed,
    load_project,
    python_files,
    rel,
    run_flake8,
    run_project_tests,
    skip_unavailable,
)

TEST_CODES = ("FCL101", "FCL102")
PROD_CODES = ("FCL201", "FCL202")
Finding = tuple[str, int, str]


def _annotated(root: Path, codes: Iterable[str]) -> set[Finding]:
    wanted = set(codes)
    return {f for f in expected_comments(root) if f[2] in wanted}


FIX_PROJECTS = [p for p in PROJECTS if _annotated(PROJECTS_DIR / p, TEST_CODES)]
PROD_PROJECTS = sorted(
    p.name for p in PROD_DIR.iterdir() if (p / "setup.cfg").is_file() and _annotated(p, PROD_CODES)
)


# --------------------------------------------------------------------- one fixed copy
@dataclass
class Fixed:
    name: str
    original: Path
    root: Path
    first: RunResult
    second: RunResult
    fixed: set[Finding]
    skipped: dict[Finding, str]
    lint: Optional[LintResult] = None
    runtime: Optional[RuntimeResult] = None
    served: Optional[dict[str, View]] = None
    serve_problem: str = ""


def _outcomes(run: RunResult, root: Path) -> tuple[set[Finding], dict[Finding, str]]:
    fixed: set[Finding] = set()
    skipped: dict[Finding, str] = {}
    for path, outcome in run.outcomes:
        key = (rel(Path(path), root), outcome.line, outcome.code)
        if outcome.fixed:
            fixed.add(key)
        else:
            skipped[key] = outcome.message
    return fixed, skipped


def _fix(name: str, original: Path, root: Path, codes: tuple[str, ...]) -> Fixed:
    settings = load_settings(str(root))
    first, _ = fix_paths([str(root)], settings, codes, write=True)
    second, _ = fix_paths([str(root)], settings, codes, write=True)
    fixed, skipped = _outcomes(first, root)
    return Fixed(name, original, root, first, second, fixed, skipped)


def _serve(root: Path) -> tuple[Optional[dict[str, View]], str]:
    out = root.parent / "served.json"
    proc = run_runner(root, out)
    if proc.returncode != 0 or not out.is_file():
        return None, f"runner exit code {proc.returncode}\n{proc.stdout}{proc.stderr}"
    views = [View.from_json(v) for v in json.loads(out.read_text(encoding="utf-8"))["views"]]
    return {v.endpoint: v for v in views}, ""


class FixedProjects:
    """Every project fixed in its own copy, its subprocesses run in parallel, once."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.test: dict[str, Fixed] = {}
        self.prod: dict[str, Fixed] = {}
        jobs = []
        for name in FIX_PROJECTS:
            project = load_project(name)
            root = copy_project(project, factory.mktemp(f"fix-{name}"))
            fixed = _fix(name, project.path, root, TEST_CODES)
            self.test[name] = fixed
            jobs.append((fixed, project))
        prod_jobs = []
        for name in PROD_PROJECTS:
            root = copy_prod_project(name, factory.mktemp(f"fixprod-{name}"))
            fixed = _fix(name, PROD_DIR / name, root, PROD_CODES)
            self.prod[name] = fixed
            prod_jobs.append(fixed)
        with ThreadPoolExecutor(max_workers=8) as pool:
            runs = {f.name: pool.submit(self._run_tests, f, p, factory) for f, p in jobs}
            lints = {
                f.name: pool.submit(run_flake8, f.root, ("--select=" + ",".join(TEST_CODES),))
                for f, _ in jobs
            }
            prod_lints = {
                f.name: pool.submit(run_flake8, f.root, ("--select=" + ",".join(PROD_CODES),))
                for f in prod_jobs
            }
            serves = {f.name: pool.submit(_serve, f.root) for f in prod_jobs}
            for name, future in runs.items():
                self.test[name].runtime = future.result()
            for name, lint in lints.items():
                self.test[name].lint = lint.result()
            for name, lint in prod_lints.items():
                self.prod[name].lint = lint.result()
            for name, serve in serves.items():
                self.prod[name].served, self.prod[name].serve_problem = serve.result()

    @staticmethod
    def _run_tests(
        fixed: Fixed, project: Project, factory: pytest.TempPathFactory
    ) -> Optional[RuntimeResult]:
        if project.python_below and sys.version_info[:2] >= project.python_below:
            return None
        workdir = factory.mktemp(f"fixrun-{fixed.name}")
        return run_project_tests(replace(project, path=fixed.root), workdir)


@pytest.fixture(scope="module")
def fixed_projects(tmp_path_factory: pytest.TempPathFactory) -> FixedProjects:
    return FixedProjects(tmp_path_factory)


# ------------------------------------------------------------------------- checks
def _statement_lines(tree: ast.Module, line: int, code: str) -> set[int]:
    """The lines a fix of the finding on ``line`` may touch: the statement reported
    there, and the later statements of its block (a with-block takes them in); for FCL201
    the with-statement around it."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for i, stmt in enumerate(block):
                if not isinstance(stmt, ast.stmt) or stmt.lineno != line:
                    continue
                span = [stmt]
                if code in TEST_CODES:
                    span += block[i + 1 :]
                if code == "FCL201" and isinstance(node, (ast.With, ast.AsyncWith)):
                    span.append(node)
                for s in span:
                    allowed.update(range(s.lineno, (s.end_lineno or s.lineno) + 1))
    return allowed


def _check_diff_locality(fixed: Fixed) -> list[str]:
    problems = []
    by_file: dict[str, set[int]] = {}
    for file, line, code in fixed.fixed:
        tree = ast.parse((fixed.original / file).read_text(encoding="utf-8"))
        by_file.setdefault(file, set()).update(_statement_lines(tree, line, code))
    for path in python_files(fixed.root):
        file = rel(path, fixed.root)
        before = (fixed.original / file).read_text(encoding="utf-8").splitlines()
        after = path.read_text(encoding="utf-8").splitlines()
        allowed = by_file.get(file, set())
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag == "equal":
                continue
            touched = set(range(i1 + 1, i2 + 1)) if i2 > i1 else {i1, i1 + 1}
            ok = bool(touched & allowed) if tag == "insert" else touched <= allowed
            if not ok:
                problems.append(
                    f"{file}: lines {sorted(touched)} changed outside {sorted(allowed)}"
                )
    return problems


def _common_checks(fixed: Fixed, codes: tuple[str, ...]) -> None:
    annotated = _annotated(fixed.original, codes)
    reported = fixed.fixed | set(fixed.skipped)
    assert reported == annotated, (
        f"{fixed.name}: the fixer did not see the findings the comments expect\n"
        f"seen, not annotated:\n{fmt_findings(reported - annotated)}\n"
        f"annotated, not seen:\n{fmt_findings(annotated - reported)}"
    )
    assert not fixed.first.errors, [f.error for f in fixed.first.errors]
    assert all(reason.strip() for reason in fixed.skipped.values())
    # (b) what flake8 still reports is what the fixer skipped
    assert fixed.lint is not None
    left = Counter((f, code) for f, _, code in fixed.lint.findings if code in codes)
    skipped = Counter((f, code) for f, _, code in fixed.skipped)
    assert left == skipped, (
        f"{fixed.name}: flake8 after the fix:\n{fmt_findings(fixed.lint.findings)}\n"
        f"skipped by the fixer:\n{fmt_findings(fixed.skipped)}\n{fixed.lint.output}"
    )
    changed = {rel(Path(f.path), fixed.root) for f in fixed.first.changed}
    for file, _, _ in fixed.skipped:
        if file not in changed:  # an untouched file keeps its lines
            assert {(f, n, c) for f, n, c in fixed.lint.findings if f == file} == {
                k for k in fixed.skipped if k[0] == file
            }
    # (c) idempotent
    assert not fixed.second.changed, [f.path for f in fixed.second.changed]
    assert not any(o.fixed for _, o in fixed.second.outcomes)
    assert Counter(o.code for _, o in fixed.second.outcomes) == Counter(
        code for _, _, code in fixed.skipped
    )
    # (d) only the flagged statements (and what a with-block takes in) changed
    problems = _check_diff_locality(fixed)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", FIX_PROJECTS)
def test_fixed_project_no_longer_leaks(name: str, fixed_projects: FixedProjects) -> None:
    fixed = fixed_projects.test[name]
    project = load_project(name)
    skip_unavailable(project)
    if not linter_installed():
        pytest.fail('flake8-flask-close is not installed (pip install -e ".[test]")')
    assert fixed.fixed, f"{name}: nothing was fixed"
    _common_checks(fixed, TEST_CODES)
    # (a) runtime
    result = fixed.runtime
    assert result is not None
    assert not result.problems, f"{name}: the fixed project breaks\n{result.describe()}"
    tmap = TestMap(project.path)
    assert result.ran == {t.key for t in tmap.tests}, result.describe()
    left = set(fixed.skipped) | {
        f for f in expected_comments(project.path) if f[2] in project.leak_codes - set(TEST_CODES)
    }
    may_leak = tmap.tests_for(left)
    must_not_leak = tmap.tests_for(fixed.fixed) - may_leak
    assert must_not_leak, f"{name}: no test function is fixed on its own"
    still = must_not_leak & set(result.leaks)
    assert not still, f"{name}: fixed tests still leak: {sorted(still)}\n{result.describe()}"
    assert set(result.leaks) <= may_leak, (
        f"{name}: leaks that no skipped finding explains: {sorted(set(result.leaks) - may_leak)}"
        f"\n{result.describe()}"
    )


@pytest.mark.parametrize("name", PROD_PROJECTS)
def test_fixed_views_serve_the_whole_file(name: str, fixed_projects: FixedProjects) -> None:
    fixed = fixed_projects.prod[name]
    if not linter_installed():
        pytest.fail('flake8-flask-close is not installed (pip install -e ".[test]")')
    assert fixed.fixed, f"{name}: nothing was fixed"
    _common_checks(fixed, PROD_CODES)
    views = fixed.served
    assert views is not None, fixed.serve_problem

    def view_of(finding: Finding) -> str:
        file, line, _ = finding
        tree = ast.parse((fixed.original / file).read_text(encoding="utf-8"))
        funcs = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.lineno <= line <= (n.end_lineno or 0)
        ]
        assert funcs, finding
        func = max(funcs, key=lambda n: n.lineno).name
        found = [e for e in views if e.rsplit(".", 1)[-1] == func]
        assert len(found) == 1, (finding, func, sorted(views))
        return found[0]

    fixed_views = {view_of(f) for f in fixed.fixed}
    skipped_views = {view_of(f) for f in fixed.skipped}
    failing = {e: v.failures(fixed.root) for e, v in views.items() if v.failures(fixed.root)}
    for endpoint in fixed_views - skipped_views:
        view = views[endpoint]
        assert view.status == 200 and view.expected_body, view.summary(fixed.root)
        assert endpoint not in failing, view.summary(fixed.root)
    assert set(failing) == skipped_views, (
        f"{name}: failing after the fix: {failing}; views of skipped findings: {skipped_views}"
    )
