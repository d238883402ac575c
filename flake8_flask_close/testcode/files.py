"""Which files are test files, and the conftest files above them."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from typing import Any, Callable, Optional

from flake8_flask_close.names import LIBRARY_PACKAGES
from flake8_flask_close.routes.cache import bytes_name


def is_test_file(filename: str, patterns: tuple[str, ...]) -> bool:
    """True when the file name, or its path below a ``tests``-like folder, matches a glob.

    A pattern with a ``/`` is matched against every trailing part of the path, so
    ``tests/*`` matches ``proj/tests/unit/test_x.py`` and ``tests/helpers.py``.
    """
    normcase = os.path.normcase  # what fnmatch does to a name before matching it
    parts = filename.replace(os.sep, "/").split("/")
    names, folders = _globs(patterns)
    base = normcase(parts[-1])
    if any(name(base) for name in names):
        return True
    for folder, rest in folders:
        for i, part in enumerate(parts[:-1]):
            if folder(normcase(part)) and rest(normcase("/".join(parts[i + 1 :]))):
                return True
    return False


Glob = Callable[[str], Optional["re.Match[str]"]]


@functools.lru_cache(maxsize=8)
def _globs(patterns: tuple[str, ...]) -> tuple[list[Glob], list[tuple[Glob, Glob]]]:
    """The patterns as ``fnmatch.fnmatch`` matches them (after ``os.path.normcase``),
    compiled once: a run asks of every file it checks. Patterns with a ``/``: the folder
    and the rest."""

    def glob(pattern: str) -> Glob:
        return re.compile(fnmatch.translate(os.path.normcase(pattern))).match

    names = [glob(p) for p in patterns if "/" not in p]
    folders = [(glob(p.split("/", 1)[0]), glob(p.split("/", 1)[1])) for p in patterns if "/" in p]
    return names, folders


_CONFTEST_PATHS: dict[tuple[str, str], tuple[str, ...]] = {}
"""(folder, root) -> ``conftest_paths`` of a file there, as this run found them: a run
asks three times per test module, and a folder's modules share them."""


def conftest_paths(filename: str, root: str) -> list[str]:
    """conftest.py files from ``root`` down to the folder of ``filename``."""
    folder = os.path.dirname(os.path.abspath(filename))
    key = (folder, root)
    found = _CONFTEST_PATHS.get(key)
    if found is None:
        found = _CONFTEST_PATHS[key] = tuple(_conftests_above(folder, root))
    return list(found)


def _conftests_above(folder: str, root: str) -> list[str]:
    found: list[str] = []
    while True:
        candidate = os.path.join(folder, "conftest.py")
        if os.path.isfile(candidate):
            found.append(candidate)
        if os.path.normcase(folder) == os.path.normcase(root):
            break
        parent = os.path.dirname(folder)
        if parent == folder or not folder.startswith(root):
            break
        folder = parent
    return list(reversed(found))


LIBRARIES = LIBRARY_PACKAGES | {
    "pytest_flask",
    "flask_testing",
    "hamcrest",
    "assertpy",
    "syrupy",
    "snapshottest",
    "jsonschema",
    "requests",
    "bs4",
    "lxml",
}
"""Packages whose functions never close a response handed to them."""
MAX_HELPER_MODULES = 8
_IMPORT = re.compile(
    # the module must start with a letter after the dots: "from" and a long run of dots
    # could otherwise be split between the two groups in every way (quadratic time)
    r"^[ \t]*(?:from[ \t]+(\.*)(\w[\w.]*)?[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w ,\t]*))"
    r"|import[ \t]+(\w[\w.]*))",
    re.MULTILINE,
)


def resolve_import(
    filename: str, root: str, level: int, module: str, name: str = ""
) -> Optional[tuple[str, bool]]:
    """The project file that ``from <level dots><module> import <name>`` (or ``import
    <module>``, ``name`` empty) reads the name from, and whether the name is that module
    itself: ``<module>/<name>.py`` when the name is a module, else ``<module>.py``;
    looked for from the test file's folder (relative imports; pytest puts a test folder
    without ``__init__.py`` on ``sys.path``) up to ``root``. None for a library's
    module; ``("", False)`` for one that isn't found (a ``src/`` layout, a package
    installed from elsewhere: it may be the project's)."""
    parts = [p for p in module.split(".") if p]
    if level == 0 and (not parts or parts[0] in LIBRARIES):
        return None
    folder = os.path.dirname(os.path.abspath(filename))
    key = (folder, root, level, module, name)
    if key not in _RESOLVED:
        _RESOLVED[key] = _resolve(folder, root, level, parts, name)
    return _RESOLVED[key]


_RESOLVED: dict[tuple[str, str, int, str, str], Optional[tuple[str, bool]]] = {}
"""Imports resolved in this run: the test modules of a folder import the same modules."""


def _resolve(
    folder: str, root: str, level: int, parts: list[str], name: str
) -> Optional[tuple[str, bool]]:
    if level:
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        folders = [folder]
    else:
        folders = []
        while True:
            folders.append(folder)
            parent = os.path.dirname(folder)
            if os.path.normcase(folder) == os.path.normcase(root) or parent == folder:
                break
            folder = parent
    for base in folders:
        for candidate_parts in ([*parts, name], parts) if name else (parts,):
            if not candidate_parts:
                continue
            path = os.path.join(base, *candidate_parts)
            for found in (path + ".py", os.path.join(path, "__init__.py")):
                if os.path.isfile(found):
                    # the name is a module when found as one: not fetch() of tests/fetch.py
                    # in ``from tests.fetch import fetch``
                    return found, bool(name) and len(candidate_parts) > len(parts)
    return "", False


def helper_module_paths(
    filename: str, source: str, root: str, patterns: tuple[str, ...]
) -> list[str]:
    """The test-side modules of the project (``tests/helpers.py``) that ``source``
    imports from: the analysis reads which of their functions close what they're given,
    and the result cache keys the file's answer by their text, as it does by its
    conftest files'. At most ``MAX_HELPER_MODULES``; conftest files and the file itself
    left out. The result cache's key and the analysis ask for the same file one after
    the other: the last answer is kept."""
    last = _LAST_HELPERS
    if last and last[:4] == [filename, source, root, patterns] and last[1] is source:
        return list(last[4])
    found = _helper_module_paths(filename, source, root, patterns)
    _LAST_HELPERS[:] = [filename, source, root, patterns, tuple(found)]
    return found


_LAST_HELPERS: list[Any] = []
"""The file, text, root and patterns ``helper_module_paths`` last answered for, and the
answer."""


def _helper_module_paths(
    filename: str, source: str, root: str, patterns: tuple[str, ...]
) -> list[str]:
    """The helper modules ``source`` imports from, then the ones those import from (a
    helper calling another module's helper, a package re-exporting its modules')."""
    found = _imported_helper_modules(filename, source, root, patterns, [])
    for path in list(found):
        data = conftest_source(path)
        if data is not None and len(found) < MAX_HELPER_MODULES:
            text = data.decode("utf-8", "replace")
            _imported_helper_modules(path, text, root, patterns, found, filename)
    return found


def _imported_helper_modules(
    filename: str,
    source: str,
    root: str,
    patterns: tuple[str, ...],
    found: list[str],
    first: str = "",
) -> list[str]:
    """``found``, with the helper modules ``source`` (``filename``'s text) imports from
    added, but not ``first``, the module the search began with."""
    this = os.path.abspath(filename)
    for dots, module, in_parens, names, plain in _IMPORT.findall(source):
        if plain:
            imports = [(0, plain, "")]
        else:
            # a parenthesised list may span lines, with comments
            lines = (line.split("#", 1)[0] for line in (in_parens or names).splitlines())
            listed = [n.strip() for line in lines for n in line.split(",") if n.strip()]
            imports = [(len(dots), module, n.split()[0]) for n in listed] or [
                (len(dots), module, "")
            ]
        for level, mod, name in imports:
            resolved = resolve_import(filename, root, level, mod, name)
            path = resolved[0] if resolved is not None else ""
            if (
                not path
                or path in found
                or os.path.abspath(path) in (this, os.path.abspath(first or filename))
                or os.path.basename(path) == "conftest.py"
                or not is_test_file(os.path.relpath(path, root), patterns)
            ):
                continue
            found.append(path)
            if len(found) >= MAX_HELPER_MODULES:
                return found
    return found


_CONFTEST_SOURCES: dict[str, Optional[tuple[bytes, str]]] = {}
"""Path -> the conftest file's bytes and their digest, as this run read them."""


def forget_conftest_sources() -> None:
    """Called once per run: the next run reads conftest files as they are then."""
    _CONFTEST_SOURCES.clear()
    _CONFTEST_PATHS.clear()
    _RESOLVED.clear()
    _LAST_HELPERS.clear()


def _conftest_read(path: str) -> Optional[tuple[bytes, str]]:
    if path not in _CONFTEST_SOURCES:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            _CONFTEST_SOURCES[path] = None
        else:
            _CONFTEST_SOURCES[path] = (data, bytes_name(data))
    return _CONFTEST_SOURCES[path]


def conftest_source(path: str) -> Optional[bytes]:
    """A conftest file's bytes as this run reads them, once (None when unreadable): the
    analysis learns clients from them and the result cache keys a test module's answer
    by their digest (``conftest_digest``), so the two agree even when the file is saved
    again meanwhile (keeping its size and mtime, on a coarse clock)."""
    read = _conftest_read(path)
    return None if read is None else read[0]


def conftest_digest(path: str) -> str:
    """The digest of ``conftest_source(path)``; empty when the file can't be read."""
    read = _conftest_read(path)
    return "" if read is None else read[1]
