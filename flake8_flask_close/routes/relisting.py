"""The folders of the last walk listed again, half of them by a forked process.

A warm run must ``stat`` every ``.py`` file of the project to know that nothing changed
(``scan``): at 10,000 files that walk is most of what the plugin adds to an editor's
run. The kernel's path lookups, not Python, are most of its cost, and two threads only
take turns on the GIL between them; two processes list and ``stat`` at the same time.

A process can share the walk only when it knows the folders beforehand: the index's
head keeps the folders of the walk that wrote it (``cache.Head.folders``). The listing
stands for a walk exactly when every folder found in a listed folder is a folder of the
list and every listed folder but the root was found so: then the folders are the walk's,
in its order, and so are the files. A folder added, removed or turned into a symlink or
a virtualenv breaks that, and the project is walked as usual.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Sequence
from typing import Any, Optional

from flake8_flask_close.routes.project import MAX_FILES, FolderFiles, FolderListing, list_folder

PARALLEL_MIN_FOLDERS = 256
"""Below this many folders a walk takes a few ms: not worth a process."""

Relisted = list[tuple[str, Optional[FolderListing]]]
"""Each folder's prefix (its path relative to the root, with a trailing ``/``) and its
listing (None: a virtualenv's)."""


def listed_again(root: str, prefixes: Sequence[str]) -> Optional[list[FolderFiles]]:
    """``list(python_files_by_folder(root))``, when the folders under ``root`` are still
    ``prefixes`` (the walk's, in its order), listed half here and half in a forked
    process; None when they aren't, or when sharing the walk can't be done or doesn't
    pay (then the caller walks)."""
    if len(prefixes) < PARALLEL_MIN_FOLDERS or not prefixes or prefixes[0] != "":
        return None
    if not _can_fork():
        return None
    half = len(prefixes) // 2
    found = _listed_in_two(root, prefixes[:half], prefixes[half:])
    if found is None or not _same_folders(found, prefixes):
        return None
    walked: list[FolderFiles] = []
    seen = 0
    for prefix, listing in found:
        folder = _folder_of(root, prefix)
        if listing is None:
            walked.append((folder, prefix, [], [], []))
            continue
        names, sizes, mtimes, _ = listing
        seen += len(names)
        walked.append((folder, prefix, names, sizes, mtimes))
    if seen > MAX_FILES:
        return None  # the walk stops partway: walked as usual
    return walked


def _can_fork() -> bool:
    """Whether a forked copy of this process can list folders beside it: Linux (forking
    without exec is unsafe on macOS, and there's no fork on Windows), one thread (a fork
    copies only the thread that forks, and whatever locks others held), and a second
    CPU to run it on."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    import threading

    if threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return False


def _folder_of(root: str, prefix: str) -> str:
    return os.path.join(root, *prefix.split("/")[:-1]) if prefix else root


def _relist(root: str, prefixes: Sequence[str]) -> Relisted:
    """Each of ``prefixes`` listed; raises OSError when one can't be (removed, ...)."""
    return [(prefix, list_folder(_folder_of(root, prefix), not prefix)) for prefix in prefixes]


def _listed_in_two(root: str, here: Sequence[str], there: Sequence[str]) -> Optional[Relisted]:
    """``here`` listed by this process while a forked one lists ``there``; None when
    either can't list one of its folders, or the fork fails."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the child leaves through os._exit, unseen by coverage
        _child(root, there, read_end, write_end)
    os.close(write_end)
    mine: Optional[Relisted] = None
    chunks: list[bytes] = []
    try:
        with contextlib.suppress(OSError):
            mine = _relist(root, here)
        with contextlib.suppress(OSError):
            while True:
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_end)  # a child still writing gets EPIPE, and leaves
        status = _reaped(pid)
    if mine is None or status != 0:
        return None
    try:
        theirs: Any = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(theirs, list) or len(theirs) != len(there):
        return None
    return mine + theirs


def _child(root: str, prefixes: Sequence[str], read_end: int, write_end: int) -> None:
    """In the forked process: list ``prefixes``, send what they hold, and leave at once,
    running none of the parent's exit handlers and flushing none of its buffers."""
    status = 1
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        os.close(read_end)
        data = memoryview(marshal.dumps(_relist(root, prefixes)))
        while data:
            data = data[os.write(write_end, data) :]
        status = 0
    except BaseException:  # the parent walks instead
        pass
    finally:
        os._exit(status)


def _reaped(pid: int) -> int:
    """The exit status of the forked process, once it has ended."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
            continue
        return os.waitstatus_to_exitcode(status)


def _same_folders(found: Relisted, prefixes: Sequence[str]) -> bool:
    """Whether the folders the listings found inside each other are ``prefixes``: each
    listed folder but the root found in the one above it, and nothing else found."""
    inside: set[str] = set()
    for prefix, listing in found:
        if listing is not None:
            inside.update(f"{prefix}{name}/" for name in listing[3])
    return len(inside) == len(prefixes) - 1 and inside == set(prefixes[1:])
