"""Hypothesis strategies for Flask-shaped projects, shared by ``test_fuzz.py`` and the long
campaign in ``scripts/fuzz.py``.

A generated project has an app (module-level or from a factory), blueprints with prefixes,
routes with random rules and converters (well-formed, custom and malformed), views that
return files, in-memory files, JSON, redirects, errors or a helper's answer, production
hooks that close or read responses, a conftest with a client fixture, and tests that make
random client calls and then close them (or not) in every way the plugin knows, inside
nested functions and classes.

``Project.safe_lines`` maps each test file to the lines of requests that are provably
closed (``with``, ``buffered=True``, ``try/finally``, ``contextlib.closing``): no test-side
code may ever land on them. A quarter of the projects serve no file at all (no file view,
no static folder): they may get no file finding anywhere.

Known bugs the suite pins elsewhere are kept out of the generated inputs so that this
property suite stays green (IPv6 literals in URLs, repeated rule variables, self-referential
assignments, newlines in rules).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from hypothesis import strategies as st

WORDS = ("files", "a", "dl", "x-y", "caf\u00e9", "static", "api", "v1", "report.csv", "img")
CONVERTERS = (
    "<name>",
    "<int:id>",
    "<path:p>",
    "<float:f>",
    "<uuid:u>",
    "<string(length=2):s>",
    "<any(a, b):w>",
    "<custom:c>",
    "<regex('[a-z]+'):r>",
)
MALFORMED = ("<int:id", "<>", "<int(min=1:id>", "<:x>", "<path:>")
FILLERS = ("a.txt", "1", "x/y.csv", "12345678-1234-5678-1234-567812345678", "1.5", "ab", "")
METHOD_DECORATORS = ("route", "get", "post")
CLIENT_METHODS = ("get", "post", "put", "delete", "head", "open", "options", "patch")
VIEW_KINDS = (
    "send_file",
    "send_from_directory",
    "bytesio",
    "json",
    "text",
    "response_open",
    "helper",
    "redirect",
    "error",
    "make_response",
    "with_open",
    "close_then_return",
    "call_on_close",
    "mixed",
    "generator",
)
NO_FILE_VIEWS = ("bytesio", "json", "text", "redirect", "error", "generator")
"""Views that answer without an open file (in-memory files and generators that open the
file in their own ``with`` block included)."""
SAFE_FATES = ("with", "buffered", "finally", "closing")
FATES = (*SAFE_FATES, "none", "assert", "close", "chain", "bare", "data", "self", "helper")


@dataclass
class Project:
    files: dict[str, str]
    safe_lines: dict[str, set[int]] = field(default_factory=dict)

    @property
    def test_files(self) -> list[str]:
        return sorted(f for f in self.files if f.startswith("tests/test_"))

    def describe(self) -> str:
        return "\n".join(f"# ---- {name}\n{text}" for name, text in sorted(self.files.items()))


rule_parts = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(CONVERTERS),
    st.tuples(st.integers(0, 9), st.sampled_from(MALFORMED)).map(
        lambda t: t[1] if t[0] == 0 else "x"  # malformed pieces are rare
    ),
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    parts = draw(st.lists(rule_parts, max_size=4))
    # the same variable twice makes werkzeug raise SyntaxError (a known bug, pinned apart)
    seen: set[str] = set()
    unique = []
    for part in parts:
        var = part.rsplit(":", 1)[-1].strip("<>") if part.startswith("<") else None
        if var is not None and var in seen:
            continue
        if var is not None:
            seen.add(var)
        unique.append(part)
    rule = "/" + "/".join(unique)
    shape = draw(st.integers(0, 9))
    if shape == 0:
        rule = rule.lstrip("/")
    elif shape == 1:
        rule += "/"
    return rule


def fill(rule: str, value: str) -> str:
    out = []
    for part in rule.split("/"):
        out.append(value if part.startswith("<") else part)
    return "/".join(out)


@st.composite
def view_body(draw: st.DrawFn, index: int, no_file: bool = False) -> tuple[str, str]:
    """(extra module-level code, view body) of one view."""
    kind = draw(st.sampled_from(NO_FILE_VIEWS if no_file else VIEW_KINDS))
    helper = ""
    if kind == "send_file":
        body = "return send_file(name)"
    elif kind == "send_from_directory":
        body = 'return send_from_directory("files", name)'
    elif kind == "bytesio":
        body = 'return send_file(io.BytesIO(b"x"), download_name="x.bin")'
    elif kind == "json":
        body = "return jsonify(ok=True)"
    elif kind == "text":
        body = 'return "hello"'
    elif kind == "response_open":
        body = 'return Response(open(name, "rb"))'
    elif kind == "helper":
        helper = f"def serve_{index}(name):\n    return send_file(name)\n"
        body = f"return serve_{index}(name)"
    elif kind == "redirect":
        body = 'return redirect("/files/a.txt")'
    elif kind == "error":
        body = 'return "gone", 404'
    elif kind == "make_response":
        body = "resp = make_response(send_file(name))\nresp.headers['X'] = '1'\nreturn resp"
    elif kind == "with_open":
        body = 'with open(name, "rb") as fh:\n    return send_file(fh)'
    elif kind == "close_then_return":
        body = "resp = send_file(name)\nresp.close()\nreturn resp"
    elif kind == "call_on_close":
        body = "resp = send_file(name)\nresp.call_on_close(lambda: None)\nreturn resp"
    elif kind == "mixed":
        body = 'if name.endswith(".json"):\n    return jsonify(ok=True)\nreturn send_file(name)'
    else:
        body = (
            "def gen():\n    with open(name) as fh:\n        yield from fh\nreturn Response(gen())"
        )
    return helper, body


@st.composite
def app_module(
    draw: st.DrawFn, n_blueprints: int, no_file: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    """(source of app.py, [(rule, endpoint)])."""
    factory = draw(st.booleans())
    static = draw(st.sampled_from(("", ", static_folder=None", ', static_url_path="/s"')))
    static = ", static_folder=None" if no_file else static
    routes: list[tuple[str, str]] = []
    defs: list[str] = []
    helpers: list[str] = []
    for i in range(draw(st.integers(0, 4))):
        rule = draw(rules())
        deco = draw(st.sampled_from(METHOD_DECORATORS))
        methods = draw(st.sampled_from(("", ', methods=["GET", "POST"]', ', methods=["POST"]')))
        methods = methods if deco == "route" else ""
        helper, body = draw(view_body(i, no_file))
        helpers.append(helper)
        routes.append((rule, f"view_{i}"))
        arg = "name=None, **kw" if "name" in body else "**kw"
        defs.append(
            f"@app.{deco}({rule!r}{methods})\ndef view_{i}({arg}):\n"
            + textwrap.indent(body, "    ")
            + "\n"
        )
    hooks = []
    if draw(st.integers(0, 4)) == 0:
        hook_body = draw(
            st.sampled_from(
                (
                    "response.close()\nreturn response",
                    "response.get_data()\nreturn response",
                    "response.direct_passthrough = False\nresponse.get_data()\nreturn response",
                    "return response",
                )
            )
        )
        hooks.append(
            "@app.after_request\ndef hook(response):\n" + textwrap.indent(hook_body, "    ") + "\n"
        )
    imports = (
        "import io\n\nfrom flask import Flask, Response, jsonify, make_response, redirect,"
        " send_file, send_from_directory\n"
    )
    bp_imports = "".join(f"from views_{k} import bp_{k}\n" for k in range(n_blueprints))
    prefixes = [draw(st.sampled_from(("", "/api", "/v1/", "files"))) for _ in range(n_blueprints)]
    registrations = "".join(
        f"app.register_blueprint(bp_{k}{', url_prefix=' + repr(p) if p else ''})\n"
        for k, p in enumerate(prefixes)
    )
    chunks = [*helpers, *defs, *hooks]
    if factory:
        inner = f"app = Flask(__name__{static})\n" + "\n".join(chunks) + registrations
        source = (
            imports
            + bp_imports
            + "\n\ndef create_app():\n"
            + textwrap.indent(inner, "    ")
            + "    return app\n"
        )
    else:
        source = (
            imports
            + bp_imports
            + f"\napp = Flask(__name__{static})\n\n"
            + "\n\n".join(chunks)
            + "\n"
            + registrations
        )
    return source, routes


@st.composite
def blueprint_module(
    draw: st.DrawFn, k: int, no_file: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    prefix = draw(st.sampled_from(("", "/bp", "/files/", "nested")))
    static = "" if no_file else draw(st.sampled_from(("", ', static_folder="static"')))
    prefix_arg = f", url_prefix={prefix!r}" if prefix else ""
    lines = [
        "import io\n",
        "from flask import Blueprint, Response, jsonify, make_response, redirect, send_file,"
        " send_from_directory\n",
        f"bp_{k} = Blueprint('b{k}', __name__{prefix_arg}{static})\n",
    ]
    routes = []
    for i in range(draw(st.integers(0, 3))):
        rule = draw(rules())
        helper, body = draw(view_body(100 * (k + 1) + i, no_file))
        use_add = draw(st.booleans())
        name = f"bview_{k}_{i}"
        arg = "name=None, **kw" if "name" in body else "**kw"
        fn = f"def {name}({arg}):\n" + textwrap.indent(body, "    ") + "\n"
        if use_add:
            lines += [helper, fn, f"bp_{k}.add_url_rule({rule!r}, view_func={name})\n"]
        else:
            lines += [helper, f"@bp_{k}.route({rule!r})\n" + fn]
        routes.append((prefix.rstrip("/") + "/" + rule.lstrip("/"), name))
    return "\n".join(lines), routes


@st.composite
def url_expr(draw: st.DrawFn, routes: list[tuple[str, str]]) -> str:
    """A URL expression: a filled rule as a literal, an f-string, a concatenation, a constant,
    url_for, or something the analysis can't know."""
    if routes and draw(st.integers(0, 4)) != 0:
        rule, endpoint = draw(st.sampled_from(routes))
        url = fill(rule, draw(st.sampled_from(FILLERS)))
    else:
        rule, endpoint = "/", "index"
        url = "/" + "/".join(draw(st.lists(st.sampled_from(WORDS), max_size=3)))
    shape = draw(st.integers(0, 7))
    if shape == 1 and "/" in url:
        head, _, tail = url.rpartition("/")
        return f'f"{head}/{{name}}"'
    if shape == 2 and "/" in url:
        head, _, tail = url.rpartition("/")
        return f"{head + '/'!r} + {tail!r}"
    if shape == 3:
        return "URL"
    if shape == 4:
        return f"url_for({endpoint!r}, name='a.txt')"
    if shape == 5:
        return "unknown_url()"
    if shape == 6:
        return f"{url + '?q=1'!r}"
    return repr(url)


