"""Runtime truth, production side: every project under ``tests/prodprojects/`` is served
for real, and the linter must flag exactly the views that really fail.

Each project is a small Flask application (``setup.cfg`` with ``[flake8]`` at its root, an
``app.py`` module or an ``app/`` package, real data files of 200 KiB or more; no tests).
Every view's docstring starts with the runtime-behavior §3 row it covers
(``p17a: with open(...) as f: ...``; ``pn01``... are rows not in §3) and may name its sample URL
(``url: /files/orders.csv``, needed when the rule has arguments) and the file its body
must equal (``body: data/orders.csv``). Every line the linter must flag carries a
trailing comment with the expected code (``response.close()  # FCL202``). See
``tests/prodprojects/README.md``.

**Serving** (``tests/prodprojects/runner.py``, one subprocess per project, on a copy in
``tmp_path``): the project's app is served by waitress on 127.0.0.1 (an ephemeral port,
one worker thread) and every rule of ``app.url_map`` is fetched once with urllib (a 10 s
timeout per request), including the app's and blueprints' static routes when they have a
static folder. The runner only observes; see its docstring for what it records.

**The oracle**: a view *really fails* when its request

* ends with a status other than 200, or the transfer breaks (``IncompleteRead``, reset),
* gets a body that differs from its ``body:`` file (size and sha256),
* makes the server log an error (Flask's "Exception on ..." or waitress's "Exception while
  serving ...": ``ValueError: I/O operation on closed file``, ``RuntimeError: Attempted
  implicit sequence conversion ...``),
* or registers a ``call_on_close`` callback that has not run 0.5 s after the response
  (FCL205: the runner counts registrations and calls of ``Response.call_on_close``).

**Mapping a line to views** (for findings and ``# FCL20n`` comments alike): the runner
traces which lines of the project ran while each request was served (view, helpers,
request hooks, the body's generator, close callbacks). A line maps to every view whose
request ran it, except that a line inside a request hook (a function registered with
``after_request``, ``teardown_request`` or ``teardown_appcontext``, on the app or a
blueprint) maps only to those of them whose view returned a file response (direct
passthrough, as ``send_file``, ``send_from_directory``, ``wrap_file`` and the static
routes return): a hook that closes or reads every response breaks only those (§3 p18a')
and is still flagged once, on the hook's line. A line that no request ran maps to a
pseudo view named after the line, which can never match.

Checks, per project:

``test_prod_project_layout``
    the conventions above, statically; ``test_prod_projects_cover_section3`` checks that
    every §3 row is covered by some view.
``test_prod_runtime_matches_comments``
    (needs no linter) the views that really fail are exactly the views the ``# FCL20n``
    comments map to; every view has a row id and was requested.
``test_prod_linter_matches_runtime``
    ``python -m flake8 --select=FCL2 .`` in a copy of the project: the views its findings
    map to are exactly the views that really fail.
``test_prod_linter_matches_comments``
    the findings, as (file, line, code), equal the ``# FCL20n`` comments.

The two linter checks fail (they never skip) when ``flake8 --version`` does not list
``flake8-flask-close``, and say so plainly when flake8 reports no FCL2 finding at all in
a project that expects some (the production rules are missing or not registered).
"""

from __future__ import annotations

import configparser
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Optional

import pytest

from tests.test_runtime_truth import (
    CRASH_RE,
    Finding,
    LintResult,
    _clean_env,
    expected_comments,
    fmt_findings,
    fmt_keys,
    python_files,
    require_linter,
    run_flake8,
    tail,
)

HERE = Path(__file__).resolve().parent
PROD_DIR = HERE / "prodprojects"
RUNNER = PROD_DIR / "runner.py"
PROJECTS = sorted(p.name for p in PROD_DIR.iterdir() if (p / "setup.cfg").is_file())

PROD_CODES = frozenset({"FCL201", "FCL202", "FCL203", "FCL204", "FCL205"})
LINT_RUN = ("--select=FCL2",)
RUNNER_TIMEOUT = 60
MIN_DATA_FILE = 200 * 1024

