"""Runtime truth: every project under ``tests/projects/`` is run for real, and the linter
must flag exactly the test functions that really leak a file.

Each project is a small Flask project (``setup.cfg`` at its root, app code, served files,
``tests/conftest.py`` and ``tests/test_*.py``). Every test function covers one row of
runtime-behavior §2 (the row id is in its docstring) and every line the linter must flag
carries a trailing comment with the expected code (``res = client.get(u)  # FCL101``).

Per project, ``test_project_layout`` checks the conventions (``[flake8]`` in ``setup.cfg``,
no other root markers, a docstring row id per test, known codes in comments) and
``test_projects_cover_section2`` the overall coverage. Then three checks (the first needs
no linter, so it runs before the plugin is installed):

``test_runtime_matches_annotations``
    The project's own tests run in a subprocess from a copy in ``tmp_path``::

        PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -W error -p no:cacheprovider \
            -p runtime_oracle_plugin

    (plus ``-p pytest_flask.plugin`` when the project's ``[runtime-truth] pytest-plugins``
    names ``flask``: no other installed plugin takes part). ``-W error`` turns the
    ``ResourceWarning`` of a leaked file into a test failure, as in a suite configured
    with ``filterwarnings = error``.

    **The oracle** (``tests/runtime_oracle_plugin.py``) says which test function *caused*
    each leak, not where pytest happened to report it. It wraps ``sys.unraisablehook``
    (where the ``ResourceWarning`` raised by a file's finalizer lands under ``-W error``)
    and lists, around each test's whole setup/call/teardown, the open descriptors that
    point into the project. A file opened during a test and still open after it is
    "carried"; a later warning about it is charged to the test that opened it. So:

    * an ordinary leak is charged to the test that was running (§2: reported there too);
    * a module-scoped fixture's response, reported at the teardown of the module's last
      test (c10b), is charged to the test during whose setup it was opened;
    * a response kept alive by a failing test's traceback, reported wherever the cyclic
      gc next runs (c02g, c10d), is charged to the failing test;
    * a response in a module global is never reported under ``-W error`` (c10a); it is
      still open when the session ends, and is charged to the test that opened it;
    * a response returned by a function-scoped fixture is freed after the teardown phase,
      when pytest drops the test's funcargs, and reported at the next test's setup (n01);
      it is charged to the test whose protocol was running;
    * a response a test leaves in a reference cycle is freed by the cyclic gc the oracle
      runs at the end of the test's protocol, and charged to that test (on Python 3.13
      one was freed, otherwise, inside pytest's report of a later test's failure, where
      its warning never reached the hook).

    A test function "really leaks" when any leak is charged to it (for a parametrized
    function: to any of its items). Any failure that is not explained by a leak warning
    (a broken project) fails the check, as does a test that never ran.

    Expected: the functions annotated with one of the project's *leak codes* (default
    ``FCL101, FCL102, FCL104``; ``[runtime-truth] leak-codes`` overrides it).

``test_linter_matches_runtime``
    ``python -m flake8 --select=FCL101,FCL102,FCL104 .`` in another copy (so the
    project's ``setup.cfg`` is the flake8 config and marks the project root). The
    functions it flags must be the functions that really leak. When a project's leak
    codes include an opt-in code, the opt-in run below is used instead.

``test_linter_matches_comments``
    The findings, as (file, line, code), must equal the trailing comments exactly: the
    default codes from the run above, and every code from a second run with
    ``--select=FCL --extend-select=FCL100,FCL103``. (The explicit ``--extend-select`` is
    needed: flake8's decision engine alone would let any explicit select such as
    ``--select=FCL`` beat the plugin's ``extend_default_ignore`` of FCL100/FCL103, so the
    plugin itself only emits an opt-in code named by a select entry of at least ``FCL1``.)
    Findings with non-FCL codes (pyflakes etc.) are ignored.

**Mapping a line to test functions** (used for findings and for comments alike): a line
belongs to the outermost function around it that is module-level or a method of a
module-level class. If that function is a test (``test*``), the line maps to it. If it is
another method (``setUp``, a helper method), it maps to every test of that class. If it is a
module-level fixture or helper, it maps to every test that reaches it by name: through its
parameters (fixture requests) or any name it loads (helper calls), transitively through
other fixtures/helpers; a function in a test module is visible to that module only, one in
``conftest.py`` or another non-test module to all. A line outside any function maps to a
pseudo test named after the line, which can never match.

The linter checks fail when ``flake8 --version`` does not list ``flake8-flask-close``:
the suite tests the installed plugin (``pip install -e ".[test]"``).
"""

