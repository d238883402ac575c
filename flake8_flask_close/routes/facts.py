"""What one module says about apps, blueprints, routes and file-serving functions.

Facts are plain JSON-able data (see ``to_json``/``from_json``), extracted from one ``ast``
tree, so that they can be cached per file and linked across the project by ``index``.
References between modules stay symbolic (``scope`` + dotted name) until linking.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
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


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_LEAVES = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` for facts (whose leaves are str, int, bool, None), at a
    fraction of its cost: it deep-copies every leaf. Leaves are taken as they are, not
    passed to a call each (most of a fact's fields are leaves)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _LEAVES else _plain(item) for item in value]
    if kind is dict:
        return {key: item if type(item) in _LEAVES else _plain(item) for key, item in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    plain = {}
    for name in names:
        item = getattr(value, name)
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
    parent: Ref
    child: Ref
    url_prefix: Optional[str]
    name: Optional[str]
    line: int


@dataclass(**SLOTS)
class ErrorHandlerFact:
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
    qualname: str
    bases: list[Ref]
    methods: list[str]
    line: int


@dataclass(**SLOTS)
class ModuleFacts:
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

        def ref(d: dict[str, Any]) -> Ref:
            return Ref(text(d["scope"]), text(d["name"]))

        def texts(items: list[str]) -> list[str]:
            return [text(item) for item in items]

        def hook(d: dict[str, Any]) -> HookFact:
            return HookFact(text(d["kind"]), ref(d["target"]), ref(d["func"]), d["line"])

        def opt(value: Optional[str]) -> Optional[str]:
            return None if value is None else text(value)

        def sent(d: Optional[dict[str, Any]]) -> Optional[SentFile]:
            if d is None:
                return None
            return SentFile(text(d["folder"]), d["name"], d["from_url"], d["missing_raises"])

        def evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
            return tuple(
                Evidence(text(e["what"]), e["line"], opt(e["mimetype"]), sent(e["sent"]))
                for e in items
            )

        return cls(
            module=text(data["module"]),
            path=data["path"],
            is_package=data["is_package"],
            aliases={text(k): text(v) for k, v in data["aliases"].items()},
            constants={text(k): v for k, v in data["constants"].items()},
            objects=[
                ObjectFact(
                    text(o["kind"]),
                    text(o["scope"]),
                    text(o["var"]),
                    o["line"],
                    opt(o["bp_name"]),
                    opt(o["url_prefix"]),
                    opt(o["static_folder"]),
                    opt(o["static_basename"]),
                    opt(o["static_url_path"]),
                    o["module_root"],
                    o["subdomain"],
                )
                for o in data["objects"]
            ],
            routes=[
                RouteFact(
                    ref(r["target"]),
                    opt(r["rule"]),
                    None if r["methods"] is None else texts(r["methods"]),
                    opt(r["endpoint"]),
                    ref(r["view"]),
                    r["view_is_class"],
                    r["line"],
                )
                for r in data["routes"]
            ],
            registrations=[
                RegistrationFact(
                    ref(r["parent"]),
                    ref(r["child"]),
                    opt(r["url_prefix"]),
                    opt(r["name"]),
                    r["line"],
                )
                for r in data["registrations"]
            ],
            error_handlers=[
                ErrorHandlerFact(
                    ref(e["target"]),
                    e["code"],
                    ref(e["view"]),
                    e["app_wide"],
                    e["line"],
                    e["by_class"],
                )
                for e in data["error_handlers"]
            ],
            functions={
                text(k): FunctionFact(
                    text(f["qualname"]),
                    f["line"],
                    evidence(f["direct"]),
                    tuple(ref(h) for h in f["helpers"]),
                    f["is_generator"],
                    tuple(text(r) for r in f["redirects"]),
                    f["plain_returns"],
                    evidence(f["error_files"]),
                    f["plain_errors"],
                    f["aborts"],
                )
                for k, f in data["functions"].items()
            },
            classes={
                text(k): ClassFact(
                    text(c["qualname"]),
                    [ref(b) for b in c["bases"]],
                    texts(c["methods"]),
                    c["line"],
                )
                for k, c in data["classes"].items()
            },
            foreign=[ref(f) for f in data["foreign"]],
            sent_attributes=texts(data["sent_attributes"]),
            bindings=[(ref(t), text(s)) for t, s in data["bindings"]],
            url_value_preprocessors=data["url_value_preprocessors"],
            x_sendfile=data["x_sendfile"],
            hooks=[hook(h) for h in data["hooks"]],
            gates=[hook(h) for h in data["gates"]],
        )
