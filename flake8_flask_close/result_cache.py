"""Findings of unchanged files, kept between runs.

A file's findings depend on its own text, on the facts of every module in the project
(the route index), on the static folders its routes serve from, on the conftest files
above it and on the configuration. All of that except the file's own text and conftests
makes up the *world*: one digest per run, computed from the index cache without building
the index. Findings are stored per world and per (file, text, conftests), as JSON, in
``results-<index key>/<world>/`` beside the index cache; when the world changes, the old
world's folder is removed. A hit costs one small file read: a second run over an unchanged
project builds no index at all.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close import __version__
from flake8_flask_close.config import Config
from flake8_flask_close.routes import cache
from flake8_flask_close.routes.project import files_under
from flake8_flask_close.routes.scan import project_scan, relpath
from flake8_flask_close.testcode.files import conftest_paths

Finding = tuple[int, int, str]

MAX_STATIC_NAMES = 20_000
"""Static folders listing more files than this make the world unknowable: no caching."""


def _digest(*parts: object) -> str:
    return cache.digest(json.dumps(parts, default=str, separators=(",", ":")))


@dataclass(frozen=True)
class ResultKey:
    file: str
    """Digest of the file's path: its answer's file name."""
    inputs: str
    """Digest of its text and conftest files: the answer holds for these only."""


@dataclass
class ResultStore:
    """Where one run's findings are kept: a folder per world."""

    root: str
    folder: str
    """``results-<index key>/<world>/``."""

    def key_for(self, filename: str, source: str, conftests: bool) -> ResultKey:
        rel = relpath(filename, self.root)
        chain: list[tuple[str, int, int]] = []
        if conftests:
            for path in conftest_paths(filename, self.root):
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                chain.append((path, st.st_size, st.st_mtime_ns))
        return ResultKey(_digest(rel), _digest(cache.text_digest(source), chain))

    def get(self, key: ResultKey) -> Optional[list[Finding]]:
        data = cache.read_json(os.path.join(self.folder, key.file + ".json"))
        if not isinstance(data, dict) or data.get("inputs") != key.inputs:
            return None
        findings = data.get("findings")
        if not isinstance(findings, list):
            return None
        found: list[Finding] = []
        for item in findings:
            if not (
                isinstance(item, list)
                and len(item) == 3
                and type(item[0]) is int
                and type(item[1]) is int
                and isinstance(item[2], str)
            ):
                return None
            found.append((item[0], item[1], item[2]))
        cache.trace("result-hit", key.file)
        return found

    def put(self, key: ResultKey, findings: Sequence[Finding]) -> None:
        """One file per checked file: a new answer replaces the old one (an editor saving
        a file a thousand times leaves one answer, not a thousand)."""
        cache.trace("result-store", key.file)
        data = {"inputs": key.inputs, "findings": [list(f) for f in findings]}
        cache.write_json(os.path.join(self.folder, key.file + ".json"), data)


_STORES: dict[tuple[str, Config], Optional[ResultStore]] = {}


def reset_memo() -> None:
    _STORES.clear()


def store_for(root: str, config: Config) -> Optional[ResultStore]:
    """The run's result store for ``root``, or None when results can't be kept (cache
    off, unreadable static folders, a filesystem that refuses the folder)."""
    key = (root, config)
    if key not in _STORES:
        try:
            _STORES[key] = _open_store(root, config)
        except (OSError, ValueError, RecursionError):
            _STORES[key] = None
    return _STORES[key]


def world_is_new(root: str, config: Config) -> bool:
    """True when this run's world has no stored findings yet (every file will be
    analysed, so building the index up front pays off)."""
    store = store_for(root, config)
    if store is None:
        return True
    try:
        with os.scandir(store.folder) as it:
            return not any(e.name.endswith(".json") for e in it)
    except OSError:  # removed meanwhile by a run that saw another world
        return True


def _open_store(root: str, config: Config) -> Optional[ResultStore]:
    settings = config.cache
    index_path = settings.path_for(root, config.send_functions)
    if index_path is None:
        return None
    project = project_scan(root, config.send_functions, settings)
    if not project.entries:
        return None
    facts = project.facts_digest()
    base = os.path.join(
        os.path.dirname(index_path),
        os.path.basename(index_path).replace("index-", "results-").replace(".json", ""),
    )
    os.makedirs(base, exist_ok=True)
    dirs = _static_dirs(base, facts, root, config)
    remaining = MAX_STATIC_NAMES
    static = []
    for folder in dirs:
        names = files_under(folder, remaining)
        if names is None:
            return None
        remaining -= len(names)
        static.append((folder, names))
    options = (
        config.project_root,
        config.send_functions,
        config.client_names,
        config.test_patterns,
        sorted(config.opt_in),
    )
    world = _digest(
        __version__, _code_fingerprint(), _werkzeug_version(), sys.version_info[:2],
        options, facts, static,
    )  # fmt: skip
    folder = os.path.join(base, world)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    else:
        _forget_other_worlds(base, keep={world, f"static-{facts}.json"})
    return ResultStore(root, folder)


def _code_fingerprint() -> list[tuple[str, int, int]]:
    """The plugin's own modules (size, mtime): an edited checkout or a reinstall of the
    same version must not be answered by the old code's findings."""
    package = os.path.dirname(os.path.abspath(__file__))
    found: list[tuple[str, int, int]] = []
    for folder, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                found.append(
                    (
                        os.path.relpath(os.path.join(folder, name), package),
                        st.st_size,
                        st.st_mtime_ns,
                    )
                )
    return found


def _werkzeug_version() -> str:
    """Routes are matched with the installed Werkzeug: another version may match otherwise."""
    try:
        return importlib.metadata.version("werkzeug")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _static_dirs(base: str, facts: str, root: str, config: Config) -> list[str]:
    """The static folders of the project's routes: remembered per facts digest, as
    finding them means building the index."""
    sidecar = os.path.join(base, f"static-{facts}.json")
    known = cache.read_json(sidecar)
    if isinstance(known, list) and all(isinstance(d, str) for d in known):
        return list(known)
    from flake8_flask_close.routes.index import get_index  # heavy: only on a new world

    index = get_index(root, config.send_functions, None, config.cache)
    dirs = sorted({r.static_dir for _, r in index.all_routes() if r.static_dir is not None})
    cache.write_json(sidecar, dirs)
    return dirs


def _forget_other_worlds(base: str, keep: set[str]) -> None:
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        if name in keep or name.startswith("."):
            continue
        path = os.path.join(base, name)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)
