"""The on-disk cache of per-file facts: JSON only, keyed by path, size and mtime_ns and
the plugin version, written atomically, rebuilt when unreadable or corrupt.

An entry without facts records a file the prefilter or the parser turned down, so a warm
run doesn't read it again. Facts stay raw JSON until the route index needs them: a run
whose results all come from the result cache never builds them.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import sys
import tempfile
import time
import tokenize
from array import array
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from flake8_flask_close import __version__

try:
    # hashlib's own BLAKE2b: importing hashlib loads OpenSSL, a few ms of every run
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from flake8_flask_close.routes.facts import ModuleFacts

SCHEMA = 27
"""Bumped when the index's layout changes, or what extraction finds in a module (7 and 8:
apps a factory returns unnamed, and not blueprints; 9: the filename of a redirect to
``url_for``; 10 and 11: a redirect's status code, redirects to URLs, relative ones and
by keyword; 23: the head keeps the folders the walk listed; 24: Werkzeug's send
functions told apart from Flask's; 25: modules parsed without parse-time warnings, which
``-W error`` made syntax errors; 26: the resources of flask-restful and flask-restx
``Api`` objects, and ``add_resource`` in the prefilter; 27: the method decorators
(``@bp.get``), ``register_error_handler`` and ``url_value_preprocessor`` in the
prefilter, ``route`` only as a decorator's attribute, facts stored without the fields
that hold None or their default): the plugin's version alone doesn't change between
development builds, and facts found by other code must not stand."""
DEFAULT_DIR_NAME = ".flake8_flask_close_cache"

RACY_NS = 3 * 10**9
"""A file modified this little before it was stat'ed may be modified again within the
same tick of its filesystem's clock (2 s on FAT, 1 s on HFS+ and ext3, a few ms on
others), keeping its size and mtime: those can't vouch for its text. Such a file is
checked again, by the digest of its text, until it is older than this."""


UNREAD = ""
"""The text digest of an entry whose file couldn't be read (no digest is empty): it gets
no row in the index, so the next scan reads the file again."""


def recent_from() -> int:
    """The mtime from which on a file is too recent for its size and mtime to vouch for
    its text (``RACY_NS``)."""
    return time.time_ns() - RACY_NS


def digest(text: str) -> str:
    """The one digest the caches use: 32 hex digits of BLAKE2b."""
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_last_text_digest: tuple[Optional[str], str] = (None, "")
"""The last text digested (held, so that no other text can take its identity) and its
digest: the plugin asks three times for each file it checks, of the same text."""


def text_digest(text: str) -> str:
    """A digest of source text as flake8 sees it, whatever the line endings or BOM: the
    same for a file's bytes (``bytes_digest``) and for flake8's ``lines`` of it."""
    global _last_text_digest
    last, found = _last_text_digest
    if text is last:
        return found
    plain = text[1:] if text.startswith("\ufeff") else text
    found = digest(plain.replace("\r\n", "\n").replace("\r", "\n"))
    _last_text_digest = (text, found)
    return found


def bytes_digest(data: bytes) -> Optional[str]:
    """``text_digest`` of a file's bytes decoded as Python decodes source (PEP 263), or
    None when they don't decode."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return text_digest(codecs.decode(data, encoding))
    except (SyntaxError, LookupError, UnicodeDecodeError, ValueError):
        return None


def _facts_text(facts: ModuleFacts) -> str:
    """The facts as one line of canonical JSON: what the facts file holds and the facts
    digest is taken of (plain data, without cycles to look for)."""
    return json.dumps(facts.to_json(), sort_keys=True, separators=(",", ":"), check_circular=False)


def facts_digest_of(facts: ModuleFacts) -> str:
    """The digest an entry holding ``facts`` has: equal digests, equal facts."""
    return digest(_facts_text(facts))


