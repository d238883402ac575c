"""What one module says about apps, blueprints, routes and file-serving functions.

Facts are plain JSON-able data (see ``to_json``/``from_json``), extracted from one ``ast``
tree, so that they can be cached per file and linked across the project by ``index``.
References between modules stay symbolic (``scope`` + dotted name) until linking.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Optional

SLOTS: dict[str, bool] = {"slots": True} if sys.version_info >= (3, 10) else {}
"""Facts of a big project number in the hundred thousands: no ``__dict__`` per object."""

UNKNOWN = "\x00?"
"""A value that exists but cannot be known statically (a url_prefix read from config...)."""
ANY_ERROR = 0
"""The status code of an error handler registered for ``Exception``: it answers every
error Flask hands to a handler."""
HTTP_ERROR = -1
"""The status code of one registered for ``HTTPException``: every error status, before an
``Exception`` handler (Flask follows the exception's class hierarchy)."""
RAISES = 1
"""``FunctionFact.aborts`` of a view that raises an exception that is not an HTTP error."""
UNKNOWN_STATUS = 2
"""``FunctionFact.aborts`` of one that aborts with a status the index can't read."""


_NO_DEFAULT: Any = object()
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}
"""A kind of fact -> its fields' names and defaults (``_NO_DEFAULT`` for none)."""
_LEAVES = frozenset({str, int, bool, type(None)})


