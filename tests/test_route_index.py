"""The route index on small project layouts: what it finds and which routes serve files."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Optional

import pytest

from flake8_flask_close.routes.facts import UNKNOWN, SentFile
from flake8_flask_close.routes.index import (
    ANSWERED,
    LinkedRoute,
    RouteIndex,
    get_index,
    reset_memo,
)
from tests.helpers import write_project


def index_of(tmp_path: Path, files: dict[str, str]) -> RouteIndex:
    write_project(tmp_path, {"setup.cfg": "[flake8]\n", **files})
    reset_memo()
    return get_index(str(tmp_path))


def verdict(index: RouteIndex, path: str, method: str = "GET") -> Optional[str]:
    """'file', 'sometimes', 'plain', or None when nothing matches."""
    matches = [m for m in index.match(path, method) if m.route is not None]
    if not matches:
        return None
    route = matches[0].route
    assert route is not None
    if route.evidence_for(method) is None:
        return "plain"
    return "sometimes" if route.sometimes else "file"


FACTORY = {
    "backend/shop/__init__.py": """\
from flask import Flask

from shop import downloads
from shop.api import api


def create_app():
    app = Flask(__name__, static_url_path="/assets")
    app.register_blueprint(downloads.bp, url_prefix="/dl")
    app.register_blueprint(api)
    return app
""",
    "backend/shop/downloads.py": """\
from flask import Blueprint, send_from_directory as sfd

bp = Blueprint("downloads", __name__, url_prefix="/ignored", static_folder="public")
archive = Blueprint("archive", __name__, url_prefix="/archive")
bp.register_blueprint(archive)


@bp.get("/<path:name>")
def download(name):
    return sfd("files", name)


@archive.route("/<int:year>/<name>")
def old(year, name):
    return sfd("old", name)
""",
    "backend/shop/api.py": """\
from flask import Blueprint, jsonify

api = Blueprint("api", __name__, url_prefix="/api")


@api.route("/items")
def items():
    return jsonify([])
""",
}


def test_factory_blueprints_prefixes_and_static(tmp_path: Path) -> None:
    index = index_of(tmp_path, FACTORY)
    assert verdict(index, "/dl/report.pdf") == "file"
    assert verdict(index, "/dl/archive/2020/a.txt") == "file"
    assert verdict(index, "/dl/public/logo.png") == "file"  # blueprint static folder
    assert verdict(index, "/assets/site.css") == "file"  # app static_url_path
    assert verdict(index, "/static/site.css") is None
    assert verdict(index, "/api/items") == "plain"
    assert verdict(index, "/dl/report.pdf", "POST") is None  # 405: the view never runs
    endpoints = {r.endpoint for _, r in index.all_routes()}
    assert {"downloads.download", "downloads.archive.old", "downloads.static"} <= endpoints


def test_an_app_returned_by_its_factory_without_a_name(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": """\
from flask import Flask


def create_app():
    return Flask(__name__, static_url_path="/assets")
""",
        },
    )
    assert verdict(index, "/assets/site.css") == "file"
    assert [r.endpoint for _, r in index.all_routes()] == ["static"]


def test_a_blueprint_returned_by_a_factory_is_left_alone(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": """\
from flask import Blueprint, Flask


def make_admin():
    return Blueprint("admin", __name__, static_folder="static")


def create_app():
    app = Flask(__name__, static_folder=None)
    app.register_blueprint(make_admin(), url_prefix="/admin")
    return app
""",
        },
    )
    assert verdict(index, "/static/admin.css") is None  # not mounted unprefixed


def test_views_that_sometimes_serve_a_file(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app.py": """\
from flask import Flask, abort, render_template, send_file

app = Flask(__name__)


@app.route("/gallery/<name>")
def gallery(name):
    if name == "index":
        return render_template("gallery.html")
    return send_file(name)


@app.route("/private/<name>")
def private(name):
    if name.startswith("."):
        return "forbidden", 403
    if name == "gone":
        abort(410)
    return send_file(name)
""",
        },
    )
    assert verdict(index, "/gallery/x") == "sometimes"
    assert verdict(index, "/private/x") == "file"  # error answers don't make it "sometimes"


@pytest.mark.parametrize(
    ("view", "handler", "expected"),
    [
        ("abort(404)", "send_file('sorry.html'), 404", "file"),
        ("abort(404)\n    return send_file('report.txt')", "send_file('sorry.html')", "file"),
        ("raise NotFound()", "send_file('sorry.html'), 404", "file"),
        ("abort(404)", "'sorry', 404", "plain"),
        ("abort(403)", "send_file('sorry.html'), 404", "plain"),  # no handler for 403
        ("abort(CODE)", "send_file('sorry.html'), 404", "unknown"),
        ("raise Retired()", "send_file('sorry.html'), 404", "unknown"),  # its class's?
        ("if DEBUG:\n        return 'x'\n    abort(404)", "send_file('s.html'), 404", "plain"),
    ],
)
def test_a_view_that_always_aborts_is_answered_by_the_handler(
    tmp_path: Path, view: str, handler: str, expected: str
) -> None:
    index = index_of(
        tmp_path,
        {
            "app.py": f"""\
