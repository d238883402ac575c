"""Findings of unchanged files, kept between runs.

A file's findings depend on its own text, on the facts of every module in the project
(the route index), on the static folders its routes serve from, on the conftest files
above it, on the test-side helper modules it imports (``tests/helpers.py``: which of
their functions close what they're given) and on the configuration. All of that except
the file's own text, its conftests and its helper modules makes up the *world*: one
digest per run, computed from the index cache without building the index. Findings are
kept per world, in ``results-<index key>/<world>/`` beside the index cache; when the
world changes, the old world's folder is removed.

Inside a world folder, answers are appended to logs: each process that stores an answer
writes to its own ``answers-<pid>-<random>.log``, one line per answer,
``<file digest>\\t<inputs digest>\\t<findings JSON>\\n``, written with a single ``write``
(creating a file costs far more than appending a line). A process's first lookup looks
for its one line in the logs' bytes (an editor's run asks once); a second reads every
log, once; later lines win, a line cut short or malformed is ignored. When the
logs hold many more lines than files (an editor re-linting one file again and again), the
process that reads them rewrites them as one log holding the newest answer per file. A
second run over an unchanged project builds no index at all.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional

from flake8_flask_close import __version__
from flake8_flask_close.config import Config
from flake8_flask_close.routes import cache
from flake8_flask_close.routes.project import static_entries
from flake8_flask_close.routes.scan import display_prefix, project_scan, relpath
from flake8_flask_close.testcode.files import (
    conftest_digest,
    conftest_paths,
    helper_module_paths,
)

Finding = tuple[int, int, str]

MAX_STATIC_NAMES = 20_000
"""Static folders listing more files than this make the world unknowable: no caching."""

LOG_PREFIX = "answers-"
LOG_SUFFIX = ".log"

MAX_LOGS = 64
"""More answer logs than this in a world are compacted into one (each run that stores
anything adds one per process: a thousand editor runs must not mean a thousand reads)."""

COMPACT_SLACK = 500
"""Logs holding more than ``2 x files + COMPACT_SLACK`` lines are compacted: superseded
answers may take up to about as much room as the live ones, and a small world doesn't
churn over a few hundred edits."""

LOCK_NAME = "compacting.lock"
STALE_LOCK_SECONDS = 60.0
"""A compaction lock older than this was left by a process that died while compacting."""

_APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0)

Answers = dict[str, dict[str, str]]
"""File digest -> inputs digest -> findings JSON, undecoded; each inner dict in the order
its answers were written, newest last."""


def _digest(*parts: object) -> str:
    return cache.digest(json.dumps(parts, default=str, separators=(",", ":")))


def _is_log(name: str) -> bool:
    return name.startswith(LOG_PREFIX) and name.endswith(LOG_SUFFIX)


def _new_log_name() -> str:
    return f"{LOG_PREFIX}{os.getpid()}-{os.urandom(6).hex()}{LOG_SUFFIX}"


def _is_log_field(digest: str) -> bool:
    """Whether ``digest`` can be a field of a log line (a digest always can)."""
    return bool(digest) and digest.isascii() and "\t" not in digest and "\n" not in digest


def _remember(answers: Answers, file: str, inputs: str, findings: str) -> None:
    inner = answers.get(file)
    if inner is None:
        answers[file] = {inputs: findings}
    else:
        inner.pop(inputs, None)  # re-inserted last: the newest answer for compaction
        inner[inputs] = findings


def _decode(raw: str) -> Optional[list[Finding]]:
    """The findings in ``raw``: a JSON list of [line, column, message], else None."""
    try:
        findings = json.loads(raw)
    except (ValueError, RecursionError):
        return None
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
    return found


def _logs(folder: str) -> list[tuple[str, os.stat_result]]:
    """The world's answer logs (path, stat), oldest first: by mtime, the newest log's
    answers win. A log compacted away while the folder is listed is left out."""
    logs: list[tuple[int, str, os.stat_result]] = []
    with os.scandir(folder) as it:
        for entry in it:
            if _is_log(entry.name):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                logs.append((st.st_mtime_ns, entry.path, st))
    return [(path, st) for _, path, st in sorted(logs, key=lambda log: log[:2])]


def _read_log(path: str, answers: Answers) -> int:
    """Add the log's answers to ``answers``; the number of lines kept."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:  # compacted away meanwhile: its answers are in the new log, or lost
        return 0
    lines = raw.decode("ascii", "surrogateescape").split("\n")
    lines.pop()  # after the last newline: nothing, or a line whose write was cut short
    kept = 0
    for line in lines:
        fields = line.split("\t")
        if len(fields) != 3 or not line.isascii():
            continue
        file, inputs, findings = fields
        if file and inputs:
            _remember(answers, file, inputs, findings)
            kept += 1
    return kept


