"""``flake8-flask-close fix`` on the command line: output, exit codes, what it writes and
what it refuses to touch."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flake8_flask_close.cli import main
from flake8_flask_close.rules.base import EXAMPLE_PROJECT
from tests.helpers import write_project

ROOT = Path(__file__).resolve().parent.parent.parent

LEAKING_TEST = """\
def test_download(app, client):
    res = client.get('/file.txt')
    assert res.status_code == 200
"""
FIXED_TEST = """\
def test_download(app, client):
    with client.get('/file.txt') as res:
        assert res.status_code == 200
"""
FIXTURE_TEST = """\
import pytest


@pytest.fixture
def download(client):
    return client.get("/file.txt")


def test_download(download):
    assert download.status_code == 200
"""
CLEAN_TEST = """\
def test_json(client):
    assert client.get("/json").json == {"answer": 42}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_project(tmp_path, EXAMPLE_PROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> int:
    return main(["fix", *args])


def test_fixes_and_reports_each_finding(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 0
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXED_TEST
    out = capsys.readouterr().out
    assert out == "tests/test_a.py:2: FCL101 fixed: wrapped in with-block\n"
    assert run("tests") == 0  # idempotent
    assert capsys.readouterr().out == ""
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXED_TEST


def test_skipped_findings_are_reported_with_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tests" / "test_a.py").write_text(FIXTURE_TEST, encoding="utf-8")
    assert run("tests/test_a.py") == 1
    out = capsys.readouterr().out
    assert out.startswith("tests/test_a.py:6: FCL101 skipped: the response leaves download()")
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXTURE_TEST


def test_diff_prints_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "tests" / "test_a.py"
    path.write_text(LEAKING_TEST, encoding="utf-8")
    assert run("--diff", "tests") == 1
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == LEAKING_TEST
    assert out.splitlines()[:2] == ["--- a/tests/test_a.py", "+++ b/tests/test_a.py"]
    assert "-    res = client.get('/file.txt')" in out
    assert "+    with client.get('/file.txt') as res:" in out
    assert "+        assert res.status_code == 200" in out
    path.write_text(FIXED_TEST, encoding="utf-8")
    assert run("--diff", "tests") == 0
    assert capsys.readouterr().out == ""


def test_diff_with_only_skipped_findings_is_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tests" / "test_a.py").write_text(FIXTURE_TEST, encoding="utf-8")
    assert run("--diff", "tests") == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "FCL101 skipped" in captured.err


def test_unparsable_file_is_refused_and_others_still_fixed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "def test_broken(client:\n    res = client.get('/file.txt')\n"
    (project / "tests" / "test_broken.py").write_text(broken, encoding="utf-8")
    (project / "tests" / "test_z.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 2
    captured = capsys.readouterr()
    # where the parser says it failed depends on the Python version (3.9: line 2)
    assert re.search(r"tests/test_broken\.py: cannot parse: line [12]\b", captured.err)
    assert "left unchanged" in captured.err
    assert (project / "tests" / "test_broken.py").read_text(encoding="utf-8") == broken
    assert (project / "tests" / "test_z.py").read_text(encoding="utf-8") == FIXED_TEST
    assert "tests/test_z.py:2: FCL101 fixed" in captured.out


@pytest.mark.parametrize("error", [AttributeError("boom"), ValueError("boom")])
def test_an_internal_error_leaves_that_file_unchanged_and_others_still_fixed(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
) -> None:
    """A bug of the fixer's analysis, after the file parsed: reported as such (a
    ``ValueError`` is not the file's parse error), and the run goes on."""
    from flake8_flask_close.fix import engine
    from flake8_flask_close.fix.findings import analyze

    def failing_on_test_a(source: Any, filename: str, *rest: Any, **options: Any) -> Any:
        if filename.endswith("test_a.py"):
            raise error
        return analyze(source, filename, *rest, **options)

    monkeypatch.setattr(engine, "analyze", failing_on_test_a)
    for name in ("test_a.py", "test_z.py"):
        (project / "tests" / name).write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 2
    captured = capsys.readouterr()
    expected = f"tests/test_a.py: internal error, left unchanged: {error!r}"
    assert expected in captured.err, captured.err
    assert "Traceback" not in captured.err
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == LEAKING_TEST
    assert (project / "tests" / "test_z.py").read_text(encoding="utf-8") == FIXED_TEST


def test_a_file_nested_too_deeply_to_rewrite_is_left_and_others_still_fixed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python parses a chain of 800 ``+``, and the linter reads it, but libcst recurses
    once per level: the error it raised carried a syntax tree whose repr recursed too,
    and escaped the file's own handling to end the whole run."""
    chain = " + ".join(["1"] * 800)
    deep = LEAKING_TEST.replace("    res =", f"    total = {chain}\n    res =")
    (project / "tests" / "test_a.py").write_text(deep, encoding="utf-8")
    (project / "tests" / "test_z.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 2
    captured = capsys.readouterr()
    expected = (
        "tests/test_a.py: nested too deeply to rewrite (maximum recursion depth exceeded); "
        "left unchanged"
    )
    assert expected in captured.err, captured.err[-2000:]
    assert "internal error" not in captured.err
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == deep
    assert (project / "tests" / "test_z.py").read_text(encoding="utf-8") == FIXED_TEST


def test_select(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "tests" / "test_a.py"
    path.write_text(LEAKING_TEST, encoding="utf-8")
    assert run("--select", "FCL102,FCL2", "tests") == 0
    assert path.read_text(encoding="utf-8") == LEAKING_TEST
    assert run("--select", "FCL101", "tests") == 0
    assert path.read_text(encoding="utf-8") == FIXED_TEST
    assert run("--select", "FCL103", "tests") == 2
    assert "FCL103 is not a code the fixer handles" in capsys.readouterr().err


BROWSER_TEST = LEAKING_TEST.replace("client", "browser")
BROWSER_FIXTURE = "\n\n@pytest.fixture\ndef browser(app):\n    return app.test_client()\n"


def test_a_second_fix_in_the_same_process_sees_the_conftest_as_it_is_then(
    project: Path,
) -> None:
    """As a host that fixes twice in one process (through the API, which parses no
    flake8 options in between): a client fixture added to the conftest in between makes
    the second fix know it."""
    from flake8_flask_close.fix.engine import fix_paths
    from flake8_flask_close.fix.settings import load_settings

    path = project / "tests" / "test_b.py"
    path.write_text(BROWSER_TEST, encoding="utf-8")
    conftest = project / "tests" / "conftest.py"
    assert "import pytest" in conftest.read_text(encoding="utf-8")
    settings = load_settings(str(project))
    fix_paths([str(project / "tests")], settings)
    assert path.read_text(encoding="utf-8") == BROWSER_TEST  # no known client
    conftest.write_text(conftest.read_text(encoding="utf-8") + BROWSER_FIXTURE, encoding="utf-8")
    fix_paths([str(project / "tests")], settings)
    assert path.read_text(encoding="utf-8") == FIXED_TEST.replace("client", "browser")


def test_a_second_fix_in_the_same_process_sees_a_conftest_made_in_between(
    project: Path,
) -> None:
    """The conftest files above a folder are remembered for one run only: a conftest
    made in between gives the second fix its client fixture."""
    from flake8_flask_close.fix.engine import fix_paths
    from flake8_flask_close.fix.settings import load_settings

    folder = project / "tests" / "browsing"
    folder.mkdir()
    path = folder / "test_b.py"
    path.write_text(BROWSER_TEST, encoding="utf-8")
    settings = load_settings(str(project))
    fix_paths([str(project / "tests")], settings)
    assert path.read_text(encoding="utf-8") == BROWSER_TEST  # no known client
    (folder / "conftest.py").write_text("import pytest\n" + BROWSER_FIXTURE, encoding="utf-8")
    fix_paths([str(project / "tests")], settings)
    assert path.read_text(encoding="utf-8") == FIXED_TEST.replace("client", "browser")


def test_only_files_with_findings_are_touched(project: Path) -> None:
    clean = project / "tests" / "test_clean.py"
    clean.write_text(CLEAN_TEST, encoding="utf-8")
    os.utime(clean, ns=(1_000_000_000, 1_000_000_000))
    app_before = (project / "app.py").stat()
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run(".") == 0
    assert clean.stat().st_mtime_ns == 1_000_000_000
    assert (project / "app.py").stat().st_mtime_ns == app_before.st_mtime_ns
    leftovers = [p.name for p in (project / "tests").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_permission_bits_are_kept(project: Path) -> None:
    path = project / "tests" / "test_a.py"
    path.write_text(LEAKING_TEST, encoding="utf-8")
    path.chmod(0o640)
    assert run("tests") == 0
    assert path.read_text(encoding="utf-8") == FIXED_TEST
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_symlinks_are_not_followed(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "test_outside.py"
    outside.write_text(LEAKING_TEST, encoding="utf-8")
    (project / "tests" / "test_link.py").symlink_to(outside)
    (project / "tests" / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    assert run("tests") == 0
    assert run("tests/test_link.py") == 0
    assert "a symlink: not followed" in capsys.readouterr().err
    assert outside.read_text(encoding="utf-8") == LEAKING_TEST
    assert (project / "tests" / "test_link.py").is_symlink()


def test_flake8_excludes_apply(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\nextend-exclude = tests/vendored\n")
    vendored = project / "tests" / "vendored"
    vendored.mkdir()
    (vendored / "test_v.py").write_text(LEAKING_TEST, encoding="utf-8")
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run(".") == 0
    assert (vendored / "test_v.py").read_text(encoding="utf-8") == LEAKING_TEST
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXED_TEST


def test_flake8s_max_line_length_folds_a_with_line_made_too_long(project: Path) -> None:
    """The fixer reads flake8's max-line-length: flake8 finds no E501 in what it wrote."""
    (project / "setup.cfg").write_text("[flake8]\nmax-line-length = 39\n")
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 0
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXED_TEST.replace(
        "with client.get('/file.txt') as res:",
        "with client.get(\n        '/file.txt'\n    ) as res:",
    )
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=E501", "tests/test_a.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (flake8.returncode, flake8.stdout) == (0, "")


@pytest.mark.parametrize("unselected", ["extend-ignore = E501", "select = F,FCL"])
def test_a_with_line_is_not_folded_where_flake8_reports_no_e501(
    project: Path, unselected: str
) -> None:
    (project / "setup.cfg").write_text(f"[flake8]\nmax-line-length = 39\n{unselected}\n")
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    assert run("tests") == 0
    assert (project / "tests" / "test_a.py").read_text(encoding="utf-8") == FIXED_TEST


def test_missing_path_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("nowhere.py") == 2
    assert "nowhere.py: no such file or folder" in capsys.readouterr().err
    assert run("--config", "missing.cfg", "tests") == 2
    assert "no such configuration file: missing.cfg" in capsys.readouterr().err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fix", "--help"])
    out = capsys.readouterr().out
    for line in ("exit codes:", "--diff", "--select", "left unchanged"):
        assert line in out


def test_python_m_runs_the_fixer_without_libcst_in_the_plugin(project: Path) -> None:
    (project / "tests" / "test_a.py").write_text(LEAKING_TEST, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_flask_close", "fix", "--diff", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "+    with client.get('/file.txt') as res:" in proc.stdout
    check = (
        "import sys, flake8_flask_close.plugin, flake8_flask_close.cli;"
        " assert 'libcst' not in sys.modules, 'libcst imported'"
    )
    imports = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert imports.returncode == 0, imports.stderr


def test_pre_commit_hook() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: flake8-flask-close-fix" in text
    for line in (
        "entry: flake8-flask-close fix",
        "language: python",
        "types: [python]",
        "require_serial: true",
    ):
        assert f"  {line}\n" in text