from __future__ import annotations

import ast
import configparser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Optional

import pytest

HERE = Path(__file__).resolve().parent
PROJECTS_DIR = HERE / "projects"
ORACLE_PLUGIN = HERE / "runtime_oracle_plugin.py"
PROJECTS = sorted(p.name for p in PROJECTS_DIR.iterdir() if (p / "setup.cfg").is_file())

DEFAULT_CODES = frozenset({"FCL101", "FCL102", "FCL104"})
OPT_IN_CODES = frozenset({"FCL100", "FCL103"})
DEFAULT_RUN = ("--select=" + ",".join(sorted(DEFAULT_CODES)),)
OPT_IN_RUN = ("--select=FCL", "--extend-select=" + ",".join(sorted(OPT_IN_CODES)))

SUBPROCESS_TIMEOUT = 120
TAIL = 4000

# Row ids of runtime-behavior §2 (test side). ``n01``... are rows found while building
# these projects and not (yet) in §2; see the docstrings of the tests that use them.
_SECTION2_LETTERS = {
    "c00": "abc",
    "c01": "",
    "c02": "abcdefghi",
    "c03": "abcde",
    "c04": "abcd",
    "c05": "abc",
    "c06": "abcdefghi",
    "c07": "abc",
    "c08": "abcdefghijkl",
    "c09": "abcdef",
    "c10": "abcdef",
    "c11": "abcde",
    "c12": "abcdefgh",
    "c13": "ab",
    "c14": "ab",
}
SECTION2_ROWS = frozenset(
    number + letter for number, letters in _SECTION2_LETTERS.items() for letter in (letters or [""])
)
# A test's docstring starts with the row it covers, e.g. "c03b: chained .data".
ROW_RE = re.compile(r"^(c\d\d[a-z]?|n\d\d):")
NEW_ROW_RE = re.compile(r"^n\d\d$")
MIN_SECTION2_ROWS = 25

COMMENT_RE = re.compile(r"#\s*(FCL\d{3}(?:[\s,]+FCL\d{3})*)\b")
FLAKE8_LINE_RE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+)\b")
CRASH_RE = re.compile(r"Traceback \(most recent call last\)|critical error", re.IGNORECASE)
LEAK_FAILURE_RE = re.compile(
    r"PytestUnraisableExceptionWarning[\s\S]*(unclosed file|ResourceWarning)"
    r"|(unclosed file|ResourceWarning)[\s\S]*PytestUnraisableExceptionWarning"
)

Finding = tuple[str, int, str]
"""(posix path relative to the project root, line, code)"""


# --------------------------------------------------------------------------- projects
@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    pytest_plugins: frozenset[str]
    leak_codes: frozenset[str]
    python_below: tuple[int, ...] = ()
    """Runtime behaviour that only holds on older Pythons (``[runtime-truth] python-below``)."""

    @property
    def linter_run(self) -> tuple[str, ...]:
        """The flake8 run whose findings are compared with the runtime verdicts."""
        return DEFAULT_RUN if self.leak_codes <= DEFAULT_CODES else OPT_IN_RUN


def _csv(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in re.split(r"[,\s]+", value) if v.strip())


@cache
def load_project(name: str) -> Project:
    path = PROJECTS_DIR / name
    cfg = configparser.ConfigParser()
    cfg.read(path / "setup.cfg", encoding="utf-8")
    section = cfg["runtime-truth"] if cfg.has_section("runtime-truth") else {}
    return Project(
        name=name,
        path=path,
        pytest_plugins=_csv(section.get("pytest-plugins", "")),
        leak_codes=_csv(section.get("leak-codes", "")) or DEFAULT_CODES,
        python_below=tuple(int(p) for p in section.get("python-below", "").split(".") if p),
    )


