"""Real ``flake8`` subprocesses: the issue reproductions, selection, noqa, stdin, --jobs,
configuration files and the F-prefix interplay."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_flake8, write_project

APP_5483 = """\
from flask import Flask, jsonify, send_from_directory

app = Flask(__name__)


@app.route("/<path:name>")
def download_file(name):
    return send_from_directory("resources", name)


@app.route("/api/status")
def status():
    return jsonify(ok=True)
"""

CONFTEST_5483 = """\
import pytest

from app import app as flask_app


@pytest.fixture()
def app():
    yield flask_app


@pytest.fixture()
def client(app):
    return app.test_client()
"""


def project_5483(root: Path, test_body: str, **extra: str) -> Path:
    write_project(
        root,
        {
            "setup.cfg": extra.pop("setup_cfg", "[flake8]\n"),
            "app.py": APP_5483,
            "resources/file.txt": "hello\n",
            "tests/conftest.py": CONFTEST_5483,
            "tests/test_app.py": textwrap.dedent(test_body),
            **extra,
        },
    )
    return root


def fcl_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " FCL" in line]


def test_issue_5483_exact_reproduction(tmp_path: Path) -> None:
    project_5483(
        tmp_path,
        """\
        def test_file(client):
            res = client.get('/file.txt')
            assert res.status_code == 200
        """,
    )
    result = run_flake8(tmp_path, "tests")
    assert fcl_lines(result.stdout) == [
        "tests/test_app.py:2:5: FCL101 response from GET /<path:name> is never closed"
        " (serves a file: send_from_directory in app.py:8);"
        " use 'with client.get(...) as res:' or pass buffered=True"
    ]
    assert result.returncode == 1


@pytest.mark.parametrize(
    "body",
    [
        """\
        def test_file(client):
            res = client.get('/file.txt')
            assert res.status_code == 200
            res.close()
        """,
        """\
        def test_file(client):
            with client.get('/file.txt') as res:
                assert res.status_code == 200
        """,
        """\
        def test_file(client):
            res = client.get('/api/status')
            assert res.status_code == 200
        """,
    ],
    ids=["close", "with", "json-route"],
)
def test_issue_5483_fixed_forms_are_silent(tmp_path: Path, body: str) -> None:
    project_5483(tmp_path, body)
    result = run_flake8(tmp_path, "tests")
    assert fcl_lines(result.stdout) == [], result.stdout + result.stderr


def test_issue_2468_unittest_bare_request(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "setup.cfg": "[flake8]\n",
            "app.py": """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/")
def index():
    return send_file(__file__)
""",
            "tests/test_index.py": """\
import unittest

from app import app


class IndexTest(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_index(self):
        self.client.get('/')
""",
        },
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_index.py:11:9: FCL102"), lines


def test_issue_3735_with_client_does_not_close(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "setup.cfg": "[flake8]\n",
            "report.pdf": "%PDF-1.4\n",
            "app.py": """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/report")
def report():
    return send_file("report.pdf")
""",
            "tests/test_report.py": """\
from app import app


def test_report():
    with app.test_client() as c:
        r = c.get("/report")
        assert r.data
""",
        },
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_report.py:6:9: FCL101"), lines


LEAKY = """\
def test_file(client):
    res = client.get('/file.txt')
    assert res.status_code == 200


def test_json(client):
    res = client.get('/api/status')
    assert res.status_code == 200


def test_late(client):
    res = client.get('/file.txt')
    assert res.status_code == 200
    res.close()
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"FCL101"}),
        (("--select=FCL",), {"FCL101"}),
        (("--select=E,F,W,C90",), {"FCL101"}),
        (("--extend-select=FCL100",), {"FCL100", "FCL101"}),
        (("--extend-select=FCL103",), {"FCL101", "FCL103"}),
        (("--select=FCL1",), {"FCL100", "FCL101", "FCL103"}),
        (("--extend-ignore=F",), set()),
        (("--extend-ignore=F", "--extend-select=FCL"), {"FCL101"}),
        (("--extend-ignore=FCL101",), set()),
    ],
)
def test_selection(tmp_path: Path, args: tuple[str, ...], expected: set[str]) -> None:
    project_5483(tmp_path, LEAKY)
    result = run_flake8(tmp_path, *args, "tests")
    found = {line.split(": ", 1)[1].split(" ", 1)[0] for line in fcl_lines(result.stdout)}
    assert found == expected, result.stdout + result.stderr


