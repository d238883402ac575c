"""Test matrix: ``nox`` runs the test suite on every CPython 3.9-3.13 it can find.

A missing interpreter skips its session (``nox --error-on-missing-interpreters`` makes it
an error; nox does that by itself when the ``CI`` environment variable is set). Arguments
after ``--`` go to pytest: ``nox -s tests-3.12 -- tests/integration -q``. See
CONTRIBUTING.md.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)
