"""CI reporters: flake8-json and flake8-sarif show our findings, and the GitHub Actions
workflow of docs/ci.md really produces a SARIF file with the rules' help.

flake8-sarif 1.0.15 emits a bare ``{"id": ...}`` per rule (no help, no helpUri);
docs/ci.md says so, and its workflow adds the help from ``flake8-flask-close explain``.
The test that pins the bare descriptor fails if a newer flake8-sarif starts emitting
help, so that the page is updated.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_flake8
from tests.integration.test_flake8_cli import project_5483

ROOT = Path(__file__).resolve().parents[2]
CI_PAGE = ROOT / "docs" / "ci.md"
LEAK = """\
def test_file(client):
    res = client.get('/file.txt')
    assert res.status_code == 200
"""
MESSAGE = "response from GET /<path:name> is never closed (serves a file: send_from_directory"


def require(module: str, dist: str) -> None:
    pytest.importorskip(module, reason=f"{dist} is not installed (it is in the test extra)")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return project_5483(tmp_path, LEAK)


@pytest.mark.parametrize("fmt", ["json", "json-pretty"])
def test_flake8_json(project: Path, fmt: str) -> None:
    require("flake8_json_reporter", "flake8-json")
    result = run_flake8(project, f"--format={fmt}", "tests")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["tests/conftest.py"] == []
    (finding,) = report["tests/test_app.py"]
    assert finding["code"] == "FCL101"
    assert finding["filename"] == "tests/test_app.py"
    assert (finding["line_number"], finding["column_number"]) == (2, 5)
    assert finding["text"].startswith(MESSAGE)
    assert finding["physical_line"] == "    res = client.get('/file.txt')\n"


def test_flake8_json_output_file(project: Path) -> None:
    require("flake8_json_reporter", "flake8-json")
    out = project / "report.json"
    result = run_flake8(project, "--format=json", f"--output-file={out}", "tests")
    assert result.returncode == 1 and result.stdout == "", result.stdout + result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["tests/test_app.py"][0]["code"] == "FCL101"


def sarif_report(project: Path, *args: str) -> dict[str, Any]:
    result = run_flake8(project, "--format=sarif", *args, "tests")
    assert result.returncode == 1, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_flake8_sarif(project: Path) -> None:
    require("flake8_sarif_reporter", "flake8-sarif")
    report = sarif_report(project)
    assert report["version"] == "2.1.0"
    (run,) = report["runs"]
    (result,) = run["results"]
    assert result["ruleId"] == "FCL101"
    assert result["message"]["text"].startswith(MESSAGE)
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "tests/test_app.py"
    region = physical["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 5)
    base = run["originalUriBaseIds"][physical["artifactLocation"]["uriBaseId"]]["uri"]
    assert base == project.resolve().as_uri() + "/"
    rules = run["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "FCL101"
    # docs/ci.md: flake8-sarif emits no rule help; the workflow adds it.
    assert rules == [{"id": "FCL101"}], "flake8-sarif now describes rules: update docs/ci.md"


def test_sarif_output_file_stays_empty(project: Path) -> None:
    """flake8-sarif 1.0.15 never closes ``--output-file`` and its report is lost; docs/ci.md
    redirects standard output instead. When this fails, upstream fixed it: update the page."""
    require("flake8_sarif_reporter", "flake8-sarif")
    out = project / "flake8.sarif"
    result = run_flake8(project, "--format=sarif", f"--output-file={out}", "tests")
    assert result.returncode == 1 and result.stdout == "", result.stdout + result.stderr
    assert out.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize(
    ("fmt", "module", "dist"),
    [
        ("json", "flake8_json_reporter", "flake8-json"),
        ("sarif", "flake8_sarif_reporter", "flake8-sarif"),
    ],
)
def test_show_source_breaks_json_no_show_source_mends_it(
    project: Path, fmt: str, module: str, dist: str
) -> None:
    """docs/ci.md tells users of ``show-source = true`` to pass ``--no-show-source``."""
    require(module, dist)
    (project / "setup.cfg").write_text("[flake8]\nshow-source = true\n", encoding="utf-8")
    broken = run_flake8(project, f"--format={fmt}", "tests")
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.stdout)
    mended = run_flake8(project, f"--format={fmt}", "--no-show-source", "tests")
    assert "FCL101" in json.dumps(json.loads(mended.stdout))


def workflow_steps() -> list[dict[str, Any]]:
    yaml = pytest.importorskip("yaml", reason="PyYAML (a pre-commit dependency) is needed")
    text = CI_PAGE.read_text(encoding="utf-8")
    (block,) = re.findall(r"^```yaml\n(# \.github/workflows/.*?)^```$", text, re.M | re.S)
    workflow = yaml.safe_load(block)
    steps: list[dict[str, Any]] = workflow["jobs"]["flake8"]["steps"]
    return steps


def test_github_workflow_adds_rule_help(project: Path) -> None:
    """Run the workflow's own ``flake8`` and "Add rule help" steps with bash, as the
    runner would, and check the SARIF file it would upload."""
    require("flake8_sarif_reporter", "flake8-sarif")
    steps = {step.get("name"): step for step in workflow_steps()}
    upload = next(s for s in steps.values() if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "flake8.sarif"
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}

    def run_step(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", steps[name]["run"]],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    lint = run_step("flake8")
    assert lint.returncode == 1, lint.stdout + lint.stderr  # findings fail the job
    assert steps["Add rule help to the SARIF file"]["if"] == "${{ !cancelled() }}"
    enrich = run_step("Add rule help to the SARIF file")
    assert enrich.returncode == 0, enrich.stderr

    report = json.loads((project / "flake8.sarif").read_text(encoding="utf-8"))
    (run,) = report["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["FCL101"]
    (rule,) = run["tool"]["driver"]["rules"]
    explain = subprocess.run(
        [sys.executable, "-m", "flake8_flask_close", "explain", "FCL101"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert rule["help"] == {"text": explain}
    assert rule["shortDescription"] == {"text": "FCL101 unclosed-file-response (on by default)"}
    assert rule["fullDescription"]["text"].startswith("FCL101: a file-route response")
