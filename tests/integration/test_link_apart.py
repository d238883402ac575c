"""A big project's facts are linked in a helper process, not in the process flake8 forks
its workers from (which would keep them, and every worker would count them as its own):
the same findings, the links stored once, by the helper, and loaded by the workers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from flake8_flask_close.config import Config
from flake8_flask_close.plugin import Plugin, forget_previous_run
from flake8_flask_close.routes.scan import project_scan
from tests.helpers import run_flake8
from tests.integration.conftest import lint

LINK_APART = "import flake8_flask_close.plugin as p; p.LINK_APART_MIN_MODULES = 1; "
"""Makes the bundled example (a dozen modules) big enough to be linked apart."""


def events_by_pid(shop: Path) -> dict[str, set[str]]:
    """Trace event -> the processes that logged it, from the last ``lint``."""
    found: dict[str, set[str]] = {}
    for line in (shop.parent / "trace.txt").read_text().splitlines():
        pid, event, *_ = line.split()
        found.setdefault(event, set()).add(pid)
    return found


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_a_big_project_is_linked_in_a_helper_process(shop: Path, method: str) -> None:
    serial, _, _ = lint(shop, "--jobs=1", "--flask-close-no-cache")
    parallel, counts, _ = lint(shop, "--jobs=2", start_method=method, prelude=LINK_APART)
    assert parallel == serial and len(serial) == 5
    pids = events_by_pid(shop)
    assert counts["build"] == 1 and counts["linked-store"] == 1, counts
    # the links were made by neither the process that read the files nor a worker
    assert pids["linked-store"].isdisjoint(
        pids["build"] | pids["linked-load"] | pids["result-store"]
    )
    assert counts["linked-load"] >= 1
    warm, counts, _ = lint(shop, "--jobs=2", start_method=method, prelude=LINK_APART)
    assert warm == serial and counts["build"] == 0 and counts["linked-store"] == 0


def early_build(shop: Path, jobs: int) -> None:
    class Jobs:
        is_auto = False
        n_jobs = jobs

    forget_previous_run()
    Plugin._build_index_early(argparse.Namespace(filenames=["."], jobs=Jobs()))


def test_linking_apart_leaves_the_facts_on_disk_and_the_index_to_the_workers(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin_module = sys.modules[Plugin.__module__]
    monkeypatch.setattr(plugin_module, "LINK_APART_MIN_MODULES", 1)
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "cache")))
    try:
        early_build(shop, 2)
        project = project_scan(str(shop), (), Plugin.config.cache)
        assert project.linked is None
        with_facts = [e for e in project.entries.values() if e.has_facts]
        assert with_facts and all(e.needs_text for e in with_facts)
        assert len(list((shop.parent / "cache").glob("linked-*.jsonl"))) == 1
    finally:
        forget_previous_run()


@pytest.mark.parametrize("failure", ["cannot-start", "fails", "no-python"])
def test_a_helper_that_fails_means_linking_here(
    shop: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import subprocess

    def cannot_start(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    plugin_module = sys.modules[Plugin.__module__]
    monkeypatch.setattr(plugin_module, "LINK_APART_MIN_MODULES", 1)
    if failure == "cannot-start":
        monkeypatch.setattr(subprocess, "run", cannot_start)
    elif failure == "fails":
        monkeypatch.setattr(plugin_module, "LINK_HELPER", "raise SystemExit(3)")
    else:
        monkeypatch.setattr(sys, "executable", "")
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "cache")))
    try:
        early_build(shop, 2)
        project = project_scan(str(shop), (), Plugin.config.cache)
        assert project.linked is not None  # linked here, as without a helper
        assert not list((shop.parent / "cache").glob("linked-*.jsonl.tmp"))
    finally:
        forget_previous_run()


def test_small_projects_and_serial_runs_link_here(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "cache")))
    try:
        for jobs in (2, 1):
            early_build(shop, jobs)
            assert project_scan(str(shop), (), Plugin.config.cache).linked is not None
    finally:
        forget_previous_run()


@pytest.mark.skipif(sys.platform != "linux", reason="flake8's own workers are spawned there")
def test_a_host_script_without_a_main_guard_runs_once(shop: Path) -> None:
    """The helper is a fresh interpreter, not multiprocessing's spawn, which would import
    (and so run) the script that started flake8 again."""
    import subprocess

    script = shop.parent / "host.py"
    script.write_text(
        f"{LINK_APART}\n"
        "from flake8.main.cli import main\n"
        "print('host ran')\n"
        "main(['--select=FCL', '--jobs=2', '.'])\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], cwd=shop, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.count("host ran") == 1, result.stdout + result.stderr
    assert len([line for line in result.stdout.splitlines() if " FCL" in line]) == 5
    assert len(list((shop / ".flake8_flask_close_cache").glob("linked-*.jsonl"))) == 1


def test_no_helper_without_a_cache_to_take_the_facts_from(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache that can't be written: the helper would read every file again."""
    plugin_module = sys.modules[Plugin.__module__]
    monkeypatch.setattr(plugin_module, "LINK_APART_MIN_MODULES", 1)
    started: list[str] = []
    monkeypatch.setattr(plugin_module, "_run_link_helper", lambda root, c: started.append(root))
    (shop.parent / "a file").write_text("")
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "a file" / "c")))
    try:
        early_build(shop, 2)
        assert started == []
        assert project_scan(str(shop), (), Plugin.config.cache).linked is not None
    finally:
        forget_previous_run()


def test_a_run_with_every_answer_stored_neither_links_nor_imports_the_index(shop: Path) -> None:
    probe = (
        "import atexit; atexit.register(lambda: print('index imported:', "
        "'flake8_flask_close.routes.index' in sys.modules, file=sys.stderr)); "
    )
    for expected in (True, False):  # cold, then warm
        result = run_flake8(shop, "--select=FCL", "--jobs=2", ".", prelude=LINK_APART + probe)
        assert f"index imported: {expected}" in result.stderr, result.stderr
