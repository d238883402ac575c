"""The folders of the last walk listed again, half of them by a forked process.

A warm run must ``stat`` every ``.py`` file of the project to know that nothing changed
(``scan``): at 10,000 files that walk is most of what the plugin adds to an editor's
run. The kernel's path lookups, not Python, are most of its cost, and two threads only
take turns on the GIL between them; two processes list and ``stat`` at the same time.

A process can share the walk only when it knows the folders beforehand: the index's
head keeps the folders of the walk that wrote it (``cache.Head.folders``). The listing
stands for a walk exactly when every folder found in a listed folder is a folder of the
list and as many were found as the list names besides the root (each is found in the
one folder above it, so none twice): then the folders are the walk's, in its order, and
so are the files. A folder added, removed or turned into a symlink or a virtualenv
breaks that, and the project is walked as usual.

Each process digests its own half for the stats key; the forked one's listings are
decoded only when the run needs the files themselves (the head didn't match).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import sys
import time
from collections.abc import Sequence
from typing import Any, Optional

from flake8_flask_close.routes import cache, project
from flake8_flask_close.routes.project import FolderFiles, FolderListing, list_folder

PARALLEL_MIN_FOLDERS = 256
"""Below this many folders a walk takes a few ms: not worth a process."""

PATIENCE_S = 10.0
"""How long the forked process may take (a walk of 100,000 files takes well under a
second): one that hangs is killed, and the run walks instead."""

Listings = list[tuple[str, Optional[FolderListing]]]
"""Each folder's prefix (its path relative to the root, with a trailing ``/``) and its
listing (None: a virtualenv's, or one that can't be listed, as the walk has them)."""

_Summary = tuple[bool, int, int, int, bytes]
"""Of one half's listings: whether every folder found inside them is on the list, how
many were found, the newest mtime, the file count, and their stats key's parts."""

_HEADER = struct.Struct("<Q")


class Relisted:
    """What listing the folders again found: the stats key, newest mtime and file count
    of the walk it stands for, and (``folders()``) the walk's folders themselves."""

    def __init__(
        self, root: str, key: str, newest: int, files: int, mine: Listings, theirs: bytes
    ) -> None:
        self.root = root
        self.key = key
        self.newest = newest
        self.files = files
        self._mine = mine
        self._theirs = theirs

    def folders(self) -> list[FolderFiles]:
        """``list(python_files_by_folder(root))``, from the listings."""
        theirs: Listings = marshal.loads(self._theirs)
        walked: list[FolderFiles] = []
        for prefix, listing in self._mine + theirs:
            folder = _folder_of(self.root, prefix)
            if listing is None:
                walked.append((folder, prefix, [], [], []))
            else:
                names, sizes, mtimes, _ = listing
                walked.append((folder, prefix, names, sizes, mtimes))
        return walked


def listed_again(root: str, prefixes: Sequence[str]) -> Optional[Relisted]:
    """The walk of ``root``, when its folders are still ``prefixes`` (the walk's, in its
    order), listed half here and half in a forked process; None when they aren't, or
    when sharing the walk can't be done or doesn't pay (then the caller walks)."""
    if len(prefixes) < PARALLEL_MIN_FOLDERS or prefixes[0] != "":
        return None
    listed = set(prefixes)
    if len(listed) != len(prefixes) or not _can_fork():
        return None
    half = len(prefixes) // 2
    found = _listed_in_two(root, prefixes[:half], prefixes[half:], listed)
    if found is None:
        return None
    mine, ours, theirs, raw = found
    on_list, inside, newest, files, parts = ours
    their_on_list, their_inside, their_newest, their_files, their_parts = theirs
    if not (on_list and their_on_list) or inside + their_inside != len(prefixes) - 1:
        return None
    files += their_files
    if files > project.MAX_FILES:
        return None  # the walk stops partway: walked as usual
    key = cache.stats_digest((parts, their_parts))
    return Relisted(root, key, max(newest, their_newest), files, mine, raw)


