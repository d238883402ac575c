"""URL matching with Werkzeug's own router, so a test URL picks the rule Flask would.

Werkzeug is imported on first use: most flake8 runs check files that never need it.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Optional, Protocol

if TYPE_CHECKING:
    from werkzeug.routing import MapAdapter

    from flake8_flask_close.routes.index import LinkedRoute

_CONVERTER = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^>]*\))?:)?[a-zA-Z_][a-zA-Z0-9_]*>")


@dataclass(frozen=True)
class Match:
    route: Optional[LinkedRoute]
    """The matched route; None for a redirect (strict slashes) we don't follow."""
    arguments: dict[str, Any]
    redirect_to: Optional[str] = None


@functools.cache
def _router_types() -> tuple[type, type]:
    """(a Rule that only matches, a converter for unknown converter names)."""
    from werkzeug.routing import BaseConverter, Map, Rule

    class MatchingRule(Rule):
        """A rule we only match against: compiling its URL builder (Werkzeug does it for
        every rule) is most of the cost of a big map, and we never build URLs."""

        def _compile_builder(self, append_unknown: bool = True) -> Any:
            def never_built(*args: Any, **kwargs: Any) -> tuple[str, str]:
                raise NotImplementedError("flake8-flask-close matches URLs, never builds them")

            return never_built

    class PermissiveConverter(BaseConverter):
        """Stands in for a project's custom converter: any one path segment."""

        def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
            super().__init__(url_map)

    return MatchingRule, PermissiveConverter


def load_werkzeug() -> None:
    """Import Werkzeug's router ahead of its first use."""
    _router_types()


ANY_FIRST = "\x00any"
"""The bucket of rules whose first path segment isn't literal (``/<name>``): they may
match a path whatever its first segment."""

NEVER_MATCHED = "\x00never"
"""The bucket of routes no path reaches: no rule, or one not starting with a slash."""


def _first_segment(path: str) -> str:
    """``/static/app.css`` -> ``static``; ``/`` -> ``""`` (Werkzeug merges repeated
    slashes, so ``//static/x`` starts with ``static`` too)."""
    return path.lstrip("/").split("/", 1)[0]


NO_SECOND = "\x00none"
"""The second segment of ``/files``: there is none (``/files/`` has ``""``)."""

ANY_SECOND = "\x00any"
"""The second segment of a rule when it isn't literal (``/files/<name>``)."""

_REPEATED_SLASHES = re.compile("/{2,}")


def _second_segment(text: str) -> str:
    """The second path segment of a path or a rule, once Werkzeug has merged repeated
    slashes: ``/files/a/b.txt`` -> ``a``, ``/files/`` -> ``""``, ``/files`` ->
    ``NO_SECOND``; ``ANY_SECOND`` for a rule's variable one."""
    parts = _REPEATED_SLASHES.sub("/", text).lstrip("/").split("/", 2)
    if len(parts) < 2:
        return NO_SECOND
    return ANY_SECOND if "<" in parts[1] else parts[1]


def bucket_of(rule: Optional[str]) -> str:
    """The bucket a route's rule goes in: its first path segment when that is literal."""
    if rule is None or not rule.startswith("/"):
        return NEVER_MATCHED
    first = _first_segment(rule)
    return ANY_FIRST if "<" in first else first


def buckets_of(routes: Sequence[LinkedRoute]) -> dict[str, list[int]]:
    """Bucket -> the indexes of its routes in ``routes``, in order."""
    found: dict[str, list[int]] = {}
    for i, route in enumerate(routes):
        found.setdefault(bucket_of(route.rule), []).append(i)
    return found


NumberedRoutes = Sequence[tuple[int, "LinkedRoute"]]
"""Routes with their places in their app's table (the order Werkzeug is given them in)."""


class RouteBuckets(Protocol):
    """An app's routes by bucket: in memory, or read a bucket at a time from the stored
    links (``routes.linked``)."""

    def names(self) -> Collection[str]: ...

    def bucket(self, name: str) -> NumberedRoutes: ...


class ListedBuckets:
    """The buckets of routes held in a list."""

    def __init__(self, routes: Sequence[LinkedRoute]) -> None:
        self._routes = routes
        self._indexes = buckets_of(routes)

    def names(self) -> Collection[str]:
        return self._indexes.keys()

    def bucket(self, name: str) -> NumberedRoutes:
        return [(i, self._routes[i]) for i in self._indexes.get(name, ())]


MAX_ROUTERS = 8
"""Routers kept per app, the most recently used: Werkzeug's compiled rules are big."""

