"""What one module says about apps, blueprints, routes and file-serving functions.

Facts are plain JSON-able data (see ``to_json``/``from_json``), extracted from one ``ast``
tree, so that they can be cached per file and linked across the project by ``index``.
References between modules stay symbolic (``scope`` + dotted name) until linking.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from typing import Any, Optional

_SLOTS: dict[str, bool] = {"slots": True} if sys.version_info >= (3, 10) else {}
"""Facts of a big project number in the hundred thousands: no ``__dict__`` per object."""

UNKNOWN = "\x00?"
"""A value that exists but cannot be known statically (a url_prefix read from config...)."""


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` for facts (whose leaves are str, int, bool, None), at a
    fraction of its cost: it deep-copies every leaf."""
    kind = type(value)
    if kind in (str, int, bool) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


@dataclass(**_SLOTS)
class Ref:
    """A name as written in ``scope`` (a function qualname, "" for module level)."""

    scope: str
    name: str


@dataclass(**_SLOTS)
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


@dataclass(**_SLOTS)
class RouteFact:
    target: Ref
    rule: Optional[str]
    """None when the rule is not a literal we can read."""
    methods: Optional[list[str]]
    endpoint: Optional[str]
    view: Ref
    view_is_class: bool
    line: int


@dataclass(**_SLOTS)
class RegistrationFact:
    parent: Ref
    child: Ref
    url_prefix: Optional[str]
    name: Optional[str]
    line: int


@dataclass(**_SLOTS)
class ErrorHandlerFact:
    target: Ref
    code: Optional[int]
    view: Ref
    app_wide: bool
    line: int


@dataclass(**_SLOTS)
class Evidence:
    what: str
    line: int
    mimetype: Optional[str] = None


@dataclass(**_SLOTS)
class HookFact:
    """``@app.after_request`` above ``func``, or ``app.after_request(func)``."""

    kind: str
    target: Ref
    func: Ref
    line: int


@dataclass(**_SLOTS)
class FunctionFact:
    qualname: str
    line: int
    direct: list[Evidence] = field(default_factory=list)
    """File responses this function returns itself."""
    helpers: list[Ref] = field(default_factory=list)
    """Project callables whose result this function returns (followed when linking)."""
    is_generator: bool = False
    redirects: list[str] = field(default_factory=list)
    """Where ``return redirect(...)`` sends the client: a path, or ``@endpoint``."""
    plain_returns: int = 0
    """Returns of an ordinary response (a page, JSON): a view that also returns a file
    serves one only on some paths, and which one a test takes can't be known."""


@dataclass(**_SLOTS)
class ClassFact:
    qualname: str
    bases: list[Ref]
    methods: list[str]
    line: int


@dataclass(**_SLOTS)
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

    def to_json(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self)
        return plain

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleFacts:
        def ref(d: dict[str, Any]) -> Ref:
            return Ref(**d)

        return cls(
            module=data["module"],
            path=data["path"],
            is_package=data["is_package"],
            aliases=dict(data["aliases"]),
            constants=dict(data["constants"]),
            objects=[ObjectFact(**o) for o in data["objects"]],
            routes=[
                RouteFact(**{**r, "target": ref(r["target"]), "view": ref(r["view"])})
                for r in data["routes"]
            ],
            registrations=[
                RegistrationFact(**{**r, "parent": ref(r["parent"]), "child": ref(r["child"])})
                for r in data["registrations"]
            ],
            error_handlers=[
                ErrorHandlerFact(**{**e, "target": ref(e["target"]), "view": ref(e["view"])})
                for e in data["error_handlers"]
            ],
            functions={
                k: FunctionFact(
                    qualname=f["qualname"],
                    line=f["line"],
                    direct=[Evidence(**e) for e in f["direct"]],
                    helpers=[ref(h) for h in f["helpers"]],
                    is_generator=f["is_generator"],
                    redirects=list(f["redirects"]),
                    plain_returns=f["plain_returns"],
                )
                for k, f in data["functions"].items()
            },
            classes={
                k: ClassFact(
                    qualname=c["qualname"],
                    bases=[ref(b) for b in c["bases"]],
                    methods=list(c["methods"]),
                    line=c["line"],
                )
                for k, c in data["classes"].items()
            },
            foreign=[ref(f) for f in data["foreign"]],
            sent_attributes=list(data["sent_attributes"]),
            bindings=[(ref(t), s) for t, s in data["bindings"]],
            hooks=[
                HookFact(h["kind"], ref(h["target"]), ref(h["func"]), h["line"])
                for h in data["hooks"]
            ],
        )
