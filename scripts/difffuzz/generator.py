"""Generator of small *runnable* Flask projects for the differential fuzzer.

The shapes follow ``tests/hardening/strategies.py`` (view kinds, how a test ends with its
response, URL expressions, test styles), but every project really runs: the served files
exist on disk, paths are relative to the app's root path, no assert can fail and no name
is undefined. ``generate(seed)`` is deterministic: the same seed gives the same project.

Seeds below ``V2_FROM_SEED`` draw the first set of shapes only. From ``V2_FROM_SEED`` on,
a project may also get the later view kinds and fates, a ``before_request`` gate that
answers every request itself, a 404 error handler that serves a file, a blueprint
registered only under a config flag that is never set, a second app in the same module
and "phantom" URLs that look like file routes but answer 404/405.

Run it alone to print a project: ``python scripts/difffuzz/generator.py SEED``.
"""

from __future__ import annotations

import random
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

V2_FROM_SEED = 100_000

Meta = dict[str, Any]
"""JSON-able description of a project: seed, routes, v2 flags, and per test what it does."""

SERVED_FILES = {
    "files/a.txt": "alpha\n",
    "files/b.csv": "x,y\n1,2\n",
    "files/sub/c.txt": "gamma\n",
    "static/s.txt": "static\n",
    "bpstatic/bp.txt": "bp static\n",
}

SETUP_CFG = "[flake8]\nmax-line-length = 200\n\n[tool:pytest]\ntestpaths = tests\n"

# view kind -> body of the view function ({i}: the view's number, {target}: a file URL)
VIEW_KINDS = {
    "send_file": 'return send_file("files/a.txt")',
    "send_file_abs": 'return send_file(os.path.join(HERE, "files", "b.csv"))',
    "sfd": 'return send_from_directory("files", name)',
    "sf_open": (
        'return send_file(open(os.path.join(HERE, "files/a.txt"), "rb"), mimetype="text/plain")'
    ),
    "bytesio": 'return send_file(io.BytesIO(b"x"), download_name="x.bin")',
    "json": "return jsonify(ok=True)",
    "text": 'return "hello"',
    "response_open": 'return Response(open(os.path.join(HERE, "files/a.txt"), "rb"))',
    "wrap_file": (
        "return Response(wrap_file(request.environ,"
        ' open(os.path.join(HERE, "files/a.txt"), "rb")), direct_passthrough=True)'
    ),
    "helper": "return serve_{i}()",
    "redirect_file": "return redirect({target!r})",
    "redirect_plain": 'return redirect("/nowhere-{i}")',
    "error": 'return "gone", 404',
    "abort": "abort(404)",
    "make_response": (
        'resp = make_response(send_file("files/a.txt"))\nresp.headers["X"] = "1"\nreturn resp'
    ),
    "readall": (
        'with open(os.path.join(HERE, "files/a.txt"), "rb") as fh:\n    data = fh.read()\n'
        'return send_file(io.BytesIO(data), download_name="a.txt")'
    ),
    "generator": (
        'def gen():\n    with open(os.path.join(HERE, "files/a.txt")) as fh:\n'
        "        yield from fh\nreturn Response(gen())"
    ),
    "mixed": (
        'if request.args.get("j"):\n    return jsonify(ok=True)\nreturn send_file("files/a.txt")'
    ),
    "mixed_method": (
        'if request.method == "POST":\n    return jsonify(ok=True)\nreturn send_file("files/a.txt")'
    ),
    "call_on_close": (
        'resp = send_file("files/a.txt")\nresp.call_on_close(lambda: None)\nreturn resp'
    ),
    "static_file": 'return current_app.send_static_file("s.txt")',
    "namedtemp": (
        'tmp = tempfile.NamedTemporaryFile()\ntmp.write(b"t")\ntmp.seek(0)\n'
        'return send_file(tmp, download_name="t.txt")'
    ),
    "spooled": (
        'tmp = tempfile.SpooledTemporaryFile()\ntmp.write(b"t")\ntmp.seek(0)\n'
        'return send_file(tmp, download_name="t.txt")'
    ),
    "passthrough_off": (
        'resp = send_file("files/a.txt")\nresp.direct_passthrough = False\nreturn resp'
    ),
    "stream_ctx": (
        'def gen():\n    with open(os.path.join(HERE, "files/a.txt")) as fh:\n'
        "        yield from fh\nreturn Response(stream_with_context(gen()))"
    ),
}
V2_VIEW_KINDS = {
    "abort_first": 'abort(404)\nreturn send_file("files/a.txt")',
    "send_missing": 'return send_file("files/nope.txt")',
    "sfd_fixed_missing": 'return send_from_directory("files", "nope.txt")',
    "raise_first": (
        "from werkzeug.exceptions import NotFound\nraise NotFound()\n"
        'return send_file("files/a.txt")'
    ),
    "dead_send": 'if False:\n    return send_file("files/a.txt")\nreturn "x"',
    "exists_check": (
        'if not os.path.exists(os.path.join(HERE, "files", "nope.txt")):\n    abort(404)\n'
        'return send_file("files/nope.txt")'
    ),
    "send_file_kwargs": 'return send_file("files/a.txt", conditional=False, max_age=0)',
    "sfd_fixed": 'return send_from_directory("files", "a.txt")',
}