from flask import Flask, abort, send_file
from werkzeug.exceptions import NotFound

app = Flask(__name__)
CODE = 404
DEBUG = False


class Retired(Exception):
    pass


@app.errorhandler(404)
def not_found(error):
    return {handler}


@app.route("/report")
def report():
    {view}
""",
        },
    )
    (match,) = [m for m in index.match("/report", "GET") if m.route is not None]
    assert match.route is not None
    if expected == "unknown":
        assert match.route.sometimes
    else:
        assert verdict(index, "/report") == expected


@pytest.mark.parametrize(
    ("gate", "answers"),
    [
        ('return "down for maintenance", 503', True),
        ('return jsonify(error="closed")', True),
        ('return {"error": "closed"}, 503', True),
        ('return f"closed until {UNTIL}"', True),
        ('log("x")\n    return "closed", 503', False),  # log() may raise: a handler answers
        ('return redirect("/static/maintenance.html")', False),  # a followed redirect
        ('if request.path == "/health":\n        return None\n    return "closed", 503', False),
        ('if request.args.get("t") != "x":\n        return "no", 401', False),
        ("abort(503)", False),  # an error handler may serve a file
        ('raise RuntimeError("closed")', False),
        ('return send_file("maintenance.html")', False),  # the gate serves a file itself
        ("return check()", False),  # may be None
        ("return None", False),
    ],
)
def test_a_before_request_function_that_always_answers(
    tmp_path: Path, gate: str, answers: bool
) -> None:
    index = index_of(
        tmp_path,
        {
            "app.py": f"""\
from flask import Flask, abort, jsonify, redirect, request, send_file

app = Flask(__name__)
UNTIL = "noon"


@app.before_request
def gate():
    {gate}


@app.route("/report")
def report():
    return send_file("report.txt")
""",
        },
    )
    assert verdict(index, "/report") == ("plain" if answers else "file")


@pytest.mark.parametrize(
    ("setting", "sent_by_server"),
    [
        ('app.config["USE_X_SENDFILE"] = True', True),
        ("app.config.update(USE_X_SENDFILE=True)", True),
        ('app.config.from_mapping({"USE_X_SENDFILE": SENDFILE})', True),
        ("class Config:\n    USE_X_SENDFILE = True", True),
        ('FLAG = os.environ.get("FLASK_USE_X_SENDFILE")', True),  # read at run time
        ("class Config:\n    TESTING, USE_X_SENDFILE = True, True", True),
        ("class Config:\n    USE_X_SENDFILE, OTHER = load()", True),
        ("class Config:\n    TESTING, USE_X_SENDFILE = True, False", False),
        ('app.config["USE_X_SENDFILE"] = False', False),
        ("class Config:\n    USE_X_SENDFILE = False", False),
        ("app.config.update(USE_X_SENDFILE=None)", False),
        ("", False),
    ],
)
def test_a_project_that_may_turn_x_sendfile_on(
    tmp_path: Path, setting: str, sent_by_server: bool
) -> None:
    """With ``USE_X_SENDFILE`` on, a send call given a path opens no file (the web server
    sends it, X-Sendfile): requests to such routes are not judged; ``Response(open(...))``
    and Werkzeug's own ``send_file`` (which doesn't read the setting) still hold their
    files."""
    index = index_of(
        tmp_path,
        {
            "app.py": """\
import os

import werkzeug.utils
from flask import Flask, Response, request, send_file

app = Flask(__name__)
SENDFILE = True


@app.route("/report")
def report():
    return send_file("report.txt")


@app.route("/raw")
def raw():
    return Response(open("report.txt", "rb"))


@app.route("/werkzeug")
def werkzeug_sent():
    return werkzeug.utils.send_file("report.txt", request.environ)