class Entry:
    """One file: its size and mtime, the digest of its text (when it was read as a
    candidate) and of its facts, and the facts themselves: as objects, as JSON text (read
    from the facts file, parsed when the index is built), or not yet read."""

    __slots__ = ("_facts", "_text", "facts_digest", "mtime_ns", "size", "text_digest")

    def __init__(
        self,
        size: int,
        mtime_ns: int,
        text_digest: Optional[str] = None,
        facts: Optional[ModuleFacts] = None,
        facts_digest: Optional[str] = None,
    ) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        self.text_digest = text_digest
        self._facts = facts
        self._text: Optional[str] = None
        if facts is not None:
            # kept until the facts file is written: it and the digest both need it
            self._text = _facts_text(facts)
            facts_digest = digest(self._text)
        self.facts_digest = facts_digest

    @property
    def has_facts(self) -> bool:
        return self.facts_digest is not None

    @property
    def needs_text(self) -> bool:
        """Loaded from the cache, facts not attached yet (``ProjectScan.facts_of`` reads
        them from the facts file)."""
        return self.has_facts and self._text is None and self._facts is None

    def attach_text(self, text: str) -> None:
        self._text = text

    def facts(self) -> Optional[ModuleFacts]:
        """The facts (raises on a corrupt cached entry: the caller re-reads the file)."""
        if self._facts is None and self._text is not None:
            from flake8_flask_close.routes.facts import ModuleFacts  # needed for the index only

            self._facts = ModuleFacts.from_json(json.loads(self._text))
            self._text = None  # the objects replace it: a big index is big enough once
        return self._facts

    def facts_text(self) -> Optional[str]:
        if self._text is None and self._facts is not None:
            return _facts_text(self._facts)
        return self._text

    def drop_text(self) -> None:
        """Forget the JSON of facts that are objects already (once it is on disk)."""
        if self._facts is not None:
            self._text = None

    def drop_facts(self) -> None:
        """Forget the facts, objects and text (once they are on disk): the entry then
        needs its text again, as one loaded from the cache."""
        self._facts = None
        self._text = None


def python_version() -> list[int]:
    """Part of every cache key: what parses (and so which facts a text has), and which
    names are the standard library's, differ between Python versions."""
    return list(sys.version_info[:2])


class CacheSettings(NamedTuple):
    # not a frozen dataclass: those take ten times as long to define, on every run
    enabled: bool = True
    directory: Optional[str] = None
    """None: ``.flake8_flask_close_cache`` in the project root."""

    def path_for(self, root: str, send_functions: tuple[str, ...]) -> Optional[str]:
        if not self.enabled:
            return None
        folder = self.directory or os.path.join(root, DEFAULT_DIR_NAME)
        key = blake2b(
            json.dumps([os.path.abspath(root), list(send_functions), python_version()]).encode(),
            digest_size=8,
        ).hexdigest()
        return os.path.join(folder, f"index-{key}.json")


DEFAULT_CACHE = CacheSettings()


def tracing() -> bool:
    """Whether ``trace`` writes anything (a detail that costs something to say is only
    worked out then)."""
    return bool(os.environ.get("FLAKE8_FLASK_CLOSE_TRACE"))


def trace(event: str, detail: str) -> None:
    """Append ``pid event detail`` to ``$FLAKE8_FLASK_CLOSE_TRACE`` (tests count index
    builds and file reads across flake8's worker processes with it)."""
    target = os.environ.get("FLAKE8_FLASK_CLOSE_TRACE")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {event} {detail}\n")
    except OSError:
        pass


_FINGERPRINT: list[list[tuple[str, str]]] = []

CODE_MEMO = "code.json"


def code_fingerprint(memo_folder: Optional[str] = None) -> list[tuple[str, str]]:
    """The plugin's own modules, by the digest of their bytes: an edited checkout must
    not be answered by the old code's findings, and a reinstall of the same code (a CI
    job installing the plugin afresh, new mtimes) may be. Once per process, whatever
    folder later calls name: what runs is the code imported then (callers don't change
    the list). With a ``memo_folder`` (the index cache's), each module's digest is kept
    there with its size and mtime, and taken from there while both are unchanged and
    the module is older than ``RACY_NS`` (as the index trusts a project's files): an
    editor's run then reads none of the plugin's modules."""
    if not _FINGERPRINT:
        _FINGERPRINT.append(_code_digests(memo_folder))
    return _FINGERPRINT[0]


