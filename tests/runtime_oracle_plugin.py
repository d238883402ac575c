"""pytest plugin for the runtime-truth harness: which test *caused* each leaked file.

Loaded into a project's own pytest run with ``-p runtime_oracle_plugin`` (see
``tests/test_runtime_truth.py``); it is not a test module and is never collected.

It writes one JSON document to ``$FFC_ORACLE_OUT`` at ``pytest_unconfigure``:

``reports``
    every setup/call/teardown report and every failed collection report
    (nodeid, phase, outcome, the tail of the failure text, xfail flag).
``unraisables``
    every exception that reached ``sys.unraisablehook`` (under ``pytest -W error`` a
    ``ResourceWarning: unclosed file`` raised in a file object's finalizer ends up there):
    the test and phase that were running (``reported_in``, ``when``), the test that
    opened the file (``opener``, see below), the warning class and text.
``never_closed``
    project files opened during some test and still open at the end of the session
    (a response parked in a module global: nothing is ever reported for it, §2 c10a).

Attribution of a file to the test that opened it: around every test's whole protocol
(setup, call, teardown) the plugin lists the process's open file descriptors that point
into the project (``/proc/self/fd``). A descriptor open after the protocol that was not
open before it was opened by that test and outlived it ("carried"). When a finalizer
later warns about a file whose descriptor is carried, the warning is charged to the
opener, not to the innocent test that happened to run when the file was freed
(module-scoped fixtures released at module teardown, §2 c10b; a failing test's frame,
which its traceback keeps in a reference cycle until the cyclic gc runs, c02g/c10d). A
warning about a file that is not carried is charged to the test that was running (or,
between phases, to the test whose protocol was running). Linux only (``/proc``).

At the end of every test's protocol the cyclic gc runs: what the test left in reference
cycles warns then, charged to it, rather than whenever the gc next runs (on Python 3.13
that was once inside pytest's report of another test's failure, and the oracle never
saw the warning).

Works with pytest 7.4, 8.3 (a per-phase unraisable hook) and 9.2 (a session-wide one).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import warnings
from collections.abc import Callable, Generator, Iterator
from typing import Any, Optional

import pytest

OUT_ENV = "FFC_ORACLE_OUT"
ROOT_ENV = "FFC_ORACLE_ROOT"


def _open_project_fds(root: str) -> dict[int, str]:
    """Open descriptors of this process whose target lies under ``root``."""
    found: dict[int, str] = {}
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return found
    prefix = root.rstrip(os.sep) + os.sep
    for name in names:
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith(prefix):
            found[int(name)] = target
    return found


class _Recorder:
    """Records an unraisable exception, then hands it to the hook it replaced."""

    def __init__(self, oracle: Oracle, delegate: Callable[[Any], object]) -> None:
        self.oracle = oracle
        self.delegate = delegate

    def __call__(self, unraisable: Any) -> None:
        try:
            self.oracle.record(unraisable)
        finally:
            self.delegate(unraisable)


class Oracle:
    def __init__(self, root: str, out: str) -> None:
        self.root = os.path.realpath(root)
        self.out = out
        self.item: Optional[str] = None  # the test whose protocol is running
        self.phase: Optional[str] = None  # setup / call / teardown, None between phases
        self.carried: dict[int, tuple[str, str]] = {}  # fd -> (opener nodeid, target)
        self.reports: list[dict[str, Any]] = []
        self.unraisables: list[dict[str, Any]] = []

    # -- sys.unraisablehook ---------------------------------------------------------
    def wrap_current_hook(self) -> Optional[Callable[[Any], object]]:
        """Put a recorder in front of the current hook; return the hook it replaced
        (None when a recorder is already in place)."""
        current = sys.unraisablehook
        if isinstance(current, _Recorder):
            return None
        sys.unraisablehook = _Recorder(self, current)
        return current

    def record(self, unraisable: Any) -> None:
        obj = unraisable.object
        fd: Optional[int] = None
        target: Optional[str] = None
        try:
            if not getattr(obj, "closed", True):
                fd = int(obj.fileno())
                target = os.readlink(f"/proc/self/fd/{fd}")
        except (OSError, ValueError, TypeError, AttributeError):
            fd = None
        opener: Optional[str] = None
        if fd is not None and fd in self.carried and self.carried[fd][1] == target:
            opener = self.carried[fd][0]
        exc_type = unraisable.exc_type
        self.unraisables.append(
            {
                "reported_in": self.item,
                "when": self.phase,
                "opener": opener or self.item,
                "carried": opener is not None,
                "category": getattr(exc_type, "__name__", str(exc_type)),
                "resource_warning": isinstance(exc_type, type)
                and issubclass(exc_type, ResourceWarning),
                "message": str(unraisable.exc_value)[:500],
                "target": target,
            }
        )

    # -- bookkeeping ----------------------------------------------------------------
    def forget_closed(self) -> None:
        now = _open_project_fds(self.root)
        for fd in [fd for fd, (_, target) in self.carried.items() if now.get(fd) != target]:
            del self.carried[fd]

    def dump(self) -> None:
        self.forget_closed()
        data = {
            "root": self.root,
            "reports": self.reports,
            "unraisables": self.unraisables,
            "never_closed": [
                {"opener": opener, "target": target} for opener, target in self.carried.values()
            ],
        }
        tmp = self.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, self.out)


_ORACLE: Optional[Oracle] = None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    global _ORACLE
    out = os.environ.get(OUT_ENV)
    if not out:
        return
    _ORACLE = Oracle(os.environ.get(ROOT_ENV) or str(config.rootpath), out)
    # trylast: since pytest 8.4 the unraisableexception plugin installs its session-wide
    # hook in its own pytest_configure; ours records and then hands every exception on to
    # it, so -W error still fails tests. (Older pytest swaps the hook per phase: see below.)
    _ORACLE.wrap_current_hook()


@contextlib.contextmanager
def _resource_warnings_raise() -> Iterator[None]:
    """Inside a test phase -W error makes a finalizer's ResourceWarning an unraisable
    exception. Between phases and at the end of the session pytest < 8.4 leaves Python's
    default filters, which drop ResourceWarning silently; this makes it reach the hook."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=ResourceWarning)
        yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: Optional[pytest.Item]
) -> Generator[None, Any, Any]:
    oracle = _ORACLE
    if oracle is None:
        return (yield)
    oracle.forget_closed()
    before = _open_project_fds(oracle.root)
    oracle.item = item.nodeid
    try:
        with _resource_warnings_raise():
            result = yield
            gc.collect()  # see the module's docstring
            return result
    finally:
        after = _open_project_fds(oracle.root)
        for fd, target in after.items():
            if before.get(fd) != target:
                oracle.carried[fd] = (item.nodeid, target)
        oracle.item = None