IMPORTS = (
    "import io\nimport os\nimport tempfile\n\n"
    "from flask import (Blueprint, Flask, Response, abort, current_app, jsonify, make_response,\n"
    "                   redirect, request, send_file, send_from_directory, stream_with_context)\n"
    "from werkzeug.wsgi import wrap_file\n\n"
    "HERE = os.path.dirname(os.path.abspath(__file__))\n"
)

TEST_HEADER = [
    "import contextlib",
    "import unittest",
    "",
    "import pytest",
    "",
    "{app_import}",
    "",
    "KEPT = []",
    "",
]

METHODS = ["get", "get", "get", "get", "post", "head", "options", "put", "delete", "open"]


@dataclass(frozen=True)
class Fate:
    """What a test does with its response.

    Templates are ``str.format``-ed with: ``c`` (the request on the test's client), ``client``,
    ``uexpr`` (the URL expression), ``m`` (the method, ``get`` for ``open``), ``t`` (the
    test's number), ``app_expr``, ``cc`` (the request on a client named ``c``) and ``mc``
    (the request on the module-scoped client ``mclient_{t}``).
    """

    lines: tuple[str, ...]
    fixtures: tuple[str, ...] = ()
    """module-level code the test needs (fixtures, helpers)"""
    params: tuple[str, ...] = ("client",)
    style: Optional[str] = None
    """the test style this fate needs (function, class or unittest); None: any"""
    call_extra: str = ""
    """extra keyword arguments of the request (inserted as is, not formatted)"""


_ASSERT = ("res = {c}", "assert res.status_code")
_WITH = ("with {c} as res:", "    assert res.status_code")
_MCLIENT = (
    "@pytest.fixture(scope='module')\ndef mclient_{t}():\n    return {app_expr}.test_client()\n"
)

