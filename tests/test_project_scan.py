"""The project scan as a warm run makes it: the folder walk, the index's rows compared
with the files, and the facts digest the index keeps so that an unchanged project isn't
digested again. Whatever is taken from the index must be what a fresh scan finds."""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import pytest

from flake8_flask_close import result_cache
from flake8_flask_close.config import Config
from flake8_flask_close.plugin import Plugin, forget_previous_run
from flake8_flask_close.routes import cache, project
from flake8_flask_close.routes import scan as scan_module
from flake8_flask_close.routes.project import (
    FILE,
    SKIP_DIRS,
    files_under,
    python_files_by_folder,
    read_source,
    static_entries,
)
from flake8_flask_close.routes.scan import ProjectScan, scan
from tests.helpers import lint, recorded, write_project

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "flask_shop"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symlinks and FIFOs")


def python_files_with_stats(root: str) -> list[tuple[str, int, int]]:
    """The walk's files as (path, size, mtime_ns), in its order."""
    return [
        (os.path.join(folder, name), size, mtime_ns)
        for folder, _, names, sizes, mtimes in python_files_by_folder(root)
        for name, size, mtime_ns in zip(names, sizes, mtimes)
    ]


def walk_order(root: Path) -> list[str]:
    """What the walk promises, from ``os.walk``: each folder's ``.py`` names sorted, then
    its subfolders, sorted; hidden, skipped, symlinked and virtualenv folders left out,
    and files that aren't regular (a dangling link, a FIFO)."""
    found: list[str] = []
    for folder, dirnames, filenames in os.walk(root):
        if Path(folder) != root and "pyvenv.cfg" in dirnames + filenames:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not (d.startswith(".") or d in SKIP_DIRS or d.endswith(".egg-info"))
            and not os.path.islink(os.path.join(folder, d))
        )
        found.extend(
            os.path.join(folder, n)
            for n in sorted(filenames)
            if n.endswith(".py") and os.path.isfile(os.path.join(folder, n))
        )
    return found


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    write_project(
        root,
        {
            "b.py": "",
            "a.py": "",
            "A.py": "",
            "a_b.py": "",
            "notes.txt": "",
            "a/z.py": "",
            "a/m/deep.py": "",
            "a/m/pyvenv.cfg.py": "",  # a module, not a virtualenv's marker
            "b/y.py": "",
            "module.py/inner.py": "",  # a folder named like a module
            ".hidden/x.py": "",
            "node_modules/x.py": "",
            "pkg.egg-info/x.py": "",
            "env2/pyvenv.cfg": "",
            "env2/lib/x.py": "",
            "pyvenv.cfg": "",  # the root itself is never skipped
        },
    )
    if sys.platform != "win32":
        (root / "linked").symlink_to(root / "a", target_is_directory=True)
        (root / "alias.py").symlink_to(root / "a.py")
        (root / "dangling.py").symlink_to(root / "nowhere.py")
        os.mkfifo(root / "pipe.py")
    return root


@pytest.mark.parametrize("by_descriptor", [True, False])
def test_walk_order_and_skips(
    tree: Path, by_descriptor: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if by_descriptor and not project._LIST_BY_FD:
        pytest.skip("folders can't be listed through a descriptor here")
    monkeypatch.setattr(project, "_LIST_BY_FD", by_descriptor)
    walked = python_files_with_stats(str(tree))
    assert [path for path, _, _ in walked] == walk_order(tree)
    for path, size, mtime_ns in walked:
        st = os.stat(path)
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns)
    for folder, prefix, names, _, _ in python_files_by_folder(str(tree)):
        rel = os.path.relpath(folder, tree).replace(os.sep, "/")
        assert prefix == ("" if rel == "." else f"{rel}/")
        assert names == sorted(names)


def test_walk_stops_at_max_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project, "MAX_FILES", 6)
    assert [path for path, _, _ in python_files_with_stats(str(tree))] == walk_order(tree)[:6]