def copy_project(project: Project, dest: Path) -> Path:
    target = dest / project.name
    shutil.copytree(
        project.path,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info"),
    )
    return target


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def tail(text: str) -> str:
    return text if len(text) <= TAIL else "...\n" + text[-TAIL:]


# ------------------------------------------------------------- the test-function map
@dataclass(frozen=True)
class Unit:
    """A module-level function or a method of a module-level class."""

    file: str
    name: str
    cls: Optional[str]
    start: int
    end: int
    refs: frozenset[str]
    docstring: str

    @property
    def is_test(self) -> bool:
        return self.name.startswith("test")

    @property
    def key(self) -> str:
        parts = [self.file, *([self.cls] if self.cls else []), self.name]
        return "::".join(parts)


def _is_test_module(file: str) -> bool:
    base = file.rsplit("/", 1)[-1]
    return base.startswith("test_") or base.endswith("_test.py")


def _refs(node: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.arg):
            names.add(sub.arg)
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            names.add(sub.id)
    return frozenset(names)


def _unit(file: str, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: Optional[str]) -> Unit:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return Unit(
        file=file,
        name=node.name,
        cls=cls,
        start=start,
        end=node.end_lineno or node.lineno,
        refs=_refs(node),
        docstring=ast.get_docstring(node) or "",
    )