# The order of both tables is part of the generator: seeds draw fates by position.
FATES: dict[str, Fate] = {
    "with": Fate(_WITH),
    "buffered": Fate(_ASSERT, call_extra=", buffered=True"),
    "finally": Fate(
        ("res = {c}", "try:", "    assert res.status_code", "finally:", "    res.close()")
    ),
    "closing": Fate(("with contextlib.closing({c}) as res:", "    assert res.status_code")),
    "exitstack": Fate(
        (
            "with contextlib.ExitStack() as stack:",
            "    res = stack.enter_context({c})",
            "    assert res.status_code",
        )
    ),
    "addfinalizer": Fate(
        ("res = {c}", "request.addfinalizer(res.close)", "assert res.status_code"),
        params=("client", "request"),
        style="function",
    ),
    "none": Fate(("res = {c}",)),
    "assert": Fate(_ASSERT),
    "close": Fate(("res = {c}", "assert res.status_code", "res.close()")),
    "close_after_read": Fate(
        ("res = {c}", "body = res.data", "res.close()", "assert body is not None")
    ),
    "chain": Fate(("assert {c}.status_code",)),
    "bare": Fate(("{c}",)),
    "data": Fate(("body = {c}.data", "assert body is not None")),
    "get_data": Fate(("res = {c}", "assert res.get_data() is not None")),
    "text": Fate(("res = {c}", "assert res.text is not None")),
    "helper": Fate(
        (
            "def fetch(cl, u):",
            "    return cl.{m}(u)",
            "res = fetch({client}, {uexpr})",
            "assert res.status_code",
        )
    ),
    "reassign": Fate(("res = {c}", "assert res.status_code", "res = {c}", "res.close()")),
    "del": Fate(("res = {c}", "code = res.status_code", "del res", "assert code")),
    "cond_close": Fate(("res = {c}", "if res.status_code:", "    res.close()")),
    "loop_close": Fate(("for _ in range(2):", "    res = {c}", "    res.close()")),
    "loop_leak": Fate(("for _ in range(2):", "    res = {c}", "    assert res.status_code")),
    "follow": Fate(_ASSERT, call_extra=", follow_redirects=True"),
    "follow_with": Fate(_WITH, call_extra=", follow_redirects=True"),
    "inner_client": Fate(
        ("with app.test_client() as c:", "    res = {cc}", "    assert res.status_code"),
        params=("app",),
        style="function",
    ),
    "inner_client_with": Fate(
        ("with app.test_client() as c, {cc} as res:", "    assert res.status_code"),
        params=("app",),
        style="function",
    ),
    "global": Fate(("KEPT.append({c})",)),
    "self": Fate(("self.res = {c}", "assert self.res.status_code")),
    "range206": Fate(_ASSERT, call_extra=", headers={'Range': 'bytes=0-1'}"),
    "range416": Fate(_ASSERT, call_extra=", headers={'Range': 'bytes=900-1000'}"),
    "close_chain": Fate(("{c}.close()",)),
    "iter": Fate(("res = {c}", "chunks = list(res.response)", "assert chunks is not None")),
    "fixture_return": Fate(
        ("assert resp_{t}.status_code",),
        fixtures=("@pytest.fixture\ndef resp_{t}(client):\n    return {c}\n",),
        params=("resp_{t}",),
        style="function",
    ),
    "fixture_yield_close": Fate(
        ("assert resp_{t}.status_code",),
        fixtures=("@pytest.fixture\ndef resp_{t}(client):\n    with {c} as r:\n        yield r\n",),
        params=("resp_{t}",),
        style="function",
    ),
    "module_fixture": Fate(
        ("assert mresp_{t}.status_code",),
        fixtures=(
            _MCLIENT + "\n\n@pytest.fixture(scope='module')\n"
            "def mresp_{t}(mclient_{t}):\n    return {mc}\n",
        ),
        params=("mresp_{t}",),
        style="function",
    ),
    "list_keep": Fate(("responses = [{c}]", "assert responses[0].status_code")),
    "return_from_test": Fate(("res = {c}", "res.close()", "return None")),
    "try_except": Fate(
        ("try:", "    res = {c}", "except ValueError:", "    raise", "else:", "    res.close()")
    ),
    "ifexp": Fate(("res = {c}", "res.close() if res else None")),
    "dict_keep": Fate(("d = {{'r': {c}}}", "d['r'].close()")),
    "walrus": Fate(("assert (res := {c}).status_code", "res.close()")),
    "nested_fn_leak": Fate(("def go():", "    return {c}.status_code", "assert go()")),
    "lambda_close": Fate(("res = {c}", "closer = res.close", "closer()")),
}
V2_FATES: dict[str, Fate] = {
    "with_after_bind": Fate(("res = {c}", "with res:", "    assert res.status_code")),
    "closing_after_bind": Fate(
        ("res = {c}", "with contextlib.closing(res):", "    assert res.status_code")
    ),
    "exitstack_callback": Fate(
        (
            "with contextlib.ExitStack() as stack:",
            "    res = {c}",
            "    stack.callback(res.close)",
            "    assert res.status_code",
        )
    ),
    "addcleanup": Fate(
        ("res = {c}", "self.addCleanup(res.close)", "assert res.status_code"), style="unittest"
    ),
    "close_helper": Fate(("def done(r):", "    r.close()", "res = {c}", "done(res)")),
    "module_helper_fetch": Fate(
        ("res = fetch_{t}({client}, {uexpr})", "assert res.status_code"),
        fixtures=("def fetch_{t}(cl, u):\n    return cl.{m}(u)\n",),
        style="function",
    ),
    "module_helper_fetch_close": Fate(
        ("res = fetch_{t}({client}, {uexpr})", "assert res.status_code", "res.close()"),
        fixtures=("def fetch_{t}(cl, u):\n    return cl.{m}(u)\n",),
        style="function",
    ),
    "list_close": Fate(("rs = [{c} for _ in range(2)]", "for x in rs:", "    x.close()")),
    "early_return": Fate(("res = {c}", "if res.status_code == 999:", "    return", "res.close()")),
    "yield_fixture_close": Fate(
        ("assert resp_{t}.status_code",),
        fixtures=(
            "@pytest.fixture\ndef resp_{t}(client):\n    r = {c}\n    yield r\n    r.close()\n",
        ),
        params=("resp_{t}",),
        style="function",
    ),
    "fixture_finalizer": Fate(
        ("assert resp_{t}.status_code",),
        fixtures=(
            "@pytest.fixture\ndef resp_{t}(client, request):\n    r = {c}\n"
            "    request.addfinalizer(r.close)\n    return r\n",
        ),
        params=("resp_{t}",),
        style="function",
    ),
    "module_fixture_close": Fate(
        ("assert mresp_{t}.status_code",),
        fixtures=(
            _MCLIENT + "\n\n@pytest.fixture(scope='module')\n"
            "def mresp_{t}(mclient_{t}):\n    with {mc} as r:\n        yield r\n",
        ),
        params=("mresp_{t}",),
        style="function",
    ),
    "getattr_close": Fate(("res = {c}", "getattr(res, 'close')()")),
    "while_close": Fate(
        ("n = 0", "while n < 2:", "    res = {c}", "    res.close()", "    n += 1")
    ),
    "if_modified_since": Fate(
        _ASSERT, call_extra=", headers={'If-Modified-Since': 'Wed, 21 Oct 2099 07:28:00 GMT'}"
    ),
    "data_in_with": Fate(("with {c} as res:", "    body = res.data", "assert body is not None")),
    "close_in_except_else": Fate(
        (
            "res = {c}",
            "try:",
            "    code = res.status_code",
            "except Exception:",
            "    res.close()",
            "    raise",
            "else:",
            "    res.close()",
        )
    ),
}
ALL_FATES = {**FATES, **V2_FATES}