def _can_fork() -> bool:
    """Whether a forked copy of this process can list folders beside it: Linux (forking
    without exec is unsafe on macOS, and there's no fork on Windows), one thread (a fork
    copies only the thread that forks, and whatever locks others held), and a second
    CPU to run it on."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    import threading

    try:
        # the kernel's count: threads that native code started too
        if threading.active_count() != 1 or len(os.listdir("/proc/self/task")) != 1:
            return False
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return False


def _folder_of(root: str, prefix: str) -> str:
    return os.path.join(root, *prefix.split("/")[:-1]) if prefix else root


def _relist(root: str, prefixes: Sequence[str]) -> Listings:
    """Each of ``prefixes`` listed (a folder removed since shows as one that can't be
    listed: the folder above it no longer has it, and the listing isn't taken)."""
    return [(prefix, _listing(_folder_of(root, prefix), not prefix)) for prefix in prefixes]


def _listing(folder: str, is_root: bool) -> Optional[FolderListing]:
    try:
        return list_folder(folder, is_root)
    except OSError:
        return None


def _summary(listings: Listings, listed: set[str]) -> _Summary:
    all_on_list = True
    inside = newest = files = 0
    parts: list[bytes] = []
    for prefix, listing in listings:
        if listing is None:
            continue
        names, sizes, mtimes, subfolders = listing
        inside += len(subfolders)
        if all_on_list:
            all_on_list = all(f"{prefix}{name}/" in listed for name in subfolders)
        if names:
            files += len(names)
            newest = max(newest, *mtimes)
            parts.append(cache.stats_part(prefix, names, sizes, mtimes))
    return all_on_list, inside, newest, files, b"".join(parts)


def _listed_in_two(
    root: str, here: Sequence[str], there: Sequence[str], listed: set[str]
) -> Optional[tuple[Listings, _Summary, _Summary, bytes]]:
    """``here`` listed by this process while a forked one lists ``there``: this half's
    listings and summary, the other's summary and its listings, encoded. None when the
    fork fails, or the forked process fails or takes too long."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except Exception:  # out of processes or memory; a warning made an error
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the child leaves through os._exit, unseen by coverage
        _child(root, there, listed, read_end, write_end)
    chunks: list[bytes] = []
    complete = False
    try:
        os.close(write_end)
        mine = _relist(root, here)
        ours = _summary(mine, listed)
        complete = _read_all(read_end, chunks)
    finally:
        os.close(read_end)  # a child still writing gets EPIPE, and leaves
        status = _reaped(pid, kill=not complete)
    if not complete or status != 0:
        return None
    sent = b"".join(chunks)
    try:
        (length,) = _HEADER.unpack_from(sent)
        theirs: Any = marshal.loads(sent[_HEADER.size : _HEADER.size + length])
    except (EOFError, ValueError, TypeError, struct.error):
        return None
    return mine, ours, theirs, sent[_HEADER.size + length :]


def _read_all(read_end: int, chunks: list[bytes]) -> bool:
    """What the forked process sends, up to its end; False when it takes longer than
    ``PATIENCE_S`` or the pipe fails."""
    import select

    deadline = time.monotonic() + PATIENCE_S
    with contextlib.suppress(OSError, ValueError):
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                return False
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                return True
            chunks.append(chunk)
    return False


def _child(
    root: str, prefixes: Sequence[str], listed: set[str], read_end: int, write_end: int
) -> None:
    """In the forked process: list ``prefixes``, send their summary and listings, and
    leave at once, running none of the parent's exit handlers and flushing none of its
    buffers."""
    status = 1
    try:
        _leave_signals_to_the_parent()
        os.close(read_end)
        listings = _relist(root, prefixes)
        summary = marshal.dumps(_summary(listings, listed))
        data = memoryview(_HEADER.pack(len(summary)) + summary + marshal.dumps(listings))
        while data:
            data = data[os.write(write_end, data) :]
        status = 0
    except BaseException:  # the parent walks instead
        pass
    finally:
        os._exit(status)


def _leave_signals_to_the_parent() -> None:
    """In the forked process: Ctrl-C is the parent's to handle, and no handler the host
    process installed (a language server's, say) runs here: other signals end it."""
    for number in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            if number == signal.SIGINT:
                signal.signal(number, signal.SIG_IGN)
            elif callable(signal.getsignal(number)):
                signal.signal(number, signal.SIG_DFL)


def _reaped(pid: int, kill: bool) -> int:
    """The exit status of the forked process, once it has ended (killed first when its
    answer isn't awaited any more); never left behind, even by a second Ctrl-C."""
    if kill:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    try:
        while True:
            try:
                _, status = os.waitpid(pid, 0)
            except ChildProcessError:
                return -1
            except InterruptedError:  # pragma: no cover - retried by Python since 3.5
                continue
            return os.waitstatus_to_exitcode(status)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
