"""The result cache: a run over an unchanged project takes every file's findings from the
cache and builds no index; anything a finding depends on (the file, any module's routes,
the files in a static folder, the conftest files above a test, the options) changes the
answer as soon as it changes on disk."""

from __future__ import annotations

import ast
import errno
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from flake8_flask_close import result_cache
from flake8_flask_close.result_cache import ResultKey, ResultStore
from flake8_flask_close.routes import cache
from tests.helpers import run_flake8, write_project
from tests.integration.conftest import CACHE, lint


def touch(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, ns=(1, 1))  # a new mtime even on coarse clocks


def only(finding: str, lines: list[str]) -> bool:
    """Is ``finding`` (``"test_x.py:5:5: FCL101"``) its file's one finding in ``lines``?"""
    name = finding.split(":", 1)[0]
    return (
        [line for line in lines if name in line]
        == [line for line in lines if finding in line]
        != []
    )


def results_folders(root: Path) -> list[Path]:
    return [p for p in (root / CACHE).glob("results-*/*") if p.is_dir()]


def answer_logs(folder: Path) -> list[Path]:
    """The answer logs of a world folder, or of every world of a project."""
    if (folder / CACHE).is_dir():
        return [log for world in results_folders(folder) for log in answer_logs(world)]
    return sorted(folder.glob("answers-*.log"))


def stored_lines(folder: Path) -> list[str]:
    return [line for log in answer_logs(folder) for line in log.read_text().splitlines()]


def test_unchanged_project_is_answered_from_the_cache(shop: Path) -> None:
    cold, cold_events, _ = lint(shop)
    assert cold_events["result-store"] > 0 and cold_events["result-hit"] == 0
    warm, warm_events, reads = lint(shop)
    assert warm == cold
    assert warm_events["result-hit"] == cold_events["result-store"]
    assert warm_events["result-store"] == 0 and reads == []


def test_findings_follow_the_files_of_a_static_folder(shop: Path) -> None:
    before, _, _ = lint(shop)
    stylesheet = [
        line
        for line in before
        if line.startswith(("./tests/test_static.py:9:", "./tests/test_static.py:32:"))
    ]
    assert len(stylesheet) == 2, before
    css = shop / "shop" / "static" / "style.css"
    saved = css.read_text()
    css.unlink()  # /static/style.css now answers 404: nothing is opened, nothing leaks
    during, _, _ = lint(shop)
    # but a test that asserts a 200 expects the file there when it runs
    gone = "./tests/test_static.py:32:"
    assert during == [line for line in before if not line.startswith(gone)]
    css.write_text(saved)
    after, _, _ = lint(shop)
    assert after == before


def fresh(root: Path) -> list[str]:
    """The findings of a run that uses no cache."""
    return lint(root, "--flask-close-no-cache")[0]


def test_findings_follow_a_static_folder_made_and_removed(shop: Path) -> None:
    static = shop / "shop" / "static"
    full, _, _ = lint(shop)
    assert any("test_static.py" in line for line in full)
    saved = {p.name: p.read_bytes() for p in static.iterdir()}
    shutil.rmtree(static)  # a missing folder answers 404 to every request
    missing, _, _ = lint(shop)
    left = [line for line in missing if "test_static.py" in line]
    assert missing == fresh(shop) and [line.split(":")[1] for line in left] == ["9"]
    static.mkdir()  # and so does an empty one
    assert lint(shop)[0] == fresh(shop) == missing
    for name, data in saved.items():
        (static / name).write_bytes(data)
    assert lint(shop)[0] == full


