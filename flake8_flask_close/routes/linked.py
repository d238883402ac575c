"""The linked route table, kept on disk between runs over the same facts.

Linking reads every module's facts and resolves every route: 0.7 s over a 10,000-file
project. A run whose facts didn't change but whose findings aren't all in the result
cache (an editor checking an edited test module, pre-commit checking a few changed files,
spawned workers) takes the links from here instead, and reads a module's facts only when
the analysis asks for that module.

The file sits beside the index cache and is named by everything the links depend on: the
plugin's code, the Python version, the facts digest, the send functions and how messages
show the project's paths (``display_prefix``). What the static folders hold (the types
their routes can serve) is listed again on load. JSON lines: a header, each app's routes
by bucket (first path segment) and the function evidence by module, a few hundred per
line, and last the digest of all the others. A run parses only the lines it asks for (a
request's buckets, a module's evidence), every value checked as it is read: damage on
disk fails the digest and means linking again; a value the plugin wouldn't write means
linking again when it is read (never a wrong table).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from flake8_flask_close import __version__
from flake8_flask_close.routes import cache
from flake8_flask_close.routes.cache import CacheSettings
from flake8_flask_close.routes.facts import ModuleFacts, SentFile
from flake8_flask_close.routes.index import (
    AppGroup,
    FunctionMemo,
    LinkedRoute,
    RouteIndex,
    folder_mimetypes,
)
from flake8_flask_close.routes.match import NumberedRoutes, bucket_of, buckets_of
from flake8_flask_close.routes.scan import ProjectScan, display_prefix

if TYPE_CHECKING:
    from flake8_flask_close.routes.index import EvidenceMemo

SCHEMA = 8
PREFIX = "linked-"


@dataclass
class StoredLink:
    """What ``RouteIndex`` learned by linking, as read back from the file."""

    paths: list[str]
    groups: list[AppGroup]
    memo: FunctionMemo
    hook_owners: list[str]
    sent_attributes: frozenset[str]
    blueprint_apps: dict[str, list[str]]


class StoredModules(Mapping[str, ModuleFacts]):
    """Module name -> facts, each taken from the project's cache entries on first use."""

    def __init__(self, project: ProjectScan, paths: dict[str, str]) -> None:
        self._project = project
        self._paths = paths
        self._read: dict[str, ModuleFacts] = {}

    def __getitem__(self, name: str) -> ModuleFacts:
        found = self._read.get(name)
        if found is None:
            path = self._paths[name]
            found = self._project.facts_of(path)
            if found is None:  # removed since the scan: as good as a module saying nothing
                found = ModuleFacts(module=name, path=path, is_package=False)
            self._read[name] = found
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def path_for(
    project: ProjectScan, send_functions: tuple[str, ...], settings: CacheSettings
) -> Optional[str]:
    """The file holding the links of this project's facts as this run shows them; None
    when caching is off. One file per working directory that messages count paths from
    (an editor in the project and pre-commit above it each keep theirs)."""
    index_path = settings.path_for(project.root, send_functions)
    if index_path is None:
        return None
    shown = display_prefix(project.root)
    key = cache.digest(
        json.dumps(
            [
                SCHEMA,
                __version__,
                cache.code_fingerprint(os.path.dirname(index_path)),
                cache.python_version(),
                project.settled_facts_digest(),
                list(send_functions),
                shown,
            ]
        )
    )
    folder, name = os.path.split(index_path)
    stem = name[: -len(".json")].replace("index-", PREFIX, 1)
    return os.path.join(folder, f"{stem}-{cache.digest(shown)[:8]}-{key}.jsonl")


# ------------------------------------------------------------------------ writing
def _route_json(route: LinkedRoute) -> list[Any]:
    return [
        route.rule,
        None if route.methods is None else sorted(route.methods),
        route.endpoint,
        route.evidence,
        None if route.method_evidence is None else [list(p) for p in route.method_evidence],
        route.location,
        route.static_dir,
        list(route.redirects),
        route.also_answers,
        route.sometimes,
        None if route.mimetypes is None else sorted(route.mimetypes),
        None if route.sent is None else _sent_json(route.sent),
        route.when_missing,
    ]