class TestMap:
    """Which test functions a source line belongs to (see the module docstring)."""

    __test__ = False

    def __init__(self, root: Path) -> None:
        self.units: list[Unit] = []
        for path in python_files(root):
            file = rel(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.units.append(_unit(file, node, None))
                elif isinstance(node, ast.ClassDef):
                    for sub in node.body:
                        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            self.units.append(_unit(file, sub, node.name))
        self.tests = [u for u in self.units if u.is_test and _is_test_module(u.file)]
        self._helpers: dict[str, list[Unit]] = {}
        for u in self.units:
            if u.cls is None and not u.is_test:
                self._helpers.setdefault(u.name, []).append(u)

    def unit_at(self, file: str, line: int) -> Optional[Unit]:
        for u in self.units:
            if u.file == file and u.start <= line <= u.end:
                return u
        return None

    def _reaches(self, test: Unit, target: Unit) -> bool:
        seen: set[int] = set()
        todo = [test]
        while todo:
            unit = todo.pop()
            for name in unit.refs:
                for helper in self._helpers.get(name, ()):
                    visible = helper.file == test.file or not _is_test_module(helper.file)
                    if not visible or id(helper) in seen:
                        continue
                    if helper is target:
                        return True
                    seen.add(id(helper))
                    todo.append(helper)
        return False

    def tests_for_line(self, file: str, line: int) -> set[str]:
        unit = self.unit_at(file, line)
        if unit is None:
            return {f"{file}:{line} (outside any function)"}
        if unit.is_test:
            return {unit.key}
        if unit.cls is not None:
            return {t.key for t in self.tests if t.file == unit.file and t.cls == unit.cls}
        users = {t.key for t in self.tests if self._reaches(t, unit)}
        return users or {f"{file}:{line} (in {unit.name}, which no test uses)"}

    def tests_for(self, findings: Iterable[Finding]) -> set[str]:
        out: set[str] = set()
        for file, line, _code in findings:
            out |= self.tests_for_line(file, line)
        return out


def function_key(nodeid: str) -> str:
    """``tests/test_x.py::Class::test_y[param]`` -> ``tests/test_x.py::Class::test_y``."""
    return nodeid.split("[", 1)[0]


# --------------------------------------------------------------------- annotations
def expected_comments(root: Path) -> set[Finding]:
    """Every ``# FCLnnn`` comment in the project's Python files."""
    found: set[Finding] = set()
    for path in python_files(root):
        source = path.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT:
                continue
            match = COMMENT_RE.match(tok.string)
            if match:
                for code in re.findall(r"FCL\d{3}", match.group(1)):
                    found.add((rel(path, root), tok.start[0], code))
    return found


def only(findings: Iterable[Finding], codes: frozenset[str]) -> set[Finding]:
    return {f for f in findings if f[2] in codes}


def fmt_findings(findings: Iterable[Finding]) -> str:
    return "\n".join(f"  {f}:{line}: {code}" for f, line, code in sorted(findings)) or "  (none)"


def fmt_keys(keys: Iterable[str]) -> str:
    return "\n".join(f"  {k}" for k in sorted(keys)) or "  (none)"


# ------------------------------------------------------------------- runtime side
@dataclass
class RuntimeResult:
    project: str
    returncode: int
    output: str
    seconds: float
    leaks: dict[str, list[str]] = field(default_factory=dict)
    """test function key -> what leaked (and where pytest reported it)"""
    reported_on: set[str] = field(default_factory=set)
    """test function keys whose own reports failed because of a leak warning"""
    ran: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    """anything that makes the run untrustworthy (failures not caused by leaks, ...)"""

    def describe(self) -> str:
        lines = [f"pytest exit code {self.returncode}, {self.seconds:.1f}s"]
        for key in sorted(self.leaks):
            lines.append(f"  LEAK {key}")
            lines.extend(f"       {why}" for why in self.leaks[key])
        if self.reported_on:
            lines.append(f"  pytest itself failed: {', '.join(sorted(self.reported_on))}")
        lines.extend(f"  PROBLEM {p}" for p in self.problems)
        lines.append("--- pytest output (tail) ---")
        lines.append(tail(self.output))
        return "\n".join(lines)


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in (
        "PYTHONWARNINGS",
        "PYTHONDEVMODE",
        "PYTHONPATH",
        "PYTEST_ADDOPTS",
        "PYTEST_PLUGINS",
        "PYTEST_CURRENT_TEST",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    ):
        env.pop(var, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_project_tests(project: Project, workdir: Path) -> RuntimeResult:
    root = copy_project(project, workdir)
    plugin_dir = workdir / "oracle"
    plugin_dir.mkdir()
    shutil.copy2(ORACLE_PLUGIN, plugin_dir / ORACLE_PLUGIN.name)
    out = workdir / "oracle.json"
    env = _clean_env()
    env["PYTHONPATH"] = str(plugin_dir)
    env["FFC_ORACLE_OUT"] = str(out)
    env["FFC_ORACLE_ROOT"] = str(root.resolve())
    # Only the plugins a project asks for: an installed plugin (hypothesis, say) changes
    # when the cyclic gc runs, and with it where some leaks are reported (failing_asserts).
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-W", "error", "-p", "no:cacheprovider"]
    if "flask" in project.pytest_plugins:
        cmd += ["-p", "pytest_flask.plugin"]
    cmd += ["-p", ORACLE_PLUGIN.stem, "-rfE", "-q"]
    start = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=root, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT
    )
    result = RuntimeResult(
        project=project.name,
        returncode=proc.returncode,
        output=proc.stdout + proc.stderr,
        seconds=time.monotonic() - start,
    )
    if not out.is_file():
        result.problems.append("the oracle wrote no report (pytest crashed?)")
        return result
    data = json.loads(out.read_text(encoding="utf-8"))
    _classify(result, data)
    if proc.returncode not in (0, 1):
        result.problems.append(f"unexpected pytest exit code {proc.returncode}")
    return result


def _classify(result: RuntimeResult, data: dict[str, list[dict[str, object]]]) -> None:
    for ev in data["unraisables"]:
        if not ev["resource_warning"]:
            result.problems.append(f"unraisable that is not a ResourceWarning: {ev}")
            continue
        opener = ev["opener"]
        if ev["reported_in"] is None:
            where = "session end"
        elif ev["when"] is None:
            where = f"{ev['reported_in']}, between phases (pytest reports it at its next check)"
        else:
            where = f"{ev['reported_in']} ({ev['when']})"
        if not isinstance(opener, str):
            result.problems.append(f"leak with no test to charge it to: {ev['message']} @ {where}")
            continue
        result.leaks.setdefault(function_key(opener), []).append(
            f"{ev['message']} -- freed in {where}"
        )
    for kept in data["never_closed"]:
        opener = str(kept["opener"])
        result.leaks.setdefault(function_key(opener), []).append(
            f"{kept['target']} still open when the session ended (nothing reported)"
        )
    for rep in data["reports"]:
        nodeid = str(rep["nodeid"])
        if rep["when"] == "call" or (rep["when"] == "setup" and rep["outcome"] != "passed"):
            result.ran.add(function_key(nodeid))
        if rep["outcome"] != "failed":
            continue
        if rep["when"] == "collect":
            result.problems.append(f"collection failed: {nodeid}\n{rep['text']}")
        elif LEAK_FAILURE_RE.search(str(rep["text"])) and data["unraisables"]:
            # pytest reports a leak at its next collection point, which may be a later
            # test's setup (see n01); that the leak is charged right is checked above.
            result.reported_on.add(function_key(nodeid))
        else:
            result.problems.append(
                f"{nodeid} failed in {rep['when']} for a reason other than a leak:\n{rep['text']}"
            )


class RuntimeCache:
    """Each project's pytest run happens once per session, in its own temp dir."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._runs: dict[str, RuntimeResult] = {}

    def get(self, project: Project) -> RuntimeResult:
        if project.name not in self._runs:
            workdir = self._factory.mktemp(f"run-{project.name}")
            self._runs[project.name] = run_project_tests(project, workdir)
        return self._runs[project.name]


# -------------------------------------------------------------------- linter side
@dataclass
class LintResult:
    findings: set[Finding]
    stdout: str
    stderr: str
    returncode: int

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@lru_cache(maxsize=1)
def linter_installed() -> bool:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=SUBPROCESS_TIMEOUT,
    )
    return "flake8-flask-close" in proc.stdout


def require_linter() -> None:
    if linter_installed():
        return
    pytest.fail('flake8-flask-close is not installed (pip install -e ".[test]")')


def run_flake8(root: Path, args: tuple[str, ...]) -> LintResult:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", *args, "."],
        cwd=root,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    findings: set[Finding] = set()
    for line in proc.stdout.splitlines():
        match = FLAKE8_LINE_RE.match(line)
        if match and match.group("code").startswith("FCL"):
            path = Path(os.path.normpath(match.group("path"))).as_posix()
            findings.add((path, int(match.group("row")), match.group("code")))
    return LintResult(findings, proc.stdout, proc.stderr, proc.returncode)


class LintCache:
    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._roots: dict[str, Path] = {}
        self._runs: dict[tuple[str, tuple[str, ...]], LintResult] = {}

    def get(self, project: Project, args: tuple[str, ...]) -> LintResult:
        key = (project.name, args)
        if key not in self._runs:
            if project.name not in self._roots:
                workdir = self._factory.mktemp(f"lint-{project.name}")
                self._roots[project.name] = copy_project(project, workdir)
            result = run_flake8(self._roots[project.name], args)
            crashed = result.returncode not in (0, 1) or CRASH_RE.search(result.stderr)
            assert not crashed, (
                f"flake8 {' '.join(args)} crashed (exit code {result.returncode}) in"
                f" {project.name}:\n{tail(result.output)}"
            )
            self._runs[key] = result
        return self._runs[key]


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def runtime_cache(tmp_path_factory: pytest.TempPathFactory) -> RuntimeCache:
    return RuntimeCache(tmp_path_factory)


@pytest.fixture(scope="session")
def lint_cache(tmp_path_factory: pytest.TempPathFactory) -> LintCache:
    return LintCache(tmp_path_factory)


@pytest.fixture(params=PROJECTS)
def project(request: pytest.FixtureRequest) -> Project:
    return load_project(request.param)


def skip_unavailable(project: Project) -> None:
    if "flask" in project.pytest_plugins:
        pytest.importorskip("pytest_flask")
    if project.python_below and sys.version_info[:2] >= project.python_below:
        version = ".".join(map(str, project.python_below))
        pytest.skip(f"{project.name}: its runtime behaviour is measured on Python < {version}")


# --------------------------------------------------------------------------- tests
def test_project_layout(project: Project) -> None:
    root = project.path
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg", encoding="utf-8")
    assert cfg.has_section("flake8"), f"{project.name}: setup.cfg needs a [flake8] section"
    for marker in ("pyproject.toml", ".git", "tox.ini", ".flake8"):
        assert not (root / marker).exists(), f"{project.name}: {marker} would change the root"
    assert (root / "tests" / "conftest.py").is_file(), f"{project.name}: no tests/conftest.py"
    tests = TestMap(root).tests
    assert tests, f"{project.name}: no test functions"
    bad = []
    for t in tests:
        match = ROW_RE.match(t.docstring)
        row = match.group(1) if match else None
        if row is None or not (NEW_ROW_RE.match(row) or row in SECTION2_ROWS):
            bad.append(f"{t.key}: {t.docstring[:60]!r}")
    assert not bad, "each test's docstring must start with one §2 row id:\n" + "\n".join(bad)
    stray = {f for f in expected_comments(root) if f[2] not in DEFAULT_CODES | OPT_IN_CODES}
    assert not stray, f"{project.name}: comments with unknown codes:\n{fmt_findings(stray)}"


def test_projects_cover_section2() -> None:
    rows: set[str] = set()
    count = 0
    for name in PROJECTS:
        tests = TestMap(PROJECTS_DIR / name).tests
        count += len(tests)
        for t in tests:
            match = ROW_RE.match(t.docstring)
            if match and match.group(1) in SECTION2_ROWS:
                rows.add(match.group(1))
    assert len(rows) >= MIN_SECTION2_ROWS, f"only {len(rows)} §2 rows covered: {sorted(rows)}"
    assert count >= 50, f"only {count} test functions"


def test_runtime_matches_annotations(project: Project, runtime_cache: RuntimeCache) -> None:
    skip_unavailable(project)
    result = runtime_cache.get(project)
    tmap = TestMap(project.path)
    assert not result.problems, f"{project.name}: the run is not trustworthy\n{result.describe()}"
    all_tests = {t.key for t in tmap.tests}
    assert result.ran == all_tests, (
        f"{project.name}: tests that exist but did not run:\n{fmt_keys(all_tests - result.ran)}"
        f"\nnodeids that ran but are not test functions of the map:"
        f"\n{fmt_keys(result.ran - all_tests)}\n{result.describe()}"
    )
    expected_findings = only(expected_comments(project.path), project.leak_codes)
    expected = tmap.tests_for(expected_findings)
    actual = set(result.leaks)
    assert actual == expected, (
        f"{project.name}: runtime verdicts differ from the annotations"
        f" ({', '.join(sorted(project.leak_codes))})\n"
        f"leak at runtime but not annotated:\n{fmt_keys(actual - expected)}\n"
        f"annotated but no leak at runtime:\n{fmt_keys(expected - actual)}\n"
        f"annotations:\n{fmt_findings(expected_findings)}\n{result.describe()}"
    )


def test_linter_matches_runtime(
    project: Project, runtime_cache: RuntimeCache, lint_cache: LintCache
) -> None:
    skip_unavailable(project)
    require_linter()
    result = runtime_cache.get(project)
    assert not result.problems, f"{project.name}: the run is not trustworthy\n{result.describe()}"
    lint = lint_cache.get(project, project.linter_run)
    findings = only(lint.findings, project.leak_codes)
    flagged = TestMap(project.path).tests_for(findings)
    leaked = set(result.leaks)
    assert flagged == leaked, (
        f"{project.name}: the linter ({' '.join(project.linter_run)}) disagrees with runtime\n"
        f"leak at runtime, not flagged:\n{fmt_keys(leaked - flagged)}\n"
        f"flagged, no leak at runtime:\n{fmt_keys(flagged - leaked)}\n"
        f"findings:\n{fmt_findings(findings)}\n--- flake8 output (tail) ---\n{tail(lint.output)}"
        f"\n--- runtime ---\n{result.describe()}"
    )


@pytest.mark.parametrize("run", ["default", "opt-in"])
def test_linter_matches_comments(project: Project, lint_cache: LintCache, run: str) -> None:
    require_linter()
    args, codes = (DEFAULT_RUN, DEFAULT_CODES) if run == "default" else (OPT_IN_RUN, None)
    lint = lint_cache.get(project, args)
    expected = expected_comments(project.path)
    actual = lint.findings
    if codes is not None:
        expected, actual = only(expected, codes), only(actual, codes)
    assert actual == expected, (
        f"{project.name}: flake8 {' '.join(args)} findings differ from the # FCL comments\n"
        f"reported, not annotated:\n{fmt_findings(actual - expected)}\n"
        f"annotated, not reported:\n{fmt_findings(expected - actual)}\n"
        f"--- flake8 output (tail) ---\n{tail(lint.output)}"
    )
