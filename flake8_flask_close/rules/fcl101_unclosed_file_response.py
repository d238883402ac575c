"""FCL101: a file-route response bound to a name and not closed on every normal path.

The test client never closes a response (a WSGI server would); a response from a view
that serves a file keeps the file open until the garbage collector finds it, and
``pytest -W error`` fails with ``ResourceWarning: unclosed file`` (pallets/flask#5483).
Reading the body is not closing (runtime-behavior c09). Also: a response reassigned or
deleted before it is closed (c10c, c10e), and a function-scoped fixture that returns or
yields one without closing it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flake8_flask_close.codes import CODES
from flake8_flask_close.rules.base import EXAMPLE_APP, EXAMPLE_CONFTEST, Example, Finding, finding
from flake8_flask_close.testcode.analysis import Fate, ResponseUse

CODE = CODES["FCL101"]
NAMES_EVERY_ROUTE = False

INVALID = [
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")  # FCL101
    assert res.status_code == 200
"""
    ),
    Example(
        """\
def test_read_body(client):
    res = client.get("/files/file.txt")  # FCL101
    assert res.data == b"hello\\n"
"""
    ),
    Example(
        """\
def test_static(app):
    with app.test_client() as c:
        res = c.get("/static/site.css")  # FCL101
        assert res.status_code == 200
"""
    ),
    Example(
        """\
def test_download(client, request):
    res = client.get("/file.txt")  # FCL101
    if request.node.name == "test_download_twice":
        res.close()
"""
    ),
]

VALID = [
    Example(
        """\
def test_download(client):
    with client.get("/file.txt") as res:
        assert res.status_code == 200
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt", buffered=True)
    assert res.data == b"hello\\n"
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")
    try:
        assert res.status_code == 200
    finally:
        res.close()
"""
    ),
    Example(
        """\
def test_download(client, request):
    res = client.get("/file.txt")
    if request.node.name == "test_download_twice":
        res.close()
    else:
        res.close()
"""
    ),
    Example(
        """\
def test_in_memory_file(client):
    res = client.get("/memory")
    assert res.data == b"made in memory"
"""
    ),
    Example(
        """\
def test_missing_file(client):
    res = client.get("/files/missing.txt")
    assert res.status_code == 404
"""
    ),
    Example(
        """\
import os


def test_names_from_outside_are_refused(client):
    res = client.get(f"/files/{os.environ.get('EXAMPLE_NAME', '../app.py')}")
    assert res.status_code != 200
"""
    ),
    Example(
        """\
from unittest import mock

import pytest


@pytest.fixture
def storage_client():
    return mock.Mock()


def test_uploads_are_listed(storage_client):
    res = storage_client.get("/file.txt")
    assert res is not None
"""
    ),
    Example(
        """\
import unittest

from app import app


class PrivateFiles(unittest.TestCase):
    def test_anonymous_users_log_in_first(self):
        res = app.test_client().get("/private/file.txt")
        self.assertEqual(res.location, "/login")
""",
        extra_files={
            "app.py": EXAMPLE_APP
            + """
from flask import redirect, request


@app.route("/private/<path:name>")
def private(name):
    if "X-User" not in request.headers:
        return redirect("/login")
    return send_from_directory(FILES, name)
"""
        },
    ),
    Example(
        """\
def test_retired_download(client):
    res = client.get("/retired.txt")
    assert b"Gone" in res.data
""",
        extra_files={
            "app.py": EXAMPLE_APP
            + """
from flask import abort


@app.route("/retired.txt")
def retired():
    abort(410)
    return send_from_directory(FILES, "file.txt")
"""
        },
    ),
    Example(
        """\
def get(client, url, **options):
    return client.get(url, **options)


def test_download(client):
    res = get(client, "/file.txt", buffered=True)
    assert res.status_code == 200
"""
    ),
    Example(
        """\
import unittest

from app import app


def close_it(res):
    res.close()


class DownloadTest(unittest.TestCase):
    def test_download(self):
        res = app.test_client().get("/file.txt")
        self.addCleanup(close_it, res)
        self.assertEqual(res.status_code, 200)
"""
    ),
    Example(
        """\
def close_all(*responses):
    for res in responses:
        res.close()


def test_download_twice(client):
    first = client.get("/file.txt")
    close_all(client.get("/file.txt"), first)
"""
    ),
    Example(
        """\
class Checker:
    def done(self, res):
        res.close()


checker = Checker()


def test_download(client):
    res = client.get("/file.txt")
    checker.done(res)
"""
    ),
    Example(
        """\
close = lambda res: res.close()  # noqa: E731


def test_download(client):
    res = client.get("/file.txt")
    close(res)
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")
    res.response.close()
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")
    for line in res.data.splitlines():
        if not line:
            continue
    else:
        res.close()
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")
    while True:
        res.close()
        break
"""
    ),
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")
    assert res.data == b"hello\\n"
""",
        extra_files={
            "tests/conftest.py": EXAMPLE_CONFTEST.replace(
                "import pytest\n", "import pytest\nfrom flask.testing import FlaskClient\n"
            ).replace(
                "    return flask_app\n",
                "    flask_app.test_client_class = BufferedClient\n    return flask_app\n",
            )
            + """

class BufferedClient(FlaskClient):
    def open(self, *args, **kwargs):
        kwargs["buffered"] = True
        return super().open(*args, **kwargs)
"""
        },
    ),
]


def findings(uses: list[ResponseUse]) -> Iterator[Finding]:
    for use in uses:
        if use.verdict.serves_file and use.fate is Fate.UNCLOSED:
            yield finding(CODE, use, how=use.detail)