def _fields_of(kind: type) -> tuple[tuple[str, Any], ...]:
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(
            (
                f.name,
                f.default
                if f.default is not MISSING
                else f.default_factory()
                if f.default_factory is not MISSING
                else _NO_DEFAULT,
            )
            for f in fields(kind)
        )
    return found


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` for facts (whose leaves are str, int, bool, None), at a
    fraction of its cost: it deep-copies every leaf. Leaves are taken as they are, not
    passed to a call each (most of a fact's fields are leaves). Less to write, read and
    digest: a field holding None or its default is left out (most of a module's
    functions return no file, redirect nowhere and abort never: their facts were four
    fifths defaults), and ``from_json`` puts it back; a ``Ref`` is a ``[scope, name]``
    pair."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is Ref:
        return [value.scope, value.name]
    if kind is list or kind is tuple:
        return [item if type(item) in _LEAVES else _plain(item) for item in value]
    if kind is dict:
        return {key: item if type(item) in _LEAVES else _plain(item) for key, item in value.items()}
    plain = {}
    for name, default in _fields_of(kind):
        item = getattr(value, name)
        if item is None or item is default or (item == default and type(item) is type(default)):
            continue
        plain[name] = item if type(item) in _LEAVES else _plain(item)
    return plain


FILENAME_MARK = "\x00"
"""Separates an endpoint from its ``filename`` in a redirect target: ``@static\x00a.css``
(no endpoint name holds a NUL)."""


def redirect_fact(code: Optional[int], target: str) -> str:
    """A view's ``redirect(target, code)`` as the facts keep it: ``"307 /path"``, or
    ``"? /path"`` when the status code can't be known."""
    return f"{'?' if code is None else code} {target}"


def redirect_parts(fact: str) -> tuple[Optional[int], str]:
    """The status code (None when unknown) and the target of a ``redirect_fact``."""
    code, _, target = fact.partition(" ")
    return (int(code) if code.isascii() and code.isdigit() else None), target


@dataclass(**SLOTS)
class Ref:
    """A name as written in ``scope`` (a function qualname, "" for module level)."""

    scope: str
    name: str


@dataclass(**SLOTS)
class ObjectFact:
    """An app or a blueprint the module makes (``Flask(__name__)``, ``Blueprint(...)``)."""

    kind: str  # "app" | "blueprint"
    scope: str
    var: str
    line: int
    bp_name: Optional[str] = None
    url_prefix: Optional[str] = None
    static_folder: Optional[str] = None
    """Folder as written; None = no static route; UNKNOWN = an expression."""
    static_basename: Optional[str] = None
    static_url_path: Optional[str] = None
    module_root: bool = False
    """An app whose root path is its module's folder (``Flask(__name__)``, or the module's
    own name, without ``root_path=``): where Flask's send calls look for files."""
    subdomain: bool = False
    """A blueprint made for a subdomain (``Blueprint(..., subdomain="cdn")``): a request
    for a path alone never reaches its routes."""


@dataclass(**SLOTS)
class RouteFact:
    """A route added to an app or a blueprint (a decorator, ``add_url_rule``) and its view."""

    target: Ref
    rule: Optional[str]
    """None when the rule is not a literal we can read."""
    methods: Optional[list[str]]
    endpoint: Optional[str]
    view: Ref
    view_is_class: bool
    line: int


@dataclass(**SLOTS)
class RegistrationFact:
    """``parent.register_blueprint(child, url_prefix=..., name=...)``."""

    parent: Ref
    child: Ref
    url_prefix: Optional[str]
    name: Optional[str]
    line: int


@dataclass(**SLOTS)
class ErrorHandlerFact:
    """An error handler registered for a status code (or an exception class)."""

    target: Ref
    code: Optional[int]
    """The status code whose errors it answers (``ANY_ERROR``: all); None when unknown."""
    view: Ref
    app_wide: bool
    line: int
    by_class: bool = False
    """Registered for an exception class (``NotFound``), not a status code."""


@dataclass(frozen=True, **SLOTS)
class SentFile:
    """The one file ``return send_from_directory(folder, name)`` or ``return
    send_file(path)`` sends, when the call names it. Flask looks for it below the app's
    ``root_path``; a missing one answers 404 (``send_file``: an error) and opens nothing."""

    folder: str
    """As written in the facts (relative to the app's root path); on disk once linked."""
    name: str
    """The file's path below ``folder``, or the view's parameter that holds it."""
    from_url: bool = False
    """``name`` is the view's parameter, which Flask fills from the URL variable."""
    missing_raises: bool = False
    """``send_file``: a missing file is a ``FileNotFoundError`` (``send_from_directory``'s
    is a 404, ``NotFound``)."""


@dataclass(**SLOTS)
class Evidence:
    """Why a function serves a file (``send_file``...), and on which line."""

    what: str
    line: int
    mimetype: Optional[str] = None
    sent: Optional[SentFile] = None


@dataclass(**SLOTS)
class HookFact:
    """``@app.after_request`` above ``func``, or ``app.after_request(func)``."""

    kind: str
    target: Ref
    func: Ref
    line: int


@dataclass(**SLOTS)
class FunctionFact:
    """What a function answers with, as far as files go: the files it serves itself, the
    helpers it hands its answer to, its redirects, its other answers and its aborts."""

    qualname: str
    line: int
    # tuples: most functions have none of these, and every empty tuple is the same one
    direct: tuple[Evidence, ...] = ()
    """File responses this function returns itself."""
    helpers: tuple[Ref, ...] = ()
    """Project callables whose result this function returns (followed when linking)."""
    is_generator: bool = False
    redirects: tuple[str, ...] = ()
    """Where ``return redirect(...)`` sends the client (``redirect_fact``: the status code,
    then a path or URL, or ``@endpoint`` with ``FILENAME_MARK`` and the ``filename`` given
    to ``url_for`` when there is one)."""
    plain_returns: int = 0
    """Returns of an ordinary response (a page, JSON): a view that also returns a file
    serves one only on some paths, and which one a test takes can't be known."""
    error_files: tuple[Evidence, ...] = ()
    """File responses returned with an error status (``send_file("404.html"), 404``): an
    error handler's page. Not the view's successful answer."""
    plain_errors: int = 0
    """Returns of an ordinary response with an error status (``jsonify(...), 404``): an
    error handler that also returns a file serves it only sometimes."""
    aborts: Optional[int] = None
    """The status of the error every call ends in before it can return (``abort(404)``,
    ``raise Forbidden()`` first in its body; ``UNKNOWN_STATUS`` when the code can't be
    read, ``RAISES`` for another exception): the app's error handler for it answers."""


@dataclass(**SLOTS)
class ClassFact:
    """A class of the module: its bases and methods (class-based views)."""

    qualname: str
    bases: list[Ref]
    methods: list[str]
    line: int


@dataclass(**SLOTS)
class ModuleFacts:
    """What one module says about apps, blueprints, routes and file-serving functions."""

    module: str
    path: str
    is_package: bool
    aliases: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    objects: list[ObjectFact] = field(default_factory=list)
    routes: list[RouteFact] = field(default_factory=list)
    registrations: list[RegistrationFact] = field(default_factory=list)
    error_handlers: list[ErrorHandlerFact] = field(default_factory=list)
    functions: dict[str, FunctionFact] = field(default_factory=dict)
    classes: dict[str, ClassFact] = field(default_factory=dict)
    hooks: list[HookFact] = field(default_factory=list)
    bindings: list[tuple[Ref, str]] = field(default_factory=list)
    """``target = source`` between dotted names (``self.app = app``): ways to reach an app
    object under another name."""
    sent_attributes: list[str] = field(default_factory=list)
    """Attribute chains handed to send calls as the file (``flask.g.report_file``): a
    teardown hook that closes one breaks the response (runtime-behavior p18b)."""
    foreign: list[Ref] = field(default_factory=list)
    """Names bound to another framework's app or router (Quart, FastAPI...): their
    routes are not Flask routes."""
    gates: list[HookFact] = field(default_factory=list)
    """``before_request`` functions that always answer with a page, registered where the
    app or blueprint is made: the views they guard never run."""
    url_value_preprocessors: int = 0
    """``url_value_preprocessor`` hooks registered here: they may change the values of a
    URL's variables before the view gets them."""
    x_sendfile: int = 0
    """Places that may turn Flask's ``USE_X_SENDFILE`` on (``app.config["USE_X_SENDFILE"]
    = True``, a config class's ``USE_X_SENDFILE = True``...): then a send call given a
    path opens no file, the web server sends it."""

    def to_json(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self)
        return plain

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleFacts:
        # json.loads makes a new string for every value; a big project's facts repeat the
        # same few thousand names ("bp", "GET", "flask.send_file"...) a hundred thousand
        # times: shared, they take a tenth of the memory
        text = sys.intern

        def ref(pair: list[str]) -> Ref:
            return Ref(text(pair[0]), text(pair[1]))

        def texts(items: Iterable[str]) -> list[str]:
            return [text(item) for item in items]

        def hook(d: dict[str, Any]) -> HookFact:
            return HookFact(text(d["kind"]), ref(d["target"]), ref(d["func"]), d["line"])

        def opt(value: Optional[str]) -> Optional[str]:
            return None if value is None else text(value)

        def sent(d: Optional[dict[str, Any]]) -> Optional[SentFile]:
            if d is None:
                return None
            return SentFile(
                text(d["folder"]),
                d["name"],
                d.get("from_url", False),
                d.get("missing_raises", False),
            )

        def evidence(items: Iterable[dict[str, Any]]) -> tuple[Evidence, ...]:
            return tuple(
                Evidence(text(e["what"]), e["line"], opt(e.get("mimetype")), sent(e.get("sent")))
                for e in items
            )

        return cls(
            module=text(data["module"]),
            path=data["path"],
            is_package=data["is_package"],
            aliases={text(k): text(v) for k, v in data.get("aliases", {}).items()},
            constants={text(k): v for k, v in data.get("constants", {}).items()},
            objects=[
                ObjectFact(
                    text(o["kind"]),
                    text(o["scope"]),
                    text(o["var"]),
                    o["line"],
                    opt(o.get("bp_name")),
                    opt(o.get("url_prefix")),
                    opt(o.get("static_folder")),
                    opt(o.get("static_basename")),
                    opt(o.get("static_url_path")),
                    o.get("module_root", False),
                    o.get("subdomain", False),
                )
                for o in data.get("objects", ())
            ],
            routes=[
                RouteFact(
                    ref(r["target"]),
                    opt(r.get("rule")),
                    None if r.get("methods") is None else texts(r["methods"]),
                    opt(r.get("endpoint")),
                    ref(r["view"]),
                    r["view_is_class"],
                    r["line"],
                )
                for r in data.get("routes", ())
            ],
            registrations=[
                RegistrationFact(
                    ref(r["parent"]),
                    ref(r["child"]),
                    opt(r.get("url_prefix")),
                    opt(r.get("name")),
                    r["line"],
                )
                for r in data.get("registrations", ())
            ],
            error_handlers=[
                ErrorHandlerFact(
                    ref(e["target"]),
                    e.get("code"),
                    ref(e["view"]),
                    e["app_wide"],
                    e["line"],
                    e.get("by_class", False),
                )
                for e in data.get("error_handlers", ())
            ],
            functions={
                text(k): FunctionFact(
                    text(f["qualname"]),
                    f["line"],
                    evidence(f.get("direct", ())),
                    tuple(ref(h) for h in f.get("helpers", ())),
                    f.get("is_generator", False),
                    tuple(text(r) for r in f.get("redirects", ())),
                    f.get("plain_returns", 0),
                    evidence(f.get("error_files", ())),
                    f.get("plain_errors", 0),
                    f.get("aborts"),
                )
                for k, f in data.get("functions", {}).items()
            },
            classes={
                text(k): ClassFact(
                    text(c["qualname"]),
                    [ref(b) for b in c["bases"]],
                    texts(c["methods"]),
                    c["line"],
                )
                for k, c in data.get("classes", {}).items()
            },
            foreign=[ref(f) for f in data.get("foreign", ())],
            sent_attributes=texts(data.get("sent_attributes", ())),
            bindings=[(ref(t), text(s)) for t, s in data.get("bindings", ())],
            url_value_preprocessors=data.get("url_value_preprocessors", 0),
            x_sendfile=data.get("x_sendfile", 0),
            hooks=[hook(h) for h in data.get("hooks", ())],
            gates=[hook(h) for h in data.get("gates", ())],
        )
