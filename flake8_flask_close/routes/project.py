"""Finding the project root and the Python files that can define routes."""

from __future__ import annotations

import ast
import contextlib
import os
import re
import stat
import warnings
from collections.abc import Iterator
from operator import attrgetter
from typing import Optional

ROOT_MARKERS = ("setup.cfg", "tox.ini", ".flake8", "pyproject.toml", ".git")
SKIP_DIRS = frozenset(
    {
        "__pycache__",
        "node_modules",
        "site-packages",
        "build",
        "dist",
        "venv",
        "env",
        "htmlcov",
    }
)
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FILES = 100_000

X_SENDFILE = "USE_X_SENDFILE"
"""Flask's setting that hands path-based sends to the web server (``X-Sendfile``)."""

ROUTE_TOKENS: tuple[bytes, ...] = (
    b"add_url_rule",
    b"add_resource",
    b"register_blueprint",
    b"Blueprint",
    b"Flask",
    b"send_",
    b"Response",
    b"make_response",
    b"errorhandler",
    b"register_error_handler",
    b"url_value_preprocessor",
    b"response_class",
    b"after_request",
    b"after_app_request",
    b"teardown_",
    X_SENDFILE.encode(),
)
"""A file mentioning none of these, and decorating nothing with ``.route`` or one of
``METHOD_DECORATORS`` (``ROUTE_DECORATOR``), can't add a route, a hook or a
file-serving helper, nor turn ``USE_X_SENDFILE`` on."""

METHOD_DECORATORS = ("get", "post", "put", "patch", "delete")
"""Flask's shortcuts for ``route(..., methods=[...])``: ``@bp.get("/health")``."""

_LINE_CONTINUED = r"\\(?:\r\n|[\r\n])"
ROUTE_DECORATOR = (
    r"@(?:[^@\\\r\n]|\\[^\r\n]|" + _LINE_CONTINUED + r")*?\."
    r"(?:[ \t]|" + _LINE_CONTINUED + r")*"
    r"(?:" + "|".join(("route", *METHOD_DECORATORS)) + r")\b"
)
"""A decorator's line (``@``, then anything up to the line's end or past a backslash
continuation) naming ``.route`` or ``.get`` (or another of ``METHOD_DECORATORS``) as an
attribute, spaces or continued lines allowed around the dot: not the word in a test's
name (``test_every_file_route``), a comment or a parametrize list (``"get"``), nor
``d.get(...)`` outside a decorator. A module may decorate views on an app or blueprint
made elsewhere and name nothing else the prefilter looks for. Left out: a decorator
whose brackets split it over lines before the attribute (``@(`` on a line, ``bp.get``
on the next), and one with another ``@`` before it: a search from one ``@`` stops at
the next, so that a long line of them costs its length once, not once per ``@``."""
_ROUTE_DECORATOR_BYTES = re.compile(ROUTE_DECORATOR.encode())


_ROOTS: dict[str, str] = {}
"""A file's folder -> its project root, as this run found it."""
_MARKED: dict[str, Optional[str]] = {}
"""A folder -> the nearest folder at or above it that holds a root marker (None when
none does), as this run found it: a project's folders share their parents' answers."""


def forget_roots() -> None:
    _ROOTS.clear()
    _MARKED.clear()


def find_root(filename: str, configured: Optional[str]) -> str:
    if configured:
        return os.path.abspath(configured)
    start = os.path.dirname(os.path.abspath(filename))
    found = _ROOTS.get(start)
    if found is None:
        marked = _marked_above(start)
        if marked is None:
            marked = os.getcwd() if _is_within(start, os.getcwd()) else start
        found = _ROOTS[start] = marked
    return found


def _marked_above(start: str) -> Optional[str]:
    climbed: list[str] = []
    current = start
    while True:
        if current in _MARKED:
            found = _MARKED[current]
            break
        climbed.append(current)
        try:
            if any(os.path.exists(os.path.join(current, m)) for m in ROOT_MARKERS):
                found = current
                break
        except OSError:
            pass
        parent = os.path.dirname(current)
        if parent == current:
            found = None
            break
        current = parent
    for folder in climbed:
        _MARKED[folder] = found
    return found