def forget_code_fingerprint() -> None:
    _FINGERPRINT.clear()


def _code_digests(memo_folder: Optional[str]) -> list[tuple[str, str]]:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    memo = None if memo_folder is None else os.path.join(memo_folder, CODE_MEMO)
    known = _code_memo(memo, package)
    old_from = recent_from()
    found: list[tuple[str, str]] = []
    kept: list[tuple[str, int, int, str]] = []
    for folder, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, package)
                st = os.stat(path)
                named = known.get((rel, st.st_size, st.st_mtime_ns))
                if named is None:
                    with open(path, "rb") as fh:
                        named = bytes_name(fh.read())
                found.append((rel, named))
                if st.st_mtime_ns < old_from:
                    kept.append((rel, st.st_size, st.st_mtime_ns, named))
    if memo is not None and set(known) != {(rel, size, mtime) for rel, size, mtime, _ in kept}:
        write_json(memo, {"package": package, "modules": kept})
    return found


def _code_memo(path: Optional[str], package: str) -> dict[tuple[str, int, int], str]:
    """(module, size, mtime) -> digest, as ``code_fingerprint`` kept them in ``path`` for
    the plugin installed at ``package`` (one installation's at a time)."""
    data = read_json(path) if path is not None else None
    if type(data) is not dict or data.get("package") != package:
        return {}
    rows = data.get("modules")
    known: dict[tuple[str, int, int], str] = {}
    for row in rows if type(rows) is list else ():
        if (
            type(row) is list
            and len(row) == 4
            and type(row[0]) is str
            and type(row[1]) is int
            and type(row[2]) is int
            and type(row[3]) is str
        ):
            known[row[0], row[1], row[2]] = row[3]
    return known


def read_json(path: str) -> Any:
    """The JSON in ``path``, or None when it is missing, unreadable or not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None


def write_json(path: str, data: Any) -> bool:
    """``write_atomically`` of ``data`` as JSON."""
    try:
        raw = json.dumps(data, separators=(",", ":")).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError):
        return False
    return write_atomically(path, raw)


def write_atomically(path: str, raw: bytes) -> bool:
    """Write through a temp file + ``os.replace``, so readers see the old file or the new
    one, never half of one; False when that failed (a read-only folder just means
    nothing is kept)."""
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp_name, path)
        tmp_name = None
        return True
    except OSError:
        return False
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


FactsPlaces = dict[str, tuple[int, int]]
"""Path -> where its facts' JSON text sits in a facts file: (offset, length) in bytes."""


FolderStats = tuple[str, "Sequence[str]", "Sequence[int]", "Sequence[int]"]
"""A folder's files as the stats key holds them: its path relative to the root (with a
trailing ``/``), and its files' names, sizes and mtimes (ns), in step."""


def stats_key(folders: Iterable[FolderStats]) -> str:
    """One digest of every file's path, size and mtime, a folder at a time in the walk's
    order: an index whose files none was recent when it was written (``RACY_NS``) stands
    for a walk with the same key, file for file (another order only means comparing row
    by row)."""
    return stats_digest(stats_part(*folder) for folder in folders)


def stats_digest(parts: Iterable[bytes]) -> str:
    """``stats_key`` of the folders whose ``stats_part`` are ``parts``, in order."""
    hasher = blake2b(digest_size=16)
    for part in parts:
        hasher.update(part)
    return hasher.hexdigest()


def stats_part(
    prefix: str, names: Sequence[str], sizes: Sequence[int], mtimes: Sequence[int]
) -> bytes:
    """What the stats key digests of one folder: nothing for a folder without files (it
    is no row's); else its path, its file count, its files' names (which can't hold NUL),
    then their sizes and mtimes as fixed-width numbers: unambiguous, and nothing
    formatted per file."""
    if not names:
        return b""
    text = "\0".join([prefix, str(len(names)), *names, ""]).encode("utf-8", "surrogatepass")
    try:
        return text + array("q", sizes).tobytes() + array("q", mtimes).tobytes()
    except OverflowError:  # an mtime past 2262
        return text + f"{list(sizes)}{list(mtimes)}".encode()


