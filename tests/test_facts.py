"""Facts survive the cache: ``from_json(to_json(facts))`` gives the same facts, for a sample
in which every field of every kind of fact holds something other than its default (the
reader builds facts field by field: two fields swapped would show here)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from flake8_flask_close.routes import facts as f

SAMPLE = f.ModuleFacts(
    module="shop.views",
    path="shop/views.py",
    is_package=True,
    aliases={"sf": "flask.send_file"},
    constants={"FILES": "/srv/files"},
    objects=[
        f.ObjectFact(
            kind="blueprint",
            scope="create",
            var="bp",
            line=3,
            bp_name="shop",
            url_prefix="/shop",
            static_folder="static",
            static_basename="assets",
            static_url_path="/assets",
            module_root=True,
            subdomain=True,
        )
    ],
    routes=[
        f.RouteFact(
            target=f.Ref("create", "bp"),
            rule="/file/<name>",
            methods=["GET", "POST"],
            endpoint="file",
            view=f.Ref("create", "download"),
            view_is_class=True,
            line=7,
        )
    ],
    registrations=[
        f.RegistrationFact(
            parent=f.Ref("create", "app"),
            child=f.Ref("create", "bp"),
            url_prefix="/v1",
            name="v1",
            line=9,
        )
    ],
    error_handlers=[
        f.ErrorHandlerFact(
            target=f.Ref("create", "app"),
            code=404,
            view=f.Ref("create", "missing"),
            app_wide=True,
            line=11,
            by_class=True,
        )
    ],
    functions={
        "download": f.FunctionFact(
            qualname="download",
            line=13,
            direct=(
                f.Evidence(
                    what="send_file",
                    line=14,
                    mimetype="application/pdf",
                    sent=f.SentFile(
                        folder="files", name="name", from_url=True, missing_raises=True
                    ),
                ),
            ),
            helpers=(f.Ref("download", "serve"),),
            is_generator=True,
            redirects=("/login",),
            plain_returns=2,
            error_files=(
                f.Evidence(
                    what="send_from_directory",
                    line=15,
                    mimetype="text/html",
                    sent=f.SentFile("pages", "page", from_url=True, missing_raises=True),
                ),
            ),
            plain_errors=1,
            aborts=410,
        )
    },
    classes={
        "Report": f.ClassFact(
            qualname="Report", bases=[f.Ref("create", "MethodView")], methods=["get"], line=17
        )
    },
    hooks=[
        f.HookFact(
            kind="after_request",
            target=f.Ref("create", "app"),
            func=f.Ref("create", "release"),
            line=19,
        )
    ],
    gates=[
        f.HookFact(
            kind="before_request",
            target=f.Ref("create", "app"),
            func=f.Ref("create", "maintenance"),
            line=23,
        )
    ],
    bindings=[(f.Ref("Api", "self.app"), "app")],
    sent_attributes=["flask.g.report_file"],
    foreign=[f.Ref("create", "quart_app")],
    url_value_preprocessors=1,
    x_sendfile=2,
)


def _facts_in(value: Any) -> list[Any]:
    found: list[Any] = []
    if dataclasses.is_dataclass(value):
        found.append(value)
        for field in dataclasses.fields(value):
            found.extend(_facts_in(getattr(value, field.name)))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(_facts_in(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(_facts_in(item))
    return found


def _default_of(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def test_the_sample_sets_every_field_of_every_kind_of_fact() -> None:
    kinds = {type(fact) for fact in _facts_in(SAMPLE)}
    every_kind = {
        obj
        for obj in vars(f).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == f.__name__
    }
    assert kinds == every_kind
    for fact in _facts_in(SAMPLE):
        for field in dataclasses.fields(fact):
            value = getattr(fact, field.name)
            assert value != _default_of(field), (type(fact).__name__, field.name)
            assert value not in (None, "", 0, False, [], (), {}), (type(fact).__name__, field.name)


def test_facts_read_back_from_their_json_are_the_same() -> None:
    stored = json.loads(json.dumps(SAMPLE.to_json()))
    read = f.ModuleFacts.from_json(stored)
    assert read.to_json() == SAMPLE.to_json()
    assert read == SAMPLE


def test_facts_read_back_share_their_names_and_rules() -> None:
    """A big project's facts repeat the same names and rules thousands of times: read
    back, two modules' copies are one string (the index of the 10,009-file benchmark
    project holds 12,000 rules, 113 of them different)."""
    first, second = (
        f.ModuleFacts.from_json(json.loads(json.dumps(SAMPLE.to_json()))) for _ in range(2)
    )
    assert first.routes[0].rule is not None
    assert first.routes[0].rule is second.routes[0].rule
    assert first.routes[0].target.name is second.routes[0].target.name


def test_facts_holding_their_defaults_read_back_the_same_without_storing_them() -> None:
    """Most of a module's functions return no file and redirect nowhere: a field that
    holds None or its default is left out of the JSON, and read back as that."""
    minimal = f.ModuleFacts(
        module="m",
        path="m.py",
        is_package=False,
        objects=[f.ObjectFact("app", "", "app", 1)],
        routes=[f.RouteFact(f.Ref("", "app"), None, None, None, f.Ref("", "v"), False, 6)],
        error_handlers=[f.ErrorHandlerFact(f.Ref("", "app"), 404, f.Ref("", "h"), False, 2)],
        functions={
            "v": f.FunctionFact(
                "v", 3, direct=(f.Evidence("send_file", 4, sent=f.SentFile("files", "a")),)
            ),
            "w": f.FunctionFact("w", 5, aborts=0, plain_returns=1),
        },
    )
    stored = minimal.to_json()
    assert f.ModuleFacts.from_json(json.loads(json.dumps(stored))) == minimal
    assert set(stored) == {
        "module", "path", "is_package", "objects", "routes", "error_handlers", "functions"
    }  # fmt: skip
    # None is left out too, and a name as written is a [scope, name] pair
    assert stored["routes"] == [
        {"target": ["", "app"], "view": ["", "v"], "view_is_class": False, "line": 6}
    ]
    assert stored["objects"] == [{"kind": "app", "scope": "", "var": "app", "line": 1}]
    assert stored["functions"]["v"]["direct"] == [
        {"what": "send_file", "line": 4, "sent": {"folder": "files", "name": "a"}}
    ]
    # 0 is not the default None, nor False the default 0
    assert stored["functions"]["w"] == {"qualname": "w", "line": 5, "plain_returns": 1, "aborts": 0}
    assert stored["error_handlers"][0]["app_wide"] is False
