"""The project's ``.py`` files as the route index sees them, scanned once per run.

Kept apart from the index (and light to import): a run whose findings all come from the
result cache scans the project but never builds, or even imports, the index.
"""

from __future__ import annotations

import logging
import os
import signal
from typing import TYPE_CHECKING, Callable, Optional, cast

from flake8_flask_close.routes import cache
from flake8_flask_close.routes.cache import DEFAULT_CACHE, CacheSettings
from flake8_flask_close.routes.project import (
    forget_roots,
    is_candidate,
    parse,
    python_files_by_folder,
    read_source,
    send_words,
)
from flake8_flask_close.routes.relisting import Relisted, listed_again

if TYPE_CHECKING:
    from flake8_flask_close.routes.facts import ModuleFacts
    from flake8_flask_close.routes.index import RouteIndex

LOG = logging.getLogger("flake8.flask_close")

PARALLEL_MIN_READS = 200
"""Fewer files to read than this are read in this process: starting helper processes
would cost more than it saves."""


def relpath(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), root)
    except ValueError:
        return os.path.basename(path)
    return rel.replace(os.sep, "/")


def display_prefix(root: str) -> str:
    """What paths of the project's modules start with in messages: the root relative to
    the working directory, with a ``/``, when the project is below it (flake8 prints its
    own paths that way), else nothing (paths relative to the root)."""
    try:
        prefix = os.path.relpath(root, os.getcwd()).replace(os.sep, "/")
    except (OSError, ValueError):
        return ""
    if prefix == "." or prefix.startswith(".."):
        return ""
    return f"{prefix}/"