def row_folders(rows: Mapping[str, Any]) -> Iterator[FolderStats]:
    """The index's rows (path -> [size, mtime_ns, ...], in the walk's order) as the walk
    finds them, a folder at a time (a folder's files are next to each other)."""
    prefix: Optional[str] = None
    names: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    for rel, row in rows.items():
        folder, slash, name = rel.rpartition("/")
        here = folder + slash
        if here != prefix:
            if prefix is not None:
                yield prefix, names, sizes, mtimes
            prefix, names, sizes, mtimes = here, [], [], []
        names.append(name)
        sizes.append(row[0])
        mtimes.append(row[1])
    if prefix is not None:
        yield prefix, names, sizes, mtimes


class Head(NamedTuple):
    """The index's head, a file of its own: what a run over files all as the index has
    them needs, without reading the index's rows."""

    stats: str
    """``stats_key`` of the index's rows."""
    facts_file: str
    facts_digest: str
    folders: list[str]
    """The folders the walk listed, in its order (see ``relisting``)."""


def head_path(index_path: str) -> str:
    """``head-<key>.json`` beside ``index-<key>.json``."""
    folder, name = os.path.split(index_path)
    return os.path.join(folder, name.replace("index-", "head-", 1))


def load_head(index_path: Optional[str]) -> Optional[Head]:
    """The head written with the index, when there is one, of this plugin version, and
    no file was too recent for its row to vouch for it when it was written."""
    if index_path is None:
        return None
    data = read_json(head_path(index_path))
    try:
        if data.get("schema") != SCHEMA or data.get("version") != __version__:
            return None
        stats, facts_name, known = data["stats"], data["facts"], data["digest"]
        if data["recent"] != [] or not all(type(v) is str for v in (stats, facts_name, known)):
            return None
        folders = data["folders"]
        if type(folders) is not list or not all(type(f) is str for f in folders):
            return None
    except (AttributeError, KeyError, TypeError):
        return None
    return Head(stats, beside(index_path, facts_name), known, folders)


def refresh_head(index_path: str, head: Head, folders: Sequence[str]) -> None:
    """Write ``head`` again with the ``folders`` a walk just found: the files are as it
    says, the folders aren't (an empty folder added, one that can't be listed), and a
    head naming other folders would have every later run list them in vain."""
    _write_head(
        index_path, os.path.basename(head.facts_file), head.facts_digest, head.stats, [], folders
    )


def _write_head(
    index_path: str,
    facts_name: str,
    digest_of_facts: str,
    stats: str,
    recent: list[str],
    folders: Sequence[str],
) -> None:
    write_json(
        head_path(index_path),
        {
            "schema": SCHEMA,
            "version": __version__,
            "facts": facts_name,
            "digest": digest_of_facts,
            "stats": stats,
            "recent": recent,
            "folders": list(folders),
        },
    )


def beside(index_path: str, name: str) -> str:
    """The file ``name`` (a name or path) in the index's folder: an index names the
    facts file it goes with by name only."""
    return os.path.join(os.path.dirname(index_path), os.path.basename(name))


class Loaded(NamedTuple):
    """What ``load`` found: the rows of the index, the file holding their facts, and the
    digest of those facts."""

    rows: Mapping[str, Any]
    """Path -> ``[size, mtime_ns, text digest, facts digest]`` as stored, unchecked: each
    row is checked once, when it is compared with its file (``stored_entry``)."""
    facts_file: Optional[str] = None
    facts_digest: Optional[str] = None
    """``facts_digest`` of the entries the rows stand for, when the index holds it."""
    recent: frozenset[str] = frozenset()
    """Files modified too shortly before the scan that stored their rows for those to
    vouch for them (``RACY_NS``): checked by their text."""
    places: Optional[FactsPlaces] = None
    """Where each module's facts sit in the facts file, as written (None when the index
    doesn't say: then the facts file is read to find them)."""
    stats: Optional[str] = None
    """``stats_key`` of the rows, as written."""