@posix_only
def test_the_root_of_a_file_is_its_nearest_marked_folder_each_asked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sibling folders share their parents' answers: a run over a project's hundred
    folders looked for five markers in each of their parents again and again."""
    write_project(
        tmp_path,
        {
            "proj/setup.cfg": "",
            "proj/app/views/a.py": "",
            "proj/app/models/b.py": "",
            "proj/vendored/setup.cfg": "",
            "proj/vendored/pkg/c.py": "",
        },
    )
    monkeypatch.chdir(tmp_path)
    project.forget_roots()
    asked: list[str] = []
    monkeypatch.setattr(os.path, "exists", recorded(asked, os.path.exists))
    proj = str(tmp_path / "proj")
    assert project.find_root(str(tmp_path / "proj/app/views/a.py"), None) == proj
    folders_asked = {os.path.dirname(path) for path in asked}
    assert folders_asked == {proj, f"{proj}/app", f"{proj}/app/views"}
    asked.clear()
    assert project.find_root(str(tmp_path / "proj/app/models/b.py"), None) == proj
    assert {os.path.dirname(path) for path in asked} == {f"{proj}/app/models"}
    vendored = f"{proj}/vendored"
    assert project.find_root(f"{vendored}/pkg/c.py", None) == vendored
    outside = tmp_path / "nowhere" / "d.py"  # no marker up to the filesystem's root
    assert project.find_root(str(outside), None) == os.getcwd()
    project.forget_roots()


def test_a_source_is_read_whole_up_to_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(project, "MAX_FILE_BYTES", 100_000)
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\r\n" * 12_500)  # 100,000 bytes, as they are
    assert read_source(str(path)) == path.read_bytes()
    path.write_bytes(b"x" * 100_001)
    assert read_source(str(path)) is None
    path.write_bytes(b"")
    assert read_source(str(path)) == b""


def test_a_source_that_grew_since_its_size_was_asked_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(project, "MAX_FILE_BYTES", 200_000)
    path = tmp_path / "a.py"
    path.write_bytes(b"y" * 150_000)
    told = os.fstat

    def smaller(fd: int) -> Any:
        found = told(fd)
        return os.stat_result((*found[:6], 10, *found[7:]))  # st_size: 10 bytes

    monkeypatch.setattr(os, "fstat", smaller)
    assert read_source(str(path)) == b"y" * 150_000
    path.write_bytes(b"y" * 200_001)
    assert read_source(str(path)) is None


REGISTERED_ONLY = {
    "route": '@bp.route("/health")\ndef health():\n    return {}\n',
    "shortcut": '@app.get("/health")\ndef health():\n    return {}\n',
    "spaced": '@ bp . post ("/x")\ndef x():\n    return {}\n',
    "continued after the dot": '@bp.\\\ndelete("/x")\ndef x():\n    return {}\n',
    "continued before the dot": '@bp\\\r\n.put("/x")\r\ndef x():\r\n    return {}\r\n',
    "bracketed, lone CRs": 'x = 1\r@(bp.patch)("/y")\rdef y():\r    return {}\r',
    "error handler": "bp.register_error_handler(404, handlers.not_found)\n",
    "url value preprocessor": "@bp.url_value_preprocessor\ndef pull(endpoint, values):\n    pass\n",
}


@pytest.mark.parametrize("text", REGISTERED_ONLY.values(), ids=REGISTERED_ONLY.keys())
def test_the_prefilter_lets_through_what_names_only_its_registration(text: str) -> None:
    """A view, handler or hook on an app or blueprint made in another module: the
    registration is all the module names (``@bp.get``, not ``route`` nor ``Blueprint``)."""
    from flake8_flask_close.routes.extract import extract

    facts = extract(ast.parse(text), "views.py")
    assert facts.routes or facts.error_handlers or facts.url_value_preprocessors
    assert project.is_candidate(text.encode())
    assert project.may_have_facts(text)


@pytest.mark.parametrize(
    "text",
    [
        '@pytest.mark.parametrize("method", ["get", "post"])\ndef test_x(method):\n    pass\n',
        "def test_every_file_route(client):\n    pass  # each route\n",
        'value = options.get("x")\n',
        "@cache.get_or_set\ndef cached():\n    pass\n",
        "@property\ndef value(self):\n    return self.d.get(1)\n",
    ],
)
def test_the_prefilter_turns_down_route_words_outside_a_decorators_attribute(text: str) -> None:
    assert not project.is_candidate(text.encode())
    assert not project.may_have_facts(text)


def test_static_entries_see_what_send_from_directory_sees(tmp_path: Path) -> None:
    static = tmp_path / "static"
    write_project(
        static,
        {"a.css": "", "img/b.png": "", "img/deep/c.svg": "", ".hidden": "", "empty/.keep": ""},
    )
    write_project(tmp_path / "assets", {"lib.js": ""})
    (static / "empty" / ".keep").unlink()
    (static / "loop").symlink_to(static, target_is_directory=True)
    (static / "alias.css").symlink_to(static / "a.css")
    (static / "dangling").symlink_to(static / "nowhere")
    (static / "vendor").symlink_to(tmp_path / "assets", target_is_directory=True)
    (static / "again").symlink_to(tmp_path / "assets", target_is_directory=True)
    (static / "img" / "deep" / "back").symlink_to(static / "img", target_is_directory=True)
    real = os.path.realpath
    expected = [
        (".hidden", FILE),
        ("a.css", FILE),
        ("again", f"folder {real(tmp_path / 'assets')}"),
        (os.path.join("again", "lib.js"), FILE),
        ("alias.css", f"file {real(static / 'a.css')}"),
        ("dangling", f"other {real(static / 'nowhere')}"),
        (os.path.join("img", "b.png"), FILE),
        (os.path.join("img", "deep", "back"), f"folder {real(static / 'img')}"),  # a loop
        (os.path.join("img", "deep", "c.svg"), FILE),
        ("loop", f"folder {real(static)}"),  # a loop: the folder is being listed
        ("vendor", f"folder {real(tmp_path / 'assets')}"),  # listed under again/ already
    ]
    assert static_entries(str(static), len(expected)) == expected
    assert static_entries(str(static), len(expected) - 1) is None
    assert files_under(str(static), 20) == [
        ".hidden",
        "a.css",
        os.path.join("again", "lib.js"),
        "alias.css",
        os.path.join("img", "b.png"),
        os.path.join("img", "deep", "c.svg"),
    ]
    assert static_entries(str(static / "a.css"), 10) == []
    assert static_entries(str(tmp_path / "missing"), 10) == []


def test_static_entries_unknown_below_a_folder_that_cant_be_entered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    write_project(static, {"a.css": "", "css/b.css": ""})
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: not str(path).endswith("css") and real_access(path, mode),
    )
    assert static_entries(str(static), 10) is None  # os.path.isfile fails inside it
    assert files_under(str(static), 10) is None


@posix_only
@pytest.mark.skipif(sys.platform != "win32" and os.geteuid() == 0, reason="root enters all")
def test_static_entries_unknown_below_a_folder_without_permissions(tmp_path: Path) -> None:
    static = tmp_path / "static"
    write_project(static, {"a.css": "", "css/b.css": ""})
    css = static / "css"
    for mode in (0o644, 0o311):  # listed but not entered; entered but not listed
        css.chmod(mode)
        try:
            assert static_entries(str(static), 10) is None
        finally:
            css.chmod(0o755)
    assert static_entries(str(static), 10) == [
        ("a.css", FILE),
        (os.path.join("css", "b.css"), FILE),
    ]


# ------------------------------------------------------------------ the facts digest
@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "flask_shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return root


def settings(shop: Path) -> cache.CacheSettings:
    return cache.CacheSettings(directory=str(shop.parent / "cache"))


def index_file(shop: Path) -> Path:
    path = settings(shop).path_for(str(shop), ())
    assert path is not None
    return Path(path)


def fresh(shop: Path) -> ProjectScan:
    """A scan that takes nothing from the index cache."""
    return scan(str(shop), (), cache.CacheSettings(enabled=False))


def touch(path: Path, text: str) -> None:
    """Write ``text`` with an mtime no earlier write can have had, even on coarse clocks."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_the_index_keeps_the_facts_digest_and_a_warm_scan_takes_it(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = scan(str(shop), (), settings(shop))
    expected = fresh(shop).facts_digest()
    assert cold.facts_digest() == expected
    assert json.loads(index_file(shop).read_text())["digest"] == expected

    def refuse(*args: object) -> str:
        raise AssertionError(f"an unchanged project read or digested again: {args[:2]}")

    monkeypatch.setattr(scan_module, "_read_entry", refuse)
    monkeypatch.setattr(cache, "facts_digest", refuse)
    warm = scan(str(shop), (), settings(shop))
    assert warm.facts_digest() == expected
    assert list(warm.entries) == list(cold.entries)


def entry_rows(project: ProjectScan) -> dict[str, tuple[Any, ...]]:
    return {
        rel: (e.size, e.mtime_ns, e.text_digest, e.facts_digest)
        for rel, e in project.entries.items()
    }


