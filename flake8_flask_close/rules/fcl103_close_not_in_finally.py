"""FCL103 (opt-in): a file-route response closed, but not if an earlier statement raises.

``res.close()`` after the asserts is skipped when an assert fails; the failing test's
traceback keeps the response alive and the ResourceWarning lands on the *next*, innocent
test (runtime-behavior c02g, c10d).
"""

from __future__ import annotations

from collections.abc import Iterator

from flake8_flask_close.codes import CODES
from flake8_flask_close.rules.base import Example, Finding, finding
from flake8_flask_close.testcode.analysis import Fate, ResponseUse

CODE = CODES["FCL103"]
NAMES_EVERY_ROUTE = False

INVALID = [
    Example(
        """\
def test_download(client):
    res = client.get("/file.txt")  # FCL103
    assert res.status_code == 200
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
    res = client.get("/file.txt")
    res.close()
    assert res.status_code == 200
"""
    ),
]


def findings(uses: list[ResponseUse]) -> Iterator[Finding]:
    for use in uses:
        if use.verdict.serves_file and use.fate is Fate.CLOSED_LATE:
            yield finding(CODE, use, close_line=str(use.close_line))