def stored_entry(row: Any, size: int, mtime_ns: int) -> Optional[Entry]:
    """The entry a row of the index stands for, when the row is well formed and records
    this size and mtime; else None (the file is read again)."""
    try:
        stored_size, stored_mtime, text, digest = row
    except (TypeError, ValueError):
        return None
    if (
        stored_size != size
        or stored_mtime != mtime_ns
        or not (text is None or type(text) is str)
        or not (digest is None or type(digest) is str)
    ):
        return None
    return Entry(size, mtime_ns, text or None, None, digest)


def row_entry(row: Any) -> Optional[Entry]:
    """The entry a well-formed row stands for, at the size and mtime it records."""
    if type(row) is list and len(row) == 4 and type(row[0]) is int and type(row[1]) is int:
        return stored_entry(row, row[0], row[1])
    return None


StoredDigests = Optional[tuple[str, Optional[str]]]
"""What a row holds of a file read as a candidate: its text digest and facts digest."""


def _row_digests(row: Any) -> Optional[tuple[Optional[str], Optional[str]]]:
    """The text and facts digests of a well-formed row, whatever its size and mtime."""
    if type(row) is list and len(row) == 4:
        text, facts = row[2], row[3]
        if (text is None or type(text) is str) and (facts is None or type(facts) is str):
            return text, facts
    return None


def stored_digests(row: Any) -> StoredDigests:
    """The digests of a well-formed row of a candidate file; else None."""
    digests = _row_digests(row)
    if digests is None or not digests[0]:
        return None
    return digests[0], digests[1]


def _names_facts(row: Any) -> bool:
    """Whether a stored row says its file has facts (a malformed row counts as one)."""
    digests = _row_digests(row)
    return digests is None or digests[1] is not None


def facts_digest(entries: Mapping[str, Entry]) -> str:
    """One digest of every module's facts: equal digests, equal indexes."""
    return digest(
        "".join(
            f"{rel}\0{entries[rel].facts_digest}\0"
            for rel in sorted(entries)
            if entries[rel].facts_digest is not None
        )
    )