def _sent_json(sent: SentFile) -> list[Any]:
    return [sent.folder, sent.name, sent.from_url, sent.missing_raises]


ROUTES_PER_PIECE = 500
"""Routes (and functions) encoded at a time: the whole table at once would sit in
memory as objects, text and bytes together, in the main process flake8 forks from."""


def _pieces(index: RouteIndex) -> Iterator[bytes]:
    """The stored links as JSON lines: a header, then each group's routes by bucket
    (first path segment), a few hundred per line, each with its place in the group's
    table, then the function evidence by module; a run reads only the buckets its
    requests can match and the evidence of the modules it asks about."""

    def text(value: Any) -> bytes:
        plain = json.dumps(value, separators=(",", ":"), check_circular=False)  # no cycles
        return plain.encode("utf-8", "surrogatepass")

    def lines(count: int) -> int:
        return -(-count // ROUTES_PER_PIECE)

    static: dict[str, Optional[list[str]]] = {}
    for group in index.groups:
        for route in group.routes:
            if route.static_dir is not None:
                types = route.mimetypes
                static[route.static_dir] = None if types is None else sorted(types)
    evidence, mixed = index.evidence_memo()
    keys = sorted(evidence)
    evidence_lines = [
        keys[start : start + ROUTES_PER_PIECE] for start in range(0, len(keys), ROUTES_PER_PIECE)
    ]
    buckets = [buckets_of(group.routes) for group in index.groups]
    header = {
        "schema": SCHEMA,
        "modules": {name: facts.path for name, facts in index.modules.items()},
        "paths": index.paths,
        "static": sorted(static.items()),
        "hook_owners": index.hook_owners(),
        "sent": sorted(index.sent_attributes()),
        "blueprint_apps": sorted(index.blueprint_apps.items()),
        "groups": [
            {
                "key": group.key,
                "label": group.label,
                "local": None if group.local_scope is None else list(group.local_scope),
                "errors": sorted(group.error_evidence.items()),
                "count": len(group.routes),
                "buckets": [[name, lines(len(numbers))] for name, numbers in by_name.items()],
            }
            for group, by_name in zip(index.groups, buckets)
        ],
        "evidence": [[chunk[0][0], chunk[-1][0]] for chunk in evidence_lines],
    }
    yield text(header)
    for group, by_name in zip(index.groups, buckets):
        routes = group.routes
        for numbers in by_name.values():
            for start in range(0, len(numbers), ROUTES_PER_PIECE):
                piece = numbers[start : start + ROUTES_PER_PIECE]
                yield b"\n" + text([[i, _route_json(routes[i])] for i in piece])
    for chunk in evidence_lines:
        yield b"\n" + text(
            [
                [module, name, evidence[module, name], mixed.get((module, name), False)]
                for module, name in chunk
            ]
        )


def save(path: str, index: RouteIndex) -> None:
    """Write the links of ``index`` (just linked) to ``path``, and remove the links of
    other facts of the same project seen from the same directory. The digest of the
    links' lines comes last, so damage that still reads as JSON is caught too."""
    folder, name = os.path.split(path)
    tmp_name = None
    try:
        tmp_name, body_digest = cache.write_digested(folder, _pieces(index))
        with open(tmp_name, "ab") as fh:
            fh.write(b"\n" + json.dumps(body_digest).encode())
        os.replace(tmp_name, path)
        tmp_name = None
    except (OSError, ValueError, TypeError, RecursionError):
        return
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    stem = name.rsplit("-", 1)[0] + "-"
    with contextlib.suppress(OSError):
        for other in os.listdir(folder):
            if other.startswith(stem) and other != name and other.endswith(".jsonl"):
                os.unlink(os.path.join(folder, other))


class _StoredLines:
    """The stored links' lines, each parsed when it is asked for (the whole table parsed
    at once took 0.2 s at 10,000 files, for an edited test module asking for a dozen of
    its 12,156 routes)."""

    def __init__(self, raw: bytes, end: int) -> None:
        self._raw = raw
        starts = [0]
        found = raw.find(b"\n", 0, end)
        while found >= 0:
            starts.append(found + 1)
            found = raw.find(b"\n", found + 1, end)
        self._starts = starts
        self._end = end

    def __len__(self) -> int:
        return len(self._starts)

    def value(self, line: int) -> Any:
        start = self._starts[line]
        end = self._starts[line + 1] - 1 if line + 1 < len(self._starts) else self._end
        return json.loads(self._raw[start:end].decode("utf-8", "surrogatepass"))


def _read(path: str) -> Optional[_StoredLines]:
    """The stored links' lines; None when the file is missing or its lines don't match
    the digest its last line holds."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        end = raw.rfind(b"\n")
        if end < 0 or json.loads(raw[end + 1 :]) != cache.bytes_name(memoryview(raw)[:end]):
            return None
    except (OSError, ValueError, RecursionError):
        return None
    return _StoredLines(raw, end)


# ------------------------------------------------------------------------ reading
def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"not a string: {value!r}")
    return value


def _text_or_none(value: Any) -> Optional[str]:
    return None if value is None else _text(value)


def _texts(value: Any) -> list[str]:
    if type(value) is not list:
        raise ValueError(f"not a list: {value!r}")
    return [_text(item) for item in value]


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"not a boolean: {value!r}")
    return value


def _sent_file(value: Any) -> SentFile:
    if type(value) is not list or len(value) != 4:
        raise ValueError(f"not a sent file: {value!r}")
    return SentFile(_text(value[0]), _text(value[1]), _flag(value[2]), _flag(value[3]))


class _Reader:
    """Turns the stored JSON back into routes, sharing equal sets as linking does."""

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], frozenset[str]] = {}

    def text_set(self, value: Any) -> Optional[frozenset[str]]:
        if value is None:
            return None
        found = frozenset(_texts(value))
        return self._sets.setdefault(found, found)

    def route(self, data: Any) -> LinkedRoute:
        if type(data) is not list or len(data) != 13:
            raise ValueError(f"not a route: {data!r}")
        rule, methods, endpoint, evidence, by_method, location, static = data[:7]
        redirects, also_answers, some, types, sent, when_missing = data[7:]
        method_evidence = None
        if by_method is not None:
            if type(by_method) is not list:
                raise ValueError(f"not a list: {by_method!r}")
            pairs = []
            for pair in by_method:
                if type(pair) is not list or len(pair) != 2:
                    raise ValueError(f"not a pair: {pair!r}")
                pairs.append((_text(pair[0]), _text_or_none(pair[1])))
            method_evidence = tuple(pairs)
        return LinkedRoute(
            rule=_text_or_none(rule),
            methods=self.text_set(methods),
            endpoint=_text(endpoint),
            evidence=_text_or_none(evidence),
            method_evidence=method_evidence,
            location=_text(location),
            static_dir=_text_or_none(static),
            redirects=tuple(_texts(redirects)),
            also_answers=_flag(also_answers),
            sometimes=_flag(some),
            mimetypes=self.text_set(types),
            sent=None if sent is None else _sent_file(sent),
            when_missing=_text_or_none(when_missing),
        )

    def numbered_route(self, data: Any, count: int) -> tuple[int, LinkedRoute]:
        if type(data) is not list or len(data) != 2:
            raise ValueError(f"not a numbered route: {data!r}")
        number = data[0]
        if type(number) is not int or not 0 <= number < count:
            raise ValueError(f"not a route's number: {number!r}")
        return number, self.route(data[1])


class _Relinking:
    """What links damaged beyond their digest are replaced with: the project linked again
    (once per process that reads a damaged value, so each of flake8's workers may; stored
    for the next run). Damage on disk fails the digest before this: only a file the plugin
    didn't write gets here."""

    def __init__(self, path: str, project: ProjectScan, send_functions: tuple[str, ...]) -> None:
        self._path = path
        self._project = project
        self._send_functions = send_functions
        self._index: Optional[RouteIndex] = None

    def index(self) -> RouteIndex:
        if self._index is None:
            cache.trace("linked-relink", self._project.root)
            project = self._project
            index = RouteIndex(project.root, project.modules().values(), self._send_functions)
            save(self._path, index)
            self._index = index
        return self._index

    def routes(self, key: str) -> list[LinkedRoute]:
        return next((g.routes for g in self.index().groups if g.key == key), [])


class StoredMemo(FunctionMemo):
    """The stored function evidence, read a module's lines at a time (sorted by module,
    the header naming each line's first and last), each value checked as it is read:
    one that isn't what the plugin writes means taking the memo of linking again."""

    def __init__(
        self, lines: _StoredLines, spans: list[tuple[str, str, int]], relinking: _Relinking
    ) -> None:
        super().__init__()
        self._lines = lines
        self._spans = spans
        self._relinking = relinking
        self._unread = {line for _, _, line in spans}
        self._loaded: set[str] = set()
        self._names: dict[str, str] = {}  # each module's name one string, not one per function

    def load(self, module: str) -> None:
        if module in self._loaded or not self._unread:
            return
        self._loaded.add(module)
        self._read(line for first, last, line in self._spans if first <= module <= last)

    def everything(self) -> tuple[EvidenceMemo, dict[tuple[str, str], bool]]:
        self._read(line for _, _, line in self._spans)
        return self.evidence, self.mixed

    def _read(self, lines: Iterable[int]) -> None:
        try:
            for line in lines:
                if line in self._unread:
                    self._read_line(line)
        except (ValueError, TypeError, RecursionError):
            self._unread.clear()
            self.evidence, self.mixed = self._relinking.index().evidence_memo()

    def _read_line(self, line: int) -> None:
        names, evidence, mixed = self._names, self.evidence, self.mixed
        for item in _list(self._lines.value(line)):
            if type(item) is not list or len(item) != 4:
                raise ValueError(f"not a function's evidence: {item!r}")
            module, qualname, found, is_mixed = item
            function = (names.setdefault(_text(module), module), _text(qualname))
            evidence[function] = _text_or_none(found)
            if _flag(is_mixed):
                mixed[function] = True
        self._unread.discard(line)


class StoredRoutes:
    """One group's stored routes, read a bucket (first path segment) at a time and each
    checked as it is read: a value that isn't what the plugin writes (the digest matched,
    so not damage on disk) means taking the routes from linking again."""

    def __init__(
        self,
        lines: _StoredLines,
        reader: _Reader,
        relinking: _Relinking,
        key: str,
        count: int,
        spans: dict[str, range],
    ) -> None:
        self._lines = lines
        self._reader = reader
        self._relinking = relinking
        self._key = key
        self._count = count
        self._spans = spans
        self._read: dict[str, list[tuple[int, LinkedRoute]]] = {}
        self._numbers: set[int] = set()
        self._relinked: Optional[tuple[list[LinkedRoute], dict[str, list[int]]]] = None

    def names(self) -> Collection[str]:
        return self._spans.keys()

    def bucket(self, name: str) -> NumberedRoutes:
        if self._relinked is None:
            try:
                return self._checked_bucket(name)
            except (ValueError, TypeError, RecursionError):
                self._relink()
        assert self._relinked is not None
        routes, numbers = self._relinked
        return [(i, routes[i]) for i in numbers.get(name, ())]

    def everything(self) -> list[LinkedRoute]:
        if self._relinked is None:
            try:
                slots: list[Optional[LinkedRoute]] = [None] * self._count
                for name in self._spans:
                    for i, route in self._checked_bucket(name):
                        slots[i] = route  # each number once: _checked_bucket sees to it
                routes = [route for route in slots if route is not None]
                if len(routes) == self._count:
                    return routes
            except (ValueError, TypeError, RecursionError):
                pass
            self._relink()
        assert self._relinked is not None
        return self._relinked[0]

    def _checked_bucket(self, name: str) -> list[tuple[int, LinkedRoute]]:
        found = self._read.get(name)
        if found is None:
            found = []
            for line in self._spans.get(name, range(0)):
                for data in _list(self._lines.value(line)):
                    numbered = self._reader.numbered_route(data, self._count)
                    if bucket_of(numbered[1].rule) != name:
                        raise ValueError(f"a route in the wrong bucket: {data!r}")
                    found.append(numbered)
            numbers = {number for number, _ in found}
            if len(numbers) != len(found) or not numbers.isdisjoint(self._numbers):
                raise ValueError(f"a route's number twice, in bucket {name!r}")
            self._numbers |= numbers
            self._read[name] = found
        return found

    def _relink(self) -> None:
        routes = self._relinking.routes(self._key)
        self._relinked = (routes, buckets_of(routes))


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise ValueError(f"not a list: {value!r}")
    return value


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def _stored_link(header: Any, lines: _StoredLines, relinking: _Relinking) -> StoredLink:
    """The links the header describes: each group's buckets of routes left on their
    lines, the function evidence read now."""
    reader = _Reader()
    groups: list[AppGroup] = []
    line = 1
    for data in _list(header["groups"]):
        local = data["local"]
        if local is not None and (type(local) is not list or len(local) != 2):
            raise ValueError(f"not a scope: {local!r}")
        errors: dict[int, str] = {}
        for code, found in data["errors"]:
            if type(code) is not int:
                raise ValueError(f"not a status code: {code!r}")
            errors[code] = _text(found)
        spans: dict[str, range] = {}
        for name, count in _list(data["buckets"]):
            spans[_text(name)] = range(line, line + _count(count))
            line += count
        key = _text(data["key"])
        routes = StoredRoutes(lines, reader, relinking, key, _count(data["count"]), spans)
        groups.append(
            AppGroup(
                key=key,
                label=_text(data["label"]),
                error_evidence=errors,
                local_scope=None if local is None else (_text(local[0]), _text(local[1])),
                stored=routes,
            )
        )
    by_module: list[tuple[str, str, int]] = []
    for first, last in _list(header["evidence"]):
        by_module.append((_text(first), _text(last), line + len(by_module)))
    if line + len(by_module) != len(lines):
        raise ValueError("not as many lines as the header counts")
    return StoredLink(
        paths=_texts(header["paths"]),
        groups=groups,
        memo=StoredMemo(lines, by_module, relinking),
        hook_owners=_texts(header["hook_owners"]),
        sent_attributes=frozenset(_texts(header["sent"])),
        blueprint_apps=_blueprint_apps(header["blueprint_apps"]),
    )


def _blueprint_apps(stored: Any) -> dict[str, list[str]]:
    """Blueprint -> app group keys, as ``(blueprint, [group, ...])`` pairs."""
    if type(stored) is not list:
        raise ValueError("blueprint registrations are not a list")
    found: dict[str, list[str]] = {}
    for item in stored:
        if type(item) is not list or len(item) != 2:
            raise ValueError(f"not a blueprint registration: {item!r}")
        found[_text(item[0])] = _texts(item[1])
    return found


def _static_folders(static: Any) -> list[tuple[str, Optional[list[str]]]]:
    if type(static) is not list:
        raise ValueError("static folders are not a list")
    found: list[tuple[str, Optional[list[str]]]] = []
    for item in static:
        if type(item) is not list or len(item) != 2:
            raise ValueError(f"not a static folder: {item!r}")
        found.append((_text(item[0]), None if item[1] is None else _texts(item[1])))
    return found


def _static_unchanged(static: list[tuple[str, Optional[list[str]]]]) -> bool:
    """Do the static folders hold files of the same types as when the links were made?"""
    for folder, types in static:
        listed = folder_mimetypes(folder)
        if (None if listed is None else sorted(listed)) != types:
            return False
    return True


def load(path: str, project: ProjectScan, send_functions: tuple[str, ...]) -> Optional[RouteIndex]:
    """The index of ``project`` with the links stored at ``path``; None when there are
    none, they don't fit the project as it is (a module without facts now, a static
    folder whose files changed), or the file is damaged."""
    lines = _read(path)
    if lines is None:
        return None
    try:
        header = lines.value(0)
        if header.get("schema") != SCHEMA:
            return None
        modules = header["modules"]
        if type(modules) is not dict:
            return None
        entries = project.entries
        for name, rel in modules.items():
            entry = entries.get(_text(rel))
            if type(name) is not str or entry is None or not entry.has_facts:
                return None
        static = _static_folders(header["static"])
        stored = _stored_link(header, lines, _Relinking(path, project, send_functions))
        if not all(owner in modules for owner in stored.hook_owners):
            return None
    except (AttributeError, KeyError, TypeError, ValueError, RecursionError):
        return None
    if not project.all_facts_at_hand() or not _static_unchanged(static):
        return None
    return RouteIndex(project.root, StoredModules(project, modules), send_functions, stored)
