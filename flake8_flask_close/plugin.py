"""The flake8 entry point."""

from __future__ import annotations

import argparse
import ast
import gc
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from flake8_flask_close import __version__, result_cache
from flake8_flask_close.codes import DEFAULT_OFF
from flake8_flask_close.config import DEFAULT_CONFIG, Config, config_from_options, register_options
from flake8_flask_close.result_cache import Finding
from flake8_flask_close.routes.cache import text_digest
from flake8_flask_close.routes.project import find_root, may_have_facts
from flake8_flask_close.routes.scan import ProjectScan, forget_scans, project_scan, relpath
from flake8_flask_close.testcode.files import (
    conftest_source,
    forget_conftest_sources,
    helper_module_paths,
    is_test_file,
)

LOG = logging.getLogger(__name__)

REQUEST_TOKENS = (
    ".get(",
    ".post(",
    ".put(",
    ".patch(",
    ".delete(",
    ".head(",
    ".options(",
    ".open(",
    "send_",
    "request_context",
)
"""A test file mentioning none of these makes no response of its own we could judge."""

_REQUEST_BYTES = tuple(token.encode() for token in REQUEST_TOKENS)


def may_make_requests(filename: str, source: str, config: Config) -> bool:
    """Whether a test module may make a response we could judge: by a request of its own,
    or by handing a client to a test-side helper module that makes requests
    (``fetch(client, url)`` after ``from tests.helpers import fetch``), or by a method its
    test classes inherit from one (``self.download(name)``)."""
    if any(token in source for token in REQUEST_TOKENS):
        return True
    if "client" not in source and "self." not in source:
        return False  # most modules without requests: no import looked up
    root = find_root(filename, config.project_root)
    for path in helper_module_paths(filename, source, root, config.test_patterns):
        text = conftest_source(path)
        if text is not None and any(token in text for token in _REQUEST_BYTES):
            return True
    return False


PROD_TOKENS = (
    "send_",
    "after_request",
    "after_app_request",
    "teardown_",
    "wrap_file",
    "Response(",
    "response_class",
    "close",  # x.close(), closing(), call_on_close()
    "get_data",
    "iter_encoded",
    ".response",
)
"""A module mentioning none of these builds, closes or hooks no file response."""

Result = tuple[int, int, str, type]


_frozen = False
"""Whether this run put what it has built out of the cyclic gc's reach (``_freeze``)."""

_host_froze = False
"""Whether this run found objects frozen by its host, and so left the gc alone."""

_frozen_before = gc.get_freeze_count()
"""How many objects were frozen before the plugin was loaded: CPython 3.12 keeps some of
its immortal objects there (375 on 3.12.1; every full collection puts them back after an
unfreeze), which no host froze. A run freezes when no more than these are."""


def _freeze() -> None:
    """Once per run, after the project was scanned: move every object alive now (the
    project's entries and index, flake8's and our modules) out of the cyclic gc's
    reach, so that its collections don't walk them again and again while files are
    checked, nor one last time at exit (10-30 ms of an editor run over 10,000 files).
    Objects made later, such as the trees of checked files, stay collectable. A host
    that froze objects itself once the plugin was loaded (a language server embedding
    flake8) is left alone: the freeze is process-wide and only the one who froze may
    undo it."""
    global _frozen, _host_froze
    if _frozen or _host_froze:
        return
    # counted, not looked up, on Python 3.11: once per run, not once per checked file
    if gc.get_freeze_count() <= _frozen_before:  # frozen ones may have died since
        _frozen = True
        gc.freeze()
    else:
        _host_froze = True