SPLIT_MIN_ROUTES = 8
"""A bucket of at least this many routes gets a router per second segment."""

MAX_MATCHES = 1024
"""Answers remembered per app before they are forgotten all at once (and as many
routers' rules serving a file, for ``may_serve_file``)."""


class RouteMap:
    """The routes of one app, matched with Werkzeug's router. A rule whose first path
    segment is literal can only match paths starting with that segment, so the router is
    built per first segment, on first need, from those rules and the rules whose first
    segment is a variable: the same answers as one router of every rule, without
    compiling the thousands a big project has for the few buckets its tests ask for (nor,
    with stored links, reading them). A big bucket is split the same way by the second
    segment (``/api/users/...``, ``/api/orders/...``): a test module asks for a few of
    an app's blueprints, and each of flake8's workers compiles only what its own files
    ask for."""

    def __init__(
        self, routes: Sequence[LinkedRoute] = (), buckets: Optional[RouteBuckets] = None
    ) -> None:
        self._buckets = ListedBuckets(routes) if buckets is None else buckets
        self._names = frozenset(self._buckets.names()) - {NEVER_MATCHED}
        self._adapters: OrderedDict[
            tuple[str, str], tuple[Optional[MapAdapter], dict[int, LinkedRoute]]
        ]
        self._adapters = OrderedDict()
        self._by_second: dict[str, Optional[dict[str, list[tuple[int, LinkedRoute]]]]] = {}
        self._matches: dict[tuple[str, str], Optional[Match]] = {}
        self._serving: dict[tuple[str, str], list[tuple[Optional[Shape], LinkedRoute]]] = {}
        """Per router, the rules serving a file, with their shapes."""

    def _router_key(self, path: str) -> tuple[str, str]:
        """(bucket, second segment or ""): the router ``path`` is matched with."""
        first = _first_segment(path)
        bucket = first if first in self._names else ANY_FIRST
        split = self._split(bucket)
        return bucket, _second_segment(path) if split is not None else ""

    def _chosen(self, key: tuple[str, str]) -> list[tuple[int, LinkedRoute]]:
        """The routes of the router ``key`` names, in the app's order."""
        bucket, second = key
        split = self._split(bucket)
        if split is not None:
            # the rules a path with another literal second segment can't match are left
            # out; the others (no second segment, an empty or a variable one) stay in
            kept = dict.fromkeys((second, NO_SECOND, "", ANY_SECOND))  # each once
            chosen = [numbered for segment in kept for numbered in split.get(segment, ())]
        else:
            chosen = list(self._buckets.bucket(bucket)) if bucket != ANY_FIRST else []
        if ANY_FIRST in self._names:
            chosen += self._buckets.bucket(ANY_FIRST)
        chosen.sort(key=lambda numbered: numbered[0])
        return chosen

    def may_serve_file(self, path: str, method: str) -> bool:
        """Whether ``method path`` may reach a route serving a file, without matching it:
        False when no rule of its router that serves a file for ``method`` has the path's
        shape (``_may_match``), whichever rule Werkzeug picks, or a redirect, or none."""
        key = self._router_key(path)
        serving = self._serving.get(key)
        if serving is None:
            if len(self._serving) >= MAX_MATCHES:
                self._serving.clear()  # a split bucket has a key per second segment asked
            serving = self._serving[key] = [
                (_shape(route.rule), route)
                for _, route in self._chosen(key)
                if route.serves_file and route.rule is not None
            ]
        if not serving:
            return False
        parts = path.split("/")[1:]
        return any(
            _may_match(shape, parts) and route.allows(method) and route.evidence_for(method)
            for shape, route in serving
        )

    def _adapter(self, path: str) -> tuple[Optional[MapAdapter], dict[int, LinkedRoute]]:
        key = self._router_key(path)
        adapters = self._adapters
        if key in adapters:
            adapters.move_to_end(key)
            return adapters[key]
        chosen = self._chosen(key)
        found = adapters[key] = (_router(chosen), dict(chosen))
        if len(adapters) > MAX_ROUTERS:
            # A worker checks a big project's test folders one after the other: keeping
            # every router it ever built grew it by tens of MiB.
            adapters.popitem(last=False)
        return found

    def _split(self, bucket: str) -> Optional[dict[str, list[tuple[int, LinkedRoute]]]]:
        """A big literal bucket's routes by their second segment; None for a small one,
        or one where over a quarter of them would go in every router anyway (those
        without a literal second segment)."""
        if bucket == ANY_FIRST:
            return None
        if bucket not in self._by_second:
            numbered = self._buckets.bucket(bucket)
            by_second: dict[str, list[tuple[int, LinkedRoute]]] = {}
            for item in numbered:
                rule = item[1].rule
                assert rule is not None
                by_second.setdefault(_second_segment(rule), []).append(item)
            shared = sum(len(by_second.get(k, ())) for k in (NO_SECOND, "", ANY_SECOND))
            big = len(numbered) >= SPLIT_MIN_ROUTES and 4 * shared <= len(numbered)
            self._by_second[bucket] = by_second if big else None
        return self._by_second[bucket]

    def match(self, path: str, method: str) -> Optional[Match]:
        """The route ``method path`` reaches (answers remembered: test modules ask for
        the same few paths again and again)."""
        key = (path, method)
        if key in self._matches:
            found = self._matches[key]
        else:
            if len(self._matches) >= MAX_MATCHES:
                self._matches.clear()
            found = self._matches[key] = self._match(path, method)
        # each caller gets arguments of its own: a remembered answer is never changed
        return replace(found, arguments=dict(found.arguments)) if found is not None else None

    def _match(self, path: str, method: str) -> Optional[Match]:
        from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
        from werkzeug.routing import RequestRedirect

        adapter, numbered = self._adapter(path)
        if adapter is None:
            return None
        try:
            endpoint, args = adapter.match(path, method=method)
        except RequestRedirect as redirect:
            return Match(None, {}, redirect_to=redirect.new_url)
        except (NotFound, MethodNotAllowed):
            return None
        except (HTTPException, ValueError, LookupError, TypeError):
            return None
        return Match(numbered[int(endpoint)], dict(args))


