"""The walk shared with a forked process: what it finds is what the walk finds, and any
change to the folders makes the caller walk as usual."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

import pytest

from flake8_flask_close.routes import cache, project, relisting
from flake8_flask_close.routes import scan as scan_module
from flake8_flask_close.routes.project import python_files_by_folder
from flake8_flask_close.routes.relisting import listed_again
from flake8_flask_close.routes.scan import scan
from tests.helpers import write_project

pytestmark = pytest.mark.skipif(
    not relisting._can_fork(), reason="no second process to share the walk with here"
)


@pytest.fixture(autouse=True)
def few_folders_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relisting, "PARALLEL_MIN_FOLDERS", 2)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    files = {"top.py": "", "docs/readme.txt": "", "tools/pyvenv.cfg": "", "tools/lib/x.py": ""}
    for n in range(12):
        files[f"pkg{n}/__init__.py"] = ""
        files[f"pkg{n}/views.py"] = f"n = {n}\n"
        files[f"pkg{n}/sub/deep.py"] = ""
    write_project(root, files)
    return root


def prefixes_of(root: Path) -> list[str]:
    return [prefix for _, prefix, *_ in python_files_by_folder(str(root))]


def assert_same_as_the_walk(root: Path, prefixes: list[str]) -> None:
    relisted = listed_again(str(root), prefixes)
    walked = list(python_files_by_folder(str(root)))
    assert relisted is not None
    assert relisted.key == cache.stats_key((p, n, s, m) for _, p, n, s, m in walked)
    assert relisted.newest == max(max(m) for *_, m in walked if m)
    assert relisted.files == sum(len(n) for _, _, n, _, _ in walked)
    assert relisted.folders() == walked


def test_same_as_the_walk(tree: Path) -> None:
    prefixes = prefixes_of(tree)
    assert "tools/" in prefixes and "docs/" in prefixes  # listed, though they add no file
    assert_same_as_the_walk(tree, prefixes)


def test_files_changed_in_the_same_folders_are_found(tree: Path) -> None:
    prefixes = prefixes_of(tree)
    (tree / "pkg11" / "views.py").write_text("n = 'changed'\n", encoding="utf-8")
    (tree / "pkg0" / "sub" / "deep.py").unlink()
    (tree / "pkg0" / "sub" / "new.py").write_text("", encoding="utf-8")
    assert_same_as_the_walk(tree, prefixes)


@pytest.mark.parametrize(
    "change",
    ["new folder", "folder removed", "folder became a link", "folder became a virtualenv"],
)
def test_other_folders_make_the_caller_walk(tree: Path, change: str) -> None:
    prefixes = prefixes_of(tree)
    if change == "new folder":
        write_project(tree, {"pkg11/sub/more/late.py": ""})
    elif change == "folder removed":
        for name in ("deep.py",):
            (tree / "pkg3" / "sub" / name).unlink()
        (tree / "pkg3" / "sub").rmdir()
    elif change == "folder became a link":
        (tree / "pkg5" / "sub" / "deep.py").unlink()
        (tree / "pkg5" / "sub").rmdir()
        (tree / "pkg5" / "sub").symlink_to(tree / "pkg6" / "sub", target_is_directory=True)
    else:
        (tree / "pkg7" / "pyvenv.cfg").write_text("", encoding="utf-8")
    assert listed_again(str(tree), prefixes) is None


def test_a_folder_the_other_process_cannot_list(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefixes = prefixes_of(tree)
    real = project.list_folder

    def failing(folder: str, is_root: bool) -> Optional[project.FolderListing]:
        if folder.endswith("pkg9"):  # in the forked process's half
            raise PermissionError(folder)
        return real(folder, is_root)

    monkeypatch.setattr(relisting, "list_folder", failing)
    assert prefixes.index("pkg9/") >= len(prefixes) // 2
    assert listed_again(str(tree), prefixes) is None


def test_not_shared_with_other_threads_running(tree: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert listed_again(str(tree), prefixes_of(tree)) is None
    finally:
        stop.set()
        other.join()


def test_no_process_is_left_behind(tree: Path) -> None:
    prefixes = prefixes_of(tree)
    for _ in range(3):
        assert listed_again(str(tree), prefixes) is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def shared_walks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each scan's relisting stood for the walk, from now on."""
    shared: list[bool] = []

    def spied(root: str, prefixes: Sequence[str]) -> Optional[relisting.Relisted]:
        found = listed_again(root, prefixes)
        shared.append(found is not None)
        return found

    monkeypatch.setattr(scan_module, "listed_again", spied)
    return shared


