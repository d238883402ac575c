"""Which files are test files, and the conftest files above them."""

from __future__ import annotations

import fnmatch
import os
from typing import Optional

from flake8_flask_close.routes.cache import bytes_name


def is_test_file(filename: str, patterns: tuple[str, ...]) -> bool:
    """True when the file name, or its path below a ``tests``-like folder, matches a glob.

    A pattern with a ``/`` is matched against every trailing part of the path, so
    ``tests/*`` matches ``proj/tests/unit/test_x.py`` and ``tests/helpers.py``.
    """
    path = filename.replace(os.sep, "/")
    base = path.rsplit("/", 1)[-1]
    parts = path.split("/")
    for pattern in patterns:
        if "/" not in pattern:
            if fnmatch.fnmatch(base, pattern):
                return True
            continue
        folder = pattern.split("/", 1)[0]
        rest = pattern.split("/", 1)[1]
        for i, part in enumerate(parts[:-1]):
            if fnmatch.fnmatch(part, folder) and fnmatch.fnmatch("/".join(parts[i + 1 :]), rest):
                return True
    return False


def conftest_paths(filename: str, root: str) -> list[str]:
    """conftest.py files from ``root`` down to the folder of ``filename``."""
    folder = os.path.dirname(os.path.abspath(filename))
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


_CONFTEST_SOURCES: dict[str, Optional[tuple[bytes, str]]] = {}
"""Path -> the conftest file's bytes and their digest, as this run read them."""


def forget_conftest_sources() -> None:
    """Called once per run: the next run reads conftest files as they are then."""
    _CONFTEST_SOURCES.clear()


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