class ProjectScan:
    """The project's files as the index sees them: one cache entry per ``.py`` file."""

    def __init__(
        self,
        root: str,
        entries: Optional[dict[str, cache.Entry]],
        send_functions: tuple[str, ...] = (),
        facts_file: Optional[str] = None,
        known_digest: Optional[str] = None,
        settings: CacheSettings = DEFAULT_CACHE,
        file_count: Optional[int] = None,
    ) -> None:
        """``entries`` None: every file is as the index has them (``scan``'s head), and
        the entries are read from its rows when first asked for."""
        self.root = root
        self._entries = entries
        self.send_functions = send_functions
        self._settings = settings
        self.file_count = len(entries) if entries is not None else (file_count or 0)
        """The files found (an empty project keeps no results)."""
        self._head_stats: Optional[str] = None
        """The stats key of the head the entries are to be read with."""
        self.changed_during_run = False
        """True when the files changed between the run's walk and the reading of the
        index's rows: answers found now don't go with the world the walk made."""
        self.facts_file = facts_file
        """The cache file holding the facts of entries taken from the cache."""
        self._digest = known_digest
        """``facts_digest()`` when known: stored in the index with the very rows these
        entries were taken from, or computed once."""
        self._places: Optional[cache.FactsPlaces] = None
        """Where each module's facts sit in ``facts_file``, once known."""
        self._places_told = False
        """Whether ``_places`` is what the index says rather than what was found."""
        self._modules: Optional[dict[str, ModuleFacts]] = None
        self.linked: Optional[RouteIndex] = None
        """The index linked from these modules, once built (see ``index.get_index``)."""

    @property
    def entries(self) -> dict[str, cache.Entry]:
        """Path -> cache entry (read from the index's rows on first need, see ``scan``)."""
        if self._entries is None:
            self._entries = self._entries_from_index()
        return self._entries

    def _entries_from_index(self) -> dict[str, cache.Entry]:
        """The entries of the index's rows, which the head said stand for the files; if
        another run wrote the index since, the files are scanned again."""
        cache.trace("rows", self.root)
        path = self._settings.path_for(self.root, self.send_functions)
        loaded = cache.load(path)
        entries: dict[str, cache.Entry] = {}
        if (
            loaded.stats is not None
            and loaded.stats == self._head_stats
            and loaded.facts_digest == self._digest
            and loaded.facts_file == self.facts_file
            and not loaded.recent
        ):
            for rel, row in loaded.rows.items():
                entry = cache.row_entry(row)
                if entry is None:
                    break
                entries[rel] = entry
            else:
                if loaded.places is not None:
                    self.facts_placed(loaded.places)
                return entries
        again = scan(self.root, self.send_functions, self._settings, trust_head=False)
        self.changed_during_run = again.facts_digest() != self._digest
        self.facts_file, self._digest = again.facts_file, again._digest
        self._places, self._places_told = again._places, again._places_told
        return again.entries

    def modules(self) -> dict[str, ModuleFacts]:
        """Path -> facts; cached facts are turned into objects here, on first need."""
        if self._modules is None:
            entries = self.entries
            if any(e.needs_text for e in entries.values()):
                # each text turned into objects as it is read, not all texts first
                for rel, text in cache.stored_facts(self.facts_file):
                    entry = entries.get(rel)
                    if entry is not None and entry.needs_text:
                        entry.attach_text(text)
                        self.facts_of(rel)
            modules: dict[str, ModuleFacts] = {}
            for rel, entry in entries.items():
                if entry.has_facts:
                    facts = self.facts_of(rel)  # objects by now, unless read again
                    if facts is not None:
                        modules[rel] = facts
            self._modules = modules
        return self._modules

    def facts_of(self, rel: str) -> Optional[ModuleFacts]:
        """One module's facts, from the cache (its JSON text read from its line of the
        facts file first, when it must be, and checked against its digest), read again
        from the file when the cached copy is missing or corrupt; None when the file has
        none."""
        entry = self.entries.get(rel)
        if entry is None or not entry.has_facts:
            return None
        if entry.needs_text and self.facts_file is not None:
            text = self._facts_text(rel, self.facts_file)
            if text is None and self._places_told:
                # the index said where, and it isn't there: find where, in the file itself
                self._places, self._places_told = None, False
                text = self._facts_text(rel, self.facts_file)
            if text is not None:
                entry.attach_text(text)
        try:
            facts = entry.facts()
            if facts is None:
                facts = self._reread(rel)  # facts file gone or replaced meanwhile
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            facts = self._reread(rel)  # a corrupt cached entry
        return facts

    def _facts_text(self, rel: str, facts_file: str) -> Optional[str]:
        """A module's facts text from the facts file, when its digest is the entry's."""
        place = self._facts_places().get(rel)
        text = None if place is None else cache.read_facts_text(facts_file, place)
        if text is None or cache.digest(text) != self.entries[rel].facts_digest:
            return None
        return text

    def all_facts_at_hand(self) -> bool:
        """Whether every module's facts can be had without reading its file: as objects
        or as JSON text from the facts file."""
        places = self._facts_places()
        return all(rel in places for rel, e in self.entries.items() if e.needs_text)

    def _facts_places(self) -> cache.FactsPlaces:
        _ = self.entries  # the rows come with the places the index holds
        if self._places is None:
            self._places = cache.facts_places(self.facts_file)
        return self._places

    def facts_written(self, facts_file: str, places: cache.FactsPlaces) -> None:
        """The facts of these entries were just written to ``facts_file``, at ``places``."""
        self.facts_file, self._places, self._places_told = facts_file, places, False

    def facts_placed(self, places: cache.FactsPlaces) -> None:
        """Where the index says each module's facts sit in ``facts_file``: trusted until
        a module's text isn't there (then the file is read to find them)."""
        self._places, self._places_told = places, True

    def drop_facts(self) -> bool:
        """Forget every module's facts, to be read again from the facts file one module
        at a time when asked for; False (nothing forgotten) when the file doesn't hold
        them all. Linking needs every module's facts, the analysis of files few of them:
        flake8's workers, forked from this process, need not inherit them all."""
        places = self._facts_places()
        if not all(rel in places for rel, e in self.entries.items() if e.has_facts):
            return False
        for entry in self.entries.values():
            entry.drop_facts()
        self._modules = None
        return True

    def attach_stored_facts(self) -> None:
        """Give entries taken from the cache their facts' JSON text, from the facts file."""
        if not any(e.needs_text for e in self.entries.values()):
            return
        stored = cache.load_facts(self.facts_file)
        for rel, entry in self.entries.items():
            if entry.needs_text and rel in stored:
                entry.attach_text(stored[rel])

    def reread_lost_facts(self) -> list[str]:
        """Read again the modules whose facts the facts file no longer holds (damaged on
        disk, or replaced by a run saving at the same time), before it is written anew:
        else each later run would read them again. Returns the modules read."""
        lost = [rel for rel, entry in self.entries.items() if entry.needs_text]
        for rel in lost:
            self._reread(rel)
        return lost

    def _reread(self, rel: str) -> Optional[ModuleFacts]:
        path = os.path.join(self.root, rel)
        try:
            st = os.stat(path)
        except OSError:
            return None
        entry = _read_entry(path, rel, st.st_size, st.st_mtime_ns, self.send_functions)
        self.entries[rel] = entry
        self._digest = None
        if self._places is not None:
            self._places.pop(rel, None)  # what the facts file holds for it is stale now
        return entry.facts()

    def settled_facts_digest(self) -> str:
        """``facts_digest()`` of the entries the analysis uses, read now if they weren't:
        what a file stored for these facts is named by (the head's digest is the walk's,
        and the entries are another run's scan when the files changed since)."""
        _ = self.entries
        return self.facts_digest()

    def facts_digest(self) -> str:
        """One digest of every module's facts: equal digests, equal indexes."""
        if self._digest is None:
            self._digest = cache.facts_digest(self.entries)
        return self._digest


