"""What the fixer decided, per finding and per file (no libcst here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

FIXABLE_CODES: tuple[str, ...] = ("FCL101", "FCL102", "FCL201", "FCL202")
TEST_CODES = frozenset({"FCL101", "FCL102"})
PROD_CODES = frozenset({"FCL201", "FCL202"})

EXIT_OK = 0
"""Nothing to fix, or every finding was fixed (``--diff``: nothing would change)."""
EXIT_FINDINGS = 1
"""``--diff``: something would change; otherwise: findings were left, each with a reason."""
EXIT_ERROR = 2
"""A file could not be read, parsed or written (it was left unchanged), or bad usage."""

ERROR_TEXT_LIMIT = 300


def error_text(error: BaseException) -> str:
    """``repr(error)`` on one line of at most ``ERROR_TEXT_LIMIT`` characters, or its type's
    name when that repr fails: an error may carry a syntax tree, whose repr can run to
    pages, or recurse past Python's limit on deeply nested code."""
    try:
        text = " ".join(repr(error).split())
    except Exception:  # RecursionError, or a repr that is itself broken
        return type(error).__name__
    if len(text) > ERROR_TEXT_LIMIT:
        text = text[: ERROR_TEXT_LIMIT - 3] + "..."
    return text


def recursed(error: BaseException) -> bool:
    """Whether ``error`` is, or came while handling, a ``RecursionError``."""
    seen: set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        if isinstance(current, RecursionError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True)
class Outcome:
    """One finding: fixed (how) or skipped (why)."""

    code: str
    line: int
    """The finding's line in the file as it was before the fix (what flake8 reported)."""
    col: int
    fixed: bool
    message: str

    def render(self, path: str) -> str:
        verdict = "fixed" if self.fixed else "skipped"
        return f"{path}:{self.line}: {self.code} {verdict}: {self.message}"


@dataclass
class FileResult:
    path: str
    outcomes: list[Outcome] = field(default_factory=list)
    original: Optional[str] = None
    fixed: Optional[str] = None
    """The new text, when something was rewritten."""
    error: Optional[str] = None
    """Why the file was left alone (unreadable, unparsable, not writable)."""

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.fixed]


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error is not None]

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.changed]

    @property
    def outcomes(self) -> list[tuple[str, Outcome]]:
        return [(f.path, o) for f in self.files for o in f.outcomes]