def _last_answer(raw: bytes, start: bytes) -> Optional[str]:
    """The findings of the last whole line of a log starting with ``start`` that
    ``_read_log`` keeps (three fields, ASCII), or None."""
    end = raw.rfind(b"\n") + 1  # after the last newline: a line whose write was cut short
    while end > 0:
        at = raw.rfind(start, 0, end)
        if at < 0:
            return None
        if at == 0 or raw[at - 1] == 0x0A:  # a line's start, not the middle of one
            line_end = raw.index(b"\n", at)
            findings = raw[at + len(start) : line_end]
            if b"\t" not in findings and findings.isascii():
                return findings.decode("ascii")
        end = at
    return None


def _has_answers(folder: str) -> bool:
    return any(st.st_size > 0 for _, st in _logs(folder))


class ResultKey(NamedTuple):
    file: str
    """Digest of the file's path."""
    inputs: str
    """Digest of its text and conftest files: the answer holds for these only."""


class ResultStore:
    """Where one run's findings are kept: a folder per world, holding one append-only
    answer log per process that stored answers in it (see the module docstring).

    A store is per process: under fork a child inherits its parent's store, notices the
    new pid and opens a log of its own before it appends."""

    def __init__(
        self, root: str, folder: str, shown: str = "", test_patterns: tuple[str, ...] = ()
    ) -> None:
        self.root = root
        self.folder = folder
        """``results-<index key>/<world>/``."""
        self.shown = shown
        """``display_prefix(root)`` in this run: messages name the project's modules
        relative to the working directory, so an answer holds for that directory only."""
        self.test_patterns = test_patterns
        """Which files are test files: the test-side helper modules a test file imports
        key its answer too."""
        self._answers: Answers = {}
        self._loaded = False
        self._looked_up = False
        self._log_fd: Optional[int] = None
        self._log_path = ""
        self._log_pid = 0
        self._log_written = 0
        self._log_broken = False

    def key_for(self, filename: str, source: str, conftests: bool) -> ResultKey:
        rel = relpath(filename, self.root)
        chain: list[tuple[str, str]] = []
        if conftests:
            # by their text as the analysis reads it: a size and an mtime can't vouch for
            # it (a coarse clock keeps both across a second save)
            for path in conftest_paths(filename, self.root):
                chain.append((path, conftest_digest(path)))
            for path in helper_module_paths(filename, source, self.root, self.test_patterns):
                chain.append((path, conftest_digest(path)))
        return ResultKey(_digest(rel), _digest(cache.text_digest(source), chain, self.shown))

    def get(self, key: ResultKey) -> Optional[list[Finding]]:
        """The stored findings for ``key``, or None (never stored, or stored corrupt). The
        first lookup of a process looks for its one line in the logs' bytes (an editor's
        run asks once); a second reads every answer, once."""
        if self._loaded or self._looked_up:
            raw = self._stored(key)
        else:
            self._looked_up = True
            raw = self._look_up(key)
        if raw is None:
            return None
        found = _decode(raw)
        if found is not None:
            cache.trace("result-hit", key.file)
        return found

    def put(self, key: ResultKey, findings: Sequence[Finding]) -> None:
        """Append the answer to this process's log, for the next runs: not kept in memory
        too, as a run asks once per file (a worker checking 5,000 files kept 1.4 MiB)."""
        cache.trace("result-store", key.file)
        if not (_is_log_field(key.file) and _is_log_field(key.inputs)):
            return  # not a digest: its line would read back as another answer, or not at all
        try:
            raw = json.dumps([list(f) for f in findings], separators=(",", ":"))
        except (ValueError, TypeError, RecursionError):
            return
        self._append(f"{key.file}\t{key.inputs}\t{raw}\n".encode("ascii"))

    def close(self) -> None:
        """Close this process's log (a later ``put`` opens a new one)."""
        fd, self._log_fd = self._log_fd, None
        self._log_path, self._log_written = "", 0
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _look_up(self, key: ResultKey) -> Optional[str]:
        """The newest answer for ``key`` in the logs, as ``_load`` would find it, without
        reading the others; logs that piled up are read (and compacted) whole."""
        try:
            logs = [path for path, _ in _logs(self.folder)]
        except OSError:
            return None
        if len(logs) > MAX_LOGS:
            return self._stored(key)
        if not (_is_log_field(key.file) and _is_log_field(key.inputs)):
            return None
        start = f"{key.file}\t{key.inputs}\t".encode("ascii")
        for path in reversed(logs):  # the newest log's answer wins
            try:
                with open(path, "rb") as fh:
                    raw = fh.read()
            except OSError:
                continue
            found = _last_answer(raw, start)
            if found is not None:
                return found
        return None

    def _stored(self, key: ResultKey) -> Optional[str]:
        """The answer for ``key`` among every log's answers, read once."""
        if not self._loaded:
            self._load()
        return self._answers.get(key.file, {}).get(key.inputs)

    def _load(self) -> None:
        self._loaded = True
        answers: Answers = {}
        try:
            logs = [path for path, _ in _logs(self.folder)]
        except OSError:  # no folder: nothing stored
            logs = []
        lines = sum(_read_log(path, answers) for path in logs)
        files = len(answers)
        self._answers = answers
        if len(logs) > MAX_LOGS or lines > 2 * files + COMPACT_SLACK:
            self._compact(logs)

    def _compact(self, logs: list[str]) -> None:
        """Replace ``logs`` by one log of the newest answer per file. Another process
        appending to one of them meanwhile loses what it appends after this read (a
        later miss); one compacting at the same time is kept out by a lock file, and if
        both go ahead anyway, each log they write holds answers read from the same
        logs: duplicates, never a wrong answer."""
        lock = os.path.join(self.folder, LOCK_NAME)
        try:
            os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - os.stat(lock).st_mtime > STALE_LOCK_SECONDS:
                    os.unlink(lock)  # the next reader compacts
            return
        except OSError:
            return
        try:
            cache.trace("result-compact", str(len(logs)))
            newest = [
                f"{file}\t{inputs}\t{raw}\n"
                for file, inner in self._answers.items()
                for inputs, raw in [next(reversed(inner.items()))]
            ]
            raw = "".join(newest).encode("ascii")
            if not raw or cache.write_atomically(os.path.join(self.folder, _new_log_name()), raw):
                for path in logs:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)

    def _append(self, line: bytes) -> None:
        pid = os.getpid()
        if self._log_pid != pid:
            self.close()  # a forked child's copy of its parent's log: the parent's
            self._log_pid = pid
            self._log_broken = False
        if self._log_broken:
            return
        try:
            if self._log_fd is not None and os.fstat(self._log_fd).st_nlink == 0:
                self.close()  # another process compacted it away: appends would be lost
            if self._log_fd is None:
                self._open_log()
            assert self._log_fd is not None
            written = os.write(self._log_fd, line)
        except OSError:
            written = -1
        if written == len(line):
            self._log_written += written
            return
        # A full disk or a read-only folder: stop here, rather than append after a line
        # cut short or create a new empty log on every answer.
        self._log_broken = True
        empty = self._log_path if self._log_written == 0 else ""
        self.close()
        if empty:
            with contextlib.suppress(OSError):
                os.unlink(empty)

    def _open_log(self) -> None:
        for _ in range(3):
            path = os.path.join(self.folder, _new_log_name())
            try:
                self._log_fd = os.open(path, _APPEND_FLAGS, 0o666)
            except FileExistsError:
                continue
            self._log_path = path
            self._log_written = 0
            return
        raise FileExistsError(path)


