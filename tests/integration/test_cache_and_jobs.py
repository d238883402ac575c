"""The on-disk index cache and flake8's worker processes: same findings with --jobs 1 and 2
under fork, spawn and forkserver; the index built once per run (a big one read by as
many processes as flake8 uses); a warm run reads no project file; a corrupt, foreign or
read-only cache changes nothing but speed; edits between runs are seen."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from flake8_flask_close.routes import scan as scan_module
from flake8_flask_close.routes.cache import CacheSettings
from flake8_flask_close.routes.scan import PARALLEL_MIN_READS, ProjectScan, scan
from tests.integration.conftest import CACHE, lint


def test_cold_then_warm(shop: Path) -> None:
    cold, cold_events, cold_reads = lint(shop)
    assert len(cold) == 5 and cold_events["build"] == 1 and cold_reads
    warm, warm_events, warm_reads = lint(shop)
    assert warm == cold
    assert warm_reads == [] and warm_events["build"] == 0 and warm_events["load"] == 1
    assert (shop / CACHE / ".gitignore").read_text().strip().endswith("*")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_warm_run_over_unchanged_files_reads_only_the_index_head(shop: Path, jobs: str) -> None:
    """Every answer stored, every file as the index has it: no process reads the rows."""
    old = 1_000_000_000 * 10**9  # long before the run: no file too recent to vouch for
    for path in shop.rglob("*.py"):
        os.utime(path, ns=(old, old))
    cold, _, _ = lint(shop, f"--jobs={jobs}")
    warm, events, reads = lint(shop, f"--jobs={jobs}")
    assert warm == cold and reads == []
    assert events["load"] >= 1 and events["rows"] == 0, events


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_jobs_and_start_methods(shop: Path, method: str) -> None:
    serial, _, _ = lint(shop, "--jobs=1", "--flask-close-no-cache")
    parallel, events, _ = lint(shop, "--jobs=2", start_method=method)
    assert parallel == serial
    assert events["build"] <= 1, events  # built once; workers load it (spawn) or inherit it


def test_edit_between_runs_is_seen(shop: Path) -> None:
    before, _, _ = lint(shop)
    downloads = shop / "shop" / "downloads.py"
    original = downloads.read_text()
    served = 'return send_from_directory(current_app.config["INVOICE_DIR"], name)'
    assert served in original
    downloads.write_text(
        original.replace(served, "return jsonify(name=name)").replace(
            "from flask import", "from flask import jsonify,"
        )
    )
    os.utime(downloads, ns=(1, 1))  # a new mtime even on coarse clocks
    during, _, reads = lint(shop)
    assert "shop/downloads.py" in reads
    assert len(during) == len(before) - 1
    assert not any("/downloads/<path:name>" in line for line in during)
    downloads.write_text(original)
    after, _, _ = lint(shop)
    assert after == before


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[]", '{"schema": 1, "version": "0.0.0", "files": {}}', '{"files": 3}'],
    ids=["empty", "truncated", "foreign", "other-version", "wrong-shape"],
)
def test_bad_cache_file_is_rebuilt(shop: Path, content: str) -> None:
    reference, _, _ = lint(shop)
    for cache_file in [*(shop / CACHE).glob("index-*.json"), *(shop / CACHE).glob("head-*.json")]:
        cache_file.write_text(content)
    again, events, reads = lint(shop)
    assert again == reference and events["build"] == 1 and reads
    cache_file = next((shop / CACHE).glob("index-*.json"))
    assert json.loads(cache_file.read_text())["files"]


def test_read_only_cache_folder(shop: Path) -> None:
    folder = shop.parent / "ro-cache"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        found, events, _ = lint(shop, f"--flask-close-cache-dir={folder}")
    finally:
        folder.chmod(stat.S_IRWXU)
    assert len(found) == 5 and events["build"] == 1


def test_no_cache_option_writes_nothing(shop: Path) -> None:
    found, _, _ = lint(shop, "--flask-close-no-cache")
    assert len(found) == 5 and not (shop / CACHE).exists()


def test_cache_dir_option(shop: Path, tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    lint(shop, f"--flask-close-cache-dir={folder}")
    assert list(folder.glob("index-*.json")) and not (shop / CACHE).exists()


def _trace_lines(root: Path) -> list[list[str]]:
    trace = root.parent / "trace.txt"
    return [line.split() for line in trace.read_text().splitlines()]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_a_cold_index_of_many_files_is_read_by_jobs_processes(shop: Path, method: str) -> None:
    # helpers that start a fresh interpreter need more files to be worth it
    for i in range(PARALLEL_MIN_READS if method == "fork" else 4 * PARALLEL_MIN_READS):
        (shop / "shop" / f"page_{i}.py").write_text(f'route = "/page/{i}"\n')
    serial, _, _ = lint(shop, "--jobs=1", "--flask-close-no-cache")
    parallel, events, reads = lint(shop, "--jobs=2", start_method=method)
    assert parallel == serial and len(serial) == 5
    assert events["build"] == 1 and sorted(reads) == sorted(set(reads))
    assert len(reads) > PARALLEL_MIN_READS
    lines = _trace_lines(shop)
    (main_pid,) = {pid for pid, event, *_ in lines if event == "build"}
    assert {pid for pid, event, *_ in lines if event == "read"} - {main_pid}


def _digests(project: ProjectScan) -> dict[str, tuple[object, ...]]:
    return {
        rel: (e.size, e.mtime_ns, e.text_digest, e.facts_digest, e.facts_text())
        for rel, e in project.entries.items()
    }


def test_reading_in_processes_gives_the_same_entries(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = CacheSettings(enabled=False)
    serial = scan(str(shop), (), settings, workers=1)
    monkeypatch.setattr(scan_module, "PARALLEL_MIN_READS", 1)
    done_meanwhile: list[bool] = []
    parallel = scan(
        str(shop), (), settings, workers=2, meanwhile=lambda: done_meanwhile.append(True)
    )
    assert done_meanwhile == [True]
    assert list(parallel.entries) == list(serial.entries)
    assert _digests(parallel) == _digests(serial)
    assert parallel.modules() == serial.modules() != {}


def test_reading_falls_back_to_this_process(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    def no_processes(*args: object) -> None:
        raise OSError("no processes here")

    settings = CacheSettings(enabled=False)
    serial = scan(str(shop), (), settings, workers=1)
    monkeypatch.setattr(scan_module, "PARALLEL_MIN_READS", 1)
    monkeypatch.setattr(multiprocessing, "get_context", no_processes)
    assert _digests(scan(str(shop), (), settings, workers=2)) == _digests(serial)


def _helper_dies(*args: object) -> None:
    os._exit(9)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a forked helper inherits the patch")
def test_a_helper_that_dies_leaves_the_reading_to_this_process(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper killed midway (out of memory, a crash) must not leave the run waiting
    for its answer forever."""
    import multiprocessing
    import signal

    settings = CacheSettings(enabled=False)
    serial = scan(str(shop), (), settings, workers=1)
    fork = multiprocessing.get_context("fork")
    monkeypatch.setattr(multiprocessing, "get_context", lambda *args: fork)
    monkeypatch.setattr(scan_module, "PARALLEL_MIN_READS", 1)
    monkeypatch.setattr(scan_module, "READS_PER_HELPER", 1)
    # pickled by name: the helpers, forked after the patch, look it up and die
    monkeypatch.setattr(_helper_dies, "__module__", scan_module.__name__)
    monkeypatch.setattr(_helper_dies, "__qualname__", "_read_rows")
    monkeypatch.setattr(scan_module, "_read_rows", _helper_dies)
    signal.alarm(60)  # a hang fails the test instead of the whole suite
    try:
        read = scan(str(shop), (), settings, workers=2)
    finally:
        signal.alarm(0)
    assert _digests(read) == _digests(serial)


def test_helper_counts() -> None:
    count = scan_module._helper_count
    assert count(PARALLEL_MIN_READS - 1, 8, "fork") == 0
    assert count(PARALLEL_MIN_READS, 1, "fork") == 0
    assert count(PARALLEL_MIN_READS, 8, "fork") == 2
    assert count(PARALLEL_MIN_READS, 8, "spawn") == 0
    assert count(4 * PARALLEL_MIN_READS, 8, "forkserver") == 8
    assert count(100_000, 4, "fork") == 4