def test_noqa(tmp_path: Path) -> None:
    project_5483(
        tmp_path,
        """\
        def test_file(client):
            res = client.get('/file.txt')  # noqa: FCL101
            assert res.status_code == 200


        def test_other(client):
            res = client.get('/file.txt')  # noqa: E501
            assert res.status_code == 200
        """,
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_app.py:7:5: FCL101"), lines


def test_per_file_ignores_baseline(tmp_path: Path) -> None:
    """The legacy-suite recipe: a per-file-ignores baseline silences old files only."""
    leak = "def test_file(client):\n    res = client.get('/file.txt')\n"
    project_5483(
        tmp_path,
        leak,
        setup_cfg="[flake8]\nper-file-ignores =\n    tests/test_legacy.py: FCL101\n",
        **{"tests/test_legacy.py": leak},
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_app.py:2:5: FCL101"), lines


def test_stdin_buffer_wins_over_disk(tmp_path: Path) -> None:
    project_5483(
        tmp_path,
        """\
        def test_file(client):
            with client.get('/file.txt') as res:
                assert res.status_code == 200
        """,
    )
    buffer = "def test_file(client):\n    assert client.get('/file.txt').data\n"
    result = run_flake8(tmp_path, "--stdin-display-name", "tests/test_app.py", "-", stdin=buffer)
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_app.py:2:5: FCL102"), lines


def test_stdin_buffer_of_app_module_overrides_routes(tmp_path: Path) -> None:
    """An unsaved app module that turns a JSON route into a file route is seen."""
    project_5483(tmp_path, LEAKY)
    buffer = APP_5483.replace("return jsonify(ok=True)", 'return send_file("status.txt")')
    buffer = buffer.replace("import Flask,", "import Flask, send_file,")
    from flake8_flask_close.routes.index import get_index, reset_memo

    reset_memo()
    import ast

    index = get_index(str(tmp_path), (), (str(tmp_path / "app.py"), buffer, ast.parse(buffer)))
    matches = index.match("/api/status", "GET")
    assert matches and matches[0].route is not None and matches[0].route.serves_file


def test_jobs_gives_the_same_findings(tmp_path: Path) -> None:
    project_5483(tmp_path, LEAKY)
    for i in range(6):
        (tmp_path / "tests" / f"test_more_{i}.py").write_text(LEAKY, encoding="utf-8")
    one = run_flake8(tmp_path, "--jobs=1", "tests")
    two = run_flake8(tmp_path, "--jobs=2", "tests")
    assert sorted(fcl_lines(one.stdout)) == sorted(fcl_lines(two.stdout))
    assert len(fcl_lines(one.stdout)) == 7


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_options_from_config_files(tmp_path: Path, config_name: str) -> None:
    write_project(
        tmp_path,
        {
            config_name: (
                "[flake8]\n"
                "flask-close-send-functions = shop.pdf.render_invoice\n"
                "flask-close-client-names = api\n"
            ),
            "shop/__init__.py": "",
            "shop/pdf.py": "def render_invoice(number):\n    return make_pdf_response(number)\n",
            "shop/views.py": """\
from flask import Flask

from shop.pdf import render_invoice

app = Flask(__name__)


@app.route("/invoice/<int:number>")
def invoice(number):
    return render_invoice(number)
""",
            "tests/test_invoice.py": """\
def test_invoice(api):
    api.get("/invoice/7")
""",
        },
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and "FCL102" in lines[0] and "render_invoice" in lines[0], (
        result.stdout + result.stderr
    )


def test_require_plugins(tmp_path: Path) -> None:
    project_5483(tmp_path, LEAKY)
    result = run_flake8(tmp_path, "--require-plugins", "flake8-flask-close", "tests")
    assert result.returncode == 1 and fcl_lines(result.stdout), result.stderr


def test_version_lists_the_plugin(tmp_path: Path) -> None:
    result = run_flake8(tmp_path, "--version")
    assert "flake8-flask-close" in result.stdout


def test_syntax_error_is_not_our_problem(tmp_path: Path) -> None:
    project_5483(tmp_path, "def test_x(client):\n    res = client.get('/file.txt'\n")
    (tmp_path / "broken_app.py").write_text("from flask import Flask\napp = Flask(\n")
    result = run_flake8(tmp_path, "tests")
    assert "E999" in result.stdout and "Traceback" not in result.stderr, result.stderr


def test_custom_client_class(tmp_path: Path) -> None:
    project_5483(
        tmp_path,
        """\
        from flask.testing import FlaskClient

        from app import app


        class AuthClient(FlaskClient):
            def open(self, *args, **kwargs):
                kwargs.setdefault("headers", {"Authorization": "Bearer t"})
                return super().open(*args, **kwargs)


        def test_with_custom_client():
            api = AuthClient(app)
            res = api.get("/file.txt")
            assert res.status_code == 200
        """,
    )
    result = run_flake8(tmp_path, "tests")
    lines = fcl_lines(result.stdout)
    assert len(lines) == 1 and lines[0].startswith("tests/test_app.py:14:5: FCL101"), lines


def test_in_process_runs_see_edits(tmp_path: Path) -> None:
    """Editors (VS Code's flake8 extension) run flake8 twice in one long-lived process:
    the second run must see a route edited in between."""
    import subprocess
    import sys
    import textwrap

    project_5483(tmp_path, LEAKY)
    script = textwrap.dedent(
        """\
        import os, pathlib
        from flake8.main.application import Application

        def run():
            out = pathlib.Path("report.txt")
            if out.exists():
                out.unlink()  # flake8 appends to an existing output file
            args = ["--select=FCL", "--flask-close-no-cache", f"--output-file={out}", "tests"]
            Application().run(args)
            return sorted(l for l in out.read_text().splitlines() if " FCL" in l)

        first = run()
        app = pathlib.Path("app.py")
        text = app.read_text().replace(
            'return send_from_directory("resources", name)', 'return jsonify(name=name)'
        )
        app.write_text(text)
        os.utime(app, ns=(1, 1))
        second = run()
        print(len(first), len(second))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["1", "0"], result.stdout + result.stderr


def test_output_file_and_formats(tmp_path: Path) -> None:
    project_5483(tmp_path, LEAKY)
    out = tmp_path / "report.txt"
    result = run_flake8(
        tmp_path, "--format=%(path)s|%(row)d|%(code)s", f"--output-file={out}", "tests"
    )
    assert result.returncode == 1
    assert out.read_text().splitlines() == ["tests/test_app.py|2|FCL101"]
