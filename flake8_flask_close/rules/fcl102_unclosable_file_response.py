"""FCL102: a file-route response that is never bound, so nothing can ever close it.

A bare ``client.get(url)`` statement, a chained use (``client.get(url).data``,
``assert client.get(url).status_code == 200``) or a response passed straight into a call
leaks the file the view opened (runtime-behavior c03a-d, unittest c11a / pallets/flask#2468).
"""

from __future__ import annotations

from collections.abc import Iterator

from flake8_flask_close.codes import CODES
from flake8_flask_close.rules.base import EXAMPLE_CONFTEST, Example, Finding, finding
from flake8_flask_close.testcode.analysis import Fate, ResponseUse

CODE = CODES["FCL102"]
NAMES_EVERY_ROUTE = False

INVALID = [
    Example(
        """\
def test_download(client):
    assert client.get("/file.txt").status_code == 200  # FCL102
"""
    ),
    Example(
        """\
def test_download_body(client):
    body = client.get("/files/file.txt").data  # FCL102
    assert body == b"hello\\n"
"""
    ),
    Example(
        """\
import unittest

from app import app


class DownloadTest(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_download(self):
        self.client.get("/file.txt")  # FCL102
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
    assert client.get("/file.txt", buffered=True).status_code == 200
"""
    ),
    Example(
        """\
def test_answer(client):
    assert client.get("/json").json == {"answer": 42}
"""
    ),
    Example(
        """\
def test_download(client, closer):
    res = closer(client.get("/file.txt"))
    assert res.status_code == 200
""",
        extra_files={
            "tests/conftest.py": EXAMPLE_CONFTEST
            + """

@pytest.fixture
def closer():
    opened = []

    def track(res):
        opened.append(res)
        return res

    yield track
    for res in opened:
        res.close()
"""
        },
    ),
]


def findings(uses: list[ResponseUse]) -> Iterator[Finding]:
    for use in uses:
        if use.verdict.serves_file and use.fate is Fate.UNBOUND:
            yield finding(CODE, use, usage=use.detail)