def scan_without_rows(shop: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectScan:
    """A scan that must take the index's head, not its rows."""
    with monkeypatch.context() as patched:
        patched.setattr(cache, "load", None)
        taken = scan(str(shop), (), settings(shop))
    assert taken._entries is None
    return taken


def test_a_scan_of_files_all_as_the_index_has_them_reads_only_its_head(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head (``head-<key>.json``) holds a digest of every file's path, size and mtime:
    a walk with the same digest, none of its files too recent, takes the facts digest
    from it, and reads the rows only when something asks for the entries."""
    cold = scan(str(shop), (), settings(shop))
    pin_clock(monkeypatch, shop / "shop" / "downloads.py", 10**12)
    expected = fresh(shop)
    warm = scan_without_rows(shop, monkeypatch)
    assert warm.facts_digest() == cold.facts_digest() == expected.facts_digest()
    assert warm.file_count == len(cold.entries)
    monkeypatch.setattr(scan_module, "_read_entry", None)  # the rows, not the files
    assert entry_rows(warm) == entry_rows(cold)
    assert warm.modules() == expected.modules()
    assert not warm.changed_during_run


@pytest.mark.parametrize(
    "change", ["size", "mtime", "new-file", "removed", "recent", "facts-file-gone", "no-head"]
)
def test_a_scan_takes_the_rows_when_the_files_are_not_all_as_the_head_says(
    shop: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    scan(str(shop), (), settings(shop))
    downloads = shop / "shop" / "downloads.py"
    pin_clock(monkeypatch, downloads, 10**12)
    st = downloads.stat()
    if change == "size":
        downloads.write_text(downloads.read_text() + "\n")
        os.utime(downloads, ns=(st.st_atime_ns, st.st_mtime_ns))
    elif change == "mtime":
        os.utime(downloads, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    elif change == "new-file":
        (shop / "shop" / "more.py").write_text("")
        os.utime(shop / "shop" / "more.py", ns=(st.st_atime_ns, st.st_mtime_ns))
    elif change == "removed":
        downloads.unlink()
    elif change == "recent":  # as old as it was, but now is within RACY_NS of it
        pin_clock(monkeypatch, downloads, cache.RACY_NS // 2)
    elif change == "facts-file-gone":
        [facts_file] = index_file(shop).parent.glob("facts-*.jsonl")
        facts_file.unlink()
    elif change == "no-head":
        Path(cache.head_path(str(index_file(shop)))).write_text('{"stats": 1}')
    loads: list[Optional[str]] = []
    real_load = cache.load
    monkeypatch.setattr(cache, "load", recorded(loads, real_load))
    warm = scan(str(shop), (), settings(shop))
    assert loads == [str(index_file(shop))]
    assert warm.facts_digest() == fresh(shop).facts_digest()
    if change != "recent":  # the index and its head are written for the files as they are
        assert entry_rows(scan_without_rows(shop, monkeypatch)) == entry_rows(warm)


def test_rows_another_run_wrote_after_the_head_was_read_mean_scanning_again(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are read later than the head: if another run wrote the index meanwhile,
    the files are scanned again, and a change to the facts since the walk is noted (the
    run's world was made from the head: its answers are not stored)."""
    scan(str(shop), (), settings(shop))
    pin_clock(monkeypatch, shop / "shop" / "downloads.py", 10**12)
    same = scan_without_rows(shop, monkeypatch)
    index = json.loads(index_file(shop).read_text())
    index["stats"] = "another run's"
    index_file(shop).write_text(json.dumps(index))
    assert entry_rows(same) == entry_rows(fresh(shop))
    assert not same.changed_during_run
    changed = scan_without_rows(shop, monkeypatch)  # the index and head written again
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, downloads.read_text().replace('"/report/<name>"', '"/reports/<name>"'))
    pin_clock(monkeypatch, downloads, 10**12)
    scan(str(shop), (), settings(shop))  # another run, after the change
    assert changed.modules() == fresh(shop).modules()
    assert changed.changed_during_run
    assert changed.facts_digest() == fresh(shop).facts_digest()


def walked_before_another_run(
    shop: Path, monkeypatch: pytest.MonkeyPatch, renamed: str, original: str
) -> tuple[ProjectScan, str]:
    """A scan that took the head of ``renamed`` (its facts digest returned too), and the
    files changed back to ``original`` and indexed by another run before it read rows."""
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, renamed)
    pin_clock(monkeypatch, downloads, 10**12)
    scan(str(shop), (), settings(shop))
    walked = scan_without_rows(shop, monkeypatch)
    walked_facts = walked.facts_digest()
    touch(downloads, original)
    pin_clock(monkeypatch, downloads, 10**12)
    scan(str(shop), (), settings(shop))
    return walked, walked_facts