def request_call(client: str, method: str, url: str, extra: str = "") -> str:
    if method == "open":
        return f"{client}.open({url}, method='GET'{extra})"
    return f"{client}.{method}({url}{extra})"


@st.composite
def test_function(
    draw: st.DrawFn, routes: list[tuple[str, str]], name: str, in_class: str
) -> tuple[list[str], list[int]]:
    """(lines of one test function, indexes of lines holding a provably closed request)."""
    client = "self.client" if in_class == "unittest" else "client"
    params = "self" if in_class == "unittest" else ("self, client" if in_class else "client")
    lines = [f"def {name}({params}):"]
    safe: list[int] = []
    for j in range(draw(st.integers(1, 4))):
        method = draw(st.sampled_from(CLIENT_METHODS))
        url = draw(url_expr(routes))
        fate = draw(st.sampled_from(FATES))
        call = request_call(client, method, url)
        res = f"res_{j}"
        if fate == "with":
            safe.append(len(lines))
            lines += [f"    with {call} as {res}:", f"        assert {res}.status_code == 200"]
        elif fate == "buffered":
            safe.append(len(lines))
            lines += [f"    {res} = {request_call(client, method, url, ', buffered=True')}"]
        elif fate == "finally":
            safe.append(len(lines))
            lines += [
                f"    {res} = {call}",
                "    try:",
                f"        assert {res}.status_code == 200",
                "    finally:",
                f"        {res}.close()",
            ]
        elif fate == "closing":
            safe.append(len(lines))
            lines += [f"    with contextlib.closing({call}) as {res}:", "        pass"]
        elif fate == "none":
            lines += [f"    {res} = {call}"]
        elif fate == "assert":
            lines += [f"    {res} = {call}", f"    assert {res}.status_code == 200"]
        elif fate == "close":
            lines += [f"    {res} = {call}", f"    assert {res}.data", f"    {res}.close()"]
        elif fate == "chain":
            lines += [f"    assert {call}.status_code == 200"]
        elif fate == "bare":
            lines += [f"    {call}"]
        elif fate == "data":
            lines += [f"    body = {call}.data"]
        elif fate == "self" and in_class:
            lines += [f"    self.{res} = {call}"]
        else:
            lines += [
                f"    def inner_{j}(c, u):",
                f"        return c.{method if method != 'open' else 'get'}(u)",
                f"    {res} = inner_{j}({client}, {url})",
            ]
    return lines, safe