WILD = "\x00"
"""A rule's path segment holding a converter of one segment (``<int:id>``, ``<name>.txt``)."""

Shape = tuple[str, ...]
"""A rule's path segments, literal or ``WILD``, up to a ``path`` converter's (``REST``)."""

REST = "\x01"
"""A segment where a converter matching slashes starts: any path from there on."""


@functools.lru_cache(maxsize=4096)
def _shape(rule: str) -> Optional[Shape]:
    """The segments of ``rule`` as its router matches them (Werkzeug compares a literal
    segment with the path's whole segment); None when the rule isn't plain: a repeated
    slash, a ``<`` or ``>`` that is no converter's."""
    if "//" in rule:
        return None
    found: list[str] = []
    cut = 0
    for converter in _CONVERTER.finditer(rule):
        found.append(rule[cut : converter.start()])
        found.append(REST if converter.group(1) == "path" else WILD)
        cut = converter.end()
    found.append(rule[cut:])
    text = "".join(found)
    if "<" in text or ">" in text:
        return None
    segments = []
    for segment in text[1:].split("/"):
        if REST in segment:
            segments.append(REST)
            break
        segments.append(WILD if WILD in segment else segment)
    return tuple(segments)


def _may_match(shape: Optional[Shape], parts: list[str]) -> bool:
    """Whether a rule of this shape may match a path of these segments (``/a/b`` has
    ``a`` and ``b``); a path of more or fewer segments gets a redirect or a 404."""
    if shape is None or "" in parts[:-1]:
        return True  # a repeated slash: Werkzeug merges them, or redirects
    for i, segment in enumerate(shape):
        if segment == REST:
            return True
        if i >= len(parts) or (segment != WILD and segment != parts[i]):
            return False
    return len(parts) == len(shape)


def _router(numbered: NumberedRoutes) -> Optional[MapAdapter]:
    """A Werkzeug router of the routes, in order (endpoints are their numbers); None when
    even an empty one can't be built."""
    from werkzeug.routing import Map

    matching_rule, permissive = _router_types()
    converters: dict[str, type] = {}
    rules: list[Any] = []
    for i, route in numbered:
        assert route.rule is not None
        for conv in _CONVERTER.findall(route.rule):
            if conv and conv not in Map.default_converters:
                converters[conv] = permissive
        methods = sorted(route.methods) if route.methods else ["GET"]
        try:
            rules.append(matching_rule(route.rule, endpoint=str(i), methods=methods))
        except (ValueError, TypeError, LookupError, AssertionError):
            continue
    try:
        url_map = Map(converters=converters)
        for rule in rules:
            try:
                url_map.add(rule)
            except (ValueError, TypeError, LookupError, AssertionError):
                continue  # malformed rule syntax: Flask would refuse it too
        adapter: MapAdapter = url_map.bind("localhost", "/")
        return adapter
    except Exception:  # a router we can't build matches nothing
        return None
