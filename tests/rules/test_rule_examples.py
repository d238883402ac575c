"""Every rule's VALID / INVALID examples: the linter's verdict, and runtime truth.

Each example is a test module inside the rule's small Flask project. The linter must
report exactly the ``# FCLnnn`` comments of an INVALID example and nothing of the rule's
code on a VALID one; then the example runs for real under ``pytest -W error``: an
example the default rules flag must fail with an unclosed-file ResourceWarning, every
other example must pass.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from flake8_flask_close.rules import TEST_RULES
from flake8_flask_close.rules.base import EXAMPLE_PROJECT, Example
from tests.helpers import codes, expected_codes, lint, run_pytest, write_project

DEFAULT_LEAK_CODES = {"FCL101", "FCL102", "FCL104"}


def _cases() -> list[tuple[ModuleType, str, int, Example]]:
    cases = []
    for rule in TEST_RULES:
        for kind in ("INVALID", "VALID"):
            for i, example in enumerate(getattr(rule, kind)):
                cases.append((rule, kind, i, example))
    return cases


CASES = _cases()
IDS = [f"{rule.CODE.code}-{kind}-{i}" for rule, kind, i, _ in CASES]


def _project(tmp_path: Path, example: Example) -> Path:
    write_project(tmp_path, {**EXAMPLE_PROJECT, **example.extra_files})
    test_file = tmp_path / "tests" / "test_example.py"
    test_file.write_text(example.test, encoding="utf-8")
    return test_file


@pytest.mark.parametrize(("rule", "kind", "i", "example"), CASES, ids=IDS)
def test_linter_verdict(
    tmp_path: Path, rule: ModuleType, kind: str, i: int, example: Example
) -> None:
    test_file = _project(tmp_path, example)
    found = codes(lint(test_file))
    code = rule.CODE.code
    if kind == "INVALID":
        expected = expected_codes(example.test)
        assert expected, "an INVALID example needs a '# FCLnnn' comment"
        assert {f for f in found if f[1] == code} == {e for e in expected if e[1] == code}
        assert found == expected
    else:
        assert not {f for f in found if f[1] == code}


@pytest.mark.parametrize(("rule", "kind", "i", "example"), CASES, ids=IDS)
def test_runtime_agrees(
    tmp_path: Path, rule: ModuleType, kind: str, i: int, example: Example
) -> None:
    test_file = _project(tmp_path, example)
    leaks = {c for _, c in expected_codes(example.test)} & DEFAULT_LEAK_CODES
    result = run_pytest(tmp_path, "-p", "no:flask", str(test_file.relative_to(tmp_path)))
    output = result.stdout + result.stderr
    if leaks:
        assert result.returncode == 1, output
        assert "ResourceWarning" in output and "unclosed file" in output, output
    else:
        assert result.returncode == 0, output
