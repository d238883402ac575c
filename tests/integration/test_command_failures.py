"""The ``flake8-flask-close`` command when something goes wrong: an internal error, Ctrl-C,
a reader that stops reading. Each ends with a message (or none) and an exit code, never
a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_flask_close import cli
from tests.helpers import write_project

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def routes_with_an_index_raising(
    error: BaseException, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> int:
    """``flake8-flask-close routes`` over a one-module project, building its index raising
    ``error``: the exit code."""
    write_project(tmp_path, {"app.py": APP})

    def broken_index(*args: object) -> None:
        raise error

    monkeypatch.setattr(cli, "get_index", broken_index)
    return cli.main(["routes", str(tmp_path)])


class UnprintableError(Exception):
    def __repr__(self) -> str:
        raise RecursionError("maximum recursion depth exceeded")  # as a deep tree's would


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (RuntimeError("boom"), "RuntimeError('boom') (a bug in flake8-flask-close"),
        # an error may carry a syntax tree: its repr can run to pages, or fail
        (RuntimeError("node\n" * 2000), "RuntimeError('node\\nnode\\n"),
        (UnprintableError(), "UnprintableError (a bug"),
    ],
)
def test_an_internal_error_is_one_short_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    shown: str,
) -> None:
    assert routes_with_an_index_raising(error, tmp_path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"flake8-flask-close routes: internal error: {shown}"), err[:500]
    assert err.count("\n") == 1 and len(err) < 500, err[:500]
    assert "Traceback" not in err


def test_ctrl_c_is_exit_130_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert routes_with_an_index_raising(KeyboardInterrupt(), tmp_path, monkeypatch) == 130
    assert capsys.readouterr().err == ""


def test_a_reader_that_stops_reading_ends_the_route_table_quietly(tmp_path: Path) -> None:
    """``flake8-flask-close routes | head``: more than a pipe holds, read in part."""
    views = "".join(
        f'\n\n@app.route("/downloads/section-{i}/<path:name>")\n'
        f"def download_{i}(name):\n    return send_from_directory('files', name)\n"
        for i in range(1500)
    )
    write_project(
        tmp_path, {"app.py": APP.replace("Flask\n", "Flask, send_from_directory\n") + views}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_flask_close", "routes", "--no-cache", "."],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"project root: ")
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 141
    assert err == b""


@pytest.mark.parametrize(
    ("setup_cfg", "said"),
    [
        (
            "[flake8]\nmax-line-length = 90\n[flake8]\n",
            "flake8 can't read its configuration: While reading from",
        ),
        (
            "[flake8]\nextend-ignore = E501,XX-1\n",
            "flake8 can't read its configuration: Error code 'XX-1' supplied to 'extend-ignore'",
        ),
        (
            "[flake8]\nmax-line-length = wide\n",
            "flake8 can't read its configuration: invalid literal for int()",
        ),
        (
            "[flake8]\njobs = many\nexclude = tests\n",
            "flake8 refuses its configuration: argument -j/--jobs: 'many' must be",
        ),
        (
            "[flake8]\nrequire-plugins = flake8-nowhere\n",
            "flake8 refuses to run: required plugins were not installed! - installed:",
        ),
    ],
)
@pytest.mark.parametrize("command", ["fix", "routes"])
def test_a_configuration_flake8_cant_use_is_named_not_taken_for_a_bug(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setup_cfg: str,
    said: str,
    command: str,
) -> None:
    """flake8 itself stops there (with a traceback, a usage message or its critical
    error); the command says what flake8 said, in one line, and fixes nothing: its
    ``exclude`` can't be known (``jobs = many`` used to fall back to flake8's defaults
    and fix the test file the configuration excludes)."""
    leaking = "def test_a(client):\n    res = client.get('/file.txt')\n    assert res.ok\n"
    write_project(tmp_path, {"app.py": APP, "setup.cfg": setup_cfg, "tests/test_a.py": leaking})
    monkeypatch.chdir(tmp_path)
    assert cli.main([command, "."]) == 2
    err = capsys.readouterr().err
    prefix = f"flake8-flask-close {command}: {said}"
    assert err.startswith(prefix), err
    assert err.count("\n") == 1 and "bug" not in err
    assert (tmp_path / "tests" / "test_a.py").read_text(encoding="utf-8") == leaking
