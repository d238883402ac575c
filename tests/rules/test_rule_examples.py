"""Every rule's VALID / INVALID examples: the linter's verdict, and runtime truth.

Each example is a module inside the small Flask project of ``rules.base``. The linter
must report exactly the ``# FCLnnn`` comments of an INVALID example and nothing of the
rule's code on a VALID one. Then the example runs for real:

- a test module under ``pytest -W error``: one the default rules flag must fail with an
  unclosed-file ResourceWarning, every other one must pass;
- an app module (production rules): every route is requested through the test client
  (which raises the same ``ValueError`` a server logs, runtime-behavior §3); a flagged app
  must have a route that errors, answers 5xx, or never runs its ``call_on_close``
  callback (``CALLED`` stays empty); a valid one must serve every route.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from flake8_flask_close.rules import ALL_RULES
from flake8_flask_close.rules.base import EXAMPLE_PROJECT, Example
from tests.helpers import codes, expected_codes, lint, run_pytest, write_project

DEFAULT_LEAK_CODES = {"FCL101", "FCL102", "FCL104"}
PROD_CODES = {"FCL201", "FCL202", "FCL203", "FCL204", "FCL205"}


def _cases() -> list[tuple[ModuleType, str, int, Example]]:
    cases = []
    for rule in ALL_RULES:
        for kind in ("INVALID", "VALID"):
            for i, example in enumerate(getattr(rule, kind)):
                cases.append((rule, kind, i, example))
    return cases


CASES = _cases()
IDS = [f"{rule.CODE.code}-{kind}-{i}" for rule, kind, i, _ in CASES]


def _project(tmp_path: Path, example: Example) -> Path:
    write_project(tmp_path, {**EXAMPLE_PROJECT, **example.extra_files})
    path = tmp_path / example.path
    path.write_text(example.source, encoding="utf-8")
    return path


@pytest.mark.parametrize(("rule", "kind", "i", "example"), CASES, ids=IDS)
def test_linter_verdict(
    tmp_path: Path, rule: ModuleType, kind: str, i: int, example: Example
) -> None:
    found = codes(lint(_project(tmp_path, example)))
    code = rule.CODE.code
    if kind == "INVALID":
        expected = expected_codes(example.source)
        assert expected, "an INVALID example needs a '# FCLnnn' comment"
        assert found == expected
    else:
        assert not {f for f in found if f[1] == code}


REQUEST_EVERY_ROUTE = textwrap.dedent(
    """\
    import json, sys
    sys.path.insert(0, ".")
    import app as module

    app = module.app
    adapter = app.url_map.bind("localhost")
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        url = adapter.build(rule.endpoint, {name: "file.txt" for name in rule.arguments})
        before = len(getattr(module, "CALLED", []))
        try:
            res = app.test_client().get(url)
            status = res.status_code
            res.close()
        except Exception as exc:
            failures.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        if status >= 500:
            failures.append(f"{url}: {status}")
        elif hasattr(module, "CALLED") and len(module.CALLED) == before:
            failures.append(f"{url}: call_on_close callback never ran")
    print(json.dumps(failures))
    """
)


def _route_failures(root: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", REQUEST_EVERY_ROUTE],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    failures: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return failures


@pytest.mark.parametrize(("rule", "kind", "i", "example"), CASES, ids=IDS)
def test_runtime_agrees(
    tmp_path: Path, rule: ModuleType, kind: str, i: int, example: Example
) -> None:
    path = _project(tmp_path, example)
    flagged = {c for _, c in expected_codes(example.source)}
    if rule.CODE.side == "prod":
        failures = _route_failures(tmp_path)
        assert bool(failures) == bool(flagged & PROD_CODES), failures
        return
    result = run_pytest(tmp_path, "-p", "no:flask", str(path.relative_to(tmp_path)))
    output = result.stdout + result.stderr
    if flagged & DEFAULT_LEAK_CODES:
        assert result.returncode == 1, output
        assert "ResourceWarning" in output and "unclosed file" in output, output
    else:
        assert result.returncode == 0, output


CLOSED_IN_EVERY_CASE = [
    """\
def test_download(client):
    res = client.get("/file.txt")
    match res.status_code:
        case 200:
            res.close()
        case _:
            res.close()
""",
    """\
def test_download(client, request):
    res = client.get("/file.txt")
    match request.node.name:
        case "test_download":
            res.close()
        case _:
            res.close()
""",
]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match is new in Python 3.10")
@pytest.mark.parametrize("source", CLOSED_IN_EVERY_CASE)
def test_match_closing_in_every_case(tmp_path: Path, source: str) -> None:
    """Not rule examples: those must parse on Python 3.9."""
    path = _project(tmp_path, Example(source))
    assert not codes(lint(path))
    result = run_pytest(tmp_path, "-p", "no:flask", str(path.relative_to(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_match_closing_in_some_cases(tmp_path: Path) -> None:
    if sys.version_info < (3, 10):
        pytest.skip("match is new in Python 3.10")
    source = """\
def test_download(client, request):
    res = client.get("/file.txt")
    match request.node.name:
        case "test_other":
            res.close()
"""
    path = _project(tmp_path, Example(source))
    assert codes(lint(path)) == {(2, "FCL101")}
    result = run_pytest(tmp_path, "-p", "no:flask", str(path.relative_to(tmp_path)))
    assert result.returncode == 1


@pytest.mark.skipif(sys.version_info < (3, 11), reason="enterContext is new in Python 3.11")
def test_unittest_enter_context_closes(tmp_path: Path) -> None:
    source = """\
import unittest

from app import app


class TestDownload(unittest.TestCase):
    def test_entered(self):
        res = self.enterContext(app.test_client().get("/file.txt"))
        assert res.status_code == 200

    def test_bound_then_entered(self):
        res = app.test_client().get("/file.txt")
        self.enterContext(res)
        assert res.status_code == 200
"""
    path = _project(tmp_path, Example(source))
    assert not codes(lint(path))
    result = run_pytest(tmp_path, "-p", "no:flask", str(path.relative_to(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_body_iterable_closed_after_the_body_was_read(tmp_path: Path) -> None:
    """Reading the body makes ``res.response`` a list, without ``close()``: the test
    errors, and the file stays open. Not a rule example: the test fails by design."""
    source = """\
def test_download(client):
    res = client.get("/file.txt")
    assert res.data
    res.response.close()
"""
    path = _project(tmp_path, Example(source))
    assert codes(lint(path)) == {(2, "FCL101")}
    result = run_pytest(tmp_path, "-p", "no:flask", str(path.relative_to(tmp_path)))
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "AttributeError" in output, output