@st.composite
def test_module(
    draw: st.DrawFn, routes: list[tuple[str, str]], app_import: str
) -> tuple[str, set[int]]:
    header = [
        "import contextlib",
        "import unittest",
        "",
        "import pytest",
        "from flask import url_for",
        "",
        f"URL = {fill(draw(st.sampled_from(routes))[0], 'a.txt') if routes else '/'!r}",
        "",
    ]
    out = list(header)
    safe: set[int] = set()
    for t in range(draw(st.integers(1, 4))):
        style = draw(st.sampled_from(("function", "class", "unittest", "nested")))
        if style == "function":
            lines, marks = draw(test_function(routes, f"test_{t}", ""))
            indent = ""
        elif style == "class":
            body, marks = draw(test_function(routes, f"test_{t}", "class"))
            lines = [f"class TestC{t}:", *("    " + b for b in body)]
            marks = [m + 1 for m in marks]
            indent = "    "
        elif style == "unittest":
            body, marks = draw(test_function(routes, f"test_{t}", "unittest"))
            lines = [
                f"class TestU{t}(unittest.TestCase):",
                "    def setUp(self):",
                f"        self.client = {app_import}.test_client()",
                "",
                *("    " + b for b in body),
            ]
            marks = [m + 4 for m in marks]
            indent = "    "
        else:
            body, marks = draw(test_function(routes, f"test_{t}", ""))
            lines = [f"def outer_{t}():", *("    " + b for b in body), f"    return test_{t}"]
            marks = [m + 1 for m in marks]
            indent = "    "
        del indent
        start = len(out)
        out += [*lines, "", ""]
        safe |= {start + m + 1 for m in marks}  # 1-based line numbers
    return "\n".join(out) + "\n", safe