@dataclass(frozen=True)
class Route:
    rule: str
    kind: str
    methods: list[str]

    def sample_url(self, r: random.Random) -> str:
        """A URL for this route: existing and missing files, bad converters, slash variants."""
        url = self.rule
        if "<path:name>" in url:
            name = r.choice(["a.txt", "a.txt", "b.csv", "sub/c.txt", "missing.txt", "../setup.cfg"])
            url = url.replace("<path:name>", name)
        if "<int:n>" in url:
            url = url.replace("<int:n>", r.choice(["1", "7", "x"]))
        roll = r.random()
        if roll < 0.06:
            url = url[:-1] if url.endswith("/") else url + "/"
        elif roll < 0.12:
            url += "?j=1"
        elif roll < 0.15:
            url += "?q=1"
        return url


def request_src(client: str, method: str, uexpr: str, extra: str = "") -> str:
    if method == "open":
        return f"{client}.open({uexpr}, method='GET'{extra})"
    return f"{client}.{method}({uexpr}{extra})"


def url_expr(r: random.Random, url: str, t: int) -> tuple[str, str]:
    """How test number ``t`` spells ``url``: (expression, module-level definition or "")."""
    shape = r.random()
    nested = "/" in url.strip("/")
    head, _, tail = url.rpartition("/")
    if shape < 0.55:
        return repr(url), ""
    if shape < 0.65 and nested:
        return f'f"{head}/{{NAME_{t}}}"', f"NAME_{t} = {tail!r}"
    if shape < 0.75 and nested:
        return f"{head + '/'!r} + {tail!r}", ""
    if shape < 0.85:
        return f"URL_K_{t}", f"URL_K_{t} = {url!r}"
    if shape < 0.92:
        return f"make_url_{t}()", f"def make_url_{t}():\n    return {url!r}"
    return repr(url), ""


