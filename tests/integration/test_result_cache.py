"""The result cache: a run over an unchanged project takes every file's findings from the
cache and builds no index; anything a finding depends on (the file, any module's routes,
the files in a static folder, the conftest files above a test, the options) changes the
answer as soon as it changes on disk."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import run_flake8
from tests.integration.conftest import CACHE, lint


def touch(path: Path, text: str) -> None:
    path.write_text(text)
    os.utime(path, ns=(1, 1))  # a new mtime even on coarse clocks


def results_folders(root: Path) -> list[Path]:
    return [p for p in (root / CACHE).glob("results-*/*") if p.is_dir()]


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
    assert during == [line for line in before if line not in stylesheet]
    css.write_text(saved)
    after, _, _ = lint(shop)
    assert after == before


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
    assert (
        [line for line in after if "test_browser.py" in line]
        == [line for line in after if "test_browser.py:2:5: FCL102" in line]
        != []
    )


def test_options_are_part_of_the_key(shop: Path) -> None:
    default, _, _ = lint(shop)
    with_opt_in, events, _ = lint(shop, "--select=FCL,FCL100")
    assert len(with_opt_in) > len(default) and events["result-hit"] == 0


def test_corrupt_stored_findings_are_recomputed(shop: Path) -> None:
    reference, _, _ = lint(shop)
    stored = [p for folder in results_folders(shop) for p in folder.glob("*.json")]
    assert stored
    for i, path in enumerate(stored):
        path.write_text(["", "{", "[[1]]", "[[1, 2, 3]]", '{"a": 1}'][i % 5])
    again, events, _ = lint(shop)
    assert again == reference and events["result-store"] == len(stored)


def test_an_edit_leaves_one_world(shop: Path) -> None:
    lint(shop)
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, downloads.read_text() + "\n# edited\n")
    lint(shop)
    assert len(results_folders(shop)) == 1


def test_a_file_edited_again_and_again_keeps_one_answer(shop: Path) -> None:
    lint(shop)
    (world,) = results_folders(shop)
    answers = len(list(world.glob("*.json")))
    test = shop / "tests" / "test_api.py"
    original = test.read_text()
    for i in range(3):
        touch(test, original + "\n# edit" + "." * i + "\n")  # a new size: same mtime
        _, events, _ = lint(shop)
        assert events["result-store"] == 1
    assert results_folders(shop) == [world] and len(list(world.glob("*.json"))) == answers


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
    plugin reads no source file (flake8 reads each checked file once itself, and its
    configuration) and nothing else but its cache."""
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
    inside = [p for p in _OPENED if p.startswith(str(shop) + os.sep)]
    sources = Counter(p for p in inside if p.endswith(".py"))
    checked = {str(p) for p in shop.rglob("*.py") if CACHE not in p.parts}
    assert set(sources) == checked and set(sources.values()) == {1}
    flake8_config = {str(shop / name) for name in ("setup.cfg", "tox.ini", ".flake8")}
    others = [p for p in inside if not p.endswith(".py") and p not in flake8_config]
    assert others and all(f"{os.sep}{CACHE}{os.sep}" in p for p in others), others


def test_other_plugin_code_is_another_world(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited checkout (or a reinstall of the same version) answers with its own code."""
    from flake8_flask_close import result_cache
    from flake8_flask_close.config import Config
    from flake8_flask_close.plugin import forget_previous_run

    forget_previous_run()
    first = result_cache.store_for(str(shop), Config())
    forget_previous_run()
    monkeypatch.setattr(result_cache, "_code_fingerprint", lambda: [("plugin.py", 1, 2)])
    second = result_cache.store_for(str(shop), Config())
    forget_previous_run()
    assert first is not None and second is not None and first.folder != second.folder
