"""Which files are test files, and the conftest files above them."""

from __future__ import annotations

import fnmatch
import os


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