def view_src(
    i: int, kind: str, target: str, owner: str, rule: str, methods_kw: str, deco: str
) -> str:
    body = {**VIEW_KINDS, **V2_VIEW_KINDS}[kind].format(i=i, target=target)
    # (a mere "download_name" gives the view a name parameter too: harmless, and kept so
    # that a seed keeps giving the same project)
    arg = "name=None, **kw" if "name" in body else "**kw"
    helper = ""
    if kind == "helper":
        helper = f'def serve_{i}():\n    return send_file("files/a.txt")\n\n\n'
    indented = textwrap.indent(body, "    ")
    if deco == "add_url_rule":
        src = (
            f"def view_{i}({arg}):\n{indented}\n\n\n"
            f"{owner}.add_url_rule({rule!r}, view_func=view_{i}{methods_kw})\n"
        )
    else:
        src = f"@{owner}.{deco}({rule!r}{methods_kw})\ndef view_{i}({arg}):\n{indented}\n"
    return helper + src


@dataclass
class _Project:
    """One project being generated; the order of the draws from ``r`` defines the seed."""

    seed: int
    r: random.Random = field(init=False)
    v2: bool = field(init=False)

    def __post_init__(self) -> None:
        self.r = random.Random(self.seed)
        self.v2 = self.seed >= V2_FROM_SEED

    def routes(
        self, owner: str, start: int, n: int, prefix: str, targets: list[str], static_ok: bool
    ) -> tuple[list[str], list[Route]]:
        r = self.r
        kinds = list(VIEW_KINDS) + (list(V2_VIEW_KINDS) if self.v2 else [])
        chunks: list[str] = []
        routes: list[Route] = []
        for i in range(start, start + n):
            kind = r.choice(kinds)
            if kind == "static_file" and not static_ok:
                kind = "send_file"
            if kind == "sfd":
                rule = f"/d{i}/<path:name>"
            elif kind in ("mixed", "text", "json") and r.random() < 0.3:
                rule = f"/c{i}/<int:n>"
            else:
                rule = f"/r{i}" + ("/" if r.random() < 0.15 else "")
            deco = r.choice(["route", "route", "get", "post", "add_url_rule"])
            methods = ["GET"]
            methods_kw = ""
            if deco == "post":
                methods = ["POST"]
            elif deco in ("route", "add_url_rule") and r.random() < 0.3:
                methods = r.choice([["GET", "POST"], ["POST"], ["PUT"]])
                methods_kw = f", methods={methods!r}"
            if kind == "mixed_method" and "POST" not in methods:
                methods = ["GET", "POST"]
                methods_kw = ", methods=['GET', 'POST']"
                if deco in ("get", "post"):
                    deco = "route"
            target = r.choice(targets)
            chunks.append(view_src(i, kind, target, owner, rule, methods_kw, deco))
            full = (prefix.rstrip("/") + rule) if prefix else rule
            routes.append(Route(full, kind, methods))
        return chunks, routes

    def build(self) -> tuple[dict[str, str], Meta]:
        r = self.r
        files = dict(SERVED_FILES)
        files["setup.cfg"] = SETUP_CFG
        factory = r.random() < 0.5
        static = r.choice(["", "", ", static_folder=None", ', static_url_path="/assets"'])
        static_ok = "None" not in static
        static_prefix = "/assets" if "assets" in static else "/static"
        use_bp = r.random() < 0.5
        bp_prefix = r.choice(["", "/bp", "/bp/"]) if use_bp else ""
        bp_static = use_bp and r.random() < 0.5
        # redirect targets: file URLs known before the routes (the static one always exists)
        targets = ["/static-missing"]
        if static_ok:
            targets.append(static_prefix + "/s.txt")
        app_chunks, routes = self.routes("app", 0, r.randint(1, 4), "", targets, static_ok)
        app_route_count = len(routes)
        if use_bp:
            bp_chunks, bp_routes = self.routes(
                "bp", 50, r.randint(1, 3), bp_prefix, targets, static_ok
            )
            routes += bp_routes
            folder = ', static_folder="bpstatic"' if bp_static else ""
            pfx = f", url_prefix={bp_prefix!r}" if bp_prefix else ""
            files["views_bp.py"] = (
                IMPORTS
                + f"\nbp = Blueprint('bp', __name__{pfx}{folder})\n\n\n"
                + "\n\n".join(bp_chunks)
            )
            if bp_static:
                bp_rule = bp_prefix.rstrip("/") + "/bpstatic/<path:name>"
                routes.append(Route(bp_rule, "bpstatic", ["GET"]))
        blueprint_rules = [x.rule for x in routes[app_route_count:]]
        if static_ok:
            routes.append(Route(static_prefix + "/<path:name>", "static", ["GET"]))
        hook = ""
        if r.random() < 0.1:
            hook = r.choice(
                [
                    "@app.after_request\ndef hook(response):\n    return response\n",
                    "@app.after_request\ndef hook(response):\n"
                    "    response.headers['X-H'] = '1'\n    return response\n",
                ]
            )
        reg = "from views_bp import bp\n" if use_bp else ""
        regcall = "app.register_blueprint(bp)\n" if use_bp else ""
        flags: dict[str, Any] = {}
        if self.v2:
            if use_bp and r.random() < 0.12:
                regcall = "if app.config.get('WITH_BP'):\n    app.register_blueprint(bp)\n"
                flags["bp_unregistered"] = True
            if r.random() < 0.07:
                hook += "@app.before_request\ndef gate():\n    return 'maintenance', 503\n"
                flags["gate"] = True
            if r.random() < 0.07:
                hook += (
                    "@app.errorhandler(404)\ndef nf(e):\n    return send_file('files/a.txt'), 404\n"
                )
                flags["nf_file"] = True
            if r.random() < 0.15:
                # look like file routes, answer 404 (or 405) on this app
                phantoms = []
                if not static_ok or static_prefix != "/static":
                    phantoms.append("/static/s.txt")
                phantoms += ["/bpstatic/bp.txt", "/other/o.txt"]
                routes += [Route(u, "phantom", ["GET"]) for u in phantoms]
                flags["phantom"] = phantoms
            if not factory and r.random() < 0.15:
                hook += (
                    "other = Flask('other_app')\n\n\n@other.route('/other/o.txt')\n"
                    "def other_view():\n    return send_file(os.path.join(HERE, 'files/a.txt'))\n"
                )
                flags["other_app"] = True
        chunks = app_chunks + ([hook] if hook else [])
        if factory:
            inner = (
                f"app = Flask(__name__{static})\n\n"
                + "\n".join(chunks)
                + "\n"
                + regcall
                + "return app\n"
            )
            files["app.py"] = (
                IMPORTS + reg + "\n\ndef create_app():\n" + textwrap.indent(inner, "    ")
            )
            app_expr = "create_app()"
            app_import = "from app import create_app"
        else:
            files["app.py"] = (
                IMPORTS
                + reg
                + f"\napp = Flask(__name__{static})\n\n\n"
                + "\n\n".join(chunks)
                + "\n"
                + regcall
            )
            app_expr = "app_module.app"
            app_import = "import app as app_module"
        client_fixture = {
            "return": "    return app.test_client()\n",
            "yield_with": "    with app.test_client() as c:\n        yield c\n",
            "yield": "    c = app.test_client()\n    yield c\n",
        }[r.choice(["return", "yield_with", "yield"])]
        files["tests/conftest.py"] = (
            f"import pytest\n\n{app_import}\n\n\n@pytest.fixture\ndef app():\n"
            f"    return {app_expr}\n\n\n@pytest.fixture\ndef client(app):\n{client_fixture}"
        )
        tests: dict[str, dict[str, Any]] = {}
        for m in range(r.randint(1, 2)):
            module = f"tests/test_{m}.py"
            files[module], infos = self.test_module(routes, app_expr, app_import)
            for info in infos:
                tests[f"{module}::{info['name']}"] = info
        meta: Meta = {
            "seed": self.seed,
            "routes": [[x.rule, x.kind, x.methods] for x in routes],
            "blueprint_rules": blueprint_rules,
            "v2": flags,
            "tests": tests,
        }
        return files, meta

    def test_module(
        self, routes: list[Route], app_expr: str, app_import: str
    ) -> tuple[str, list[dict[str, Any]]]:
        r = self.r
        header = [line.format(app_import=app_import) for line in TEST_HEADER]
        fates = list(FATES) + (list(V2_FATES) * 2 if self.v2 else [])
        definitions: list[str] = []
        body: list[str] = []
        infos: list[dict[str, Any]] = []
        for t in range(r.randint(1, 5)):
            route = r.choice(routes)
            url = route.sample_url(r)
            uexpr, definition = url_expr(r, url, t)
            if definition:
                definitions.append(definition)
            method = r.choice(METHODS)
            if r.random() < 0.6:
                method = r.choice(route.methods).lower()
                if method == "get" and r.random() < 0.1:
                    method = "open"
            name = r.choice(fates)
            fate = ALL_FATES[name]
            style = r.choice(["function", "function", "class", "unittest"])
            if fate.style is not None:
                style = fate.style
            elif name == "self" and style == "function":
                style = "class"
            client = "self.client" if style == "unittest" else "client"
            fields = {
                "client": client,
                "uexpr": uexpr,
                "m": "get" if method == "open" else method,
                "t": t,
                "app_expr": app_expr,
                "c": request_src(client, method, uexpr, fate.call_extra),
                "cc": request_src("c", method, uexpr),
                "mc": request_src(f"mclient_{t}", method, uexpr),
            }
            lines = [line.format(**fields) for line in fate.lines]
            params = ", ".join(p.format(**fields) for p in fate.params)
            test = f"test_{t}_{name}"
            infos.append(
                {
                    "name": test,
                    "fate": name,
                    "style": style,
                    "method": method,
                    "url": url,
                    "uexpr": uexpr,
                    "kind": route.kind,
                    "rule": route.rule,
                    "methods": route.methods,
                }
            )
            if style == "function":
                src = [f"def {test}({params}):", *("    " + x for x in lines)]
            elif style == "class":
                src = [f"class TestC{t}:", f"    def {test}(self, {params}):"]
                src += ["        " + x for x in lines]
            else:
                src = [
                    f"class TestU{t}(unittest.TestCase):",
                    "    def setUp(self):",
                    f"        self.client = {app_expr}.test_client()",
                    "",
                    f"    def {test}(self):",
                    *("        " + x for x in lines),
                ]
            if fate.fixtures:
                body.append("\n\n".join(f.format(**fields) for f in fate.fixtures))
            body.append("\n".join(src))
        source = (
            "\n".join(header)
            + "\n"
            + "\n".join(definitions)
            + "\n\n\n"
            + "\n\n\n".join(body)
            + "\n"
        )
        return source, infos


def generate(seed: int) -> tuple[dict[str, str], Meta]:
    """The project for ``seed``: {relative path: text} and its description."""
    return _Project(seed).build()


def write_project(files: dict[str, str], root: Path) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: generator.py SEED  (prints the project's Python files and its meta)")
        return 2
    files, meta = generate(int(argv[0]))
    for name, text in sorted(files.items()):
        if name.endswith((".py", ".cfg")):
            print(f"# ---- {name}\n{text}")
    print(meta)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