def age_files(tree: Path) -> float:
    """Every file made old enough for its size and mtime to vouch for it (the head is
    written); the time they were set to."""
    old = (os.stat(tree / "top.py").st_mtime_ns - 10 * cache.RACY_NS) / 1e9
    for folder, _, names, _, _ in python_files_by_folder(str(tree)):
        for name in names:
            os.utime(os.path.join(folder, name), (old, old))
    return old


def test_scan_takes_the_head_and_still_sees_a_new_folder(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = shared_walks(monkeypatch)
    old = age_files(tree)
    settings = cache.CacheSettings(directory=str(tmp_path / "cache"))
    first = scan(str(tree), (), settings)
    assert len(first.entries) == 1 + 12 * 3
    head = cache.load_head(settings.path_for(str(tree), ()))
    assert head is not None and head.folders == prefixes_of(tree)
    again = scan(str(tree), (), settings)
    assert again._entries is None  # from the head: the index's rows weren't read
    assert shared == [True]
    before = again.entries["pkg2/views.py"].size
    (tree / "pkg2" / "views.py").write_text("n = 'edited'\n", encoding="utf-8")
    os.utime(tree / "pkg2" / "views.py", (old + 5, old + 5))  # the head stays of use
    edited = scan(str(tree), (), settings)  # the same folders: their listings are used
    assert shared == [True, True]
    assert edited.entries["pkg2/views.py"].size == len("n = 'edited'\n") != before
    assert len(edited.entries) == 1 + 12 * 3
    write_project(tree, {"pkg4/sub/api/routes.py": "from flask import Blueprint\n"})
    found = scan(str(tree), (), settings)
    assert "pkg4/sub/api/routes.py" in found.entries
    assert shared == [True, True, False]


def test_a_folder_that_cannot_be_listed_is_the_walk_s_too(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = project.list_folder

    def refused(folder: str, is_root: bool) -> Optional[project.FolderListing]:
        if folder.endswith("pkg3"):  # a root-owned 0700 folder, for a user
            raise PermissionError(folder)
        return real(folder, is_root)

    monkeypatch.setattr(project, "list_folder", refused)
    monkeypatch.setattr(relisting, "list_folder", refused)
    prefixes = prefixes_of(tree)
    assert "pkg3/" in prefixes and "pkg3/sub/" not in prefixes
    assert_same_as_the_walk(tree, prefixes)


def test_a_forked_process_that_hangs_is_killed(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefixes = prefixes_of(tree)
    real = project.list_folder

    def stuck(folder: str, is_root: bool) -> Optional[project.FolderListing]:
        if folder.endswith("pkg9"):  # in the forked process's half
            time.sleep(60)
        return real(folder, is_root)

    monkeypatch.setattr(relisting, "list_folder", stuck)
    monkeypatch.setattr(relisting, "PATIENCE_S", 0.5)
    started = time.monotonic()
    assert listed_again(str(tree), prefixes) is None
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_more_files_than_the_walk_takes(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefixes = prefixes_of(tree)
    monkeypatch.setattr(project, "MAX_FILES", 6)
    assert listed_again(str(tree), prefixes) is None


def test_a_head_naming_other_folders_is_written_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty folder added: the files are as the head says, its folders aren't; the
    walk that finds so writes the head again, so later runs share the walk again."""
    shared = shared_walks(monkeypatch)
    age_files(tree)
    settings = cache.CacheSettings(directory=str(tmp_path / "cache"))
    scan(str(tree), (), settings)
    (tree / "pkg0" / "static" / "img").mkdir(parents=True)
    assert scan(str(tree), (), settings)._entries is None  # the head still stands
    head = cache.load_head(settings.path_for(str(tree), ()))
    assert head is not None and "pkg0/static/img/" in head.folders
    assert scan(str(tree), (), settings)._entries is None
    assert shared == [False, True]