def _release_freed_memory() -> None:
    """Give the system back the heap pages the build used and freed (the facts' JSON
    text, the helpers' replies): glibc keeps them, and flake8's workers, forked next
    (under fork), would each count them as theirs (5 MiB over a 10,000-file project)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)  # None: the symbols already loaded, libc's too
    except Exception as exc:  # not glibc (musl has no malloc_trim), or no ctypes
        LOG.debug("flake8-flask-close: freed memory not released: %r", exc)


def forget_previous_run() -> None:
    """Forget what earlier runs in this process learned of the project (an editor
    re-linting in the same process must see the project as it is now)."""
    global _frozen, _host_froze
    if _frozen:
        # what the previous run froze may be garbage by now: collectable again
        gc.unfreeze()
        _frozen = False
    _host_froze = False
    forget_scans()
    forget_conftest_sources()
    result_cache.reset_memo()
    # client knowledge is loaded (and remembered) only when some file was analysed
    clients = sys.modules.get("flake8_flask_close.testcode.clients")
    if clients is not None:
        clients.reset_memo()
    fixture_apps = sys.modules.get("flake8_flask_close.testcode.fixture_apps")
    if fixture_apps is not None:
        fixture_apps.forget()
    analysis = sys.modules.get("flake8_flask_close.testcode.analysis")
    if analysis is not None:
        analysis.forget_helper_analyses()


def _job_count(options: argparse.Namespace) -> int:
    """How many processes flake8 runs its checks in (``--jobs``)."""
    jobs = getattr(options, "jobs", None)
    if getattr(jobs, "is_auto", False):
        return os.cpu_count() or 1
    count = getattr(jobs, "n_jobs", 1)
    return count if isinstance(count, int) and count > 0 else 1


def _load_analysis() -> None:
    """Import the analysis while helper processes read a changed project: many files
    changed, so many will be analysed, and workers forked from here inherit it."""
    try:
        import flake8_flask_close.checks  # noqa: F401
        from flake8_flask_close.routes import match

        match.load_werkzeug()
    except Exception as exc:  # the workers import it themselves
        LOG.debug("flake8-flask-close: analysis not loaded early: %r", exc)


LINK_APART_MIN_MODULES = 1000
"""Modules with facts from which a run with workers links them in a helper process."""


def _link_apart(project: ProjectScan, config: Config, jobs: int) -> bool:
    """Link a big project's facts in a fresh helper process, which stores the links for
    flake8's workers to load; True when they are stored. Linking holds every module's
    facts as objects (11 MiB at 10,000 files) beside the routes: in this process they
    would stay after linking (freed objects leave Python's memory pools partly used, so
    the memory isn't given back) and every worker forked from here would count them as
    its own. The workers instead load the links and read the few facts they need."""
    if jobs < 2:
        return False
    root = project.root
    if result_cache.static_folders_known(root, config) and not result_cache.world_is_new(
        root, config
    ):
        return False  # answers are stored: no index is needed here (nor imported, nor rows)
    if sum(1 for e in project.entries.values() if e.has_facts) < LINK_APART_MIN_MODULES:
        return False
    from flake8_flask_close.routes import linked

    path = linked.path_for(project, config.send_functions, config.cache)
    if path is None:
        return False
    if not os.path.exists(path):
        # The helper takes the facts from the cache: only when this run's are all there
        # (else it would read every file again), and then this process needs them no more.
        if not project.drop_facts():
            return False
        gc.collect()
        _release_freed_memory()
        try:
            _run_link_helper(root, config)
        except Exception as exc:  # linked here instead
            LOG.debug("flake8-flask-close: linking in a helper process failed: %r", exc)
            return False
    return os.path.exists(path)


LINK_HELPER = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from flake8_flask_close.plugin import _link_helper_main; _link_helper_main()"
)
"""A fresh interpreter, not multiprocessing's spawn: that imports flake8's main module
again, and a host that runs flake8 from a script without a ``__main__`` guard would run
it again in the helper."""


def _run_link_helper(root: str, config: Config) -> None:
    """Run ``_prepare_world`` in a helper process; raises when it fails."""
    import pickle
    import subprocess

    if not sys.executable:
        raise OSError("no Python executable to start a helper with")
    payload = pickle.dumps(sys.path) + pickle.dumps((root, config))
    subprocess.run(
        [sys.executable, "-c", LINK_HELPER],
        input=payload,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )


def _link_helper_main() -> None:
    """In the helper: Ctrl-C is the main process's to handle; linking makes no cycles
    to collect (tests/test_project_scan.py)."""
    import pickle
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    root, config = pickle.load(sys.stdin.buffer)
    _prepare_world(root, config)


def _prepare_world(root: str, config: Config) -> None:
    """In a helper process: what a run over a new world needs the index for, done here:
    the links stored, the static folders of the result cache noted."""
    if result_cache.world_is_new(root, config):
        from flake8_flask_close.routes.index import get_index

        get_index(root, config.send_functions, None, config.cache)


class Plugin:
    name = "flake8-flask-close"
    version = __version__

    config: ClassVar[Config] = DEFAULT_CONFIG

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @staticmethod
    def add_options(option_manager: Any) -> None:
        register_options(option_manager)
        option_manager.extend_default_ignore(DEFAULT_OFF)

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.config = config_from_options(options)
        # flake8 parses options once per run: a new run (an editor re-linting in the same
        # process) must see the project as it is now.
        forget_previous_run()
        cls._build_index_early(options)

    @classmethod
    def _build_index_early(cls, options: argparse.Namespace) -> None:
        """Build (or load) the index once, here, before flake8 forks its workers: they
        inherit it under fork, and find it in the on-disk cache under spawn/forkserver."""
        names = list(getattr(options, "filenames", None) or ["."])
        first = names[0]
        if first == "-":
            return  # one buffer, no workers: the index is built if and when it's needed
        probe = os.path.join(first, "__probe__.py") if os.path.isdir(first) else first
        # The build makes objects without cycles, in the hundred thousands at 10,000
        # files: the cyclic gc walking them again and again was 8 % of the build. Helper
        # processes forked meanwhile read files with it paused for their whole life, so
        # what they run (extract) must make no cycles either: tests/test_project_scan.py.
        collecting = gc.isenabled()
        gc.disable()
        try:
            root = find_root(probe, cls.config.project_root)
            config = cls.config
            jobs = _job_count(options)
            # the files that changed since the last run are read by as many processes as
            # flake8 will use
            project = project_scan(root, config.send_functions, config.cache, jobs, _load_analysis)
            linked_apart = _link_apart(project, config, jobs)
            if result_cache.world_is_new(root, config) and not linked_apart:
                # every file will be analysed: the index is needed, build it once, here
                from flake8_flask_close.routes.index import get_index

                index = get_index(root, config.send_functions, None, config.cache)
                for group in index.groups:
                    group.route_map  # noqa: B018 - built now, shared by every worker
                # the helper processes' machinery left reference cycles (a few MiB at
                # 10,000 files): collected now, before _freeze would keep them for good
                gc.collect()
                _release_freed_memory()
            _freeze()
        except Exception as exc:  # the lazy path tries again, per file
            LOG.debug("flake8-flask-close: early index build skipped: %r", exc)
        finally:
            if collecting:
                gc.enable()

    def run(self) -> Iterator[Result]:
        try:
            results = list(self._run())
        except Exception as exc:
            LOG.warning(
                "flake8-flask-close: skipped %s after an internal error: %r", self.filename, exc
            )
            return
        yield from results

    def _run(self) -> Iterator[Result]:
        if not isinstance(self.tree, ast.Module):
            return
        source = "".join(self.lines)
        if is_test_file(self.filename, self.config.test_patterns):
            if not may_make_requests(self.filename, source, self.config):
                return
            test_side = True
        elif any(token in source for token in PROD_TOKENS):
            test_side = False
        else:
            return
        for line, col, message in self._findings(self.tree, source, test_side):
            yield line, col, message, type(self)

    def _findings(self, tree: ast.Module, source: str, test_side: bool) -> list[Finding]:
        """The file's findings, from the result cache when the file and its world are
        unchanged since they were stored."""
        root = find_root(self.filename, self.config.project_root)
        store = result_cache.store_for(root, self.config)
        # the project is scanned by now (unless the cache is off): an editor's buffer,
        # which has no early build, gets here first
        _freeze()
        key = None
        if store is not None:
            key = store.key_for(self.filename, source, test_side)
            found = store.get(key)
            if found is not None:
                # stored only for a text that agreed with the index of this world: this
                # one does too (and the index's rows needn't be read to know)
                return found
            if not self._cacheable(root, source):
                key = None
        # the analysis: loaded on a cache miss only
        from flake8_flask_close import checks
        from flake8_flask_close.walks import remembered_walks

        side = checks.test_findings if test_side else checks.prod_findings
        with remembered_walks():
            findings = list(side(tree, self.filename, source, self.config))
        if store is not None and key is not None and not self._changed_during_run(root):
            store.put(key, findings)
        return findings

    def _changed_during_run(self, root: str) -> bool:
        """Whether the files changed after the walk that made the run's world."""
        send_functions = self.config.send_functions
        return project_scan(root, send_functions, self.config.cache).changed_during_run

    def _cacheable(self, root: str, source: str) -> bool:
        """An editor buffer that differs from the indexed copy of a module with routes
        changes the index itself: its findings are not kept."""
        send_functions = self.config.send_functions
        project = project_scan(root, send_functions, self.config.cache)
        entry = project.entries.get(relpath(self.filename, root))
        if entry is not None and entry.has_facts:
            return entry.text_digest == text_digest(source)
        return not may_have_facts(source, send_functions)