def _phase(when: str) -> Any:
    # A plain wrapper: outside pytest's own phase wrappers (pytest 8.4+ collects
    # unraisables in a trylast impl inside them), inside the tryfirst wrappers with which
    # pytest < 8.4 installs a per-phase hook, which is then wrapped here for the phase.
    @pytest.hookimpl(wrapper=True)
    def hook(item: pytest.Item) -> Generator[None, Any, Any]:
        oracle = _ORACLE
        if oracle is None:
            return (yield)
        oracle.phase = when
        replaced = oracle.wrap_current_hook()
        try:
            return (yield)
        finally:
            if replaced is not None:
                sys.unraisablehook = replaced
            oracle.phase = None

    return hook


pytest_runtest_setup = _phase("setup")
pytest_runtest_call = _phase("call")
pytest_runtest_teardown = _phase("teardown")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _ORACLE is None:
        return
    _ORACLE.reports.append(
        {
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "xfail": hasattr(report, "wasxfail"),
            "text": report.longreprtext[-3000:] if report.failed else "",
        }
    )


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _ORACLE is not None and report.failed:
        _ORACLE.reports.append(
            {
                "nodeid": report.nodeid,
                "when": "collect",
                "outcome": "failed",
                "xfail": False,
                "text": report.longreprtext[-3000:],
            }
        )


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # tryfirst: pytest's unraisableexception plugin raises from its own pytest_unconfigure
    # (under -W error) when its final gc.collect() frees a leaked file, and that would
    # skip any hook after it. So collect first ourselves: what the cyclic gc frees now is
    # recorded (reported_in None) and then handed on to pytest as usual.
    global _ORACLE
    if _ORACLE is not None:
        _ORACLE.item = _ORACLE.phase = None
        with _resource_warnings_raise():
            gc.collect()
        _ORACLE.dump()
        _ORACLE = None
