"""FCL104: a file-route response kept beyond the test.

Stored on ``self`` (unittest, c11d: the error lands at teardown), in a module global
(c10a: reported only at interpreter exit, never by ``pytest -W error``), or held by a
fixture wider than function scope (c10b: the error lands on a later test's teardown).
"""

from __future__ import annotations

from collections.abc import Iterator

from flake8_flask_close.codes import CODES
from flake8_flask_close.rules.base import Example, Finding, finding
from flake8_flask_close.testcode.analysis import Fate, ResponseUse

CODE = CODES["FCL104"]
NAMES_EVERY_ROUTE = False

INVALID = [
    Example(
        """\
import pytest

from app import app


@pytest.fixture(scope="module")
def download():
    return app.test_client().get("/file.txt")  # FCL104


def test_status(download):
    assert download.status_code == 200
"""
    ),
    Example(
        """\
import unittest

from app import app


class DownloadTest(unittest.TestCase):
    def test_download(self):
        self.res = app.test_client().get("/file.txt")  # FCL104
        self.assertEqual(self.res.status_code, 200)
"""
    ),
]

VALID = [
    Example(
        """\
import pytest

from app import app


@pytest.fixture(scope="module")
def download():
    with app.test_client().get("/file.txt") as res:
        yield res


def test_status(download):
    assert download.status_code == 200
"""
    ),
]


def findings(uses: list[ResponseUse]) -> Iterator[Finding]:
    for use in uses:
        if use.verdict.serves_file and use.fate is Fate.KEPT:
            yield finding(CODE, use, holder=use.detail)
