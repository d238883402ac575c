"""The on-disk cache of per-file facts: JSON only, keyed by path, size and mtime_ns and
the plugin version, written atomically, rebuilt when unreadable or corrupt.

An entry without facts records a file the prefilter or the parser turned down, so a warm
run doesn't read it again. Facts stay raw JSON until the route index needs them: a run
whose results all come from the result cache never builds them.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import json
import os
import tempfile
import tokenize
from dataclasses import dataclass
from typing import Any, Optional, Union

from flake8_flask_close import __version__
from flake8_flask_close.routes.facts import ModuleFacts

SCHEMA = 2
DEFAULT_DIR_NAME = ".flake8_flask_close_cache"


def text_digest(text: str) -> str:
    """A digest of source text as flake8 sees it, whatever the line endings or BOM: the
    same for a file's bytes (``bytes_digest``) and for flake8's ``lines`` of it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.blake2b(normal.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def bytes_digest(data: bytes) -> Optional[str]:
    """``text_digest`` of a file's bytes decoded as Python decodes source (PEP 263), or
    None when they don't decode."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return text_digest(codecs.decode(data, encoding))
    except (SyntaxError, LookupError, UnicodeDecodeError, ValueError):
        return None


def _digest_of_facts(facts_json: Optional[dict[str, Any]]) -> Optional[str]:
    if facts_json is None:
        return None
    text = json.dumps(facts_json, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Entry:
    """One file: its size and mtime, the digest of its text (when it was read as a
    candidate) and its facts, kept as raw JSON until asked for."""

    __slots__ = ("_facts", "_raw", "facts_digest", "mtime_ns", "size", "text_digest")

    def __init__(
        self,
        size: int,
        mtime_ns: int,
        text_digest: Optional[str] = None,
        facts: Union[ModuleFacts, dict[str, Any], None] = None,
        facts_digest: Optional[str] = None,
    ) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        self.text_digest = text_digest
        self._facts = facts if isinstance(facts, ModuleFacts) else None
        # Fresh facts keep their JSON too: the cache file and the digest both need it.
        self._raw = facts.to_json() if isinstance(facts, ModuleFacts) else facts
        if facts_digest is None:
            facts_digest = _digest_of_facts(self._raw)
        self.facts_digest = facts_digest

    @property
    def has_facts(self) -> bool:
        return self._raw is not None

    def facts(self) -> Optional[ModuleFacts]:
        """The facts (raises on a corrupt cached entry: the caller re-reads the file)."""
        if self._facts is None and self._raw is not None:
            self._facts = ModuleFacts.from_json(self._raw)
        return self._facts

    def facts_json(self) -> Optional[dict[str, Any]]:
        return self._raw


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
        for rel, (size, mtime, text, digest, facts) in data["files"].items():
            if facts is not None and not (isinstance(facts, dict) and isinstance(digest, str)):
                return {}
            entries[str(rel)] = Entry(
                int(size), int(mtime), str(text) if text else None, facts, digest
            )
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
            rel: [e.size, e.mtime_ns, e.text_digest, e.facts_digest, e.facts_json()]
            for rel, e in entries.items()
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