def _read_entry(
    path: str,
    rel: str,
    size: int,
    mtime_ns: int,
    send_functions: tuple[str, ...],
    stored: cache.StoredDigests = None,
) -> cache.Entry:
    """The file's entry; when its text has the digest ``stored`` holds for it (a file
    checked out or touched again, unchanged), the stored facts stand: not parsed."""
    extra = send_words(send_functions)
    from flake8_flask_close.routes.extract import extract  # heavy

    cache.trace("read", rel)
    try:
        data, text_digest = _candidate(path, extra)
    except OSError:
        # held open elsewhere (Windows), too many open files: no row is stored for it,
        # so the next scan reads it again rather than trust a row without facts
        return cache.Entry(size, mtime_ns, cache.UNREAD)
    if data is None:
        return cache.Entry(size, mtime_ns)
    if stored is not None and stored[0] == text_digest:
        cache.trace("same-text", rel)
        return cache.Entry(size, mtime_ns, text_digest, None, stored[1])
    tree = parse(data, path)
    if tree is None:
        # its digest kept all the same: a recent file is checked by it (_recheck)
        return cache.Entry(size, mtime_ns, text_digest)
    try:
        # walks not remembered: extraction walks little twice, and remembering each
        # node's children cost more than it saved
        facts = extract(tree, rel, send_functions, data)
    except RecursionError:
        return cache.Entry(size, mtime_ns, text_digest)
    return cache.Entry(size, mtime_ns, text_digest, facts)


def _recheck(
    path: str, rel: str, entry: cache.Entry, send_functions: tuple[str, ...]
) -> Optional[bool]:
    """Whether the file still has the text ``entry`` was made from, when its size and
    mtime can't tell (``cache.RACY_NS``): read, not parsed; None when it can't be read
    now (a file held open elsewhere on Windows, too many open files). A file the
    prefilter turns down makes the same entry whatever its text."""
    cache.trace("recheck", rel)
    try:
        data, text_digest = _candidate(path, send_words(send_functions))
    except OSError:
        return None
    if data is None:
        return entry.text_digest is None and not entry.has_facts
    return entry.text_digest == text_digest


def _candidate(path: str, extra: tuple[bytes, ...]) -> tuple[Optional[bytes], str]:
    """The file's bytes and the digest of its text when the prefilter lets it through,
    else (None, ""); raises ``OSError``. The digest is ``cache.bytes_digest``, or of the
    bytes themselves when they don't decode (such a file has no facts, and a recent one
    is checked by this digest too)."""
    data = read_source(path)
    if data is None or not is_candidate(data, extra):
        return None, ""
    return data, cache.bytes_digest(data) or cache.bytes_name(data)


_ReadJob = tuple[str, str, int, int, cache.StoredDigests]
"""A file to read: path, relative path, size, mtime, and the digests its row holds."""

_EntryRow = tuple[int, int, Optional[str], Optional[str], Optional[str]]
"""An entry as a helper process sends it back: size, mtime, text digest, facts as JSON
text, facts digest."""


def _read_rows(jobs: list[_ReadJob], send_functions: tuple[str, ...]) -> list[_EntryRow]:
    """In a helper process: read, parse and extract ``jobs``."""
    rows: list[_EntryRow] = []
    for path, rel, size, mtime_ns, stored in jobs:
        entry = _read_entry(path, rel, size, mtime_ns, send_functions, stored)
        rows.append((size, mtime_ns, entry.text_digest, entry.facts_text(), entry.facts_digest))
    return rows


def _entry_from_row(row: _EntryRow) -> cache.Entry:
    size, mtime_ns, text_digest, facts_text, facts_digest = row
    entry = cache.Entry(size, mtime_ns, text_digest, None, facts_digest)
    if facts_text is not None:
        entry.attach_text(facts_text)
    return entry


Meanwhile = Optional[Callable[[], None]]
"""Work for this process while helper processes read files."""

READS_PER_HELPER = 100
"""At least this many files per helper process: starting one costs about as much as
reading a few dozen files."""