""",
            "settings.py": f"import os\n\nfrom app import app\nSENDFILE = True\n{setting}\n",
        },
    )
    assert verdict(index, "/report") == ("sometimes" if sent_by_server else "file")
    assert verdict(index, "/raw") == "file"
    assert verdict(index, "/werkzeug") == "file"


@pytest.mark.parametrize(
    "registration",
    [
        "if DEBUG:\n\n    @app.before_request\n    def gate():\n        return 'closed', 503\n",
        "@app.before_request\n@timed\ndef gate():\n    return 'closed', 503\n",
        "def gate():\n    return 'closed', 503\n\n\napp.before_request(gate)\n",
        "def later():\n    @app.before_request\n    def gate():\n        return 'closed', 503\n",
    ],
)
def test_gates_that_may_not_be_registered_as_they_read(tmp_path: Path, registration: str) -> None:
    """Registered under a condition, below another decorator, by a call (not followed), or
    in a function that doesn't make the app: the views are judged as if there were no
    gate."""
    index = index_of(
        tmp_path,
        {
            "app.py": f"""\
from flask import Flask, send_file

app = Flask(__name__)
DEBUG = False


def timed(f):
    return f


{registration}

@app.route("/report")
def report():
    return send_file("report.txt")
""",
        },
    )
    assert verdict(index, "/report") == "file"


def test_helpers_followed_through_imports(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app/__init__.py": """\
from flask import Flask

from .views import register


def create_app():
    app = Flask(__name__)
    register(app)
    return app
""",
            "app/views.py": """\
from flask.views import MethodView

from app.util.files import serve_pdf


def register(app):
    app.add_url_rule("/invoice/<int:n>", view_func=invoice)
    app.add_url_rule("/report", view_func=Report.as_view("report"))


def invoice(n):
    return serve_pdf(f"{n}.pdf")


class Report(MethodView):
    def get(self):
        return serve_pdf("report.pdf")

    def post(self):
        return {"ok": True}
""",
            "app/util/__init__.py": "",
            "app/util/files.py": """\
import io

from flask import send_file


def serve_pdf(name):
    return send_file(name, mimetype="application/pdf")


def in_memory():
    return send_file(io.BytesIO(b"x"), mimetype="text/plain")
""",
        },
    )
    assert verdict(index, "/invoice/7") == "file"  # app from init_app-style register(app)
    assert verdict(index, "/report", "GET") == "file"
    assert verdict(index, "/report", "HEAD") == "file"
    assert verdict(index, "/report", "POST") == "plain"
    route = next(r for _, r in index.all_routes() if r.rule == "/invoice/<int:n>")
    assert route.evidence == "send_file in app/util/files.py:7 via serve_pdf()"


def test_other_frameworks_are_not_flask(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "asgi.py": """\
from quart import Quart, send_from_directory

app = Quart(__name__)


@app.route("/file.txt")
async def file_txt():
    return await send_from_directory(".", "file.txt")
""",
        },
    )
    assert verdict(index, "/file.txt") is None


RESOURCES = """\
import os

from flask import Blueprint, Flask, send_file
from flask_restx import Api as RestxApi
from flask_restful import Api, Resource

from elsewhere import shared_api

PREFIX = "/v2"


class Items(Resource):
    def get(self):
        return {"items": []}

    def post(self):
        return {}, 201


class Report(Resource):
    def get(self):
        return send_file(os.path.join(os.path.dirname(__file__), "report.csv"))


app = Flask(__name__)
Api(app)  # bound to no name: nothing is added through it
api = Api(app, "/api")
api.add_resource(Items, "/items", "/items/all", endpoint="all_items")
api.add_resource(Report, "/report")
Api(app, prefix=PREFIX).add_resource(Items, "/items")
versioned = Api(app, prefix=PREFIX)
versioned.add_resource(Report, "/report")
restx = RestxApi(app, prefix="/x", doc=False)
restx.add_resource(Items, "/items")
computed = Api(app, prefix=os.environ.get("API_PREFIX", "/api"))
computed.add_resource(Report, "/computed-report")
shared_api.add_resource(Report, "/shared-report")

bp = Blueprint("admin", __name__, url_prefix="/admin")
late = Api()
late.add_resource(Report, "/report")


def create_app():
    late.init_app(bp)
    app.register_blueprint(bp)
    return app
"""


def test_resources_added_by_an_api_are_class_views(tmp_path: Path) -> None:
    """flask-restful's and flask-restx's ``add_resource``: a class view per URL, below
    the ``Api``'s prefix, on the app or blueprint it was made (or ``init_app``) for."""
    index = index_of(tmp_path, {"service.py": RESOURCES})
    assert verdict(index, "/api/items") == "plain"
    assert verdict(index, "/api/items", "POST") == "plain"
    assert verdict(index, "/api/items/all") == "plain"
    assert verdict(index, "/api/report") == "file"
    assert verdict(index, "/v2/report") == "file"
    assert verdict(index, "/x/items") == "plain"
    assert verdict(index, "/admin/report") == "file"
    assert {r.endpoint for r in index.by_endpoint("all_items")} == {"all_items"}
    assert {r.rule for r in index.by_endpoint("report")} >= {"/api/report"}
    # a prefix it can't read, an Api of another module, and one never bound to a name
    assert verdict(index, "/api/computed-report") is None
    assert verdict(index, "/computed-report") is None
    assert verdict(index, "/shared-report") is None
    assert verdict(index, "/v2/items") is None