def load(path: Optional[str]) -> Loaded:
    """The cached rows (their facts not read yet), or none when the file is missing,
    unreadable, corrupt, foreign JSON or from another plugin version."""
    if path is None:
        return Loaded({})
    data = read_json(path)
    try:
        if data.get("schema") != SCHEMA or data.get("version") != __version__:
            return Loaded({})
        rows = data["files"]
        if not isinstance(rows, dict):
            return Loaded({})
        facts_name = data["facts"]
        facts_file = beside(path, str(facts_name))
        known = data.get("digest")
        recent = data.get("recent", [])
        if not (isinstance(recent, list) and all(type(rel) is str for rel in recent)):
            return Loaded({})
        if not os.path.exists(facts_file):
            # removed by a run that saved other facts meanwhile: the modules whose facts
            # it held are read again (else each run would, and none would store them)
            rows = {rel: row for rel, row in rows.items() if not _names_facts(row)}
            return Loaded(rows, facts_file, None, frozenset(recent))
        known = known if type(known) is str else None
        stats = data.get("stats")
        return Loaded(
            rows,
            facts_file,
            known,
            frozenset(recent),
            _places(data.get("places")),
            stats if type(stats) is str else None,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return Loaded({})


def _places(stored: Any) -> Optional[FactsPlaces]:
    """The places an index holds, when they are well formed."""
    if type(stored) is not dict:
        return None
    places: FactsPlaces = {}
    for rel, place in stored.items():
        if type(place) is not list or len(place) != 2:
            return None
        offset, length = place
        if type(offset) is not int or type(length) is not int or offset < 0 or length < 0:
            return None
        places[rel] = (offset, length)
    return places


def _verified_facts(facts_file: Optional[str]) -> Optional[bytes]:
    """A facts file's bytes, when they match the digest its name carries."""
    if facts_file is None:
        return None
    try:
        with open(facts_file, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    return raw if os.path.basename(facts_file).endswith(f"-{bytes_name(raw)}.jsonl") else None


def _facts_spans(raw: bytes) -> Iterator[tuple[str, int, int]]:
    """(path, start, end) of the facts text on each line of a facts file (one
    ``"path"<TAB>facts`` line per module); raises ValueError on a malformed line."""
    start, size = 0, len(raw)
    while start < size:
        end = raw.find(b"\n", start)
        end = size if end < 0 else end
        tab = raw.find(b"\t", start, end)
        if tab < 0:
            raise ValueError("a facts line without its path")
        yield str(json.loads(raw[start:tab].decode("utf-8", "surrogatepass"))), tab + 1, end
        start = end + 1


def stored_facts(facts_file: Optional[str]) -> Iterator[tuple[str, str]]:
    """Path and facts JSON text of each module in a facts file, a line at a time (all of
    them at once took megabytes more); none when it is gone or doesn't match the digest
    its name carries (the caller then reads the files again)."""
    raw = _verified_facts(facts_file)
    if raw is None:
        return
    with contextlib.suppress(ValueError, RecursionError):
        for rel, start, end in _facts_spans(raw):
            yield rel, raw[start:end].decode("utf-8", "surrogatepass")


def load_facts(facts_file: Optional[str]) -> dict[str, str]:
    """Path -> facts JSON text, from a facts file (see ``stored_facts``)."""
    return dict(stored_facts(facts_file))


def facts_places(facts_file: Optional[str]) -> FactsPlaces:
    """Where each module's facts sit in a facts file, its texts not kept; {} when it is
    gone, damaged or doesn't match the digest its name carries."""
    raw = _verified_facts(facts_file)
    if raw is None:
        return {}
    try:
        return {rel: (start, end - start) for rel, start, end in _facts_spans(raw)}
    except (ValueError, RecursionError):
        return {}


def read_facts_text(facts_file: str, place: tuple[int, int]) -> Optional[str]:
    """One module's facts text from the facts file, at ``place`` (from ``facts_places``,
    the write or the index); None when the file is gone or doesn't reach that far."""
    offset, length = place
    try:
        with open(facts_file, "rb") as fh:
            if offset + length > os.fstat(fh.fileno()).st_size:
                return None
            fh.seek(offset)
            raw = fh.read(length)
        if len(raw) != length:
            return None
        return raw.decode("utf-8", "surrogatepass")
    except (OSError, ValueError, OverflowError, MemoryError):
        return None


def _bytes_hasher() -> blake2b:
    return blake2b(digest_size=12)


def bytes_name(raw: Union[bytes, memoryview]) -> str:
    named = _bytes_hasher()
    named.update(raw)
    return str(named.hexdigest())


def write_digested(folder: str, pieces: Iterable[bytes]) -> tuple[str, str]:
    """Write ``pieces`` to a new temp file in ``folder``, digesting them on the way, and
    return (its path, the digest): the caller renames it into place. Megabytes written a
    piece at a time never sit in memory whole (joined, encoded), which raised the peak
    memory of flake8's main process, and so of the workers it forks. Raises OSError
    (the temp file removed)."""
    named = _bytes_hasher()
    fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                named.update(piece)
                fh.write(piece)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return tmp_name, str(named.hexdigest())


def _fact_lines(entries: dict[str, Entry], places: FactsPlaces) -> Iterator[bytes]:
    """The facts file's lines, noting in ``places`` where each text goes."""
    offset = 0
    for rel, entry in entries.items():
        text = entry.facts_text()
        if text is not None:
            head = f"{json.dumps(rel)}\t".encode("utf-8", "surrogatepass")
            body = text.encode("utf-8", "surrogatepass")
            places[rel] = (offset + len(head), len(body))
            offset += len(head) + len(body) + 1
            yield head + body + b"\n"


def _write_facts(
    folder: str, stem: str, entries: dict[str, Entry], places: FactsPlaces
) -> Optional[str]:
    """Write the facts file (one ``"path"<TAB>facts`` line per module with facts) and
    return its name, or None when it couldn't be written."""
    tmp_name = None
    try:
        tmp_name, digest_of_file = write_digested(folder, _fact_lines(entries, places))
        facts_name = f"{stem}-{digest_of_file}.jsonl"
        facts_path = os.path.join(folder, facts_name)
        try:
            # replaced even when a file of that name exists: one damaged on disk is mended
            os.replace(tmp_name, facts_path)
        except OSError:
            # Windows refuses to replace a file another process has open (a run reading
            # these very facts): they are there already
            if not os.path.exists(facts_path):
                raise
        else:
            tmp_name = None
        return facts_name
    except (OSError, ValueError, TypeError, RecursionError):
        return None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def save(
    path: Optional[str],
    entries: dict[str, Entry],
    known: Optional[str] = None,
    recent: Iterable[str] = (),
    folders: Sequence[str] = (),
) -> Optional[tuple[str, FactsPlaces]]:
    """Two files, each written whole to a temp file and then renamed (a reader never
    sees half of one): the facts, named by their digest, and then the index of entries
    naming that facts file, with the entries' ``facts_digest`` (``known``, when the
    caller has it), the files too ``recent`` for their rows to vouch for them and the
    ``folders`` the walk listed (for the head). Facts
    files no index names any more are removed. Returns the facts file and where each
    module's facts sit in it, when both files were written."""
    if path is None:
        return None
    folder = os.path.dirname(path)
    stem = os.path.basename(path)[: -len(".json")].replace("index-", "facts-", 1)
    try:
        os.makedirs(folder, exist_ok=True)
        ignore = os.path.join(folder, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# created by flake8-flask-close\n*\n")
    except OSError:
        return None
    places: FactsPlaces = {}
    facts_name = _write_facts(folder, stem, entries, places)
    if facts_name is None:
        return None
    rows = {
        rel: [e.size, e.mtime_ns, e.text_digest, e.facts_digest]
        for rel, e in entries.items()
        if e.text_digest != UNREAD
    }
    digest_of_facts = known if known is not None else facts_digest(entries)
    if not save_index(path, facts_name, digest_of_facts, rows, recent, places, folders):
        return None  # an index naming another facts file (or none) is what a run finds
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(stem + "-") and name != facts_name:
                os.unlink(os.path.join(folder, name))
    return os.path.join(folder, facts_name), places


def save_index(
    path: str,
    facts_file: str,
    digest_of_facts: str,
    rows: Mapping[str, Any],
    recent: Iterable[str],
    places: Optional[FactsPlaces],
    folders: Sequence[str] = (),
) -> bool:
    """Write the index alone, naming ``facts_file`` (a name or path in the index's folder),
    already written (``save``; or, when only which files are too recent changed, the one
    it named before, if no run removed it meanwhile: one that does writes an index of its
    own), and where each module's facts sit in it (a run reading a few modules' facts
    then needn't read the whole file to find them)."""
    if not os.path.exists(beside(path, facts_file)):
        return False
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "version": __version__,
        "facts": os.path.basename(facts_file),
        # a warm run finds every row unchanged and takes this instead of digesting them
        "digest": digest_of_facts,
        "recent": sorted(recent),
        "files": rows,
    }
    if places is not None:
        payload["places"] = {rel: list(place) for rel, place in places.items()}
    try:
        stats = stats_key(row_folders(rows))
    except (TypeError, IndexError, KeyError):
        stats = None  # a malformed row: no head, every run compares the rows
    head = head_path(path)
    if stats is None:
        with contextlib.suppress(OSError):
            os.unlink(head)
    payload["stats"] = stats
    if not write_json(path, payload):
        return False
    if stats is not None:
        _write_head(path, payload["facts"], digest_of_facts, stats, payload["recent"], folders)
    return True
