"""Fix files: find, decide, rewrite, check, write (atomically) or show a diff."""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.config import Config
from flake8_flask_close.fix.apply import ApplyError, apply_plans
from flake8_flask_close.fix.findings import analyze
from flake8_flask_close.fix.model import (
    FIXABLE_CODES,
    FileResult,
    Outcome,
    RunResult,
    error_text,
    recursed,
)
from flake8_flask_close.fix.plan import Decision, Planner
from flake8_flask_close.fix.settings import Settings
from flake8_flask_close.fix.source import SourceText
from flake8_flask_close.routes import index as route_index
from flake8_flask_close.routes.project import SKIP_DIRS
from flake8_flask_close.testcode import clients, fixture_apps
from flake8_flask_close.testcode.analysis import forget_helper_analyses

PARSE_ERRORS = (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError)
"""What reading a file's bytes as Python raises when they aren't (an unknown coding, a
null byte, nesting deeper than the parser goes)."""


class UnparsableSource(Exception):
    """The file is not valid Python; its parse error is the cause. Errors raised later,
    by the fixer's own analysis, are not this: they are the fixer's bugs."""


@dataclass(frozen=True)
class FixedSource:
    data: Optional[bytes]
    """The rewritten file, or None when nothing was rewritten."""
    outcomes: list[Outcome]


def fix_source(
    data: bytes,
    filename: str,
    config: Config,
    select: Iterable[str] = FIXABLE_CODES,
    max_line_length: Optional[int] = None,
) -> FixedSource:
    """Fix one file's bytes (``filename`` places it in its project; a with-line made
    longer than ``max_line_length`` is folded). Raises ``UnparsableSource`` for a file
    that is not valid Python."""
    codes = tuple(select)
    try:
        source = SourceText(data, filename)
    except PARSE_ERRORS as error:
        raise UnparsableSource(error) from error
    analysis = analyze(source, filename, config, codes)
    if not analysis.candidates:
        return FixedSource(None, [])
    decisions = Planner(source, analysis.prod).decide(analysis.candidates)
    plans = [d.plan for d in decisions if d.plan is not None]
    if not plans:
        return FixedSource(None, _outcomes(decisions))
    try:
        fixed = apply_plans(source, plans, max_line_length)
        problem = _check(fixed, filename, config, codes, decisions)
    except ApplyError as error:
        problem = f"internal error, file left unchanged: {error}"
    if problem:
        return FixedSource(None, _outcomes(decisions, failed=problem))
    return FixedSource(fixed, _outcomes(decisions))


def _check(
    fixed: bytes, filename: str, config: Config, codes: Sequence[str], decisions: list[Decision]
) -> str:
    """The rewritten file must parse, and hold no finding the fixer says it fixed."""
    try:
        rewritten = SourceText(fixed, filename)
    except PARSE_ERRORS as error:
        return f"internal error, the rewrite does not parse ({error}); file left unchanged"
    after = analyze(rewritten, filename, config, codes, on_disk=True)
    left = Counter(d.candidate.code for d in decisions if d.plan is None)
    found = Counter(c.code for c in after.candidates)
    extra = [code for code in found if found[code] > left[code]]
    if extra:
        return (
            f"internal error, {', '.join(sorted(extra))} still reported after the rewrite;"
            " file left unchanged"
        )
    return ""


def _outcomes(decisions: list[Decision], failed: str = "") -> list[Outcome]:
    out = []
    for d in decisions:
        c = d.candidate
        if failed and d.plan is not None:
            out.append(Outcome(c.code, c.line, c.col, False, failed))
        else:
            out.append(Outcome(c.code, c.line, c.col, d.plan is not None, d.message))
    return out


