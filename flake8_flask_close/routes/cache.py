"""The on-disk cache of per-file facts: JSON only, keyed by path, size and mtime_ns and
the plugin version, written atomically, rebuilt when unreadable or corrupt.

A cached entry of ``None`` records a file the prefilter or the parser turned down, so a
warm run doesn't read it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Optional

from flake8_flask_close import __version__
from flake8_flask_close.routes.facts import ModuleFacts

SCHEMA = 1
DEFAULT_DIR_NAME = ".flake8_flask_close_cache"

Entry = tuple[int, int, Optional[ModuleFacts]]
"""(size, mtime_ns, facts or None)."""


@dataclass(frozen=True)
class CacheSettings:
    enabled: bool = True
    directory: Optional[str] = None
    """None: ``.flake8_flask_close_cache`` in the project root."""

    def path_for(self, root: str, send_functions: tuple[str, ...]) -> Optional[str]:
        if not self.enabled:
            return None
        folder = self.directory or os.path.join(root, DEFAULT_DIR_NAME)
        key = hashlib.sha256(
            json.dumps([os.path.abspath(root), list(send_functions)]).encode()
        ).hexdigest()[:16]
        return os.path.join(folder, f"index-{key}.json")


DEFAULT_CACHE = CacheSettings()


def trace(event: str, detail: str) -> None:
    """Append ``pid event detail`` to ``$FLAKE8_FLASK_CLOSE_TRACE`` (tests count index
    builds and file reads across flake8's worker processes with it)."""
    target = os.environ.get("FLAKE8_FLASK_CLOSE_TRACE")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {event} {detail}\n")
    except OSError:
        pass


def load(path: Optional[str]) -> dict[str, Entry]:
    """The cached entries, or {} when the file is missing, unreadable, corrupt, foreign
    JSON or from another plugin version."""
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("schema") != SCHEMA or data.get("version") != __version__:
            return {}
        entries: dict[str, Entry] = {}
        for rel, (size, mtime, facts) in data["files"].items():
            parsed = ModuleFacts.from_json(facts) if facts is not None else None
            entries[str(rel)] = (int(size), int(mtime), parsed)
        return entries
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def save(path: Optional[str], entries: dict[str, Entry]) -> None:
    """Write atomically (temp file + ``os.replace``); a read-only folder just means no
    cache."""
    if path is None:
        return
    folder = os.path.dirname(path)
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "version": __version__,
        "files": {
            rel: [size, mtime, facts.to_json() if facts is not None else None]
            for rel, (size, mtime, facts) in entries.items()
        },
    }
    tmp_name = None
    try:
        os.makedirs(folder, exist_ok=True)
        ignore = os.path.join(folder, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# created by flake8-flask-close\n*\n")
        fd, tmp_name = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, separators=(",", ":"))
        os.replace(tmp_name, path)
        tmp_name = None
    except (OSError, ValueError, TypeError, RecursionError):
        pass
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