def _helper_count(reads: int, workers: int, start_method: str) -> int:
    """How many processes read ``reads`` files: none below ``PARALLEL_MIN_READS`` (four
    times that when helpers start a fresh interpreter, as with spawn and forkserver), at
    most ``workers``, and no more than the files keep busy."""
    least = PARALLEL_MIN_READS if start_method == "fork" else 4 * PARALLEL_MIN_READS
    if workers < 2 or reads < least:
        return 0
    return max(2, min(workers, reads // READS_PER_HELPER))


def _read_entries(
    jobs: list[_ReadJob], send_functions: tuple[str, ...], workers: int, meanwhile: Meanwhile
) -> list[cache.Entry]:
    """The entries of ``jobs``, in order: read in helper processes when there are enough
    of them (a cold run over a big project), else here."""
    # the cheap half of _helper_count first: most runs read a few files, and don't even
    # import multiprocessing
    if workers > 1 and len(jobs) >= PARALLEL_MIN_READS:
        try:
            found = _read_in_parallel(jobs, send_functions, workers, meanwhile)
        except Exception as exc:  # no working processes here, or one died: read them here
            LOG.debug("flake8-flask-close: reading in parallel failed: %r", exc)
            found = None
        if found is not None:
            return found
    return [
        _read_entry(path, rel, size, mtime_ns, send_functions, stored)
        for path, rel, size, mtime_ns, stored in jobs
    ]


def _ignore_interrupts() -> None:
    """In a helper process: Ctrl-C is the main process's to handle (as in flake8's own
    workers), not a traceback per helper."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_in_parallel(
    jobs: list[_ReadJob], send_functions: tuple[str, ...], workers: int, meanwhile: Meanwhile
) -> Optional[list[cache.Entry]]:
    """The entries of ``jobs`` read by helper processes; None when helpers don't pay."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context()
    helpers = _helper_count(len(jobs), workers, context.get_start_method())
    if helpers == 0:
        return None
    # A few chunks per process even out files of very different sizes; contiguous ones
    # keep a folder's files together.
    size = -(-len(jobs) // (helpers * 4))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    # An executor, not a Pool: a helper that dies (out of memory, killed) raises
    # BrokenProcessPool here instead of leaving the run waiting forever.
    with ProcessPoolExecutor(helpers, context, _ignore_interrupts) as pool:
        pending = [pool.submit(_read_rows, chunk, send_functions) for chunk in chunks]
        if meanwhile is not None:
            meanwhile()
        results = [future.result() for future in pending]
    return [_entry_from_row(row) for rows in results for row in rows]


def scan(
    root: str,
    send_functions: tuple[str, ...] = (),
    settings: CacheSettings = DEFAULT_CACHE,
    workers: int = 1,
    meanwhile: Meanwhile = None,
    trust_head: bool = True,
) -> ProjectScan:
    """Every ``.py`` file under ``root``; files whose size and mtime match the on-disk
    cache are not read again (unless they were too recent for those to vouch for them:
    those are read and digested, see ``cache.RACY_NS``), the others are read in up to
    ``workers`` processes (while this one does ``meanwhile``, when they are)."""
    if os.path.dirname(os.path.abspath(root)) == os.path.abspath(root):
        LOG.debug("flake8-flask-close: %s is a filesystem root; not indexing it", root)
        return ProjectScan(root, {}, send_functions)
    cache_path = settings.path_for(root, send_functions)
    recent_from = cache.recent_from()
    head = cache.load_head(cache_path) if trust_head else None
    # the walk every warm run makes over every file: kept to the walk itself, nothing made
    # per file until the head says something changed; shared with a forked process when
    # the head knows the folders
    relisted = None if head is None else listed_again(root, head.folders)
    if relisted is not None:
        folders = None
        key, newest, file_count = relisted.key, relisted.newest, relisted.files
    else:
        folders = list(python_files_by_folder(root))
        key = None
        if head is not None:
            key = cache.stats_key(
                (p, names, sizes, mtimes) for _, p, names, sizes, mtimes in folders
            )
        newest = max((max(mtimes) for *_, mtimes in folders if mtimes), default=0)
        file_count = sum(len(names) for _, _, names, _, _ in folders)
    head_current = head is not None and key == head.stats
    if (
        head is not None
        and head_current
        and newest < recent_from
        and os.path.exists(head.facts_file)  # else the modules it held are read again
    ):
        # every file as the index has it, none too recent for that to vouch for it
        if folders is not None and cache_path is not None:
            walked_folders = [prefix for _, prefix, *_ in folders]
            if walked_folders != head.folders:
                cache.refresh_head(cache_path, head, walked_folders)
        project = ProjectScan(
            root, None, send_functions, head.facts_file, head.facts_digest, settings, file_count
        )
        project._head_stats = head.stats
        if cache.tracing():
            cache.trace("load", f"{root} files={file_count} head")
        return project
    if folders is None:  # the head didn't match: the files themselves are needed
        folders = cast("Relisted", relisted).folders()
    listed = [prefix for _, prefix, *_ in folders]
    loaded = cache.load(cache_path)
    rows = loaded.rows
    stored_entry = cache.stored_entry
    entries: dict[str, Optional[cache.Entry]] = {}
    jobs: list[_ReadJob] = []
    recent: list[str] = []
    recent_before = loaded.recent
    walked = (
        (folder, name, prefix + name, size, mtime_ns)
        for folder, prefix, names, sizes, mtimes in folders
        for name, size, mtime_ns in zip(names, sizes, mtimes)
    )
    for folder, name, rel, size, mtime_ns in walked:
        row = rows.get(rel)
        hit = None if row is None else stored_entry(row, size, mtime_ns)
        recent_now = mtime_ns >= recent_from
        if hit is not None and (recent_now or (recent_before and rel in recent_before)):
            same = _recheck(os.path.join(folder, name), rel, hit, send_functions)
            if same is None:
                recent_now = True  # unreadable for now: the row stands, checked next time
            elif not same:
                hit = None
        if recent_now:
            recent.append(rel)
        entries[rel] = hit  # None for now when it's read: keeps the walk's order
        if hit is None:
            stored = None if row is None else cache.stored_digests(row)
            jobs.append((os.path.join(folder, name), rel, size, mtime_ns, stored))
    for (_, rel, *_), entry in zip(jobs, _read_entries(jobs, send_functions, workers, meanwhile)):
        entries[rel] = entry
    read = len(jobs)
    # With nothing read, the entries are the index's rows exactly when there are as many
    # of them: the digest the index holds is theirs.
    unchanged = not read and len(entries) == len(rows)
    project = ProjectScan(
        root,
        {rel: entry for rel, entry in entries.items() if entry is not None}
        if read
        else cast("dict[str, cache.Entry]", entries),  # nothing read: no None in it
        send_functions,
        loaded.facts_file,
        loaded.facts_digest if unchanged else None,
        settings,
    )
    if unchanged and loaded.places is not None:
        project.facts_placed(loaded.places)
    if not unchanged:
        project.attach_stored_facts()  # the facts file is written whole
        for rel in project.reread_lost_facts():
            reread = project.entries.get(rel)  # stat'ed again: maybe modified since the walk
            if reread is not None and reread.mtime_ns >= recent_from and rel not in recent:
                recent.append(rel)
        written = cache.save(cache_path, project.entries, project.facts_digest(), recent, listed)
        if written is not None:
            project.facts_written(*written)
        for entry in project.entries.values():
            entry.drop_text()
    elif (
        (recent_before != frozenset(recent) or not (recent or head_current))
        and cache_path
        and loaded.facts_file
    ):
        # the same rows and facts: only which files are too recent to vouch for changed,
        # or the head is missing or stale (a write that failed, an index written before)
        cache.save_index(
            cache_path,
            loaded.facts_file,
            project.facts_digest(),
            rows,
            recent,
            loaded.places,
            listed,
        )
    if cache.tracing():
        parsed = sum(1 for e in project.entries.values() if e.has_facts)
        cache.trace(
            "build" if read else "load", f"{root} files={len(project.entries)} parsed={parsed}"
        )
    LOG.debug(
        "route index of %s: %d files, %d read, %d taken from the cache",
        root,
        len(project.entries),
        read,
        len(project.entries) - read,
    )
    return project


def scan_project(
    root: str, send_functions: tuple[str, ...] = (), settings: CacheSettings = DEFAULT_CACHE
) -> dict[str, ModuleFacts]:
    """Facts of every module under ``root`` that the prefilter lets through."""
    return scan(root, send_functions, settings).modules()


_MEMO: dict[tuple[str, tuple[str, ...], CacheSettings], ProjectScan] = {}


def forget_scans() -> None:
    """Forget scanned projects: called when flake8 parses options, i.e. once per run."""
    _MEMO.clear()
    forget_roots()


def project_scan(
    root: str,
    send_functions: tuple[str, ...] = (),
    settings: CacheSettings = DEFAULT_CACHE,
    workers: int = 1,
    meanwhile: Meanwhile = None,
) -> ProjectScan:
    """``scan()``, once per run."""
    key = (root, send_functions, settings)
    if key not in _MEMO:
        _MEMO[key] = scan(root, send_functions, settings, workers, meanwhile)
    return _MEMO[key]