def test_findings_follow_a_static_folder_removed_under_a_hook(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write_project(
        root,
        {
            "setup.cfg": "[flake8]\n",
            "app/__init__.py": (
                "from flask import Flask\n\n"
                'app = Flask(__name__, static_folder="public")\n\n\n'
                "@app.after_request\n"
                "def release(response):\n"
                "    response.close()\n"
                "    return response\n"
            ),
        },
    )
    (root / "app" / "public").mkdir()
    served, _, _ = lint(root)
    assert [line.split()[1] for line in served] == ["FCL203"]
    (root / "app" / "public").rmdir()  # a missing static folder serves nothing
    assert lint(root)[0] == fresh(root) == []


def test_findings_follow_the_files_views_name(tmp_path: Path) -> None:
    """A view's send call names its file (``LinkedRoute.sent``): whether that file is
    there decides the finding, in warm runs too."""
    root = tmp_path / "proj"
    write_project(
        root,
        {
            "setup.cfg": "[flake8]\n",
            "app.py": (
                "from flask import Flask, send_from_directory\n\n"
                "app = Flask(__name__)\n\n\n"
                '@app.route("/files/<name>")\n'
                "def download(name):\n"
                '    return send_from_directory("files", name)\n'
            ),
            "tests/test_app.py": (
                "from app import app\n\n\n"
                "def test_download():\n"
                '    app.test_client().get("/files/report.csv")\n'
            ),
        },
    )
    assert lint(root)[0] == fresh(root) == []  # no folder: 404
    report = root / "files" / "report.csv"
    report.parent.mkdir()
    assert lint(root)[0] == []  # no file: 404
    report.write_text("a,b\n")
    served, _, _ = lint(root)
    assert [line.split()[1] for line in served] == ["FCL102"]  # a bare statement
    assert served == fresh(root)
    report.unlink()
    assert lint(root)[0] == []


def test_a_file_named_at_the_projects_root_keeps_the_cache_warm(tmp_path: Path) -> None:
    """``send_file("report.csv")`` in the root's module: the world holds that one file,
    not a listing of the root (which holds the cache folder, new on every run)."""
    root = tmp_path / "proj"
    write_project(
        root,
        {
            "setup.cfg": "[flake8]\n",
            "report.csv": "a,b\n",
            "app.py": (
                "from flask import Flask, send_file\n\n"
                "app = Flask(__name__)\n\n\n"
                '@app.route("/report")\n'
                "def report():\n"
                '    return send_file("report.csv")\n'
            ),
            "tests/test_app.py": (
                "from app import app\n\n\n"
                "def test_report():\n"
                '    res = app.test_client().get("/report")\n'
                "    assert res.status_code\n"
            ),
        },
    )
    cold, _, _ = lint(root)
    assert [line.split()[1] for line in cold] == ["FCL101"]
    warm, events, _ = lint(root)
    assert warm == cold and events["result-hit"] > 0 and events["result-store"] == 0
    (root / "report.csv").unlink()
    assert lint(root)[0] == fresh(root) == []


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_findings_follow_the_files_behind_symlinks_in_a_static_folder(shop: Path) -> None:
    static = shop / "shop" / "static"
    vendor = shop / "assets" / "vendor"
    vendor.mkdir(parents=True)
    (static / "vendor").symlink_to(vendor, target_is_directory=True)
    test = shop / "tests" / "test_vendor.py"
    test.write_text('def test_lib(client):\n    client.get("/static/vendor/lib.js")\n')
    before, _, _ = lint(shop)
    assert not any("test_vendor.py" in line for line in before)  # 404: nothing opened
    (vendor / "lib.js").write_text("x")  # served through the link (os.path.isfile follows it)
    after, _, _ = lint(shop)
    assert after == fresh(shop) and any("test_vendor.py:2:" in line for line in after)
    css = static / "style.css"
    target = shop / "style-target.css"
    css.rename(target)
    css.symlink_to(target)
    linked, _, _ = lint(shop)
    assert linked == after
    target.unlink()  # a dangling link serves nothing
    assert lint(shop)[0] == fresh(shop) != after


def test_findings_follow_the_conftest_files(shop: Path) -> None:
    test = shop / "tests" / "test_browser.py"
    test.write_text('def test_page(browser):\n    browser.get("/static/logo.svg")\n')
    before, _, _ = lint(shop)
    assert not any("test_browser.py" in line for line in before)  # not a known client
    conftest = shop / "tests" / "conftest.py"
    touch(
        conftest,
        conftest.read_text()
        + "\n\n@pytest.fixture\ndef browser(app):\n    return app.test_client()\n",
    )
    after, _, _ = lint(shop)
    assert only("test_browser.py:2:5: FCL102", after)


def lint_around_an_edit(
    shop: Path, helpers: str, first: str, test: str, then: str
) -> tuple[list[str], list[str]]:
    """The findings with ``tests/<helpers>`` holding ``first`` and ``tests/test_helped.py``
    holding ``test``; then with ``helpers`` rewritten to ``then``."""
    module = shop / "tests" / helpers
    touch(module, first)
    (shop / "tests" / "test_helped.py").write_text(test)
    before, _, _ = lint(shop)
    touch(module, then)
    after, _, _ = lint(shop)
    return before, after


def test_findings_follow_the_helper_modules_a_test_imports(shop: Path) -> None:
    """A test module's answer is keyed by the test-side modules it imports functions from:
    whether such a function closes what it is given decides the finding."""
    before, after = lint_around_an_edit(
        shop,
        "checks.py",
        "def done(res):\n    res.close()\n",
        "from checks import done\n\n\ndef test_page(client):\n"
        '    res = client.get("/static/logo.svg")\n    done(res)\n',
        "def done(res):\n    res.data\n",
    )
    assert not any("test_helped.py" in line for line in before)
    assert only("test_helped.py:5:5: FCL101", after)


LOGO = 'def {}(cl):\n    return cl.get("/static/logo.svg"{})\n'
"""A request helper; the second blank is for ``buffered=True``."""


@pytest.mark.parametrize(
    ("edited", "name", "others"),
    [
        ("fetching.py", "logo", {}),
        (
            "inner.py",
            "logo_of",
            {
                "fetching.py": "from inner import logo_of\n\n\n"
                "def logo(cl):\n    return logo_of(cl)\n"
            },
        ),
    ],
)
def test_findings_follow_the_request_helpers_a_test_imports(
    shop: Path, edited: str, name: str, others: dict[str, str]
) -> None:
    """A test module whose only request is made by a helper of another test module (or
    by the helper of a module that one imports from): those modules decide the finding,
    and key the answer."""
    for other, text in others.items():
        (shop / "tests" / other).write_text(text)
    before, after = lint_around_an_edit(
        shop,
        edited,
        LOGO.format(name, ""),
        "from fetching import logo\n\n\ndef test_logo(client):\n"
        "    res = logo(client)\n    assert res.status_code == 200\n",
        LOGO.format(name, ", buffered=True"),
    )
    assert only("test_helped.py:5:5: FCL101", before)
    assert not any("test_helped.py" in line for line in after)


BROWSER_TEST = 'def test_page(browser):\n    browser.get("/static/logo.svg")\n'
BROWSER_FIXTURE = "\n\n@pytest.fixture\ndef browser(app):\n    return app.{}()\n"


def rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` as a coarse filesystem clock records a second save in
    the tick of the first: the same size, the same mtime."""
    st = path.stat()
    assert len(old) == len(new)
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_conftest_written_again_keeping_size_and_mtime_is_seen(shop: Path) -> None:
    """Answers are keyed by the conftest files' text, not by their size and mtime."""
    (shop / "tests" / "test_browser.py").write_text(BROWSER_TEST)
    conftest = shop / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + BROWSER_FIXTURE.format("test_thing_"))
    before, _, _ = lint(shop)
    assert not any("test_browser.py" in line for line in before)  # not a known client
    rewrite_keeping_size_and_mtime(conftest, "test_thing_", "test_client")
    after, _, _ = lint(shop)
    assert only("test_browser.py:2:5: FCL102", after)


def test_a_run_keys_and_analyses_a_test_module_by_the_conftest_it_read_first(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conftest saved again during a run (keeping its size and mtime) is this run's as
    first read, for the key and for the analysis alike, however long the run: the
    answer stored is the one its key stands for. The next run reads it anew."""
    from flake8_flask_close.plugin import Plugin, forget_previous_run

    test = shop / "tests" / "test_browser.py"
    test.write_text(BROWSER_TEST)
    conftest = shop / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + BROWSER_FIXTURE.format("test_thing_"))

    def check() -> tuple[ResultKey, list[str]]:
        store = result_cache.store_for(str(shop), Plugin.config)
        assert store is not None
        key = store.key_for(str(test), BROWSER_TEST, True)
        plugin = Plugin(ast.parse(BROWSER_TEST), str(test), BROWSER_TEST.splitlines(True))
        return key, [message for _, _, message, _ in plugin.run()]

    try:
        forget_previous_run()
        first_key, first = check()
        rewrite_keeping_size_and_mtime(conftest, "test_thing_", "test_client")
        later = time.time_ns() + 10**10  # a long run: the conftest is no longer recent
        monkeypatch.setattr(time, "time_ns", lambda: later)
        assert check() == (first_key, first) and first == []
        forget_previous_run()  # the next run
        next_key, found = check()
        assert next_key != first_key and [m.split()[0] for m in found] == ["FCL102"]
    finally:
        forget_previous_run()


def test_a_run_analyses_a_test_module_by_the_conftest_text_its_key_holds(shop: Path) -> None:
    """The conftest is saved again (keeping its size and mtime) after this run keyed a
    test module by it and before the analysis learned clients from it: the answer is
    what the key's text means."""
    from flake8_flask_close.plugin import Plugin, forget_previous_run

    test = shop / "tests" / "test_browser.py"
    test.write_text(BROWSER_TEST)
    conftest = shop / "tests" / "conftest.py"
    conftest.write_text(conftest.read_text() + BROWSER_FIXTURE.format("test_thing_"))
    try:
        forget_previous_run()
        store = result_cache.store_for(str(shop), Plugin.config)
        assert store is not None
        store.key_for(str(test), BROWSER_TEST, True)
        rewrite_keeping_size_and_mtime(conftest, "test_thing_", "test_client")
        plugin = Plugin(ast.parse(BROWSER_TEST), str(test), BROWSER_TEST.splitlines(True))
        assert list(plugin.run()) == []  # no client fixture in the text the key holds
    finally:
        forget_previous_run()


def test_a_fresh_checkout_over_a_restored_cache_is_answered_from_it(shop: Path) -> None:
    """New mtimes, the same texts (CI restoring the cache folder after a checkout): the
    files are read and digested, none parsed, and every answer is taken as stored."""
    cold, cold_events, _ = lint(shop)
    (index,) = (shop / CACHE).glob("index-*.json")
    candidates = [rel for rel, row in json.loads(index.read_text())["files"].items() if row[2]]
    for path in shop.rglob("*.py"):
        if CACHE not in path.parts:
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again, events, reads = lint(shop)
    assert again == cold and len(reads) == cold_events["read"]
    assert candidates and events["same-text"] == len(candidates)  # none of them parsed
    assert events["result-hit"] == cold_events["result-store"] and events["result-store"] == 0


def test_options_are_part_of_the_key(shop: Path) -> None:
    default, _, _ = lint(shop)
    with_opt_in, events, _ = lint(shop, "--select=FCL,FCL100")
    assert len(with_opt_in) > len(default) and events["result-hit"] == 0


def test_corrupt_stored_findings_are_recomputed(shop: Path) -> None:
    for i in range(3):  # one checked file per kind of damage
        shutil.copy(shop / "tests" / "test_static.py", shop / "tests" / f"test_static_{i}.py")
    reference, _, _ = lint(shop)
    (world,) = results_folders(shop)
    lines = stored_lines(world)
    damaged = []
    for i, line in enumerate(lines[:-1]):
        file, inputs, findings = line.split("\t")
        damaged.append(
            [
                f"{file}\t{inputs}\t{findings[:-1]}",  # not JSON
                f"{file}\t{inputs}\t[[1]]",
                f"{file}\t{inputs}\t[[1,2,3]]",
                f'{file}\t{inputs}\t{{"a":1}}',
                f"{file}\t{inputs}\t",
                f"{file}\t{findings}",
                f"{file}\t{inputs}\t{findings}\t{findings}",
            ][i % 7]
        )
    assert len(damaged) >= 7
    for log in answer_logs(world):
        log.unlink()
    # the last answer whole but for its newline: a write cut short
    (world / "answers-1-damaged.log").write_text("\n".join(damaged) + "\n" + lines[-1])
    again, events, _ = lint(shop)
    assert again == reference and events["result-store"] == len(lines)
    assert events["result-hit"] == 0


def test_a_log_line_cut_short_is_ignored_alone(shop: Path) -> None:
    cold, cold_events, _ = lint(shop)
    log = answer_logs(shop)[0]
    raw = log.read_bytes()
    assert raw.endswith(b"\n")
    log.write_bytes(raw[:-1])
    warm, events, _ = lint(shop)
    assert warm == cold and events["result-store"] == 1
    assert events["result-hit"] == cold_events["result-store"] - 1


@pytest.mark.parametrize("start_method", multiprocessing.get_all_start_methods())
def test_each_worker_process_appends_to_a_log_of_its_own(shop: Path, start_method: str) -> None:
    cold, cold_events, _ = lint(shop, "--jobs=2", start_method=start_method)
    trace = shop.parent / "trace.txt"
    events = [line.split() for line in trace.read_text().splitlines()]
    storers = {pid for pid, event, *_ in events if event == "result-store"}
    logs = answer_logs(shop)
    assert 1 <= len(logs) <= 2 and all(
        re.fullmatch(r"answers-\d+-[0-9a-f]+\.log", log.name) for log in logs
    )
    assert {log.name.split("-")[1] for log in logs} == storers
    assert len(stored_lines(shop)) == cold_events["result-store"]
    warm, warm_events, reads = lint(shop, "--jobs=2", start_method=start_method)
    assert warm == cold and reads == []
    assert warm_events["result-hit"] == cold_events["result-store"]
    assert warm_events["result-store"] == 0


def _refuses_writes(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_text("")
    except OSError:
        return True
    probe.unlink()
    return False


def test_a_read_only_world_folder_keeps_nothing_and_raises_nothing(shop: Path) -> None:
    cold, _, _ = lint(shop)
    (world,) = results_folders(shop)
    for log in answer_logs(world):
        log.unlink()
    world.chmod(0o555)
    try:
        if not _refuses_writes(world):  # root (euid 0) may write anyway
            pytest.skip("the folder's permissions are not enforced (running as root)")
        for _ in range(2):
            again, events, _ = lint(shop)
            assert again == cold and events["result-store"] > 0 and events["result-hit"] == 0
            assert answer_logs(world) == []
    finally:
        world.chmod(0o755)


def test_an_edit_leaves_one_world(shop: Path) -> None:
    lint(shop)
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, downloads.read_text() + "\n# edited\n")
    lint(shop)
    assert len(results_folders(shop)) == 1


def test_a_file_edited_again_and_again_keeps_the_store_bounded(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """flake8 runs in this process, so the compaction threshold can be lowered: each run
    stores its answers in a new log, as one run per save from an editor does."""
    from flake8.main import cli

    from flake8_flask_close.plugin import forget_previous_run

    max_logs = 3
    monkeypatch.setattr(result_cache, "MAX_LOGS", max_logs)
    trace = shop.parent / "trace.txt"
    monkeypatch.setenv("FLAKE8_FLASK_CLOSE_TRACE", str(trace))
    monkeypatch.chdir(shop)

    def run() -> tuple[str, Counter[str]]:
        if trace.exists():
            trace.unlink()
        cli.main(["--select=FCL", "--jobs=1", "."])
        events = trace.read_text().splitlines() if trace.exists() else []
        return capsys.readouterr().out, Counter(line.split()[1] for line in events)

    try:
        reference, events = run()
        (world,) = results_folders(shop)
        answers = events["result-store"]
        test = shop / "tests" / "test_api.py"
        original = test.read_text()
        compactions = 0
        for i in range(12):
            touch(test, original + "\n# edit" + "." * i + "\n")  # a new size: same mtime
            out, events = run()
            assert out == reference and events["result-store"] == 1
            compactions += events["result-compact"]
            assert len(answer_logs(world)) <= max_logs + 1
            assert len(stored_lines(world)) <= answers + max_logs
        assert compactions >= 2 and results_folders(shop) == [world]
        out, events = run()
        assert out == reference and events["result-store"] == 0
        assert events["result-hit"] == answers
    finally:
        forget_previous_run()  # close this process's log


def test_unsaved_buffer_of_a_route_module_is_not_stored(shop: Path) -> None:
    lint(shop)
    trace = shop.parent / "stdin-trace.txt"
    app_module = shop / "shop" / "downloads.py"
    buffer = app_module.read_text() + "\n\ndef later(resp):\n    resp.close()\n    return resp\n"
    result = run_flake8(
        shop,
        "--select=FCL",
        "-",
        "--stdin-display-name",
        "shop/downloads.py",
        stdin=buffer,
        env={"FLAKE8_FLASK_CLOSE_TRACE": str(trace)},
    )
    assert "Traceback" not in result.stderr, result.stderr
    events = trace.read_text().split() if trace.exists() else []
    assert "result-store" not in events and "result-hit" not in events


_OPENED: list[str] = []
_RECORDING: list[bool] = []


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _RECORDING and isinstance(args[0], str):
        _OPENED.append(os.path.abspath(args[0]))


def test_a_warm_run_opens_each_checked_file_once_and_nothing_else_of_the_project(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every ``open`` in the process is seen (an audit hook, PEP 578): in a warm run the
    plugin reads no source file but the conftest files, whose text keys the answers of
    the test modules below them (flake8 reads each checked file once itself, and its
    configuration), and nothing else but its cache."""
    from flake8.main import cli

    if not _RECORDING:
        sys.addaudithook(_record_opens)
    monkeypatch.chdir(shop)
    args = ["--select=FCL", "--jobs=1", "."]
    cold_status = cli.main(args)
    cold = capsys.readouterr().out
    _OPENED.clear()
    _RECORDING.append(True)
    try:
        warm_status = cli.main(args)
    finally:
        _RECORDING.clear()
    assert (warm_status, capsys.readouterr().out) == (cold_status, cold) and " FCL" in cold
    # folders are opened to be listed (their files are stat'ed relative to them): no reads
    inside = [p for p in _OPENED if p.startswith(str(shop) + os.sep) and not os.path.isdir(p)]
    sources = Counter(p for p in inside if p.endswith(".py"))
    checked = {str(p) for p in shop.rglob("*.py") if CACHE not in p.parts}
    assert set(sources) == checked
    assert {path: count for path, count in sources.items() if count != 1} == {
        str(path): 2 for path in shop.rglob("conftest.py") if CACHE not in path.parts
    }
    flake8_config = {str(shop / name) for name in ("setup.cfg", "tox.ini", ".flake8")}
    others = [p for p in inside if not p.endswith(".py") and p not in flake8_config]
    assert others and all(f"{os.sep}{CACHE}{os.sep}" in p for p in others), others


def test_other_plugin_code_is_another_world(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited checkout (or a reinstall of the same version) answers with its own code."""
    from flake8_flask_close.config import Config
    from flake8_flask_close.plugin import forget_previous_run

    forget_previous_run()
    first = result_cache.store_for(str(shop), Config())
    forget_previous_run()
    monkeypatch.setattr(cache, "code_fingerprint", lambda memo_folder=None: [("plugin.py", "1")])
    second = result_cache.store_for(str(shop), Config())
    forget_previous_run()
    assert first is not None and second is not None and first.folder != second.folder


# The store itself, as several processes share a world folder.

ONE, TWO, THREE = ("1" * 32, "2" * 32, "3" * 32)


def key(file: str, inputs: str = ONE) -> ResultKey:
    return ResultKey(file, inputs)


def finding(message: str) -> list[tuple[int, int, str]]:
    return [(1, 4, f"FCL101 {message}")]


@pytest.fixture
def world(tmp_path: Path) -> Path:
    folder = tmp_path / "world"
    folder.mkdir()
    return folder


@pytest.fixture
def stores(world: Path) -> Iterator[list[ResultStore]]:
    """Stores on ``world``, each standing for a process of its own; their logs are
    closed after the test."""
    made: list[ResultStore] = []
    yield made
    for store in made:
        store.close()


def new_store(stores: list[ResultStore], world: Path) -> ResultStore:
    store = ResultStore(str(world.parent), str(world))
    stores.append(store)
    return store


def reading_every_log(stores: list[ResultStore], world: Path) -> ResultStore:
    """A store past its first lookup (which looks for its one line in the logs' bytes):
    its next lookup reads every answer, and compacts the logs when they piled up."""
    store = new_store(stores, world)
    assert store.get(key("0" * 32)) is None
    return store


def test_a_stored_answer_is_found_by_the_next_process(
    world: Path, stores: list[ResultStore]
) -> None:
    writer = reading_every_log(stores, world)
    assert writer.get(key(ONE)) is None
    writer.put(key(ONE), finding("one"))
    writer.put(key(TWO), [])
    assert writer.get(key(ONE)) is None  # a run asks once per file: not kept in memory
    (log,) = answer_logs(world)
    assert log.read_text().splitlines() == [
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 one"]]',
        f"{TWO}\t{ONE}\t[]",
    ]
    reader = new_store(stores, world)
    assert reader.get(key(ONE)) == finding("one") and reader.get(key(TWO)) == []
    assert reader.get(key(ONE, TWO)) is None and reader.get(key(THREE)) is None


def test_later_lines_win_and_a_line_cut_short_is_ignored_alone(world: Path) -> None:
    (world / "answers-1-a.log").write_text(
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 old"]]\n'
        f"{TWO}\t{ONE}\t[]\n"
        "not a line of the log\n"
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 new"]]\n'
        f"{THREE}\t{ONE}\t[]"
    )
    reader = ResultStore(str(world.parent), str(world))
    assert reader.get(key(ONE)) == finding("new") and reader.get(key(TWO)) == []
    assert reader.get(key(THREE)) is None


def test_a_first_lookup_finds_in_the_logs_bytes_what_reading_them_all_finds(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's run asks for one answer: it is looked for in the logs' bytes, newest
    log first, last whole line first, with the lines reading them all would skip skipped."""
    older, newer = world / "answers-1-a.log", world / "answers-2-b.log"
    older.write_bytes(
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 one, old log"]]\n'
        f'{TWO}\t{ONE}\t[[1,4,"FCL101 two, old log"]]\n'
        f'{THREE}\t{ONE}\t[[1,4,"FCL101 three"]]\n'.encode()
    )
    newer.write_bytes(
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 one, new log"]]\n'
        f'{TWO}\t{ONE}\t[[1,4,"FCL101 two"]]\textra\n'  # four fields: skipped
        f'{TWO}\t{TWO}\t[[1,4,"FCL101 caf\u00e9"]]\n'  # not ASCII: skipped
        f'x{THREE}\t{TWO}\t[[1,4,"FCL101 not a line start"]]\n'
        f"{ONE}\t{TWO}\t[]\n"
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 cut short"]]'.encode()
    )
    tied, empty = world / "answers-3-c.log", world / "answers-4-d.log"
    tied.write_bytes(f'{THREE}\t{TWO}\t[[1,4,"FCL101 tied, CRLF"]]\r\n'.encode())
    empty.write_bytes(b"")
    now = time.time()
    os.utime(older, (now - 20, now - 20))
    os.utime(newer, (now - 10, now - 10))
    os.utime(tied, (now - 10, now - 10))  # as old as another: their paths decide
    os.utime(empty, (now - 5, now - 5))
    keys = [key(file, inputs) for file in (ONE, TWO, THREE, "x" + THREE) for inputs in (ONE, TWO)]
    expected = [reading_every_log(stores, world).get(k) for k in keys]
    assert expected[:4] == [finding("one, new log"), [], finding("two, old log"), None]
    assert expected[5] == finding("tied, CRLF")
    monkeypatch.setattr(result_cache, "_read_log", None)  # no log read whole
    assert [new_store(stores, world).get(k) for k in keys] == expected


def test_a_forked_child_appends_to_a_log_of_its_own(world: Path, stores: list[ResultStore]) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    store = new_store(stores, world)
    store.put(key(ONE), finding("parent"))
    with warnings.catch_warnings():
        # Python 3.12+ warns of fork with threads running: the child only appends a line
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:
        status = 1
        try:
            store.put(key(TWO), finding("child"))
            store.close()
            status = 0
        finally:
            os._exit(status)
    assert os.waitpid(child, 0)[1] == 0
    store.put(key(THREE), finding("parent again"))
    lines = {log.name.split("-")[1]: log.read_text().count("\n") for log in answer_logs(world)}
    assert lines == {str(os.getpid()): 2, str(child): 1}
    reader = new_store(stores, world)
    assert [reader.get(key(k)) for k in (ONE, TWO, THREE)] == [
        finding("parent"),
        finding("child"),
        finding("parent again"),
    ]


def test_compaction_keeps_the_newest_answer_per_file(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_cache, "COMPACT_SLACK", 0)  # more than 2 lines a file
    newer, older = world / "answers-1-a.log", world / "answers-2-b.log"
    older.write_text(
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 first"]]\n'
        f'{ONE}\t{TWO}\t[[1,4,"FCL101 second"]]\n'
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 first"]]\n'  # stored again: the newest for ONE
        f'{TWO}\t{ONE}\t[[1,4,"FCL101 two, old"]]\n'
    )
    newer.write_text(f'{TWO}\t{TWO}\t[[1,4,"FCL101 two, new"]]\n')
    now = time.time()
    os.utime(older, (now - 20, now - 20))  # the log's age decides, not its name
    os.utime(newer, (now - 10, now - 10))
    reader = reading_every_log(stores, world)
    assert reader.get(key(ONE, TWO)) == finding("second")  # it had read them all
    assert not older.exists() and not newer.exists()
    assert stored_lines(world) == [
        f'{ONE}\t{ONE}\t[[1,4,"FCL101 first"]]',
        f'{TWO}\t{TWO}\t[[1,4,"FCL101 two, new"]]',
    ]
    fresh = new_store(stores, world)
    assert fresh.get(key(ONE, ONE)) == finding("first")
    assert fresh.get(key(TWO, TWO)) == finding("two, new")
    assert fresh.get(key(ONE, TWO)) is None and fresh.get(key(TWO, ONE)) is None


def test_many_logs_are_compacted_into_one(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_cache, "MAX_LOGS", 2)
    for file in (ONE, TWO, THREE):
        new_store(stores, world).put(key(file), finding(file[0]))
    assert len(answer_logs(world)) == 3
    assert new_store(stores, world).get(key(ONE)) == finding("1")
    assert len(answer_logs(world)) == 1 and len(stored_lines(world)) == 3
    fresh = new_store(stores, world)
    assert [fresh.get(key(file)) for file in (ONE, TWO, THREE)] == [
        finding("1"),
        finding("2"),
        finding("3"),
    ]


def test_an_answer_stored_after_another_process_compacted_the_log_away_is_kept(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_cache, "COMPACT_SLACK", 0)
    writer = new_store(stores, world)
    for inputs in (ONE, TWO, THREE):
        writer.put(key(ONE, inputs), finding(inputs[0]))
    (log,) = answer_logs(world)
    assert reading_every_log(stores, world).get(key(ONE, THREE)) == finding("3")  # compacts
    assert not log.exists()
    writer.put(key(TWO), finding("after"))
    fresh = new_store(stores, world)
    assert fresh.get(key(TWO)) == finding("after") and fresh.get(key(ONE, THREE)) == finding("3")


def test_two_processes_compacting_at_once_only_lose_answers(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock keeps a second compaction out; when it can't (a stale lock removed at
    the wrong time), both rewrite the same answers."""
    monkeypatch.setattr(result_cache, "COMPACT_SLACK", 0)
    writer = new_store(stores, world)
    for inputs in (ONE, TWO, THREE):
        writer.put(key(ONE, inputs), finding(inputs[0]))
    writer.put(key(TWO), finding("two"))
    writer.put(key(ONE, THREE), finding("3"))  # 5 lines for 2 files
    writer.close()
    write_atomically = cache.write_atomically
    second = reading_every_log(stores, world)
    raced: list[bool] = []

    def racing(path: str, raw: bytes) -> bool:
        if not raced:
            raced.append(True)
            monkeypatch.setattr(result_cache, "LOCK_NAME", "another.lock")
            assert second.get(key(TWO)) == finding("two")  # compacts meanwhile
        return write_atomically(path, raw)

    monkeypatch.setattr(cache, "write_atomically", racing)
    assert reading_every_log(stores, world).get(key(TWO)) == finding("two")
    assert len(answer_logs(world)) == 2 and not list(world.glob("*.lock"))
    fresh = new_store(stores, world)
    assert fresh.get(key(ONE, THREE)) == finding("3") and fresh.get(key(TWO)) == finding("two")
    assert fresh.get(key(ONE, ONE)) is None


def test_a_compaction_lock_holds_off_compaction_until_it_is_stale(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_cache, "COMPACT_SLACK", 0)
    writer = new_store(stores, world)
    for inputs in (ONE, TWO, THREE):
        writer.put(key(ONE, inputs), finding(inputs[0]))
    lock = world / result_cache.LOCK_NAME
    lock.write_text("")
    assert reading_every_log(stores, world).get(key(ONE, ONE)) == finding("1")
    assert len(stored_lines(world)) == 3 and lock.exists()
    stale = time.time() - result_cache.STALE_LOCK_SECONDS - 10
    os.utime(lock, (stale, stale))  # left by a process that died while compacting
    assert reading_every_log(stores, world).get(key(ONE, ONE)) == finding("1")
    assert len(stored_lines(world)) == 3 and not lock.exists()
    assert reading_every_log(stores, world).get(key(ONE, THREE)) == finding("3")
    assert stored_lines(world) == [f'{ONE}\t{THREE}\t[[1,4,"FCL101 3"]]']


def test_a_removed_world_folder_is_a_miss_and_raises_nothing(
    tmp_path: Path, stores: list[ResultStore]
) -> None:
    (tmp_path / "a file").write_text("")
    for folder in (tmp_path / "removed", tmp_path / "a file"):
        store = new_store(stores, folder)
        assert store.get(key(ONE)) is None
        store.put(key(ONE), finding("stored nowhere"))
        store.put(key(TWO), [])
        assert store.get(key(ONE)) is None and store.get(key(TWO)) is None
    assert not (tmp_path / "removed").exists() and (tmp_path / "a file").read_text() == ""


def test_a_refused_log_is_tried_once_and_raises_nothing(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only folder does, whoever runs the test."""
    tried: list[str] = []

    def refuse(path: str, flags: int, mode: int = 0o777) -> int:
        tried.append(path)
        raise PermissionError(errno.EACCES, "read-only", path)

    store = new_store(stores, world)
    with monkeypatch.context() as patch:
        patch.setattr(os, "open", refuse)
        for file in (ONE, TWO, THREE):
            store.put(key(file), finding(file[0]))
    assert len(tried) == 1 and list(world.iterdir()) == []
    assert store.get(key(THREE)) is None  # stored nowhere: checked again next time


def test_a_full_disk_leaves_no_empty_log_behind(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    store = new_store(stores, world)
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", full)
        for file in (ONE, TWO):
            store.put(key(file), finding(file[0]))
    assert list(world.iterdir()) == []
    assert store.get(key(TWO)) is None


def test_a_write_cut_short_is_never_read_back(
    world: Path, stores: list[ResultStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def short(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    store = new_store(stores, world)
    store.put(key(ONE), finding("whole"))
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", short)
        store.put(key(TWO), finding("cut short"))
    store.put(key(THREE), finding("not appended after half a line"))
    (log,) = answer_logs(world)
    assert log.read_text().count("\n") == 1
    fresh = new_store(stores, world)
    assert fresh.get(key(ONE)) == finding("whole")
    assert fresh.get(key(TWO)) is None and fresh.get(key(THREE)) is None


def test_the_world_is_new_until_a_log_holds_an_answer(shop: Path) -> None:
    from flake8_flask_close.config import Config
    from flake8_flask_close.plugin import forget_previous_run

    forget_previous_run()
    config = Config()
    try:
        store = result_cache.store_for(str(shop), config)
        assert store is not None and result_cache.world_is_new(str(shop), config)
        (Path(store.folder) / "answers-1-empty.log").write_text("")
        (Path(store.folder) / "notes.txt").write_text("not a log")
        assert result_cache.world_is_new(str(shop), config)
        store.put(key(ONE), [])
        assert not result_cache.world_is_new(str(shop), config)
    finally:
        forget_previous_run()


def test_answers_follow_the_working_directory(shop: Path) -> None:
    """Messages name the project's modules relative to where flake8 runs: an answer
    stored by a run from the project's parent folder isn't one for a run inside it."""
    inside = run_flake8(shop, "--select=FCL", ".").stdout
    outside = run_flake8(shop.parent, "--select=FCL", shop.name).stdout
    again = run_flake8(shop, "--select=FCL", ".").stdout
    assert " FCL" in inside and again == inside
    assert f"in {shop.name}/shop/" in outside and f"{shop.name}/shop/" not in inside
    assert outside.count(" FCL") == inside.count(" FCL")


def test_the_werkzeug_version_is_the_installed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    installed = importlib.metadata.version("werkzeug")
    assert result_cache._werkzeug_version() == installed
    # a stale dist-info folder beside the package: asked of the metadata instead
    site = tmp_path / "site"
    metadata = "Metadata-Version: 2.1\nName: Werkzeug\nVersion: {}\n"
    write_project(
        site,
        {
            "werkzeug/__init__.py": "",
            "werkzeug-0.1.dist-info/METADATA": metadata.format("0.1"),
            "Werkzeug-0.2.dist-info/METADATA": metadata.format("0.2"),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "werkzeug", raising=False)  # found anew, on the path
    import importlib

    importlib.invalidate_caches()
    assert result_cache._werkzeug_version() == importlib.metadata.version("werkzeug")
    assert importlib.metadata.version("werkzeug") in ("0.1", "0.2")