# Row ids of runtime-behavior §3 (production side); "ok" is the row of correct views.
SECTION3_ROWS = frozenset(
    {
        "ok",
        "p15",
        "p16",
        "p17a",
        "p17b",
        "p17c",
        "p17d",
        "p18a",
        "p18a'",
        "p18b",
        "p19a",
        "p19b",
        "p19c",
        "p19d",
        "p19d'",
        "p19g",
        "p19h",
        "p19i",
    }
)
ROW_RE = re.compile(r"^(ok|p1[5-9][a-z]?'?|pn\d\d):")
NEW_ROW_RE = re.compile(r"^pn\d\d$")
SKIP_COPY = shutil.ignore_patterns("__pycache__", "*.pyc", "spool")


def copy_project(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(PROD_DIR / name, target, ignore=SKIP_COPY)
    return target


# ------------------------------------------------------------------- runtime side
@dataclass(frozen=True)
class View:
    endpoint: str
    url: Optional[str]
    doc: str
    expected_body: Optional[str]
    status: Optional[int]
    body_size: int
    body_sha256: str
    client_error: str
    errors: tuple[str, ...]
    callbacks_registered: int
    callbacks_fired: int
    file_response: Optional[bool]
    lines: frozenset[tuple[str, int]]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> View:
        return cls(
            endpoint=data["endpoint"],
            url=data["url"],
            doc=data["doc"],
            expected_body=data["expected_body"],
            status=data.get("status"),
            body_size=data.get("body_size", 0),
            body_sha256=data.get("body_sha256", ""),
            client_error=data.get("client_error", ""),
            errors=tuple(data.get("errors", ())),
            callbacks_registered=data.get("callbacks_registered", 0),
            callbacks_fired=data.get("callbacks_fired", 0),
            file_response=data.get("file_response"),
            lines=frozenset((f, int(n)) for f, n in data.get("lines", ())),
        )

    @property
    def builtin(self) -> bool:
        return self.endpoint == "static" or self.endpoint.endswith(".static")

    @property
    def row(self) -> Optional[str]:
        match = ROW_RE.match(self.doc)
        return match.group(1) if match else None

    def failures(self, root: Path) -> list[str]:
        """Why this view really fails (the oracle); empty when it served its body."""
        why = []
        if self.client_error:
            why.append(f"transfer broke: {self.client_error}")
        if self.status != 200:
            why.append(f"HTTP {self.status}")
        if self.status == 200 and self.expected_body:
            data = (root / self.expected_body).read_bytes()
            if self.body_size != len(data):
                why.append(f"body: {self.body_size} of {len(data)} bytes of {self.expected_body}")
            elif self.body_sha256 != hashlib.sha256(data).hexdigest():
                why.append(f"body differs from {self.expected_body}")
        why.extend(f"server log: {error}" for error in self.errors)
        if self.callbacks_fired < self.callbacks_registered:
            why.append(
                f"call_on_close: {self.callbacks_registered - self.callbacks_fired} of"
                f" {self.callbacks_registered} callbacks never ran"
            )
        return why

    def summary(self, root: Path) -> str:
        verdict = "; ".join(self.failures(root)) or f"OK ({self.body_size} bytes)"
        return f"{self.endpoint:<32} GET {self.url}  -> {verdict}"


@dataclass(frozen=True)
class Hook:
    name: str
    kind: str
    scope: str
    file: str
    start: int
    end: int


@dataclass
class Served:
    project: str
    root: Path
    seconds: float
    output: str
    views: dict[str, View] = field(default_factory=dict)
    hooks: list[Hook] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """anything that makes the run untrustworthy (runner crash, a view not requested, ...)"""

    @property
    def failing(self) -> dict[str, list[str]]:
        out = {}
        for view in self.views.values():
            why = view.failures(self.root)
            if why:
                out[view.endpoint] = why
        return out

    def in_hook(self, file: str, line: int) -> bool:
        return any(h.file == file and h.start <= line <= h.end for h in self.hooks)

    def views_for_line(self, file: str, line: int) -> set[str]:
        hook = self.in_hook(file, line)
        found = {
            v.endpoint
            for v in self.views.values()
            if (file, line) in v.lines and (not hook or v.file_response)
        }
        if not found:
            what = "file-response request" if hook else "request"
            return {f"{file}:{line} (no {what} ran this line)"}
        return found

    def views_for(self, findings: Iterable[Finding]) -> set[str]:
        out: set[str] = set()
        for file, line, _code in findings:
            out |= self.views_for_line(file, line)
        return out

    def describe(self) -> str:
        lines = [f"served {len(self.views)} views in {self.seconds:.1f}s"]
        lines += [f"  {v.summary(self.root)}" for _, v in sorted(self.views.items())]
        lines += [
            f"  hook {h.kind} {h.name} ({h.scope}) {h.file}:{h.start}-{h.end}" for h in self.hooks
        ]
        lines += [f"  PROBLEM {p}" for p in self.problems]
        if self.output.strip():
            lines += ["--- runner output (tail) ---", tail(self.output)]
        return "\n".join(lines)


def run_runner(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Serve the project at ``root`` with waitress and request every view; JSON to ``out``."""
    return subprocess.run(
        [sys.executable, str(RUNNER), str(root), str(out)],
        cwd=root,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=RUNNER_TIMEOUT,
    )


def serve_project(name: str, workdir: Path) -> Served:
    root = copy_project(name, workdir)
    out = workdir / "served.json"
    start = time.monotonic()
    proc = run_runner(root, out)
    served = Served(
        project=name,
        root=root,
        seconds=time.monotonic() - start,
        output=proc.stdout + proc.stderr,
    )
    if proc.returncode != 0 or not out.is_file():
        served.problems.append(f"the runner failed (exit code {proc.returncode})")
        return served
    data = json.loads(out.read_text(encoding="utf-8"))
    for raw in data["views"]:
        view = View.from_json(raw)
        if view.endpoint in served.views:
            served.problems.append(f"two rules for endpoint {view.endpoint}: give each its own")
        served.views[view.endpoint] = view
        if view.url is None:
            served.problems.append(
                f"{view.endpoint}: no sample URL (rule {raw['rule']}): add 'url: ...' to its"
                " docstring"
            )
    served.hooks = [Hook(**h) for h in data["hooks"]]
    served.problems += [f"error logged between requests: {e}" for e in data["stray_errors"]]
    return served


class ServedCache:
    """Each project is served once per session, from its own copy."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._runs: dict[str, Served] = {}

    def get(self, name: str) -> Served:
        if name not in self._runs:
            self._runs[name] = serve_project(name, self._factory.mktemp(f"serve-{name}"))
        return self._runs[name]


class ProdLintCache:
    """``flake8 --select=FCL2 .`` once per project per session, in its own copy."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._runs: dict[str, LintResult] = {}

    def get(self, name: str) -> LintResult:
        if name not in self._runs:
            root = copy_project(name, self._factory.mktemp(f"lint-{name}"))
            result = run_flake8(root, LINT_RUN)
            crashed = result.returncode not in (0, 1) or CRASH_RE.search(result.stderr)
            assert not crashed, (
                f"flake8 {' '.join(LINT_RUN)} crashed (exit code {result.returncode}) in"
                f" {name}:\n{tail(result.output)}"
            )
            self._runs[name] = result
        return self._runs[name]


@cache
def annotated(name: str) -> set[Finding]:
    return expected_comments(PROD_DIR / name)


def prod_findings(lint: LintResult) -> set[Finding]:
    return {f for f in lint.findings if f[2] in PROD_CODES}


def require_prod_findings(name: str, lint: LintResult) -> None:
    """A clear failure while the production rules are missing, instead of a set diff."""
    expected = annotated(name)
    if expected and not any(f[2].startswith("FCL2") for f in lint.findings):
        pytest.fail(
            f"{name}: flake8 {' '.join(LINT_RUN)} reported no FCL2 finding at all, but the"
            f" project expects {len(expected)}: the production rules (FCL201-FCL205) are not"
            f" implemented or not registered.\nexpected:\n{fmt_findings(expected)}"
            f"\n--- flake8 output (tail) ---\n{tail(lint.output) or '(empty)'}"
        )


# ------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def served_cache(tmp_path_factory: pytest.TempPathFactory) -> ServedCache:
    return ServedCache(tmp_path_factory)


@pytest.fixture(scope="session")
def prod_lint_cache(tmp_path_factory: pytest.TempPathFactory) -> ProdLintCache:
    return ProdLintCache(tmp_path_factory)


@pytest.fixture(params=PROJECTS)
def project(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


# --------------------------------------------------------------------------- tests
def test_prod_project_layout(project: str) -> None:
    root = PROD_DIR / project
    cfg = configparser.ConfigParser()
    cfg.read(root / "setup.cfg", encoding="utf-8")
    assert cfg.has_section("flake8"), f"{project}: setup.cfg needs a [flake8] section"
    for marker in ("pyproject.toml", ".git", "tox.ini", ".flake8", "tests"):
        assert not (root / marker).exists(), f"{project}: no {marker} here"
    assert (root / "app.py").is_file() or (root / "app" / "__init__.py").is_file(), (
        f"{project}: the app lives in app.py or app/__init__.py"
    )
    data = [p for p in root.rglob("*") if p.is_file() and p.suffix not in (".py", ".cfg", ".pyc")]
    small = [p.relative_to(root).as_posix() for p in data if p.stat().st_size < MIN_DATA_FILE]
    assert not small, f"{project}: data files under {MIN_DATA_FILE} bytes: {small}"
    stray = {f for f in annotated(project) if f[2] not in PROD_CODES}
    assert not stray, (
        f"{project}: comments with codes other than FCL201-205:\n{fmt_findings(stray)}"
    )


def test_prod_projects_cover_section3() -> None:
    rows: set[str] = set()
    for name in PROJECTS:
        for path in python_files(PROD_DIR / name):
            text = path.read_text(encoding="utf-8")
            rows.update(re.findall(r'"""(ok|p1[5-9][a-z]?\'?|pn\d\d):', text))
    missing = SECTION3_ROWS - rows
    assert not missing, f"§3 rows no view covers: {sorted(missing)}"


def test_prod_runtime_matches_comments(project: str, served_cache: ServedCache) -> None:
    served = served_cache.get(project)
    assert not served.problems, f"{project}: the run is not trustworthy\n{served.describe()}"
    assert served.views, f"{project}: no views served\n{served.describe()}"
    bad_rows = [
        f"{v.endpoint}: {v.doc[:60]!r}"
        for v in served.views.values()
        if not v.builtin
        and (v.row is None or not (v.row in SECTION3_ROWS or NEW_ROW_RE.match(v.row)))
    ]
    assert not bad_rows, (
        f"{project}: each view's docstring must start with one §3 row id:\n" + "\n".join(bad_rows)
    )
    undeclared = [
        v.endpoint for v in served.views.values() if v.file_response and not v.expected_body
    ]
    assert not undeclared, f"{project}: file views without a 'body:' line: {undeclared}"
    expected_findings = annotated(project)
    expected = served.views_for(expected_findings)
    failing = served.failing
    actual = set(failing)
    assert actual == expected, (
        f"{project}: runtime verdicts differ from the # FCL20n comments\n"
        f"really fail, not annotated:\n{fmt_keys(actual - expected)}\n"
        f"annotated, but served fine:\n{fmt_keys(expected - actual)}\n"
        f"annotations:\n{fmt_findings(expected_findings)}\n{served.describe()}"
    )


def test_prod_linter_matches_runtime(
    project: str, served_cache: ServedCache, prod_lint_cache: ProdLintCache
) -> None:
    require_linter()
    served = served_cache.get(project)
    assert not served.problems, f"{project}: the run is not trustworthy\n{served.describe()}"
    lint = prod_lint_cache.get(project)
    require_prod_findings(project, lint)
    findings = prod_findings(lint)
    flagged = served.views_for(findings)
    failing = set(served.failing)
    assert flagged == failing, (
        f"{project}: the linter ({' '.join(LINT_RUN)}) disagrees with runtime\n"
        f"really fail, not flagged:\n{fmt_keys(failing - flagged)}\n"
        f"flagged, but served fine:\n{fmt_keys(flagged - failing)}\n"
        f"findings:\n{fmt_findings(findings)}\n--- flake8 output (tail) ---\n{tail(lint.output)}"
        f"\n--- runtime ---\n{served.describe()}"
    )


def test_prod_linter_matches_comments(project: str, prod_lint_cache: ProdLintCache) -> None:
    require_linter()
    lint = prod_lint_cache.get(project)
    require_prod_findings(project, lint)
    expected = annotated(project)
    actual = {f for f in lint.findings if f[2].startswith("FCL")}
    assert actual == expected, (
        f"{project}: flake8 {' '.join(LINT_RUN)} findings differ from the # FCL20n comments\n"
        f"reported, not annotated:\n{fmt_findings(actual - expected)}\n"
        f"annotated, not reported:\n{fmt_findings(expected - actual)}\n"
        f"--- flake8 output (tail) ---\n{tail(lint.output)}"
    )
