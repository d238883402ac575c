"""Static evaluation of the URL a test requests: literals, f-strings, concatenation,
``%``/``format``, local and module constants, ``parametrize`` values and ``url_for``."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional, Union
from urllib.parse import unquote, urlsplit

from flake8_flask_close.names import qualify

Part = Optional[str]
"""A known piece of text, or None for a piece that can't be known."""
Template = tuple[Part, ...]

MAX_VALUES = 32
"""A URL with more possible values than this is judged on the first ones."""
PLACEHOLDERS = ("x", "1")
"""Unknown pieces are tried as a word and as a number; the router decides what matches."""


@dataclass(frozen=True)
class Endpoint:
    """``url_for(name, filename=...)``: the route is known by name, not by URL."""

    name: str
    filename: Optional[str] = None


UrlValue = Union[Template, Endpoint]


@dataclass
class UrlScope:
    """What the names of a URL expression may hold where the request is made."""

    aliases: Mapping[str, str]
    constants: Mapping[str, str]
    """Module-level string constants visible to the test."""
    locals: Mapping[str, list[ast.expr]] = field(default_factory=dict)
    params: Mapping[str, list[ast.expr]] = field(default_factory=dict)
    """``pytest.mark.parametrize`` values per argument name."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """``self.X`` / ``cls.X`` string constants of the enclosing class."""
    bound: Mapping[str, list[UrlValue]] = field(default_factory=dict)
    """Parameters of a helper, bound to what its caller passed."""
    memo: dict[tuple[str, int], list[UrlValue]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Values of a name at a depth, computed once: ``u = u`` chains (and parametrize rows
    naming their own argument) would otherwise expand each assignment again at every
    level, exponentially."""