def test_redirect_targets_are_recorded(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app.py": """\
from http import HTTPStatus

from flask import Flask, redirect, send_file, url_for

app = Flask(__name__)
CODE = 301
KEEP = HTTPStatus.TEMPORARY_REDIRECT


@app.route("/latest")
def latest():
    return redirect(url_for("release"))


@app.route("/kept", methods=["POST"])
def kept():
    return redirect("/release", code=307)


@app.route("/moved")
def moved():
    return redirect("http://localhost/release", CODE)


@app.route("/relative")
def relative():
    return redirect("release")


@app.route("/keyword", methods=["POST"])
def keyword():
    return redirect(code=HTTPStatus.SEE_OTHER, location="/release")


@app.route("/sometimes", methods=["GET", "POST"])
def sometimes():
    if app.debug:
        return redirect("/release", KEEP)
    return "posted"


@app.route("/unknown")
def unknown(code=302):
    return redirect("/release", code)


@app.route("/release")
def release():
    return send_file("release.txt")
""",
        },
    )
    redirects = {r.rule: (r.redirects, r.also_answers) for _, r in index.all_routes()}
    assert redirects == {
        "/latest": (("302 @release",), False),
        "/kept": (("307 /release",), False),
        "/moved": (("301 http://localhost/release",), False),
        "/relative": (("302 release",), False),
        "/keyword": (("303 /release",), False),
        "/sometimes": (("307 /release",), True),
        "/unknown": (("? /release",), False),
        "/release": ((), False),
        "/static/<path:filename>": ((), False),
    }


def test_unsaved_buffer_overrides_the_file_on_disk(tmp_path: Path) -> None:
    files = {"app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    index_of(tmp_path, files)
    buffer = (
        "from flask import Flask, send_file\napp = Flask(__name__)\n\n"
        "@app.route('/new')\ndef new():\n    return send_file('x')\n"
    )
    index = get_index(str(tmp_path), (), (str(tmp_path / "app.py"), buffer, ast.parse(buffer)))
    assert verdict(index, "/new") == "file"
    assert verdict(get_index(str(tmp_path)), "/new") is None  # the disk copy is unchanged


def test_broken_files_are_skipped(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "broken.py": "from flask import Flask\napp = Flask(\n",
            "nul.py": "from flask import Flask\x00\n",
            "latin.py": "# -*- coding: latin-1 -*-\nfrom flask import Flask\nname = '\xe9'\n",
            "app.py": """\
from flask import Flask, send_file

app = Flask(__name__)


@app.route("/ok")
def ok():
    return send_file("x")
""",
        },
    )
    assert verdict(index, "/ok") == "file"


def test_bucketed_route_map_answers_as_one_router(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RouteMap builds one Werkzeug router per first path segment; every URL must get the
    answer one router of every rule gives (generated project: ~40 blueprints, static
    folders, converters, strict slashes), also when routers are dropped and built again
    (only the most recently used are kept)."""
    import importlib.util
    import random
    import re

    from flake8_flask_close.routes import match
    from flake8_flask_close.routes.match import RouteMap, _router

    monkeypatch.setattr(match, "MAX_ROUTERS", 2)

    spec = importlib.util.spec_from_file_location(
        "bench_generate", Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_generate", generate)
    spec.loader.exec_module(generate)
    generate.generate(str(tmp_path / "shop"), 400, 3)
    reset_memo()
    index = get_index(str(tmp_path / "shop"))
    (group,) = index.groups
    rules = [r.rule for r in group.routes if r.rule and r.rule.startswith("/")]
    assert len(rules) > 100
    rng = random.Random(0)
    urls = {"/", "//", "/static", "/static/", "/nothing/here"}
    for rule in rules:
        concrete = re.sub(
            r"<(?:int[^:>]*:)?[^>]*>", lambda m: "7" if "int" in m[0] else "a.pdf", rule
        )
        urls |= {concrete, concrete.rstrip("/"), concrete + "/", "/" + concrete, concrete + "x"}
        urls.add("/".join(concrete.split("/")[: rng.randint(1, 4)]))
    bucketed = RouteMap(group.routes)
    whole = _router(list(enumerate(group.routes)))
    assert whole is not None
    for url in sorted(urls):
        for method in ("GET", "POST", "HEAD"):
            got = bucketed.match(url, method)
            expected: tuple[Optional[LinkedRoute], Optional[str]]
            try:
                endpoint, _ = whole.match(url, method=method)
                expected = (group.routes[int(endpoint)], None)
            except Exception as exc:  # NotFound, MethodNotAllowed, RequestRedirect
                expected = (None, getattr(exc, "new_url", None))
            actual = (got.route, got.redirect_to) if got is not None else (None, None)
            assert actual == expected, (url, method)
    assert len(bucketed._adapters) == 2


def test_bucketed_route_map_on_slashes_and_variable_first_segments() -> None:
    from flake8_flask_close.routes.index import LinkedRoute
    from flake8_flask_close.routes.match import RouteMap, _router

    rules = [
        "/",
        "/docs/",
        "/docs/<path:name>",
        "/<lang>/docs/<name>",
        "/<int:year>/",
        "/files/<name>",
        "/files/",
        "/a//b",
        "/<path:rest>",
    ]
    routes = [LinkedRoute(r, None, str(i), None) for i, r in enumerate(rules)]
    urls = ["/", "//", "/docs", "/docs/", "/docs//x", "//docs/x", "/en/docs/x", "/2024"]
    urls += ["/2024/", "/files", "/files/", "/files/a", "/a/b", "/a//b", "/zzz", "/zzz/q/"]
    bucketed = RouteMap(routes)
    whole = _router(list(enumerate(routes)))
    assert whole is not None
    for url in urls:
        got = bucketed.match(url, "GET")
        expected: tuple[Optional[LinkedRoute], Optional[str]]
        try:
            endpoint, _ = whole.match(url, method="GET")
            expected = (routes[int(endpoint)], None)
        except Exception as exc:  # NotFound, RequestRedirect
            expected = (None, getattr(exc, "new_url", None))
        assert ((got.route, got.redirect_to) if got else (None, None)) == expected, url


def test_the_file_a_view_sends_is_named_below_its_apps_root(tmp_path: Path) -> None:
    """``LinkedRoute.sent``: the one file a view's Flask send call names, its folder below
    the root path of the app the route is on; None where the code doesn't say."""
    index = index_of(
        tmp_path,
        {
            "store/__init__.py": """\
import flask
from flask import Flask, send_file, send_from_directory
from werkzeug.utils import send_from_directory as werkzeug_sfd

from store.parts import bp

app = Flask(__name__)
app.register_blueprint(bp)
FOLDER = "files"


@app.route("/a/<path:name>")
def by_url(name):
    return send_from_directory("files", name)


@app.route("/b")
def fixed():
    return flask.send_from_directory(directory=FOLDER, path="b.txt"), 200


@app.route("/c")
def in_root():
    return send_file("c.txt")


@app.route("/d")
def absolute():
    return send_file("/srv/d.txt")


@app.route("/e/<name>")
def rebound(name):
    name += ".txt"
    return send_from_directory("files", name)


@app.route("/f/<name>")
def caught(name):
    try:
        return send_from_directory("files", name)
    except KeyError as name:
        return send_from_directory("other", name)


@app.route("/g/<name>")
def not_a_parameter(name):
    return send_from_directory("files", NAME)


@app.route("/h/<name>")
def werkzeugs(name):
    return werkzeug_sfd("files", name, {})


@app.route("/i")
def leaves():
    return send_file("../i.txt")


@app.route("/j")
def two_files():
    if app.debug:
        return send_file("j1.txt")
    return send_file("j2.txt")


@app.route("/k/<name>")
@login_required
def decorated(name):
    return send_from_directory("files", name)


@app.route("/l/<name>")
def caught_not_found(name):
    try:
        return send_from_directory("files", name)
    except NotFound:
        return redirect("/")


@app.route("/m/<name>")
def rebound_inside(name):
    def change():
        nonlocal name
        name = "other.txt"

    change()
    return send_from_directory("files", name)


@app.route("/n")
def unclean():
    return send_from_directory("files", "sub/../n.txt")
""",
            "store/parts.py": """\
from flask import Blueprint, send_from_directory

bp = Blueprint("parts", __name__)


@bp.route("/p/<name>")
def part(name):
    return send_from_directory("media", name)
""",
        },
    )
    root = str(tmp_path / "store")
    sent = {r.rule: r.sent for _, r in index.all_routes() if r.evidence}
    assert sent == {
        "/a/<path:name>": SentFile(f"{root}/files", "name", from_url=True),
        "/b": SentFile(f"{root}/files", "b.txt"),
        "/c": SentFile(root, "c.txt", missing_raises=True),
        "/d": SentFile("/srv", "d.txt", missing_raises=True),
        "/e/<name>": None,
        "/f/<name>": None,
        "/g/<name>": None,
        "/h/<name>": None,
        "/i": None,
        "/j": None,
        "/k/<name>": None,
        "/l/<name>": None,
        "/m/<name>": None,
        "/n": SentFile(f"{root}/files", "n.txt"),  # as safe_join cleans it up
        "/p/<name>": SentFile(f"{root}/media", "name", from_url=True),
        "/static/<path:filename>": None,
    }


@pytest.mark.parametrize(
    "made",
    [
        'Flask("elsewhere")',
        'Flask(__name__, root_path="/srv/site")',
        'Flask(import_name=__name__.split(".")[0])',
    ],
)
def test_a_sent_file_is_unknown_below_an_app_rooted_elsewhere(tmp_path: Path, made: str) -> None:
    """Flask finds an app's root path from its import name: only ``__name__`` (or the
    module's own name) is known to be the module's folder."""
    source = (
        "from flask import Flask, send_file\n\n"
        f"app = {made}\n\n\n"
        '@app.route("/a")\ndef a():\n    return send_file("a.txt")\n'
    )
    index = index_of(tmp_path, {"app.py": source})
    assert [r.sent for _, r in index.all_routes() if r.rule == "/a"] == [None]
    own_name = index_of(tmp_path, {"app.py": source.replace(made, 'Flask("app")')})
    assert [r.sent for _, r in own_name.all_routes() if r.rule == "/a"] == [
        SentFile(str(tmp_path), "a.txt", missing_raises=True)
    ]


def test_a_name_from_the_url_is_unknown_where_values_are_preprocessed(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        {
            "app.py": """\
from flask import Flask, send_from_directory

app = Flask(__name__)


@app.url_value_preprocessor
def lower(endpoint, values):
    values["name"] = values["name"].lower()


@app.route("/a/<name>")
def a(name):
    return send_from_directory("files", name)


@app.route("/b")
def b():
    return send_from_directory("files", "b.txt")
"""
        },
    )
    sent = {r.rule: r.sent for _, r in index.all_routes() if r.evidence}
    assert sent["/a/<name>"] is None
    assert sent["/b"] == SentFile(str(tmp_path / "files"), "b.txt")


def test_what_answers_a_missing_file(tmp_path: Path) -> None:
    """``LinkedRoute.when_missing``: the app's own 404 handler (by code, ``HTTPStatus``,
    a constant, ``NotFound``, a blueprint's ``app_errorhandler``, the call form), before
    a catch-all one; unknown where a handler may answer that the index can't place."""
    handler = (
        "from http import HTTPStatus\n"
        "from flask import Blueprint, Flask, jsonify, send_file\n"
        "from werkzeug.exceptions import HTTPException, NotFound\n\n"
        "app = Flask(__name__)\n"
        "MISSING = 404\n\n\n"
        "def page(error):\n"
        '    return send_file("404.html"), 404\n\n\n'
        "def either(error):\n"
        "    if error:\n"
        '        return jsonify(error="x"), 404\n'
        '    return send_file("404.html"), 404\n\n\n'
        "def plain(error):\n"
        '    return jsonify(error="x"), 404\n\n\n'
    )
    page = "send_file in app.py:10"
    cases = {
        "app.errorhandler(404)(page)": page,
        "app.register_error_handler(HTTPStatus.NOT_FOUND, page)": page,
        "app.register_error_handler(MISSING, page)": page,
        "app.register_error_handler(NotFound, page)": page,
        "app.register_error_handler(Exception, page)": page,
        "app.register_error_handler(404, plain)\napp.register_error_handler(Exception, page)": (
            ANSWERED
        ),
        "app.register_error_handler(HTTPException, plain)\n"
        "app.register_error_handler(Exception, page)": ANSWERED,
        "app.register_error_handler(404, plain)\napp.register_error_handler(404, page)": UNKNOWN,
        "app.register_error_handler(ValueError, page)": None,
        "app.register_error_handler(404, either)": UNKNOWN,
        "app.register_error_handler(UNREADABLE, page)": UNKNOWN,
        'bp = Blueprint("bp", __name__)\nbp.register_error_handler(404, page)': UNKNOWN,
        'bp = Blueprint("bp", __name__)\nbp.app_errorhandler(404)(page)\n'
        "app.register_blueprint(bp)": page,
    }
    for registration, expected in cases.items():
        index = index_of(tmp_path, {"app.py": handler + registration + "\n"})
        [static] = [r for _, r in index.all_routes() if r.static_dir]
        assert static.when_missing == expected, registration


@pytest.mark.parametrize(
    ("registration", "expected"),
    [
        ("", None),
        ("app.register_error_handler(500, plain)", ANSWERED),
        ("app.register_error_handler(OSError, page)", UNKNOWN),
    ],
)
def test_what_answers_a_missing_send_file_path(
    tmp_path: Path, registration: str, expected: Optional[str]
) -> None:
    """``send_file`` of a missing path raises: the test gets the error when Flask
    propagates it, a handler's answer otherwise; a 2xx can't say the file was there."""
    source = (
        "from flask import Flask, jsonify, send_file\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.route("/r")\ndef r():\n    return send_file("gone.txt")\n\n\n'
        'def page(error):\n    return send_file("500.html"), 500\n\n\n'
        'def plain(error):\n    return jsonify(error="x"), 500\n\n\n' + registration + "\n"
    )
    index = index_of(tmp_path, {"app.py": source})
    [route] = [r for _, r in index.all_routes() if r.rule == "/r"]
    assert route.when_missing == expected


def test_route_map_split_by_second_segment_answers_as_one_router() -> None:
    """A big bucket gets a router per second segment: each still answers every URL as
    one router of every rule does (strict slashes, repeated slashes, variable and
    missing second segments, methods)."""
    from flake8_flask_close.routes.index import LinkedRoute
    from flake8_flask_close.routes.match import RouteMap, _router

    rules = [
        "/api",
        "/api/",
        "/api/users/",
        "/api/users/<int:user_id>",
        "/api/orders/<order>",
        "/api/orders/",
        "/api/files/<path:name>",
        "/api/<version>/status",
        "/api/reports/<int:year>/",
        "/api//exports/<name>",
        "/api/photos/a.png",
        "/api/photos/<name>.jpg",
        "/api/audit",
        "/api/audit/<int:day>",
        "/api/health",
        "/api/health/",
        "/other/x",
    ]
    routes = [
        LinkedRoute(r, frozenset({"POST"}) if "audit" in r else None, str(i), None)
        for i, r in enumerate(rules)
    ]
    urls = ["/api", "/api/", "//api", "/api//", "/api//users", "/api/users", "/api/users/"]
    urls += ["/api/users/3", "//api/users/3", "/api/users//3", "/api/users/3/", "/api/orders"]
    urls += ["/api/orders/x", "/api/orders/x/", "/api/files/a/b", "/api/files//a", "/api/v1/status"]
    urls += ["/api/v1/status/", "/api/nothing", "/api/reports/2024", "/api/reports/2024/"]
    urls += ["/api/exports/a", "/api//exports/a", "/api/photos/a.png", "/api/photos/b.jpg"]
    urls += ["/api/audit", "/api/audit/3", "/api/health", "/api/health/", "/other/x", "/zzz"]
    bucketed = RouteMap(routes)
    assert bucketed._split("api") is not None
    whole = _router(list(enumerate(routes)))
    assert whole is not None
    for url in urls:
        for method in ("GET", "POST"):
            got = bucketed.match(url, method)
            expected: tuple[Optional[LinkedRoute], Optional[str]]
            try:
                endpoint, _ = whole.match(url, method=method)
                expected = (routes[int(endpoint)], None)
            except Exception as exc:  # NotFound, MethodNotAllowed, RequestRedirect
                expected = (None, getattr(exc, "new_url", None))
            actual = (got.route, got.redirect_to) if got is not None else (None, None)
            assert actual == expected, (url, method)


def test_a_rule_of_another_shape_never_matches() -> None:
    """``_may_match`` tells a path a rule can't match by the rule's literal segments and
    their number, before Werkzeug compiles it: whenever it says no, a router of that
    rule alone answers 404, 405 or a redirect, never the rule (every pair of these rules
    and paths, three methods)."""
    from flake8_flask_close.routes.match import _may_match, _router, _shape

    rules = [
        "/",
        "/a",
        "/a/",
        "/a/b",
        "/a/b/",
        "/a/<x>",
        "/a/<x>/",
        "/a/<int:n>/b.pdf",
        "/a/<name>.txt",
        "/a/<path:rest>",
        "/a/<path:rest>/",
        "/a/<path:rest>/end",
        "/<lang>/a",
        "/<path:everything>",
        "/a/<any(b, 'c/d'):kind>",
        "/a/<string(length=2):code>/z",
        "/a/<custom:thing>",
        "/a/<uuid:u>/<float:f>",
        "/a//b",
        "/ä/ß",
        "/a/b%20c",
    ]
    paths = ["/", "/a", "/a/", "/a/b", "/a/b/", "/a/7/b.pdf", "/a/7/c.pdf", "/a/n.txt"]
    paths += ["/a/x/y", "/a/x/y/", "/a/x/y/end", "/en/a", "/en/a/", "/a/c/d", "/a/ab/z"]
    paths += ["/a//b", "//a/b", "/a/b//", "/ä/ß", "/a/b%20c", "/a/b c", "/b", "/a/b/c/d/e"]
    paths += ["/a/12345678-1234-5678-1234-567812345678/1.5", "/a/.", "/a/..", "/a/%2F"]
    said_no = 0
    for rule in rules:
        router = _router([(0, LinkedRoute(rule, frozenset({"GET", "POST"}), "0", None))])
        assert router is not None
        for path in paths:
            if _may_match(_shape(rule), path.split("/")[1:]):
                continue
            said_no += 1
            for method in ("GET", "POST", "DELETE"):
                try:
                    router.match(path, method=method)
                except Exception:  # NotFound, MethodNotAllowed, RequestRedirect
                    continue
                raise AssertionError(f"{rule!r} matches {path!r} ({method})")
    assert said_no > len(rules) * len(paths) // 2


def test_route_map_says_which_paths_may_reach_a_file() -> None:
    """``RouteMap.may_serve_file`` is False only where the router's answer (one router of
    every rule) is no route serving a file for the method: none, a redirect, a 405, a
    route serving none or serving one for other methods only."""
    from flake8_flask_close.routes.match import RouteMap, _router

    file_rules = ["/api/files/<name>", "/api/exports/<int:n>.csv", "/docs/<path:p>"]
    file_rules += ["/static/<path:filename>", "/<lang>/manual.pdf", "/api/reports/"]
    plain_rules = ["/api/users/<int:n>", "/api/users/", "/api/files/", "/api/status"]
    plain_rules += ["/docs/", "/api/exports/summary", "/<lang>/about", "/api/reports/new"]
    routes = [
        LinkedRoute(r, None, str(i), f"send_file in views.py:{i}") for i, r in enumerate(file_rules)
    ]
    routes += [LinkedRoute(r, frozenset({"GET", "POST"}), f"p{r}", None) for r in plain_rules]
    routes.append(
        LinkedRoute(
            "/api/uploads/<name>",
            frozenset({"GET", "PUT"}),
            "up",
            None,
            method_evidence=(("GET", "send_file in views.py:40"), ("PUT", None)),
        )
    )
    urls = ["/", "/api/files/a.txt", "/api/files/", "/api/files", "/api/users/3", "/api/users"]
    urls += ["/api/exports/7.csv", "/api/exports/summary", "/docs/a/b", "/docs/", "/docs"]
    urls += ["/static/app.css", "/en/manual.pdf", "/en/about", "/api/reports", "/api/reports/"]
    urls += ["/api/reports/new", "/api/status", "/api/uploads/a", "/api//files/a", "/zzz"]
    bucketed = RouteMap(routes)
    whole = _router(list(enumerate(routes)))
    assert whole is not None
    said_no = 0
    for url in urls:
        for method in ("GET", "HEAD", "POST", "PUT"):
            if bucketed.may_serve_file(url, method):
                continue
            said_no += 1
            try:
                endpoint, _ = whole.match(url, method=method)
            except Exception:  # NotFound, MethodNotAllowed, RequestRedirect
                continue
            route = routes[int(endpoint)]
            assert not (route.allows(method) and route.evidence_for(method)), (url, method)
    assert said_no > len(urls)
    assert not bucketed.may_serve_file("/api/users/3", "GET")
    assert not bucketed.may_serve_file("/api/uploads/a", "PUT")
    assert bucketed.may_serve_file("/api/uploads/a", "GET")
    assert bucketed.may_serve_file("/api//files/a", "GET")  # merged by Werkzeug: can't tell


def test_route_map_forgets_the_rules_serving_files_of_many_routers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A split bucket has a router per second segment a test asks for (``/files/a.txt``,
    ``/files/b.txt``...): what ``may_serve_file`` keeps per router is bounded as the
    remembered answers are."""
    from flake8_flask_close.routes import match
    from flake8_flask_close.routes.match import RouteMap

    monkeypatch.setattr(match, "MAX_MATCHES", 4)
    rules = [f"/files/{i}/<name>" for i in range(8)] + ["/files/<path:rest>"]
    routes = [LinkedRoute(r, None, str(i), f"send_file in v.py:{i}") for i, r in enumerate(rules)]
    route_map = RouteMap(routes)
    for i in range(20):
        assert route_map.may_serve_file(f"/files/x{i}/a.txt", "GET")  # the path rule
        assert len(route_map._serving) <= 4
    assert not route_map.may_serve_file("/files/3/a.txt", "POST")