@st.composite
def projects(draw: st.DrawFn) -> Project:
    n_bp = draw(st.integers(0, 2))
    no_file = draw(st.integers(0, 3)) == 0  # a quarter of the projects serve no file at all
    files: dict[str, str] = {"setup.cfg": "[flake8]\n"}
    routes: list[tuple[str, str]] = []
    for k in range(n_bp):
        source, bp_routes = draw(blueprint_module(k, no_file))
        files[f"views_{k}.py"] = source
        routes += bp_routes
    app_source, app_routes = draw(app_module(n_bp, no_file))
    files["app.py"] = app_source
    routes += app_routes
    factory = "def create_app" in app_source
    conftest_app = (
        "from app import create_app\n\napp = create_app()\n"
        if factory
        else ("from app import app\n")
    )
    files["tests/conftest.py"] = (
        "import pytest\n\n"
        + conftest_app
        + "\n\n@pytest.fixture\ndef client():\n"
        + draw(
            st.sampled_from(
                (
                    "    return app.test_client()\n",
                    "    with app.test_client() as c:\n        yield c\n",
                )
            )
        )
    )
    safe: dict[str, set[int]] = {}
    for t in range(draw(st.integers(1, 2))):
        source, lines = draw(test_module(routes, "app" if not factory else "create_app()"))
        if factory:
            source = source.replace(
                "import pytest\n", "import pytest\nfrom app import create_app\n", 1
            )
            lines = {n + 1 for n in lines}
        else:
            source = source.replace("import pytest\n", "import pytest\nfrom app import app\n", 1)
            lines = {n + 1 for n in lines}
        files[f"tests/test_{t}.py"] = source
        safe[f"tests/test_{t}.py"] = lines
    return Project(files, safe)
