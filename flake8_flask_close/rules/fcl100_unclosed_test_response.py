"""FCL100 (opt-in): any test-client response that is never closed, whatever the route.

Broad hygiene mode. Responses from file routes are reported by FCL101/102/104 instead;
this rule covers the rest (JSON routes, routes the index can't resolve), where an
unclosed response is harmless today but leaks as soon as the view starts serving a file.
"""

from __future__ import annotations

from collections.abc import Iterator

from flake8_flask_close.codes import CODES
from flake8_flask_close.rules.base import Example, Finding, finding
from flake8_flask_close.testcode.analysis import Fate, ResponseUse

CODE = CODES["FCL100"]
# its message names the route of a response that gets no file
NAMES_EVERY_ROUTE = True

INVALID = [
    Example(
        """\
def test_answer(client):
    res = client.get("/json")  # FCL100
    assert res.json == {"answer": 42}
"""
    ),
]

VALID = [
    Example(
        """\
def test_answer(client):
    with client.get("/json") as res:
        assert res.json == {"answer": 42}
"""
    ),
]


def findings(uses: list[ResponseUse]) -> Iterator[Finding]:
    for use in uses:
        if not use.from_client or use.verdict.serves_file:
            continue
        if use.fate in (Fate.UNCLOSED, Fate.UNBOUND, Fate.KEPT):
            yield finding(CODE, use)
