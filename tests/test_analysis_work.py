"""Work the test-side analysis leaves undone, because its answer can't change a finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flake8_flask_close.routes.index import RouteIndex
from flake8_flask_close.testcode.analysis import ModuleAnalysis
from tests.helpers import lint, recorded, write_project

APP = """\
from flask import Flask, send_from_directory

app = Flask(__name__)


@app.route("/files/<name>")
def files(name):
    return send_from_directory("files", name)
"""


def test_a_response_its_with_block_closes_is_not_matched_against_the_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching a URL is most of what a request costs to judge; a response closed by
    its ``with`` block can't leak, so its route isn't looked for."""
    write_project(
        tmp_path,
        {
            "setup.cfg": "[flake8]\n",
            "app.py": APP,
            "tests/test_files.py": """\
from app import app


def test_closed():
    with app.test_client().get("/files/a.txt") as res:
        assert res.status_code == 404


def test_left_open():
    res = app.test_client().get("/files/b.txt")
    assert res.status_code == 404
""",
        },
    )
    matched: list[Any] = []
    monkeypatch.setattr(RouteIndex, "match", recorded(matched, RouteIndex.match))
    lint(tmp_path / "tests" / "test_files.py")
    assert [path for _, path, *_ in matched] == ["/files/b.txt"]


def test_a_module_without_helpers_is_searched_for_them_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Helpers calling helpers are found in up to three passes; a pass finding none
    ends the search, as the next would find the same."""
    test_module = """\
from app import app


def url_of(name):
    return "/files/" + name


def test_left_open():
    res = app.test_client().get(url_of("b.txt"))
    assert res.status_code == 404
"""
    write_project(
        tmp_path,
        {"setup.cfg": "[flake8]\n", "app.py": APP, "tests/test_files.py": test_module},
    )
    searched: list[Any] = []
    monkeypatch.setattr(ModuleAnalysis, "sources", recorded(searched, ModuleAnalysis.sources))
    lint(tmp_path / "tests" / "test_files.py")
    # once in the search for helpers, once for the responses it makes itself
    assert [func.name for _, func in searched].count("url_of") == 2


JSON_AND_FILES_APP = """\
from flask import Flask, jsonify, send_from_directory

app = Flask(__name__)


@app.route("/api/files/<name>")
def files(name):
    return send_from_directory("files", name)


@app.route("/api/users/<int:user_id>")
def user(user_id):
    return jsonify(id=user_id)


@app.post("/api/files/<name>")
def upload(name):
    return jsonify(saved=name)
"""

JSON_AND_FILES_TESTS = """\
from app import app


def test_user():
    res = app.test_client().get("/api/users/1")
    assert res.status_code == 200


def test_upload():
    res = app.test_client().post("/api/files/a.txt")
    assert res.status_code == 200


def test_file():
    res = app.test_client().get("/api/files/a.txt")  # FCL101
    assert res.status_code == 200
"""


@pytest.mark.parametrize("opt_in", [(), ("FCL100",)])
def test_a_request_no_file_route_can_answer_is_matched_only_to_name_its_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opt_in: tuple[str, ...]
) -> None:
    """An unclosed request whose path no rule serving a file for its method has the shape
    of gets no file, whichever rule Werkzeug picks: it is matched (Werkzeug compiles the
    rules of its router for that) only when FCL100, which names its route, is on."""
    write_project(
        tmp_path,
        {
            "setup.cfg": "[flake8]\n",
            "app.py": JSON_AND_FILES_APP,
            "files/a.txt": "a\n",
            "tests/test_api.py": JSON_AND_FILES_TESTS,
        },
    )
    matched: list[Any] = []
    monkeypatch.setattr(RouteIndex, "match", recorded(matched, RouteIndex.match))
    found = lint(tmp_path / "tests" / "test_api.py", opt_in=opt_in)
    expected = ["/api/users/1", "/api/files/a.txt", "/api/files/a.txt"]
    assert [(path, method) for _, path, method, *_ in matched] == (
        list(zip(expected, ["GET", "POST", "GET"])) if opt_in else [("/api/files/a.txt", "GET")]
    )
    assert [(line, message.split(" ", 1)[0]) for line, _, message in found] == [
        *([(5, "FCL100"), (10, "FCL100")] if opt_in else []),
        (15, "FCL101"),
    ]
    if opt_in:
        assert "response from GET /api/users/<int:user_id> is never closed" in found[0][2]
        assert "response from POST /api/files/<name> is never closed" in found[1][2]
