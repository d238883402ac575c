"""Property-based fuzzing with Hypothesis (about 200 examples in all; ``scripts/fuzz.py``
runs the long campaign with the same properties).

(a) hypothesmith programs (any valid Python from the grammar) as a test file, as a
    production file and as a project module the route index reads: the plugin never
    raises and never reports an internal error; findings are well-formed.
(b) Flask-shaped projects (``strategies.projects``): apps, factories, blueprints, routes
    with random rules and converters, views returning files, in-memory files, JSON,
    redirects, errors; production hooks; tests with random client calls closed (or not)
    in every known way, in nested functions and classes. Properties:

    - never raises, no internal error, every finding on a line of its file, every message
      starting with a registered code and on one line;
    - deterministic and independent of the order in which flake8 hands the files over
      (one run forwards, one backwards, both from a fresh state, give the same findings);
    - a request closed by ``with``, ``buffered=True``, ``try/finally`` or
      ``contextlib.closing`` never gets a test-side finding;
    - a project that serves no file (JSON, text, redirects, in-memory files, no static
      folder) gets no finding but the opt-in FCL100/FCL103;
    - the route index links the same routes whatever the order of its modules.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

# Hypothesis keeps caches (unicode tables, constants) in ./.hypothesis, and hypothesmith
# fills them at import. A .hypothesis folder in the repository breaks collection
# (norecursedirs is replaced in pyproject.toml, and Hypothesis's warning about that is an
# error under filterwarnings = error): keep them in the temporary folder.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "ffc-hypothesis-home")

hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, assume, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hardening import properties  # noqa: E402
from tests.hardening.strategies import Project, projects  # noqa: E402

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def usable(check: object, *args: object) -> None:
    """Run a property; an input that doesn't parse here is rejected, not failed."""
    assert callable(check)
    try:
        check(*args)
    except properties.Rejected:
        assume(False)


# --------------------------------------------------------------------------- (a)
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(FUZZ, max_examples=40)
@given(source=hypothesmith.from_grammar(), as_test=st.booleans())
def test_grammar_programs_as_checked_file(source: str, as_test: bool) -> None:
    usable(properties.check_grammar_checked, source, as_test)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(FUZZ, max_examples=30)
@given(source=hypothesmith.from_grammar())
def test_grammar_programs_as_project_module(source: str) -> None:
    usable(properties.check_grammar_project_module, source)


# --------------------------------------------------------------------------- (b)
@settings(FUZZ, max_examples=90)
@given(project=projects())
def test_flask_projects(project: Project) -> None:
    note(project.describe())
    properties.check_project(project)


@settings(FUZZ, max_examples=40)
@given(project=projects(), seed=st.integers(0, 2**32 - 1))
def test_index_independent_of_module_order(project: Project, seed: int) -> None:
    note(project.describe())
    properties.check_index_order(project, seed)


def test_project_strategy_marks_safe_lines() -> None:
    """The strategy's bookkeeping: a marked line really holds a closed request."""
    seen: list[Project] = []

    @settings(FUZZ, max_examples=10)
    @given(project=projects())
    def collect(project: Project) -> None:
        seen.append(project)

    collect()
    for project in seen:
        for name, lines in project.safe_lines.items():
            text = project.files[name].splitlines()
            for line in lines:
                code = text[line - 1]
                assert "with " in code or "buffered=True" in code or "= " in code, code