def evaluate(node: Optional[ast.expr], scope: UrlScope, depth: int = 0) -> list[UrlValue]:
    """Every value the URL expression may have; [] when nothing can be said."""
    if node is None or depth > 6:
        return []
    if isinstance(node, ast.Constant):
        return [(node.value,)] if isinstance(node.value, str) else []
    if isinstance(node, ast.Name):
        key = (node.id, depth)
        if key not in scope.memo:
            scope.memo[key] = _name_values(node.id, scope, depth)
        return list(scope.memo[key])
    if isinstance(node, ast.Attribute):
        is_own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if is_own and node.attr in scope.attributes:
            return [(scope.attributes[node.attr],)]
        return [(None,)]
    if isinstance(node, ast.JoinedStr):
        return _concat_all(
            [
                [(v.value,)]
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                else _pieces(v.value if isinstance(v, ast.FormattedValue) else None, scope, depth)
                for v in node.values
            ]
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat_all(
            [evaluate(node.left, scope, depth + 1), evaluate(node.right, scope, depth + 1)]
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return [
            _format_unknown(t, "%")
            for t in evaluate(node.left, scope, depth + 1)
            if not isinstance(t, Endpoint)
        ]
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return [
                _format_unknown(t, "{")
                for t in evaluate(func.value, scope, depth + 1)
                if not isinstance(t, Endpoint)
            ]
        q = qualify(func, scope.aliases)
        if q in ("flask.url_for", "url_for", "flask.helpers.url_for") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                filename = None
                for kw in node.keywords:
                    if kw.arg == "filename" and isinstance(kw.value, ast.Constant):
                        filename = kw.value.value if isinstance(kw.value.value, str) else None
                return [Endpoint(first.value, filename)]
        return [(None,)]
    return [(None,)]


def _name_values(name: str, scope: UrlScope, depth: int) -> list[UrlValue]:
    if name in scope.bound:
        return list(scope.bound[name])
    if name in scope.params:
        found = [v for p in scope.params[name] for v in evaluate(p, scope, depth + 1)]
        return found[:MAX_VALUES]
    if name in scope.locals:
        if len(scope.locals[name]) > MAX_VALUES:
            return [(None,)]
        found = [v for p in scope.locals[name] for v in evaluate(p, scope, depth + 1)]
        return found[:MAX_VALUES]
    if name in scope.constants:
        return [(scope.constants[name],)]
    return [(None,)]


def _pieces(node: Optional[ast.expr], scope: UrlScope, depth: int) -> list[UrlValue]:
    values = evaluate(node, scope, depth + 1)
    return [v for v in values if not isinstance(v, Endpoint)] or [(None,)]


def _concat_all(parts: list[list[UrlValue]]) -> list[UrlValue]:
    results: list[Template] = [()]
    for options in parts:
        templates = [o for o in options if not isinstance(o, Endpoint)]
        if not templates:
            templates = [(None,)]
        results = [r + t for r in results for t in templates][:32]
    return list(results)


def _format_unknown(template: Template, marker: str) -> Template:
    """``"/f/%s" % x`` -> ("/f/", None): every placeholder becomes unknown."""
    out: list[Part] = []
    for part in template:
        if part is None or marker not in part:
            out.append(part)
            continue
        pieces = part.split(marker)
        out.append(pieces[0])
        for piece in pieces[1:]:
            out.append(None)
            # drop the rest of the specifier ("s}", "d", ...) up to the next literal
            out.append(piece[piece.find("}") + 1 :] if marker == "{" else piece[1:])
    return tuple(out)


def concrete_paths(template: Template) -> list[str]:
    """The request paths to try for a template; [] when it can't be a local path."""
    paths: list[str] = []
    start = next((part for part in template if part != ""), None)
    if start is None:
        return paths  # "{base}/x", "%s/x" % base: the unknown start may be a host
    for filler in PLACEHOLDERS:
        text = _routed_path("".join(filler if p is None else p for p in template))
        if not text:
            continue  # the client raises, or answers "" with a redirect to "/"
        text = _router_path(text)
        if text not in paths:
            paths.append(text)
    return paths


_HOST_AFTER_SLASH = frozenset({"/", "\\", "\t", "\r", "\n"})
"""What may follow a URL's first slash and still give it a host: a second slash, or
what ``urlsplit`` drops (tabs and line breaks) or may read as one."""


def for_another_host(value: UrlValue) -> bool:
    """Does the URL name a host other than the test client's own (``"http://cdn.example.
    test/f/a.txt"``, ``"//files/a.txt"``, a host it can't know)? With subdomain or host
    matching on, a route made for that host may answer it, which the index doesn't
    place."""
    if isinstance(value, Endpoint):
        return False
    url = "".join("\x00" if p is None else p for p in value)
    if url[:1] == "/" and url[1:2] not in _HOST_AFTER_SLASH:
        return False  # a path (most test URLs): splitting it would find no host
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and host != "localhost"


_SPLIT_AT = ("?", "#", "\t", "\r", "\n")
"""What ``urlsplit`` cuts a path at (a query, a fragment) or drops from it."""


def _routed_path(url: str) -> Optional[str]:
    """The path the test client routes ``url`` on; None when it raises before any request.

    Flask's ``EnvironBuilder`` splits the URL and keeps its path, the network location
    naming only the host: ``"http://x/f/a.txt"`` and ``"//x/f/a.txt"`` are both routed on
    ``"/f/a.txt"`` whatever the host (Flask 3.1 even with another ``SERVER_NAME``, unless
    subdomain or host matching is on; older Flask when no ``SERVER_NAME`` is set). Werkzeug's
    builder then splits that path once more, so ``"//x//f/a.txt"`` is routed on
    ``"/a.txt"``. Query and fragment are dropped. An empty path (``"//localhost"``) is
    answered with a redirect to ``"/"``, not routed: it stays empty.
    """
    if url[:1] == "/" and url[1:2] != "/" and not any(c in url for c in _SPLIT_AT):
        return url  # a plain path (most test URLs): splitting would give it back
    try:
        first = urlsplit(url)
        _ = first.port  # the client raises on a port out of range
        return urlsplit(first.path).path
    except ValueError:  # "http://[::1/f" too
        return None


def redirect_path(location: str) -> Optional[str]:
    """The path the test client requests when it follows a redirect to ``location``
    (``Client.resolve_redirect``): the location's path, decoded as ``PATH_INFO`` is;
    None for another host (the client raises instead of following)."""
    try:
        parts = urlsplit(location)
        host = parts.hostname
    except ValueError:
        return None
    if host not in (None, "localhost") or not parts.path:
        return None  # a redirect to "" is answered with yet another redirect: left alone
    return _router_path(parts.path)


def _router_path(path: str) -> str:
    """The path Werkzeug's router matches for a requested ``path``: decoded, as the test
    client sets ``PATH_INFO`` (``/static/a%2Ecss`` is ``/static/a.css``), from one leading
    slash (``static/a.css`` and ``//static/a.css`` are ``/static/a.css`` too)."""
    return "/" + unquote(path).lstrip("/")


FOLLOWED_CODES = frozenset({301, 302, 303, 305, 307, 308})
"""The redirects the test client follows (``Client.open``); any other answer is final."""


def method_after_redirect(code: Optional[int], method: str) -> Optional[str]:
    """The method the test client follows a ``code`` redirect of a ``method`` request with
    (``Client.resolve_redirect``): 307 and 308 keep it, the others make it a GET but for a
    HEAD. None when the client doesn't follow it, or when the code isn't known and the
    method is one the code decides."""
    if code is None:
        return method if method in ("GET", "HEAD") else None
    if code not in FOLLOWED_CODES:
        return None
    if code in (307, 308) or method == "HEAD":
        return method
    return "GET"


def known_start(template: Template) -> Optional[str]:
    """The URL's text before its first unknown piece; None when it is fully known."""
    if None not in template:
        return None
    return "".join(p for p in template[: template.index(None)] if p is not None)