@pytest.mark.parametrize("stored", ["links", "static folders"])
def test_what_a_run_stores_after_the_files_changed_since_its_walk_goes_with_their_facts(
    shop: Path, monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    """A run took the head (the walk's facts), another run indexed a change before this
    one read the rows: the links and static folders it stores are named by the facts it
    linked, not the walk's (a later run over the walk's facts would take them)."""
    from flake8_flask_close.routes import linked
    from flake8_flask_close.routes.index import _linked

    downloads = shop / "shop" / "downloads.py"
    original = downloads.read_text()
    renamed = original.replace('"/report/<name>"', '"/reports/<name>"')
    walked, walked_facts = walked_before_another_run(shop, monkeypatch, renamed, original)
    if stored == "links":
        links = linked.path_for(walked, (), settings(shop))
        index = _linked(walked, (), settings(shop))
        assert not any(r.rule and "/reports/" in r.rule for _, r in index.all_routes())
        touch(downloads, renamed)  # the walk's facts again: their links, not these
        pin_clock(monkeypatch, downloads, 10**12)
        assert linked.path_for(scan(str(shop), (), settings(shop)), (), settings(shop)) != links
    else:
        config = Config(cache_dir=str(shop.parent / "cache"))
        monkeypatch.setitem(scan_module._MEMO, (str(shop), (), config.cache), walked)
        base = result_cache._results_base(str(index_file(shop)))
        os.makedirs(base)
        assert result_cache._watched_paths(base, walked_facts, str(shop), config)[0]
        assert not list(Path(base).glob("watched-*.json"))
    assert walked.changed_during_run


def test_a_stored_answer_over_unchanged_files_needs_neither_the_rows_nor_the_analysis(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an editor's run asks once nothing changed: the head, the answer, done (a
    stored answer was stored for a text that agreed with the index of its world)."""
    test_file = shop / "tests" / "test_downloads.py"
    pin_clock(monkeypatch, test_file, 10**12)
    first = lint(test_file)
    assert first and lint(test_file) == first
    monkeypatch.setattr(cache, "load", None)
    monkeypatch.setattr(scan_module, "_read_entry", None)
    assert lint(test_file) == first


def test_answers_found_after_the_files_changed_during_the_run_are_not_stored(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows taken with the head are the walk's, answers found with them are the world's;
    rows another run wrote after a change are not: what is found with them isn't kept."""
    test_file = shop / "tests" / "test_downloads.py"
    pin_clock(monkeypatch, test_file, 10**12)
    first = lint(test_file)
    assert first
    stored: list[object] = []
    monkeypatch.setattr(result_cache.ResultStore, "put", lambda self, *a: stored.append(a))
    answers = shop / cache.DEFAULT_DIR_NAME
    for results in answers.glob("results-*"):
        shutil.rmtree(results)
    assert lint(test_file) == first
    assert len(stored) == 1  # analysed again, in the world it was asked in
    real_rows = ProjectScan._entries_from_index

    def rows_after_a_change(self: ProjectScan) -> dict[str, cache.Entry]:
        """A module's routes changed since the walk, and another run indexed them."""
        downloads = shop / "shop" / "downloads.py"
        touch(downloads, downloads.read_text().replace('"/report/<name>"', '"/reports/<name>"'))
        pin_clock(monkeypatch, downloads, 10**12)
        scan(str(shop), (), cache.CacheSettings())
        return real_rows(self)

    monkeypatch.setattr(ProjectScan, "_entries_from_index", rows_after_a_change)
    for results in answers.glob("results-*"):
        shutil.rmtree(results)
    lint(test_file)
    assert len(stored) == 1


def test_the_facts_file_is_named_by_its_bytes_and_a_failed_write_leaves_the_old_one(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts file is written line by line through a temp file: its name still
    carries the digest of all its bytes (``load_facts`` refuses it otherwise), every
    module with facts has its line, a damaged one is written again by the next save of
    the same facts; a facts file that can't be renamed into place leaves no temp file,
    and the index is written only when its facts file is there."""
    cold = scan(str(shop), (), settings(shop))
    folder = index_file(shop).parent
    [facts] = folder.glob("facts-*.jsonl")
    assert facts.name.endswith(f"-{cache.bytes_name(facts.read_bytes())}.jsonl")
    stored = cache.load_facts(str(facts))
    assert sorted(stored) == sorted(rel for rel, e in cold.entries.items() if e.has_facts)
    assert all(stored[rel] == e.facts_text() for rel, e in cold.entries.items() if e.has_facts)
    written = facts.read_bytes()
    facts.write_bytes(written[: len(written) // 2])  # damaged, under the same name
    cache.save(str(index_file(shop)), cold.entries, cold.facts_digest())
    assert facts.read_bytes() == written

    real_replace = os.replace

    def facts_refused(source: str, target: str) -> None:
        if os.path.basename(target).startswith("facts-"):
            # an existing target: as Windows answers when a reader has it open
            raise (
                PermissionError(13, "Access is denied")
                if os.path.exists(target)
                else OSError(28, "No space left on device")
            )
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", facts_refused)
    index_file(shop).unlink()
    cache.save(str(index_file(shop)), cold.entries, cold.facts_digest())  # the same facts
    assert facts.read_bytes() == written
    assert json.loads(index_file(shop).read_text())["facts"] == facts.name
    assert not list(folder.glob(".*.tmp"))
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, downloads.read_text() + "\n\ndef extra():\n    return 1\n")
    scan(str(shop), (), settings(shop))  # new facts that can't be written: no new index
    head = Path(cache.head_path(str(index_file(shop))))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".gitignore", facts.name, index_file(shop).name, head.name]
    )
    assert json.loads(index_file(shop).read_text())["facts"] == facts.name


@pytest.mark.parametrize(
    "change",
    ["facts", "same-facts", "new-module", "removed-module", "removed-plain-module"],
)
def test_the_digest_follows_the_files(shop: Path, change: str) -> None:
    (shop / "shop" / "plain.py").write_text("VALUE = 1\n")  # no facts: the prefilter says so
    first = scan(str(shop), (), settings(shop)).facts_digest()
    downloads = shop / "shop" / "downloads.py"
    text = downloads.read_text()
    if change == "facts":
        touch(downloads, text.replace('"/report/<name>"', '"/reports/<name>"'))
    elif change == "same-facts":
        touch(downloads, text + "\n# a comment changes no fact\n")
    elif change == "new-module":
        touch(shop / "shop" / "extra.py", 'from flask import Blueprint\nbp = Blueprint("x", "x")\n')
    elif change == "removed-module":
        downloads.unlink()
    else:
        (shop / "shop" / "plain.py").unlink()
    second = scan(str(shop), (), settings(shop))
    expected = fresh(shop).facts_digest()
    assert second.facts_digest() == expected
    assert json.loads(index_file(shop).read_text())["digest"] == expected
    assert (expected == first) == (change in ("same-facts", "removed-plain-module"))
    third = scan(str(shop), (), settings(shop))  # warm again: the new digest is kept
    assert third.facts_digest() == expected


def rewrite_index(shop: Path, edit: Any) -> None:
    path = index_file(shop)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def test_an_index_without_a_digest_is_digested(shop: Path) -> None:
    """As an index written before the digest was kept: nothing to take, nothing read."""
    expected = scan(str(shop), (), settings(shop)).facts_digest()
    rewrite_index(shop, lambda data: data.pop("digest"))
    again = scan(str(shop), (), settings(shop))
    assert again.facts_digest() == expected


def test_a_kept_digest_is_not_taken_once_a_file_changed(shop: Path) -> None:
    scan(str(shop), (), settings(shop))
    rewrite_index(shop, lambda data: data.update(digest="0" * 32))
    downloads = shop / "shop" / "downloads.py"
    touch(downloads, downloads.read_text().replace('"/report/<name>"', '"/reports/<name>"'))
    assert scan(str(shop), (), settings(shop)).facts_digest() == fresh(shop).facts_digest()


def rewrite_keeping_size_and_mtime(path: Path, text: str, st: os.stat_result) -> None:
    """Write ``text`` as a coarse filesystem clock would record a write in the same tick
    as the one that gave the file ``st``: the same size, the same mtime."""
    assert len(text.encode()) == st.st_size
    path.write_bytes(text.encode())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def pin_clock(monkeypatch: pytest.MonkeyPatch, path: Path, after_mtime_ns: int) -> None:
    """Now is ``after_mtime_ns`` after ``path``'s mtime, however slow the machine."""
    now = path.stat().st_mtime_ns + after_mtime_ns
    monkeypatch.setattr(time, "time_ns", lambda: now)


@pytest.mark.parametrize("change", ["facts", "becomes-a-candidate", "no-longer-a-candidate"])
def test_a_file_written_again_in_the_tick_it_was_scanned_is_seen(
    shop: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file saved a moment before a scan, and saved again right after it within the
    same tick of a coarse clock, keeps its size and mtime: the next scan reads its text
    again rather than trusting them."""
    if change == "facts":
        path = shop / "shop" / "downloads.py"
        before = path.read_text()
        after = before.replace('"/report/<name>"', '"/rePort/<name>"')
    elif change == "becomes-a-candidate":
        path = shop / "shop" / "plain.py"
        before, after = "NAME = 'plain'\n", "NAME = 'Flask'\n"
    else:
        path = shop / "shop" / "plain.py"
        before = "from flask import Blueprint\nbp = Blueprint('p', __name__)\n"
        after = before.replace("Blueprint", "Bluepaint")
    path.write_bytes(before.encode())  # just saved
    pin_clock(monkeypatch, path, 10**9)
    first = scan(str(shop), (), settings(shop))
    rel = path.relative_to(shop).as_posix()
    rewrite_keeping_size_and_mtime(path, after, path.stat())
    second = scan(str(shop), (), settings(shop))
    reference = fresh(shop)
    assert second.entries[rel].text_digest == reference.entries[rel].text_digest
    assert second.entries[rel].has_facts == (change != "no-longer-a-candidate")
    assert second.facts_digest() == reference.facts_digest() != first.facts_digest()


def test_a_recent_file_is_checked_by_its_text_until_it_is_old(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked, not parsed again, while it is recent; once it is older than
    ``RACY_NS`` the index says so and later scans trust its size and mtime again."""
    downloads = shop / "shop" / "downloads.py"
    downloads.write_text(downloads.read_text())
    pin_clock(monkeypatch, downloads, 10**9)
    rel = "shop/downloads.py"
    scan(str(shop), (), settings(shop))
    stored = json.loads(index_file(shop).read_text())
    assert stored["recent"] == [rel]
    expected = fresh(shop).facts_digest()
    checked: list[str] = []
    real_check = scan_module._recheck

    def check(path: str, rel: str, *args: Any) -> Optional[bool]:
        checked.append(rel)
        return real_check(path, rel, *args)

    monkeypatch.setattr(scan_module, "_recheck", check)
    monkeypatch.setattr(scan_module, "_read_entry", None)  # never parsed again
    warm = scan(str(shop), (), settings(shop))
    assert checked == [rel] and warm.facts_digest() == expected
    pin_clock(monkeypatch, downloads, cache.RACY_NS + 10**9)
    assert scan(str(shop), (), settings(shop)).facts_digest() == expected
    assert checked == [rel, rel]  # checked once more: it was recent when last stored
    rewritten = json.loads(index_file(shop).read_text())
    assert rewritten["recent"] == [] and rewritten["places"] == stored["places"]
    scan(str(shop), (), settings(shop))
    assert checked == [rel, rel]


def index_written(shop: Path) -> tuple[int, int]:
    st = index_file(shop).stat()
    return st.st_ino, st.st_mtime_ns


@pytest.mark.parametrize("kind", ["syntax-error", "undecodable", "too-deep"])
def test_a_recent_candidate_without_facts_is_checked_by_its_text_too(
    shop: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """As an editor saves a module mid-edit: checked, not parsed again, and nothing
    written, run after run while it is recent."""
    broken = shop / "shop" / "broken.py"
    if kind == "syntax-error":
        broken.write_text("from flask import Blueprint\nbp = Blueprint(\n")
    elif kind == "undecodable":
        broken.write_bytes(b"from flask import Blueprint\nx = '\xff'\n")
    else:
        broken.write_text("from flask import Blueprint\nbp = Blueprint('b', __name__)\n")
        from flake8_flask_close.routes import extract as extract_module

        real_extract = extract_module.extract

        def too_deep(tree: ast.Module, rel: str, *args: Any) -> Any:
            if rel == "shop/broken.py":
                raise RecursionError
            return real_extract(tree, rel, *args)

        monkeypatch.setattr(extract_module, "extract", too_deep)
    pin_clock(monkeypatch, broken, 10**9)
    scan(str(shop), (), settings(shop))
    written = index_written(shop)
    assert json.loads(index_file(shop).read_text())["recent"] == ["shop/broken.py"]
    monkeypatch.setattr(scan_module, "_read_entry", None)
    checked: list[Optional[bool]] = []
    real_check = scan_module._recheck

    def check(*args: Any) -> Optional[bool]:
        checked.append(real_check(*args))
        return checked[-1]

    monkeypatch.setattr(scan_module, "_recheck", check)
    for _ in range(2):
        warm = scan(str(shop), (), settings(shop))
        assert not warm.entries["shop/broken.py"].has_facts
        assert index_written(shop) == written
    assert checked == [True, True]


def test_an_unchanged_project_writes_no_index(shop: Path) -> None:
    scan(str(shop), (), settings(shop))
    written = index_written(shop)
    scan(str(shop), (), settings(shop))
    assert index_written(shop) == written


def test_a_recent_file_that_cannot_be_read_now_keeps_its_row_and_is_checked_again(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file held open elsewhere (Windows) or too many open files: its stored facts
    stand, not a row without facts that its unchanged size and mtime would then keep."""
    downloads = shop / "shop" / "downloads.py"
    downloads.write_text(downloads.read_text())
    pin_clock(monkeypatch, downloads, 10**9)
    rel = "shop/downloads.py"
    scan(str(shop), (), settings(shop))
    expected = fresh(shop).facts_digest()

    def refused(path: str) -> bytes:
        raise PermissionError(13, "in use by another process", path)

    monkeypatch.setattr(scan_module, "read_source", refused)
    monkeypatch.setattr(scan_module, "_read_entry", None)  # the row stands: no read
    pin_clock(monkeypatch, downloads, cache.RACY_NS + 10**9)
    assert scan(str(shop), (), settings(shop)).facts_digest() == expected
    assert json.loads(index_file(shop).read_text())["recent"] == [rel]


def test_a_file_that_cannot_be_read_when_scanned_is_read_again_by_the_next_scan(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row without facts would be trusted for as long as the file keeps its size and
    mtime: a file that couldn't be read gets no row."""
    expected = fresh(shop).modules()
    real_read = read_source

    def refused_once(path: str) -> Optional[bytes]:
        if path.endswith("downloads.py"):
            monkeypatch.setattr(scan_module, "read_source", real_read)
            raise PermissionError(13, "in use by another process", path)
        return real_read(path)

    monkeypatch.setattr(scan_module, "read_source", refused_once)
    first = scan(str(shop), (), settings(shop))
    assert "shop/downloads.py" not in first.modules()
    assert "shop/downloads.py" not in json.loads(index_file(shop).read_text())["files"]
    assert scan(str(shop), (), settings(shop)).modules() == expected


def test_an_index_whose_facts_file_another_run_removed_reads_those_modules_once(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs saving at once may each remove the other's facts file: the modules the
    missing file held are read again, once, and stored again."""
    cold = scan(str(shop), (), settings(shop))
    with_facts = sorted(rel for rel, e in cold.entries.items() if e.has_facts)
    expected = fresh(shop).modules()
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    facts_file.unlink()
    read: list[str] = []
    real_read = scan_module._read_entry

    def reading(path: str, rel: str, *args: Any) -> cache.Entry:
        read.append(rel)
        return real_read(path, rel, *args)

    monkeypatch.setattr(scan_module, "_read_entry", reading)
    again = scan(str(shop), (), settings(shop))
    assert sorted(read) == with_facts
    assert again.modules() == expected
    read.clear()
    assert scan(str(shop), (), settings(shop)).modules() == expected
    assert read == []


def test_only_the_index_is_written_again_and_only_beside_its_facts_file(shop: Path) -> None:
    cold = scan(str(shop), (), settings(shop))
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    rows = json.loads(index_file(shop).read_text())["files"]
    path = str(index_file(shop))
    assert cache.save_index(path, facts_file.name, cold.facts_digest(), rows, ["shop/x.py"], None)
    assert json.loads(index_file(shop).read_text())["recent"] == ["shop/x.py"]
    facts_file.unlink()  # a run that saved other facts removed it meanwhile
    written = index_written(shop)
    assert not cache.save_index(path, facts_file.name, cold.facts_digest(), rows, [], None)
    assert index_written(shop) == written


def test_files_with_new_mtimes_and_the_same_text_keep_their_facts_unparsed(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh checkout over a restored cache (CI), a branch switched there and back:
    every file is read and digested, none parsed; the index takes the new mtimes."""
    scan(str(shop), (), settings(shop))
    reference = fresh(shop)
    for path in shop.rglob("*.py"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    monkeypatch.setattr(scan_module, "parse", None)
    again = scan(str(shop), (), settings(shop))
    assert again.modules() == reference.modules()
    assert again.facts_digest() == reference.facts_digest()
    monkeypatch.setattr(scan_module, "_read_entry", None)
    assert scan(str(shop), (), settings(shop)).modules() == reference.modules()


def test_facts_the_facts_file_lost_are_read_again_before_it_is_written_anew(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(str(shop), (), settings(shop))
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    facts_file.write_bytes(facts_file.read_bytes().replace(b"send_", b"sent_", 1))
    (shop / "shop" / "plain.py").write_text("VALUE = 1\n")  # a change: the index is saved
    for path in shop.rglob("*.py"):
        os.utime(path, ns=(10**18, 10**18))  # all old by the clock pinned below
    expected = fresh(shop).modules()
    downloads = shop / "shop" / "downloads.py"
    pin_clock(monkeypatch, downloads, cache.RACY_NS + 10**9)
    real_reread = ProjectScan._reread

    def saved_meanwhile(self: ProjectScan, rel: str) -> Any:
        if rel == "shop/downloads.py":  # saved again between the walk and this read
            now = time.time_ns()
            os.utime(downloads, ns=(now, now))
        return real_reread(self, rel)

    monkeypatch.setattr(ProjectScan, "_reread", saved_meanwhile)
    assert scan(str(shop), (), settings(shop)).modules() == expected
    assert json.loads(index_file(shop).read_text())["recent"] == ["shop/downloads.py"]
    monkeypatch.setattr(ProjectScan, "_reread", real_reread)
    monkeypatch.setattr(scan_module, "_read_entry", None)
    monkeypatch.setattr(scan_module, "_recheck", lambda *args: True)
    assert scan(str(shop), (), settings(shop)).modules() == expected


def test_the_index_is_kept_per_python_version(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What parses, and so which facts a text has, depends on the Python version: a
    text's facts are never taken from an index another version made (CI matrix jobs
    restoring one cache folder)."""
    here = index_file(shop)
    monkeypatch.setattr(cache, "python_version", lambda: [3, 99])  # never this one
    assert index_file(shop) != here


def test_the_plugin_s_code_is_known_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reinstall of the same code (new mtimes: a CI job installing it afresh) is the
    same code; an edit is not."""
    package = Path(cache.__file__).resolve().parents[1]
    copy = tmp_path / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "routes" / "cache.py"))

    def fingerprint() -> object:
        cache.forget_code_fingerprint()
        return cache.code_fingerprint()

    try:
        first = fingerprint()
        for path in copy.rglob("*.py"):
            os.utime(path, ns=(10**9, 10**9))
        assert fingerprint() == first
        plugin_module = copy / "plugin.py"
        plugin_module.write_text(plugin_module.read_text() + "\n# edited\n")
        assert fingerprint() != first
    finally:
        cache.forget_code_fingerprint()


def test_the_plugin_s_code_is_digested_once_while_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the index cache's folder, a module's digest is kept with its size and mtime
    (an editor's run reads none of them), unless it is too recent to vouch for."""
    package = Path(cache.__file__).resolve().parents[1]
    copy = tmp_path / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "__file__", str(copy / "routes" / "cache.py"))
    modules = list(copy.rglob("*.py"))
    for path in modules:
        os.utime(path, ns=(10**9, 10**9))
    memo = tmp_path / "cache"
    memo.mkdir()
    real = cache.bytes_name
    digested: list[int] = []

    def counted(raw: bytes | memoryview) -> str:
        digested.append(len(raw))
        return real(raw)

    monkeypatch.setattr(cache, "bytes_name", counted)

    def fingerprint(folder: Optional[str]) -> object:
        cache.forget_code_fingerprint()
        return cache.code_fingerprint(folder)

    try:
        plain = fingerprint(None)
        assert len(digested) == len(modules)
        assert fingerprint(str(memo)) == plain
        assert len(digested) == 2 * len(modules)
        assert fingerprint(str(memo)) == plain
        assert len(digested) == 2 * len(modules)  # all from the memo
        plugin_module = copy / "plugin.py"
        plugin_module.write_text(plugin_module.read_text() + "\n# edited\n")
        edited = fingerprint(str(memo))
        assert edited != plain
        assert len(digested) == 2 * len(modules) + 1
        assert fingerprint(str(memo)) == edited
        assert len(digested) == 2 * len(modules) + 2  # too recent to be kept
        (memo / cache.CODE_MEMO).write_text("{broken")
        assert fingerprint(str(memo)) == edited
        assert len(digested) == 3 * len(modules) + 2
        # another installation of the plugin: the memo is that of one at a time
        other = tmp_path / "other" / package.name
        shutil.copytree(copy, other)
        monkeypatch.setattr(cache, "__file__", str(other / "routes" / "cache.py"))
        assert fingerprint(str(memo)) == edited
        assert len(digested) == 4 * len(modules) + 2
        # once per process: later calls name other folders, the code running is the same
        assert cache.code_fingerprint(str(tmp_path)) == edited
        assert not (tmp_path / cache.CODE_MEMO).exists()
    finally:
        cache.forget_code_fingerprint()


@pytest.mark.parametrize("recent", [{}, ["a", 1], "shop/downloads.py"])
def test_a_malformed_list_of_recent_files_means_reading_every_file_again(
    shop: Path, recent: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(str(shop), (), settings(shop))
    rewrite_index(shop, lambda data: data.update(recent=recent))
    assert cache.load(str(index_file(shop))).rows == {}


BAD_ROWS: dict[str, Callable[[list[Any]], object]] = {
    "null": lambda row: None,
    "empty": lambda row: [],
    "short": lambda row: row[:2],
    "long": lambda row: [*row, None],
    "string": lambda row: "text",
    "object": lambda row: {"size": row[0]},
    "other-size": lambda row: [row[0] + 1, *row[1:]],
    "other-mtime": lambda row: [row[0], row[1] - 1, *row[2:]],
    "text-digest-not-text": lambda row: [*row[:2], 5, row[3]],
    "facts-digest-not-text": lambda row: [*row[:3], {"not": "a digest"}],
}


@pytest.mark.parametrize("bad", list(BAD_ROWS))
def test_a_bad_row_means_reading_that_file_again(shop: Path, bad: str) -> None:
    scan(str(shop), (), settings(shop))
    rel = "shop/downloads.py"

    def spoil(data: dict[str, Any]) -> None:
        data["files"][rel] = BAD_ROWS[bad](data["files"][rel])

    rewrite_index(shop, spoil)
    again = scan(str(shop), (), settings(shop))
    reference = fresh(shop)
    assert list(again.entries) == list(reference.entries)
    assert again.facts_digest() == reference.facts_digest()
    assert again.modules() == reference.modules()


def test_facts_read_again_after_a_corrupt_facts_line_are_digested_again(shop: Path) -> None:
    expected = scan(str(shop), (), settings(shop)).facts_digest()
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    lines = facts_file.read_text().splitlines(keepends=True)
    spoiled = [line.split("\t")[0] + '\t{"broken": true}\n' for line in lines]
    facts_file.write_text("".join(spoiled))  # its name no longer matches: none of it is used
    warm = scan(str(shop), (), settings(shop))
    assert warm.facts_digest() == expected  # taken from the index
    downloads = shop / "shop" / "downloads.py"  # edited after the scan, before the index
    touch(downloads, downloads.read_text().replace('"/report/<name>"', '"/reports/<name>"'))
    assert warm.modules() == fresh(shop).modules()  # each module read again
    assert warm.facts_digest() == fresh(shop).facts_digest() != expected


def test_a_module_s_facts_are_read_alone_from_where_the_facts_file_holds_them(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run asked for one module's facts reads that module's line, not every
    module's text (a worker needs a few hundred of thousands), nor the whole file to find
    it: the index says where each line went, as the cold run that wrote them knows."""
    cold = scan(str(shop), (), settings(shop))
    expected = fresh(shop).modules()
    rel = "shop/downloads.py"
    monkeypatch.setattr(cache, "load_facts", None)  # no bulk read
    monkeypatch.setattr(cache, "facts_places", None)  # nor a read of the file for places
    monkeypatch.setattr(scan_module, "_read_entry", None)  # nor the module read again
    warm = scan(str(shop), (), settings(shop))
    assert warm.all_facts_at_hand()
    assert warm.facts_of(rel) == expected[rel]
    assert [r for r, e in warm.entries.items() if e.has_facts and not e.needs_text] == [rel]
    assert cold.drop_facts()
    assert all(e.needs_text for e in cold.entries.values() if e.has_facts)
    assert {r: cold.facts_of(r) for r in expected} == expected


def test_a_facts_line_that_is_not_the_module_s_means_reading_it_again(shop: Path) -> None:
    """Where a line was written is trusted only as far as its text has the digest the
    index holds for the module (Windows may keep an older file of the same name)."""
    scan(str(shop), (), settings(shop))
    warm = scan(str(shop), (), settings(shop))
    expected = fresh(shop).modules()
    places = warm._facts_places()
    first, second = "shop/downloads.py", "shop/__init__.py"
    places[first], places[second] = places[second], places[first]
    assert warm.facts_of(first) == expected[first] and warm.facts_of(second) == expected[second]


def test_a_module_read_again_is_never_taken_from_the_facts_file_again(shop: Path) -> None:
    cold = scan(str(shop), (), settings(shop))
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    rel = "shop/downloads.py"
    cold.entries[rel].drop_facts()
    facts_file.write_bytes(b"")  # gone as far as reading goes: the file is read again
    assert cold.facts_of(rel) == fresh(shop).modules()[rel]
    assert not cold.drop_facts()  # its line no longer holds what the entry has


@pytest.mark.parametrize("damage", ["name", "no-tab", "short"])
def test_a_damaged_facts_file_means_reading_the_modules_again(shop: Path, damage: str) -> None:
    scan(str(shop), (), settings(shop))
    (facts_file,) = index_file(shop).parent.glob("facts-*.jsonl")
    raw = facts_file.read_bytes()
    if damage == "name":
        facts_file.write_bytes(raw.replace(b"send_", b"sent_", 1))
    elif damage == "no-tab":
        spoiled = raw.replace(b"\t", b" ", 1)
        facts_file.unlink()
        stem = facts_file.name.rsplit("-", 1)[0]
        facts_file = facts_file.with_name(f"{stem}-{cache.bytes_name(spoiled)}.jsonl")
        facts_file.write_bytes(spoiled)
        assert cache.facts_places(str(facts_file)) == {}
        assert cache.load_facts(str(facts_file)) == {}
        return
    warm = scan(str(shop), (), settings(shop))
    # where each module's facts sit comes from the index: damage shows when they are read
    assert warm.all_facts_at_hand()
    if damage == "short":
        facts_file.write_bytes(raw[: len(raw) // 2])
    assert warm.modules() == fresh(shop).modules()
    assert {rel: warm.facts_of(rel) for rel in warm.modules()} == fresh(shop).modules()


@pytest.mark.parametrize("wrong", ["swapped", "beyond-the-file", "huge"])
def test_places_the_facts_are_not_at_mean_finding_them_in_the_facts_file(
    shop: Path, monkeypatch: pytest.MonkeyPatch, wrong: str
) -> None:
    """Where the index says a module's facts sit is checked by their digest: facts not
    there are looked for in the facts file, once, not read again from the module."""
    scan(str(shop), (), settings(shop))
    index = json.loads(index_file(shop).read_text())
    places = index["places"]
    first, second = "shop/downloads.py", "shop/__init__.py"
    if wrong == "swapped":
        places[first], places[second] = places[second], places[first]
    else:
        for place in places.values():
            place[1] = 2**70 if wrong == "huge" else place[1] + 10**6
    index_file(shop).write_text(json.dumps(index))
    looked: list[Optional[str]] = []
    find = cache.facts_places
    monkeypatch.setattr(cache, "facts_places", recorded(looked, find))
    expected = fresh(shop).modules()
    warm = scan(str(shop), (), settings(shop))
    monkeypatch.setattr(scan_module, "_read_entry", None)  # no module read again
    assert warm.all_facts_at_hand()
    assert {rel: warm.facts_of(rel) for rel in expected} == expected
    assert looked == [warm.facts_file]


@pytest.mark.parametrize("places", [None, [], {"shop/downloads.py": [0]}, {"x.py": [-1, 2]}])
def test_an_index_without_well_formed_places_means_finding_them_in_the_facts_file(
    shop: Path, monkeypatch: pytest.MonkeyPatch, places: Any
) -> None:
    scan(str(shop), (), settings(shop))
    index = json.loads(index_file(shop).read_text())
    assert set(index["places"]) == {r for r, row in index["files"].items() if row[3]}
    if places is None:
        del index["places"]
    else:
        index["places"] = places
    index_file(shop).write_text(json.dumps(index))
    looked: list[Optional[str]] = []
    find = cache.facts_places
    monkeypatch.setattr(cache, "facts_places", recorded(looked, find))
    warm = scan(str(shop), (), settings(shop))
    expected = fresh(shop).modules()
    assert warm.all_facts_at_hand()
    assert {rel: warm.facts_of(rel) for rel in expected} == expected
    assert looked == [warm.facts_file]


# ------------------------------------------------------------ the result cache's world
def world(shop: Path, config: Config) -> str:
    forget_previous_run()
    store = result_cache.store_for(str(shop), config)
    forget_previous_run()
    assert store is not None
    return store.folder


def test_the_world_follows_facts_static_files_and_options_across_warm_runs(shop: Path) -> None:
    config = Config(cache_dir=str(shop.parent / "cache"))
    first = world(shop, config)
    assert world(shop, config) == first  # warm: the kept digest, the same world
    downloads = shop / "shop" / "downloads.py"
    text = downloads.read_text()
    touch(downloads, text.replace('"/report/<name>"', '"/reports/<name>"'))
    edited = world(shop, config)
    assert edited != first
    assert world(shop, config) == edited
    touch(downloads, text)
    restored = world(shop, config)
    assert restored != edited
    (shop / "shop" / "static" / "new.css").write_text("")
    assert world(shop, config) not in (restored, edited)
    other_options = Config(cache_dir=config.cache_dir, client_names=("browser",))
    assert world(shop, other_options) not in (restored, edited)


# ------------------------------------------------------------------- the cyclic gc
def test_a_run_freezes_what_it_built_once_and_the_next_run_thaws_it(shop: Path) -> None:
    """An editor run (one buffer, no early index build) freezes after its scan, once; a
    process that runs again makes the last run's objects collectable first."""
    test = shop / "tests" / "test_downloads.py"
    try:
        forget_previous_run()
        before = gc.get_freeze_count()  # CPython 3.12's own immortal objects, or none
        first = lint(test)
        frozen = gc.get_freeze_count()
        assert frozen > before
        source = test.read_text()
        plugin = Plugin(ast.parse(source), str(test), source.splitlines(keepends=True))
        assert [r[:3] for r in plugin.run()] == first  # the same run: not frozen again
        assert gc.get_freeze_count() == frozen
        forget_previous_run()
        assert gc.get_freeze_count() == 0
    finally:
        forget_previous_run()


def test_objects_frozen_before_the_plugin_was_loaded_dont_stop_a_run_freezing(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython 3.12 keeps some of its immortal objects in the permanent generation (and
    puts them back there at every full collection): they are no host's freeze, and a run
    freezes what it built all the same, again after the next run thawed everything."""
    test = shop / "tests" / "test_downloads.py"
    plugin_module = sys.modules[Plugin.__module__]
    try:
        forget_previous_run()
        gc.freeze()  # as the interpreter had before the plugin was imported
        interpreters = gc.get_freeze_count()
        monkeypatch.setattr(plugin_module, "_frozen_before", interpreters)
        lint(test)
        assert gc.get_freeze_count() > interpreters
        assert plugin_module._frozen and not plugin_module._host_froze
        forget_previous_run()  # one unfreeze thaws both
        assert gc.get_freeze_count() == 0 and plugin_module._frozen_before == interpreters
        lint(test)  # and the next run freezes again
        assert plugin_module._frozen
    finally:
        forget_previous_run()
        gc.unfreeze()


def test_a_run_in_a_host_that_froze_objects_leaves_the_gc_alone_and_asks_once(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting frozen objects walks them all on Python 3.11: once per run, not per file."""
    asked: list[Any] = []
    count = gc.get_freeze_count
    monkeypatch.setattr(gc, "get_freeze_count", recorded(asked, count))
    tests = [shop / "tests" / "test_downloads.py", shop / "tests" / "test_static.py"]
    try:
        forget_previous_run()
        gc.freeze()  # the host's
        frozen = count()
        lint(tests[0])  # a new run
        for test in tests * 2:  # more files of the same run
            source = test.read_text()
            list(Plugin(ast.parse(source), str(test), source.splitlines(keepends=True)).run())
        assert len(asked) == 1 and 0 < count() <= frozen  # nothing more frozen, nothing thawed
    finally:
        gc.unfreeze()
        forget_previous_run()


def test_the_early_build_leaves_no_cycles_and_collects_again(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The early build runs with the cyclic gc paused: it must make no reference cycles
    (their garbage would wait for a later collection, or be frozen with the index for
    good), and must leave the gc running as it found it."""
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "cache")))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # keep what the build made in reach
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        forget_previous_run()
        Plugin._build_index_early(argparse.Namespace(filenames=["."], jobs=None))
        assert gc.isenabled()
        gc.collect()
        assert [o for o in gc.garbage if isinstance(o, (ast.AST, cache.Entry))] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        forget_previous_run()


def test_releasing_freed_memory_never_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """After an early build the plugin asks glibc to give freed heap pages back; where
    there is no glibc (musl, macOS, Windows) or no ctypes, nothing happens."""
    import ctypes

    plugin_module = sys.modules[Plugin.__module__]
    trimmed: list[int] = []

    class Glibc:
        def malloc_trim(self, pad: int) -> int:
            trimmed.append(pad)
            return 1

    class Musl:
        pass  # no malloc_trim: AttributeError

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: Glibc())
    plugin_module._release_freed_memory()
    assert trimmed == [0]
    monkeypatch.setattr(ctypes, "CDLL", lambda name: Musl())
    plugin_module._release_freed_memory()
    monkeypatch.setitem(sys.modules, "ctypes", None)  # import ctypes raises ImportError
    plugin_module._release_freed_memory()
    monkeypatch.setattr(sys, "platform", "darwin")
    plugin_module._release_freed_memory()
    assert trimmed == [0]


def test_the_early_build_releases_freed_memory_once_it_built_the_index(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin_module = sys.modules[Plugin.__module__]
    calls: list[str] = []
    monkeypatch.setattr(plugin_module, "_release_freed_memory", lambda: calls.append("trim"))
    monkeypatch.chdir(shop)
    monkeypatch.setattr(Plugin, "config", Config(cache_dir=str(shop.parent / "cache")))
    try:
        forget_previous_run()
        Plugin._build_index_early(argparse.Namespace(filenames=["."], jobs=None))
        assert calls == ["trim"]  # a new world: the index was built here
    finally:
        forget_previous_run()