# ----------------------------------------------------------------------------- files
def fix_file(path: str, settings: Settings, select: Sequence[str], write: bool) -> FileResult:
    result = FileResult(path)
    try:
        before = os.stat(path)
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as error:
        result.error = f"cannot read: {error.strerror or error}"
        return result
    try:
        fixed = fix_source(data, path, settings.config, select, settings.max_line_length)
    except UnparsableSource as error:
        result.error = f"cannot parse: {_describe(error.__cause__ or error)}; left unchanged"
        return result
    except Exception as error:  # a bug of ours costs this file its fixes, not the run
        result.error = (
            # libcst recurses once per level of nesting: a chain of 800 `+` is too deep
            "nested too deeply to rewrite (maximum recursion depth exceeded); left unchanged"
            if recursed(error)
            else f"internal error, left unchanged: {error_text(error)}"
        )
        return result
    result.outcomes = fixed.outcomes
    if fixed.data is None or fixed.data == data:
        return result
    source = SourceText(data, path)
    result.original = source.text
    result.fixed = fixed.data.decode(source.encoding)
    if write:
        try:
            write_atomic(path, fixed.data, before)
        except OSError as error:
            result.error = f"cannot write: {error.strerror or error}; left unchanged"
            result.outcomes = [
                Outcome(o.code, o.line, o.col, False, "not written") if o.fixed else o
                for o in result.outcomes
            ]
    return result


def _describe(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        where = f"line {error.lineno}: " if error.lineno else ""
        return f"{where}{error.msg}"
    return str(error) or type(error).__name__


def write_atomic(path: str, data: bytes, before: Optional[os.stat_result] = None) -> None:
    """Write through a temporary file in the same folder and ``os.replace``: a reader sees
    the old file or the new one, never half of it. The file keeps its permission bits.
    A file changed on disk since it was read is not overwritten."""
    current = os.stat(path)
    if before is not None and (
        current.st_mtime_ns != before.st_mtime_ns or current.st_size != before.st_size
    ):
        raise OSError(f"{path} changed while it was being fixed")
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, stat.S_IMODE(current.st_mode))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


# ---------------------------------------------------------------------- collecting
@dataclass(frozen=True)
class Target:
    path: str
    note: str = ""
    """Why the path is not fixed (a symlink, missing); empty for a file to fix."""
    error: bool = False


def iter_targets(paths: Sequence[str], settings: Settings) -> Iterator[Target]:
    """The Python files under ``paths``. Symlinks are never followed or written through
    (a link could lead out of the given paths); flake8's excludes apply."""
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            yield Target(given, "no such file or folder", error=True)
            continue
        if os.path.islink(given):
            yield Target(given, "a symlink: not followed (pass the file it points to)")
            continue
        if settings.excluded(given):
            continue
        if os.path.isfile(given):
            key = os.path.abspath(given)
            if key not in seen:
                seen.add(key)
                yield Target(os.path.normpath(given))
            continue
        for folder, dirs, files in os.walk(given, followlinks=False):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in SKIP_DIRS
                and not d.endswith(".egg-info")
                and not os.path.islink(os.path.join(folder, d))
                and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
                and not settings.excluded(os.path.join(folder, d))
            )
            for name in sorted(files):
                path = os.path.join(folder, name)
                if not name.endswith(".py") or os.path.islink(path) or settings.excluded(path):
                    continue
                key = os.path.abspath(path)
                if key not in seen:
                    seen.add(key)
                    yield Target(os.path.normpath(path))


def fix_paths(
    paths: Sequence[str],
    settings: Settings,
    select: Sequence[str] = FIXABLE_CODES,
    write: bool = True,
) -> tuple[RunResult, list[Target]]:
    """Fix every Python file under ``paths``; returns the results and the paths that
    were passed over (with why)."""
    route_index.reset_memo()
    clients.reset_memo()
    fixture_apps.forget()
    forget_helper_analyses()
    run = RunResult()
    passed: list[Target] = []
    for target in iter_targets(paths, settings):
        if target.note:
            passed.append(target)
            if target.error:
                run.files.append(FileResult(target.path, error=target.note))
            continue
        run.files.append(fix_file(target.path, settings, select, write))
    return run, passed


def unified_diff(result: FileResult) -> str:
    if not result.changed or result.original is None or result.fixed is None:
        return ""
    path = result.path.replace(os.sep, "/")
    lines = difflib.unified_diff(
        result.original.splitlines(keepends=True),
        result.fixed.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
