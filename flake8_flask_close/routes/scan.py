"""The project's ``.py`` files as the route index sees them, scanned once per run.

Kept apart from the index (and light to import): a run whose findings all come from the
result cache scans the project but never builds, or even imports, the index.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from flake8_flask_close.routes import cache
from flake8_flask_close.routes.cache import DEFAULT_CACHE, CacheSettings
from flake8_flask_close.routes.project import (
    forget_roots,
    parse,
    python_files_with_stats,
    read_candidate,
)

if TYPE_CHECKING:
    from flake8_flask_close.routes.facts import ModuleFacts
    from flake8_flask_close.routes.index import RouteIndex

LOG = logging.getLogger("flake8.flask_close")


def relpath(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), root)
    except ValueError:
        return os.path.basename(path)
    return rel.replace(os.sep, "/")


@dataclass
class ProjectScan:
    """The project's files as the index sees them: one cache entry per ``.py`` file."""

    root: str
    entries: dict[str, cache.Entry]
    send_functions: tuple[str, ...] = ()
    facts_file: Optional[str] = None
    """The cache file holding the facts of entries taken from the cache."""
    _modules: Optional[dict[str, ModuleFacts]] = None
    linked: Optional[RouteIndex] = None
    """The index linked from these modules, once built (see ``index.get_index``)."""

    def modules(self) -> dict[str, ModuleFacts]:
        """Path -> facts; cached facts are turned into objects here, on first need."""
        if self._modules is None:
            self.attach_stored_facts()
            modules: dict[str, ModuleFacts] = {}
            for rel, entry in self.entries.items():
                if not entry.has_facts:
                    continue
                try:
                    facts = entry.facts()
                    if facts is None:
                        facts = self._reread(rel)  # facts file gone or replaced meanwhile
                except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                    facts = self._reread(rel)  # a corrupt cached entry
                if facts is not None:
                    modules[rel] = facts
            self._modules = modules
        return self._modules

    def attach_stored_facts(self) -> None:
        """Give entries taken from the cache their facts' JSON text, from the facts file."""
        if not any(e.needs_text for e in self.entries.values()):
            return
        stored = cache.load_facts(self.facts_file)
        for rel, entry in self.entries.items():
            if entry.needs_text and rel in stored:
                entry.attach_text(stored[rel])

    def _reread(self, rel: str) -> Optional[ModuleFacts]:
        path = os.path.join(self.root, rel)
        try:
            st = os.stat(path)
        except OSError:
            return None
        entry = _read_entry(path, rel, st, self.send_functions)
        self.entries[rel] = entry
        return entry.facts()

    def facts_digest(self) -> str:
        """One digest of every module's facts: equal digests, equal indexes."""
        return cache.digest(
            "".join(
                f"{rel}\0{self.entries[rel].facts_digest}\0"
                for rel in sorted(self.entries)
                if self.entries[rel].facts_digest is not None
            )
        )


def _read_entry(
    path: str, rel: str, st: os.stat_result, send_functions: tuple[str, ...]
) -> cache.Entry:
    extra = tuple(n.rsplit(".", 1)[-1].encode() for n in send_functions)
    from flake8_flask_close.routes.extract import extract  # heavy: only when reading
    from flake8_flask_close.walks import remembered_walks

    cache.trace("read", rel)
    data = read_candidate(path, extra)
    tree = parse(data, path) if data is not None else None
    if data is None or tree is None:
        return cache.Entry(st.st_size, st.st_mtime_ns)
    try:
        with remembered_walks():
            facts = extract(tree, rel, send_functions)
    except RecursionError:
        return cache.Entry(st.st_size, st.st_mtime_ns)
    return cache.Entry(st.st_size, st.st_mtime_ns, cache.bytes_digest(data), facts)


def scan(
    root: str, send_functions: tuple[str, ...] = (), settings: CacheSettings = DEFAULT_CACHE
) -> ProjectScan:
    """Every ``.py`` file under ``root``; files whose size and mtime match the on-disk
    cache are not read again."""
    if os.path.dirname(os.path.abspath(root)) == os.path.abspath(root):
        LOG.debug("flake8-flask-close: %s is a filesystem root; not indexing it", root)
        return ProjectScan(root, {}, send_functions)
    cache_path = settings.path_for(root, send_functions)
    loaded = cache.load(cache_path)
    cached = loaded.entries
    entries: dict[str, cache.Entry] = {}
    read = 0
    prefix = os.path.join(root, "")
    for path, st in python_files_with_stats(root):
        # the walk starts at root: slicing gives relpath()'s answer, much faster
        rel = (
            path[len(prefix) :].replace(os.sep, "/")
            if path.startswith(prefix)
            else relpath(path, root)
        )
        if st is None:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue  # a FIFO or a device named *.py: reading it could block forever
        hit = cached.get(rel)
        if hit is not None and hit.size == st.st_size and hit.mtime_ns == st.st_mtime_ns:
            entries[rel] = hit
            continue
        read += 1
        entries[rel] = _read_entry(path, rel, st, send_functions)
    project = ProjectScan(root, entries, send_functions, loaded.facts_file)
    if read or len(entries) != len(cached):
        project.attach_stored_facts()  # the facts file is written whole
        cache.save(cache_path, entries)
        for entry in entries.values():
            entry.drop_text()
    parsed = sum(1 for e in entries.values() if e.has_facts)
    cache.trace("build" if read else "load", f"{root} files={len(entries)} parsed={parsed}")
    LOG.debug(
        "route index of %s: %d files, %d read, %d taken from the cache",
        root,
        len(entries),
        read,
        len(entries) - read,
    )
    return project


def scan_project(
    root: str, send_functions: tuple[str, ...] = (), settings: CacheSettings = DEFAULT_CACHE
) -> dict[str, ModuleFacts]:
    """Facts of every module under ``root`` that the prefilter lets through."""
    return scan(root, send_functions, settings).modules()


_MEMO: dict[tuple[str, tuple[str, ...], CacheSettings], ProjectScan] = {}


def forget_scans() -> None:
    """Forget scanned projects: called when flake8 parses options, i.e. once per run."""
    _MEMO.clear()
    forget_roots()


def project_scan(
    root: str, send_functions: tuple[str, ...] = (), settings: CacheSettings = DEFAULT_CACHE
) -> ProjectScan:
    """``scan()``, once per run."""
    key = (root, send_functions, settings)
    if key not in _MEMO:
        _MEMO[key] = scan(root, send_functions, settings)
    return _MEMO[key]