def _is_within(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


FolderFiles = tuple[str, str, list[str], list[int], list[int]]
"""A folder's path, its path relative to the root with a trailing ``/`` (``""`` for the
root itself), and its regular ``.py`` files, as three lists in step: their names, sizes
and mtimes (ns). Lists of plain values, not a tuple per file: a warm run digests them a
folder at a time (``cache.stats_key``) and makes nothing per file beyond what ``stat``
makes."""

FolderListing = tuple[list[str], list[int], list[int], list[str]]
"""What one folder holds for the walk: its regular ``.py`` files' names, sizes and mtimes
(ns), in step, and the subfolders the walk enters, all sorted by name."""

_BY_NAME = attrgetter("name")
_LIST_BY_FD = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
"""Whether a folder can be listed through an open descriptor, so that its files are
stat'ed relative to it: the kernel then resolves one name per file, not the whole path
(about a tenth of the walk)."""


def list_folder(folder: str, is_root: bool) -> Optional[FolderListing]:
    """One listing of ``folder`` and one ``stat`` per ``.py`` file in it; None for a
    virtualenv (``pyvenv.cfg``; never the root). Files that aren't regular when stat'ed (a
    dangling link, a FIFO or a device: reading one could block) are left out; hidden,
    cache and symlinked folders aren't entered. Raises OSError when the folder can't be
    listed."""
    names: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    subfolders: list[str] = []
    is_file = stat.S_ISREG
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY) if _LIST_BY_FD else -1
    try:
        with os.scandir(folder if fd < 0 else fd) as it:
            entries = sorted(it, key=_BY_NAME)
        if not is_root and any(e.name == "pyvenv.cfg" for e in entries):
            return None
        # stat'ed while the folder is open: entries listed by descriptor need it
        for entry in entries:
            name = entry.name
            try:
                is_folder = entry.is_dir() and not entry.is_symlink()
            except OSError:
                continue
            if is_folder:
                if not (name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info")):
                    subfolders.append(name)
            elif name.endswith(".py"):
                try:
                    st = entry.stat()
                except OSError:
                    continue  # a dangling link, a file removed meanwhile
                if is_file(st.st_mode):
                    names.append(name)
                    sizes.append(st.st_size)
                    mtimes.append(st.st_mtime_ns)
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
    return names, sizes, mtimes, subfolders


def python_files_by_folder(root: str) -> Iterator[FolderFiles]:
    """Every folder the walk finds under ``root``, with its ``.py`` files (``list_folder``;
    none for a virtualenv's or one that can't be listed), in ``os.walk`` order (a folder's
    files, sorted, then its subfolders, sorted); at most ``MAX_FILES`` files. One listing
    per folder and one ``stat`` per file: a warm run's whole cost of finding what changed
    (see ``relisting.listed_again`` for how it is shared with another process)."""
    seen = 0
    todo = [(root, "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            listing = list_folder(folder, folder == root)
        except OSError:
            listing = None
        if listing is None:
            yield folder, prefix, [], [], []
            continue
        names, sizes, mtimes, subfolders = listing
        seen += len(names)
        if seen > MAX_FILES:
            kept = len(names) - (seen - MAX_FILES)
            yield folder, prefix, names[:kept], sizes[:kept], mtimes[:kept]
            return
        yield folder, prefix, names, sizes, mtimes
        for name in reversed(subfolders):
            todo.append((os.path.join(folder, name), f"{prefix}{name}/"))


StaticEntry = tuple[str, str]
"""A path below a static folder (relative, with the system's separator) and what is there:
``FILE`` for a file; for a symlink, what its target is and its real path (``"file /x/y"``,
``"folder /x"``, ``"other /x"``: missing, a device...)."""

FILE = ""


def static_entries(folder: str, limit: int) -> Optional[list[StaticEntry]]:
    """What decides whether a request to the static folder ``folder`` finds a file, as
    Flask's ``send_from_directory`` looks (``os.path.isfile`` of the joined path: symlinks
    followed): the files below it and every symlink there with its target, sorted by
    path; a symlinked folder's files are listed under the link, each linked folder once
    (a link to a folder listed already, a loop, adds its own entry only: with the
    targets, the entries still tell every path's answer). [] when it isn't a folder;
    None when there are more than ``limit`` entries, or a folder below can't be listed
    or entered (then what a request finds there can't be known from here)."""
    if not os.path.isdir(folder):
        return []
    found: list[StaticEntry] = []
    # Real paths are needed only to know whether a linked folder is listed already: most
    # static folders hold no symlink, and resolving paths costs a few ms per hundred
    # folders on every warm run. A folder reached without a link is known by its path
    # below ``folder`` until the first link needs real paths.
    unresolved: list[str] = [""]
    listed: set[str] = set()
    todo: list[tuple[str, str, Optional[str]]] = [(folder, "", None)]
    while todo:
        current, prefix, real = todo.pop()
        try:
            if not os.access(current, os.X_OK):  # listed, yet os.path.isfile fails inside
                return None
            with os.scandir(current) as it:
                entries = sorted(it, key=_BY_NAME)  # which link lists a folder: the same each run
        except (OSError, ValueError):
            return None
        for entry in entries:
            path = prefix + entry.name
            try:
                linked = entry.is_symlink()
                is_folder = not linked and entry.is_dir(follow_symlinks=False)
                is_file = not linked and entry.is_file(follow_symlinks=False)
            except OSError:  # gone since the listing
                continue
            if is_folder:
                if real is None:
                    unresolved.append(path)
                    todo.append((entry.path, path + os.sep, None))
                else:
                    inner = os.path.join(real, entry.name)
                    if inner not in listed:
                        listed.add(inner)
                        todo.append((entry.path, path + os.sep, inner))
                continue
            if is_file:
                found.append((path, FILE))
            elif linked:
                target = _link_target(entry.path)
                found.append((path, target))
                if not target.startswith(_FOLDER):
                    continue
                if unresolved:
                    top = _real_path(folder)
                    listed.update(os.path.normpath(os.path.join(top, p)) for p in unresolved)
                    unresolved.clear()
                inner = target[len(_FOLDER) :]
                if inner not in listed:
                    listed.add(inner)
                    todo.append((entry.path, path + os.sep, inner))
        if len(found) > limit:
            return None
    found.sort()
    return found


_FOLDER = "folder "
_LINKED_FILE = "file "


def _real_path(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def _link_target(path: str) -> str:
    real = _real_path(path)
    if os.path.isfile(path):
        return f"{_LINKED_FILE}{real}"
    if os.path.isdir(path):
        return f"{_FOLDER}{real}"
    return f"other {real}"


def files_under(folder: str, limit: int) -> Optional[list[str]]:
    """The paths below the static folder ``folder`` that a request finds a file at, as
    sorted relative paths (``static_entries``: a file reached through a symlinked folder
    listed once); [] when it isn't a folder, None when there are more than ``limit`` or
    some can't be known."""
    entries = static_entries(folder, limit)
    if entries is None:
        return None
    return [path for path, what in entries if what == FILE or what.startswith(_LINKED_FILE)]


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_source(path: str) -> Optional[bytes]:
    """The file's bytes, or None when it is too big to be indexed; raises ``OSError``.
    Read through a descriptor, its size asked of the descriptor: ``open()`` and a size
    asked by path took twice as long, and a cold run reads every file of the project."""
    fd = os.open(path, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            return None
        chunks: list[bytes] = []
        read, want = 0, size + 1
        while True:  # to the end, wherever it is now: the file may have grown
            chunk = os.read(fd, want)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            read += len(chunk)
            if read > MAX_FILE_BYTES:
                return None
            want = 65536
    finally:
        os.close(fd)


def send_words(send_functions: tuple[str, ...]) -> tuple[bytes, ...]:
    """What the prefilter looks for beside ``ROUTE_TOKENS``: the project's send functions
    (``--flask-close-send-functions``), by their last name."""
    return tuple(n.rsplit(".", 1)[-1].encode() for n in send_functions)


def is_candidate(data: bytes, extra_tokens: tuple[bytes, ...] = ()) -> bool:
    """The prefilter: whether the bytes mention a route-ish token."""
    return (
        any(t in data for t in ROUTE_TOKENS)
        or any(t in data for t in extra_tokens)
        or (b"@" in data and _ROUTE_DECORATOR_BYTES.search(data) is not None)
    )


def may_have_facts(text: str, send_functions: tuple[str, ...] = ()) -> bool:
    """The prefilter of ``is_candidate``, on text (an editor's buffer): every word it
    looks for is ASCII, the same in the text's bytes whatever their encoding."""
    return is_candidate(text.encode("utf-8", "surrogatepass"), send_words(send_functions))


def parse_quietly(source: bytes | str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` without the warnings Python issues while parsing (an invalid escape
    sequence: a ``SyntaxWarning`` shown by default from 3.12, a ``DeprecationWarning``
    before). The index parses modules flake8 may not be checking, where they would only
    be noise (flake8 reports such code as W605), and ``-W error`` would turn them into a
    ``SyntaxError``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=filename)


def parse(source: bytes | str, filename: str = "<unknown>") -> Optional[ast.Module]:
    """``ast.parse`` that never raises: bad input is simply not indexed."""
    try:
        return parse_quietly(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError):
        return None