_STORES: dict[tuple[str, Config], Optional[ResultStore]] = {}


def reset_memo() -> None:
    for store in _STORES.values():
        if store is not None:
            store.close()
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
        return not _has_answers(store.folder)
    except OSError:  # removed meanwhile by a run that saw another world
        return True


def static_folders_known(root: str, config: Config) -> bool:
    """Whether the folders and files the project's routes serve are remembered for its
    facts: then ``world_is_new`` needs no index to answer."""
    index_path = config.cache.path_for(root, config.send_functions)
    if index_path is None:
        return False
    facts = project_scan(root, config.send_functions, config.cache).facts_digest()
    return os.path.exists(_watched_sidecar(_results_base(index_path), facts))


def _results_base(index_path: str) -> str:
    """The folder of the result cache's worlds, beside the index cache."""
    return os.path.join(
        os.path.dirname(index_path),
        os.path.basename(index_path).replace("index-", "results-").replace(".json", ""),
    )


def _watched_sidecar(base: str, facts: str) -> str:
    return os.path.join(base, f"watched-{facts}.json")


def _open_store(root: str, config: Config) -> Optional[ResultStore]:
    settings = config.cache
    index_path = settings.path_for(root, config.send_functions)
    if index_path is None:
        return None
    project = project_scan(root, config.send_functions, settings)
    if not project.file_count:
        return None
    facts = project.facts_digest()
    base = _results_base(index_path)
    os.makedirs(base, exist_ok=True)
    dirs, files = _watched_paths(base, facts, root, config)
    remaining = MAX_STATIC_NAMES
    static: list[Any] = [(path, os.path.isfile(path)) for path in files]
    for folder in dirs:
        # the analysis tells a missing folder from an empty one (os.path.isdir), and
        # follows symlinks as Flask does: so must the world
        entries = static_entries(folder, remaining)
        if entries is None:
            return None
        remaining -= len(entries)
        static.append((folder, os.path.isdir(folder), entries))
    options = (
        config.project_root,
        config.send_functions,
        config.client_names,
        config.test_patterns,
        sorted(config.opt_in),
    )
    world = _digest(
        __version__, cache.code_fingerprint(os.path.dirname(index_path)), _werkzeug_version(),
        sys.version_info[:2],
        options, facts, static,
    )  # fmt: skip
    folder = os.path.join(base, world)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    else:
        _forget_other_worlds(base, keep={world, os.path.basename(_watched_sidecar(base, facts))})
    return ResultStore(root, folder, display_prefix(root), config.test_patterns)


def _werkzeug_version() -> str:
    """Routes are matched with the installed Werkzeug: another version may match otherwise.
    Read from the name of the one ``werkzeug-<version>.dist-info`` folder beside the
    package, when there is one: a tenth of what searching and parsing its metadata costs
    (an editor's run over a big unchanged project pays it)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        spec = importlib.util.find_spec("werkzeug")
        if spec is not None and spec.origin:
            beside = os.path.dirname(os.path.dirname(spec.origin))
            named = [
                name
                for name in os.listdir(beside)
                if name.lower().startswith("werkzeug-") and name.endswith(".dist-info")
            ]
            if len(named) == 1:
                return named[0][len("werkzeug-") : -len(".dist-info")]
    try:
        return importlib.metadata.version("werkzeug")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _watched_paths(base: str, facts: str, root: str, config: Config) -> tuple[list[str], list[str]]:
    """What on disk decides whether a request finds a file: the static folders of the
    project's routes and the folders of the files views take from the URL (listed), and
    the files views name (each there or not; ``LinkedRoute.sent``). Remembered per facts
    digest, as finding them means building the index."""
    sidecar = _watched_sidecar(base, facts)
    known = cache.read_json(sidecar)
    if (
        isinstance(known, list)
        and len(known) == 2
        and all(isinstance(paths, list) for paths in known)
        and all(isinstance(path, str) for paths in known for path in paths)
    ):
        return list(known[0]), list(known[1])
    from flake8_flask_close.routes.index import get_index  # heavy: only on a new world

    index = get_index(root, config.send_functions, None, config.cache)
    dirs: set[str] = set()
    files: set[str] = set()
    for _, route in index.all_routes():
        if route.static_dir is not None:
            dirs.add(route.static_dir)
        sent = route.sent
        if sent is not None:
            if sent.from_url:
                dirs.add(sent.folder)
            else:
                files.add(os.path.join(sent.folder, sent.name))
    found = sorted(dirs), sorted(files)
    if project_scan(root, config.send_functions, config.cache).settled_facts_digest() == facts:
        cache.write_json(sidecar, found)  # else the files changed since the walk: not these
    return found


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
