"""Write a realistic synthetic Flask project for the benchmark.

    python bench/generate.py OUT_DIR --files N [--seed S]

The project has the shape of a real, large Flask code base:

- ``<pkg>/__init__.py``: an app factory that registers one blueprint per *area*;
- ``<pkg>/<area>/__init__.py``: the area's blueprint, with its view modules' blueprints
  nested in it (``bp.register_blueprint(downloads.bp)``);
- ``<pkg>/<area>/<topic>.py`` (~20 % of the files): blueprints with JSON views, views that
  serve files (``send_from_directory``, ``send_file``, helpers of ``<pkg>/utils/files.py``,
  ``send_file(io.BytesIO(...))``), ``MethodView`` classes; now and then a view that closes
  its file too early (a production-side finding);
- ``<pkg>/<area>/{models,services,repositories,schemas,tasks}_<i>.py`` (~40 %): plain
  library code without routes, as most modules of a real project are;
- ``tests/conftest.py`` with ``app`` and ``client`` fixtures, and ``tests/<area>/test_*.py``
  (~35 %): request tests mixing closed and unclosed responses to file and JSON routes (so
  the plugin has findings), unittest-style classes, parametrized tests, and unit tests of
  the library modules;
- static folders with a few files, and ``setup.cfg`` with a ``[flake8]`` section.

The output depends only on ``--files`` and ``--seed``. Every file parses; the generated
code is meant to be clean under pyflakes and pycodestyle, so what flake8 reports comes
from the plugin (and, with flake8-bugbear, from bugbear).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from typing import Optional

GENERATOR_VERSION = "1"
"""Bump when the output changes, so cached generated projects are rebuilt (bench/run.py)."""

AREA_NAMES = (
    "billing", "catalog", "orders", "reports", "accounts", "inventory", "shipping",
    "invoices", "media", "exports", "payments", "support", "analytics", "documents",
    "partners", "warehouse", "marketing", "returns", "pricing", "suppliers",
)  # fmt: skip
TOPICS = ("api", "downloads", "admin", "public", "exports", "archive", "files", "portal")
NOUNS = (
    "invoice", "order", "receipt", "report", "product", "customer", "ticket", "contract",
    "statement", "shipment", "photo", "voucher", "manifest", "label", "quote", "bundle",
)  # fmt: skip
VERBS = {
    "json": "get",
    "json_post": "create",
    "memory": "summarize",
    "send_from_directory": "download",
    "send_file": "pdf_of",
    "helper": "report_on",
    "methodview": "items",
}
"""The first word of each kind of view's function name."""
LIB_KINDS = ("models", "services", "repositories", "schemas", "tasks")
FILE_KINDS = ("send_from_directory", "send_file", "helper", "methodview")
FILES_PER_AREA = 20
ROUTE_MODULES_PER_AREA = 4
LIB_MODULES_PER_AREA = 8
ROUTE_TESTS_PER_AREA = 4
LIB_TESTS_PER_AREA = 3


@dataclass
class View:
    """One route of a generated blueprint, and how a test reaches it."""

    func: str
    method: str
    rule: str
    """Relative to the view module's blueprint."""
    example: str
    """A concrete URL for ``rule``, relative to the blueprint."""
    kind: str
    """``json``, ``json_post``, ``memory`` or one of FILE_KINDS."""
    noun: str

    @property
    def serves_file(self) -> bool:
        return self.kind in FILE_KINDS


@dataclass
class RouteModule:
    area: str
    topic: str
    prefix: str
    views: list[View] = field(default_factory=list)
    static: bool = False

    @property
    def url_base(self) -> str:
        return f"/{self.area}{self.prefix}"


@dataclass
class LibModule:
    area: str
    name: str
    functions: list[tuple[str, str, str]] = field(default_factory=list)
    """(function name, argument literal, expected result literal) for unit tests."""


class Writer:
    """Writes files below the project root and counts the ``.py`` ones."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.py_files = 0
        self.other_files = 0

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text.rstrip("\n") + "\n")
        if rel.endswith(".py"):
            self.py_files += 1
        else:
            self.other_files += 1


def _block(lines: list[str]) -> str:
    return "\n".join(lines)


def _imports(*groups: list[str]) -> list[str]:
    """isort-like import groups separated by a blank line (empty groups dropped)."""
    out: list[str] = []
    for group in groups:
        if not group:
            continue
        if out:
            out.append("")
        out.extend(sorted(set(group), key=lambda s: (s.startswith("from "), s)))
    return out


def _wrap_from_import(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(sorted(names))}"
    if len(line) <= 99:
        return line
    inner = "\n".join(f"    {n}," for n in sorted(names))
    return f"from {module} import (\n{inner}\n)"


# ---------------------------------------------------------------- top-level package
def app_factory(pkg: str, areas: list[str]) -> str:
    imports = "\n".join(f"    from .{a} import bp as {a}_bp" for a in areas)
    registers = "\n".join(f"    app.register_blueprint({a}_bp)" for a in areas)
    return f'''"""The {pkg} web application."""

import logging
import os

from flask import Flask, jsonify

LOG = logging.getLogger(__name__)


def create_app(test_config=None):
    """Create and configure an instance of the application."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("{pkg}.config.DefaultConfig")
    app.config.setdefault("EXPORT_DIR", os.path.join(app.instance_path, "exports"))
    if test_config is not None:
        app.config.update(test_config)
    else:
        app.config.from_pyfile("settings.py", silent=True)

    from .extensions import init_extensions

    init_extensions(app)

{imports}

{registers}

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.errorhandler(404)
    def not_found(error):
        return jsonify(error="not found"), 404

    LOG.debug("created %s with %d blueprints", app.name, len(app.blueprints))
    return app
'''


def config_module() -> str:
    return '''"""Default settings; an instance's settings.py overrides them."""

import os


class DefaultConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    JSON_SORT_KEYS = False
    PAGE_SIZE = 50
    REPORT_FORMATS = ("csv", "xlsx", "pdf")


class TestingConfig(DefaultConfig):
    TESTING = True
    PAGE_SIZE = 5
'''


def extensions_module() -> str:
    return '''"""Extensions and request hooks shared by every blueprint."""

import time

from flask import g, request


def init_extensions(app):
    """Attach timing hooks; no extension needs the app before this."""

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def add_timing_header(response):
        started = g.pop("started", None)
        if started is not None:
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        if request.path.startswith("/api"):
            response.headers["Cache-Control"] = "no-store"
        return response
'''


def utils_files_module() -> str:
    return '''"""Helpers that send files from the export folder."""

import mimetypes
import os

from flask import abort, current_app, send_file, send_from_directory


def export_dir():
    return current_app.config["EXPORT_DIR"]


def serve_attachment(name):
    """Send a file of the export folder as a download."""
    return send_from_directory(export_dir(), name, as_attachment=True)


def send_report(name, fmt="csv"):
    """Send a generated report, or 404 when it was never generated."""
    if fmt not in current_app.config["REPORT_FORMATS"]:
        abort(404)
    path = os.path.join(export_dir(), "reports", f"{name}.{fmt}")
    if not os.path.isfile(path):
        abort(404)
    mimetype, _ = mimetypes.guess_type(path)
    return send_file(path, mimetype=mimetype or "application/octet-stream")


def safe_name(name):
    """A file name without folders or leading dots."""
    base = os.path.basename(name).lstrip(".")
    if not base:
        abort(400)
    return base
'''


def utils_text_module() -> str:
    return '''"""Small text helpers used by the views and the services."""

import re
import unicodedata

_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(value):
    """ASCII slug: lower case, dashes between words."""
    normal = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", normal.lower()).strip("-")


def truncate(value, length=80, suffix="..."):
    if len(value) <= length:
        return value
    return value[: length - len(suffix)].rstrip() + suffix


def paginate(items, page, size):
    """The items of one page (pages count from 1) and whether more follow."""
    start = max(page - 1, 0) * size
    chunk = list(items[start:start + size])
    return chunk, start + size < len(items)
'''


def cli_module(pkg: str) -> str:
    return f'''"""Command line entry points (``flask --app {pkg} ...``)."""

import click
from flask import current_app


@click.command("list-routes")
def list_routes():
    """Print every URL rule of the application."""
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        click.echo(f"{{rule.rule:60}} {{rule.endpoint}}")


def register(app):
    app.cli.add_command(list_routes)
'''


def wsgi_module(pkg: str) -> str:
    return f'''"""WSGI entry point for production servers."""

from {pkg} import create_app

app = create_app()
'''


# ---------------------------------------------------------------- route modules
def plan_route_module(rng: random.Random, area: str, topic: str, static: bool) -> RouteModule:
    module = RouteModule(area=area, topic=topic, prefix=f"/{topic}", static=static)
    count = rng.randint(4, 8)
    nouns = rng.sample(NOUNS, count)
    kinds = ["json", rng.choice(FILE_KINDS)]
    pool = ["json", "json", "json_post", "memory", *FILE_KINDS]
    kinds += [rng.choice(pool) for _ in range(count - len(kinds))]
    used: set[str] = set()
    for i, kind in enumerate(kinds):
        noun = nouns[i % len(nouns)]
        func = f"{VERBS[kind]}_{noun}"
        if func in used:
            func = f"{func}_{i}"
        used.add(func)
        n = rng.randint(1, 999)
        if kind == "json":
            if rng.random() < 0.5:
                rule, example = f"/{noun}s", f"/{noun}s"
            else:
                rule, example = f"/{noun}s/<int:item_id>", f"/{noun}s/{n}"
            module.views.append(View(func, "GET", rule, example, kind, noun))
        elif kind == "json_post":
            module.views.append(View(func, "POST", f"/{noun}s", f"/{noun}s", kind, noun))
        elif kind == "memory":
            rule = f"/{noun}s/<int:item_id>/summary.txt"
            module.views.append(View(func, "GET", rule, f"/{noun}s/{n}/summary.txt", kind, noun))
        elif kind == "send_from_directory":
            rule = f"/{noun}s/files/<path:name>"
            module.views.append(
                View(func, "GET", rule, f"/{noun}s/files/{noun}-{n}.txt", kind, noun)
            )
        elif kind == "send_file":
            rule = f"/{noun}s/<int:item_id>/document.pdf"
            module.views.append(View(func, "GET", rule, f"/{noun}s/{n}/document.pdf", kind, noun))
        elif kind == "helper":
            rule = f"/{noun}s/reports/<name>"
            module.views.append(View(func, "GET", rule, f"/{noun}s/reports/{noun}-{n}", kind, noun))
        else:
            cls = f"{noun.capitalize()}{i}API"
            rule = f"/{noun}-items/<int:item_id>"
            module.views.append(View(cls, "GET", rule, f"/{noun}-items/{n}", kind, noun))
    return module


def _view_source(view: View, area: str, rng: random.Random, early_close: bool) -> list[str]:
    noun = view.noun
    if view.kind == "json":
        if "<int:item_id>" in view.rule:
            return [
                f'@bp.get("{view.rule}")',
                f"def {view.func}(item_id):",
                f'    """One {noun} as JSON."""',
                "    if item_id > 100000:",
                "        abort(404)",
                f'    return jsonify(id=item_id, kind="{noun}", area="{area}")',
            ]
        return [
            f'@bp.get("{view.rule}")',
            f"def {view.func}():",
            f'    """A page of {noun}s as JSON."""',
            '    page = request.args.get("page", 1, type=int)',
            f'    items = [{{"id": i, "kind": "{noun}"}} for i in range(1, 26)]',
            "    chunk, more = paginate(items, page, current_app.config['PAGE_SIZE'])",
            "    return jsonify(items=chunk, more=more, page=page)",
        ]
    if view.kind == "json_post":
        return [
            f'@bp.post("{view.rule}")',
            f"def {view.func}():",
            f'    """Create a {noun} from the posted JSON."""',
            "    payload = request.get_json(silent=True) or {}",
            '    title = payload.get("title", "").strip()',
            "    if not title:",
            '        return jsonify(error="title is required"), 400',
            f'    return jsonify(id={rng.randint(1, 99)}, title=title, kind="{noun}"), 201',
        ]
    if view.kind == "memory":
        return [
            f'@bp.get("{view.rule}")',
            f"def {view.func}(item_id):",
            '    """A text summary built in memory: nothing on disk to close."""',
            f'    body = f"{noun} #{{item_id}}\\nstatus: open\\n".encode()',
            "    return send_file(",
            "        io.BytesIO(body),",
            '        mimetype="text/plain",',
            f'        download_name=f"{noun}-{{item_id}}.txt",',
            "    )",
        ]
    if view.kind == "send_from_directory":
        return [
            f'@bp.get("{view.rule}")',
            f"def {view.func}(name):",
            f'    """A {noun} file from the export folder."""',
            "    folder = os.path.join(",
            f'        current_app.config["EXPORT_DIR"], "{area}", "{noun}s"',
            "    )",
            "    return send_from_directory(folder, safe_name(name))",
        ]
    if view.kind == "send_file":
        head = [
            f'@bp.get("{view.rule}")',
            f"def {view.func}(item_id):",
            f'    """The {noun} as PDF."""',
            "    path = os.path.join(",
            f'        current_app.config["EXPORT_DIR"], "{noun}s", f"{{item_id}}.pdf"',
            "    )",
        ]
        if early_close:
            return [
                *head,
                '    with open(path, "rb") as fh:',
                '        return send_file(fh, mimetype="application/pdf")',
            ]
        return [
            *head,
            "    if not os.path.isfile(path):",
            "        abort(404)",
            '    return send_file(path, mimetype="application/pdf")',
        ]
    if view.kind == "helper":
        return [
            f'@bp.get("{view.rule}")',
            f"def {view.func}(name):",
            f'    """A generated {noun} report."""',
            '    fmt = request.args.get("format", "csv")',
            "    return send_report(safe_name(name), fmt)",
        ]
    # methodview
    endpoint = f"{noun}_items_{rng.randint(0, 9999)}"
    return [
        f"class {view.func}(MethodView):",
        f'    """{noun.capitalize()} items: the document on GET, an update on POST."""',
        "",
        "    def get(self, item_id):",
        "        path = os.path.join(",
        f'            current_app.config["EXPORT_DIR"], "{noun}s", f"{{item_id}}.bin"',
        "        )",
        "        return send_file(path)",
        "",
        "    def post(self, item_id):",
        "        payload = request.get_json(silent=True) or {}",
        "        return jsonify(id=item_id, updated=sorted(payload)), 200",
        "",
        "",
        "bp.add_url_rule(",
        f'    "{view.rule}",',
        f'    view_func={view.func}.as_view("{endpoint}"),',
        '    methods=["GET", "POST"],',
        ")",
    ]


NEEDS: dict[str, tuple[str, ...]] = {
    "json_item": ("flask:abort", "flask:jsonify"),
    "json_list": ("flask:current_app", "flask:jsonify", "flask:request", "text:paginate"),
    "json_post": ("flask:jsonify", "flask:request"),
    "memory": ("std:io", "flask:send_file"),
    "send_from_directory": (
        "std:os", "flask:current_app", "flask:send_from_directory", "files:safe_name",
    ),
    "send_file": ("std:os", "flask:abort", "flask:current_app", "flask:send_file"),
    "send_file_early": ("std:os", "flask:current_app", "flask:send_file"),
    "helper": ("flask:request", "files:safe_name", "files:send_report"),
    "methodview": (
        "std:os", "flask:current_app", "flask:jsonify", "flask:request", "flask:send_file",
        "views:MethodView",
    ),
}  # fmt: skip
"""What each kind of view imports."""


def _need_key(view: View, early_close: bool) -> str:
    if view.kind == "json":
        return "json_item" if "<int:" in view.rule else "json_list"
    if view.kind == "send_file" and early_close:
        return "send_file_early"
    return view.kind


def route_module_source(pkg: str, module: RouteModule, rng: random.Random) -> str:
    early_close = any(v.kind == "send_file" for v in module.views) and rng.random() < 0.08
    needs: dict[str, set[str]] = {"std": set(), "flask": {"Blueprint"}}
    for view in module.views:
        for need in NEEDS[_need_key(view, early_close)]:
            group, _, name = need.partition(":")
            needs.setdefault(group, set()).add(name)
    std = [f"import {name}" for name in needs["std"]]
    third = [_wrap_from_import("flask", sorted(needs["flask"]))]
    if "views" in needs:
        third.append("from flask.views import MethodView")
    local = []
    if "text" in needs:
        local.append(_wrap_from_import(f"{pkg}.utils.text", sorted(needs["text"])))
    if "files" in needs:
        local.append(_wrap_from_import(f"{pkg}.utils.files", sorted(needs["files"])))
    static = ', static_folder="static"' if module.static else ""
    lines = [
        f'"""{module.topic.capitalize()} of the {module.area} area."""',
        "",
        *_imports(std, third, local),
        "",
        f'bp = Blueprint("{module.area}_{module.topic}", __name__, '
        f'url_prefix="{module.prefix}"{static})',
    ]
    for view in module.views:
        lines += ["", "", *_view_source(view, module.area, rng, early_close)]
    return _block(lines)


def area_init_source(area: str, topics: list[str]) -> str:
    names = ", ".join(sorted(topics))
    registers = "\n".join(f"bp.register_blueprint({t}.bp)" for t in topics)
    return f'''"""The {area} area: its blueprint nests the blueprints of its view modules."""

from flask import Blueprint

from . import {names}

bp = Blueprint("{area}", __name__, url_prefix="/{area}")
{registers}
'''


# ---------------------------------------------------------------- library modules
def _model_block(name: str, rng: random.Random) -> list[str]:
    fields = rng.sample(
        ["title", "amount", "currency", "status", "owner_id", "created_at", "notes", "tags"],
        rng.randint(3, 6),
    )
    types = {
        "title": "str = \"\"", "amount": "float = 0.0", "currency": "str = \"EUR\"",
        "status": "str = \"draft\"", "owner_id": "int = 0", "created_at": "str = \"\"",
        "notes": "str = \"\"", "tags": "tuple = ()",
    }  # fmt: skip
    lines = ["@dataclass", f"class {name}:", f'    """A {name.lower()} record."""', ""]
    lines.append("    id: int")
    lines += [f"    {f}: {types[f]}" for f in fields]
    lines += [
        "",
        "    def to_dict(self):",
        "        return asdict(self)",
        "",
        "    @classmethod",
        "    def from_dict(cls, data):",
        "        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}",
        "        return cls(**known)",
    ]
    return lines


def lib_module_source(
    pkg: str, area: str, kind: str, index: int, rng: random.Random
) -> tuple[str, LibModule]:
    lib = LibModule(area=area, name=f"{kind}_{index}")
    lines = [f'"""{kind.capitalize()} of the {area} area (part {index})."""', ""]
    if kind == "models":
        lines += ["from dataclasses import asdict, dataclass", ""]
        for noun in rng.sample(NOUNS, rng.randint(3, 5)):
            lines += ["", *_model_block(f"{noun.capitalize()}{index}", rng), ""]
        return _block(lines), lib
    if kind == "repositories":
        closes = rng.random() < 0.35
        lines += ["import sqlite3", "import threading", ""]
        lines += [
            "",
            f"class {area.capitalize()}Repository{index}:",
            '    """An in-memory store, with an optional SQLite mirror."""',
            "",
            "    def __init__(self, database=None):",
            "        self._rows = {}",
            "        self._lock = threading.Lock()",
            "        self._database = database",
            "",
            "    def add(self, key, row):",
            "        with self._lock:",
            "            self._rows[key] = dict(row)",
            "        return key",
            "",
            "    def get(self, key, default=None):",
            "        return self._rows.get(key, default)",
            "",
            "    def find(self, **criteria):",
            "        return [",
            "            row",
            "            for row in self._rows.values()",
            "            if all(row.get(k) == v for k, v in criteria.items())",
            "        ]",
            "",
            "    def count(self):",
            "        return len(self._rows)",
        ]
        if closes:
            lines += [
                "",
                "    def mirror(self):",
                '        """Copy every row to SQLite; the connection is always closed."""',
                "        if self._database is None:",
                "            return 0",
                "        conn = sqlite3.connect(self._database)",
                "        try:",
                '            conn.execute("create table if not exists rows (k, v)")',
                "            conn.executemany(",
                '                "insert into rows values (?, ?)",',
                "                [(k, repr(v)) for k, v in self._rows.items()],",
                "            )",
                "            conn.commit()",
                "        finally:",
                "            conn.close()",
                "        return len(self._rows)",
            ]
        else:
            lines += [
                "",
                "    def mirror(self):",
                "        if self._database is None:",
                "            return 0",
                "        with sqlite3.connect(self._database) as conn:",
                '            conn.execute("create table if not exists rows (k, v)")',
                "        return len(self._rows)",
            ]
        return _block(lines), lib
    # services, schemas, tasks: plain functions, each with a unit-testable example
    header = {
        "services": ["import logging", "from decimal import ROUND_HALF_UP, Decimal", ""],
        "schemas": ["import re", ""],
        "tasks": ["import logging", "import time", ""],
    }[kind]
    lines += header
    if kind in ("services", "tasks"):
        lines += ["LOG = logging.getLogger(__name__)", ""]
    if kind == "schemas":
        lines += ['_CODE = re.compile(r"^[A-Z]{2,4}-[0-9]{3,6}$")', ""]
    for j in range(rng.randint(4, 10)):
        noun = rng.choice(NOUNS)
        fn = f"{_verb(kind, j)}_{noun}_{j}"
        body, arg, expected = _function_body(kind, rng)
        lines += ["", f"def {fn}(value):", f'    """{_doc(kind, noun)}"""', *body, ""]
        lib.functions.append((fn, arg, expected))
    return _block(lines), lib


def _verb(kind: str, j: int) -> str:
    verbs = {
        "services": ("total", "price", "discount", "round", "summarize", "net", "split"),
        "schemas": ("validate", "check", "normalize", "parse", "clean", "accept", "strip"),
        "tasks": ("retry", "schedule", "batch", "count", "measure", "collect", "drain"),
    }[kind]
    return verbs[j % len(verbs)]


def _doc(kind: str, noun: str) -> str:
    return {
        "services": f"Business rule for a {noun} amount.",
        "schemas": f"Validate one field of a {noun}.",
        "tasks": f"Background work on {noun}s.",
    }[kind]


def _function_body(kind: str, rng: random.Random) -> tuple[list[str], str, str]:
    if kind == "services":
        rate = rng.choice((5, 10, 15, 20, 25))
        amount = rng.randint(10, 900)
        expected = (amount * (100 - rate) + 50) // 100
        body = [
            "    amount = Decimal(value)",
            f"    net = amount * Decimal({100 - rate}) / Decimal(100)",
            "    result = int(net.quantize(Decimal(1), rounding=ROUND_HALF_UP))",
            '    LOG.debug("net of %s is %s", value, result)',
            "    return result",
        ]
        # Decimal rounding of x.5 is half-up; the integer formula above agrees.
        return body, str(amount), str(expected)
    if kind == "schemas":
        code = f"AB-{rng.randint(100, 99999)}"
        body = [
            "    if not isinstance(value, str):",
            "        return None",
            "    value = value.strip().upper()",
            "    if not _CODE.match(value):",
            "        return None",
            "    return value",
        ]
        return body, repr(code.lower()), repr(code)
    items = rng.randint(2, 9)
    body = [
        "    started = time.perf_counter()",
        "    done = 0",
        "    for _item in range(value):",
        "        done += 1",
        "    elapsed = time.perf_counter() - started",
        '    LOG.info("processed %d items in %.3fs", done, elapsed)',
        "    return done",
    ]
    return body, str(items), str(items)


# ---------------------------------------------------------------- tests
def conftest_source(pkg: str) -> str:
    return f'''"""Fixtures shared by every test: the app, its test client and its CLI runner."""

import pytest

from {pkg} import create_app


@pytest.fixture
def app(tmp_path):
    app = create_app({{"TESTING": True, "EXPORT_DIR": str(tmp_path)}})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
'''


def _fit(line: str, limit: int = 99) -> list[str]:
    """A test line too long for pycodestyle, with the request's arguments on a line of
    their own (``client.get(\n    "/url"\n).status_code``)."""
    if len(line) <= limit:
        return [line]
    for call in (".get(", ".post("):
        start = line.find(call)
        if start < 0:
            continue
        start += len(call)
        depth, end = 1, start
        while end < len(line) and depth:
            depth += {"(": 1, ")": -1}.get(line[end], 0)
            end += 1
        indent = " " * (len(line) - len(line.lstrip()))
        return [line[:start], f"{indent}    {line[start : end - 1]}", f"{indent}){line[end:]}"]
    return [line]


def _file_test(view: View, url: str, style: str, name: str) -> list[str]:
    """One test of a file route in the given style (some leak, some don't)."""
    call = f'client.get("{url}")'
    if style == "unclosed":  # FCL101
        return [
            f"def {name}(client):",
            f"    res = {call}",
            "    assert res.status_code == 200",
        ]
    if style == "chained":  # FCL102
        return [f"def {name}(client):", f"    assert {call}.status_code == 200"]
    if style == "with":
        return [
            f"def {name}(client):",
            f"    with {call} as res:",
            "        assert res.status_code == 200",
            "        assert res.data",
        ]
    if style == "buffered":
        return [
            f"def {name}(client):",
            f'    res = client.get("{url}", buffered=True)',
            "    assert res.status_code == 200",
        ]
    if style == "finally":
        return [
            f"def {name}(client):",
            f"    res = {call}",
            "    try:",
            "        assert res.status_code == 200",
            "    finally:",
            "        res.close()",
        ]
    # missing: a 404 before any file is opened
    missing = url.rsplit("/", 1)[0] + "/missing-0"
    return [
        f"def {name}(client):",
        f'    res = client.get("{missing}")',
        "    assert res.status_code == 404",
    ]


def _json_test(view: View, url: str, name: str, rng: random.Random) -> list[str]:
    if view.kind == "json_post":
        return [
            f"def {name}(client):",
            f'    res = client.post("{url}", json={{"title": "Item {rng.randint(1, 99)}"}})',
            "    assert res.status_code == 201",
            '    assert res.json["title"].startswith("Item")',
        ]
    if view.kind == "memory":
        return [
            f"def {name}(client):",
            f'    res = client.get("{url}")',
            '    assert res.mimetype == "text/plain"',
            '    assert b"status: open" in res.data',
        ]
    if rng.random() < 0.5:
        return [f"def {name}(client):", f'    assert client.get("{url}").status_code == 200']
    return [
        f"def {name}(client):",
        f'    res = client.get("{url}")',
        "    assert res.status_code == 200",
        "    assert res.is_json",
    ]


def route_test_source(pkg: str, module: RouteModule, rng: random.Random) -> str:
    styles = ("unclosed", "chained", "with", "buffered", "finally", "missing")
    weights = (3, 1, 3, 1, 2, 1)
    body: list[str] = []
    uses_pytest = False
    file_urls: list[str] = []
    for view in module.views:
        url = module.url_base + view.example
        base = f"test_{view.func.lower()}"
        if view.serves_file:
            file_urls.append(url)
            for k, style in enumerate(rng.choices(styles, weights, k=rng.randint(1, 3))):
                body += ["", "", *_file_test(view, url, style, f"{base}_{style}_{k}")]
            if view.kind == "methodview":
                body += [
                    "",
                    "",
                    f"def {base}_update(client):",
                    f'    res = client.post("{url}", json={{"status": "done"}})',
                    '    assert res.json["updated"] == ["status"]',
                ]
        else:
            body += ["", "", *_json_test(view, url, base, rng)]
    if file_urls and rng.random() < 0.3:
        uses_pytest = True
        params = "\n".join(f'        "{u}",' for u in file_urls[:3])
        closed = rng.random() < 0.5
        check = (
            ["    with client.get(url) as res:", "        assert res.status_code == 200"]
            if closed
            else ["    assert client.get(url).status_code == 200"]
        )
        body += [
            "",
            "",
            "@pytest.mark.parametrize(",
            '    "url",',
            "    [",
            params,
            "    ],",
            ")",
            "def test_every_file_route(client, url):",
            *check,
        ]
    uses_unittest = file_urls and rng.random() < 0.25
    if uses_unittest:
        url = file_urls[0]
        body += [
            "",
            "",
            f"class {module.area.capitalize()}{module.topic.capitalize()}TestCase"
            "(unittest.TestCase):",
            "    def setUp(self):",
            '        self.app = create_app({"TESTING": True})',
            "        self.client = self.app.test_client()",
            "",
            "    def test_download(self):",
            f'        response = self.client.get("{url}")',
            "        self.assertEqual(response.status_code, 200)",
            "",
            "    def test_download_closed(self):",
            f'        with self.client.get("{url}") as response:',
            "            self.assertEqual(response.status_code, 200)",
        ]
    std = ["import unittest"] if uses_unittest else []
    third = ["import pytest"] if uses_pytest else []
    local = [f"from {pkg} import create_app"] if uses_unittest else []
    body = [part for line in body for part in _fit(line)]
    head = [f'"""Requests to {module.url_base}."""', ""]
    imports = _imports(std, third, local)
    return _block(head + imports + body if imports else head[:1] + body)


def lib_test_source(pkg: str, lib: LibModule) -> str:
    names = [f for f, _, _ in lib.functions]
    lines = [
        f'"""Unit tests of {pkg}.{lib.area}.{lib.name}."""',
        "",
        _wrap_from_import(f"{pkg}.{lib.area}.{lib.name}", names),
    ]
    edge = {"services": ('"0"', "== 0"), "schemas": ('"bad"', "is None"), "tasks": ("0", "== 0")}
    edge_arg, edge_check = edge[lib.name.split("_")[0]]
    for fn, arg, expected in lib.functions:
        lines += [
            "",
            "",
            f"def test_{fn}():",
            f"    assert {fn}({arg}) == {expected}",
            f"    assert {fn}({edge_arg}) {edge_check}",
        ]
    return _block(lines)


# ---------------------------------------------------------------- the project
def setup_cfg(pkg: str) -> str:
    return f"""[metadata]
name = {pkg}
version = 1.0.0

[options]
packages = find:
install_requires =
    flask>=2.2

[flake8]
max-line-length = 100
extend-exclude = instance,node_modules

[tool:pytest]
testpaths = tests
filterwarnings =
    error
"""


def area_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        base = AREA_NAMES[i % len(AREA_NAMES)]
        names.append(base if i < len(AREA_NAMES) else f"{base}_{i // len(AREA_NAMES)}")
    return names


def generate(out: str, files: int, seed: int) -> Writer:
    rng = random.Random(f"{seed}:{files}")
    pkg = rng.choice(("storefront", "ledger", "harbor", "atlas"))
    writer = Writer(out)
    fixed = 9  # package __init__, config, extensions, utils (3), cli, wsgi, conftest
    areas = area_names(max(1, round((files - fixed) / FILES_PER_AREA)))

    writer.write("setup.cfg", setup_cfg(pkg))
    writer.write("README.md", f"# {pkg}\n\nA generated Flask project for benchmarks.\n")
    writer.write(f"{pkg}/__init__.py", app_factory(pkg, areas))
    writer.write(f"{pkg}/config.py", config_module())
    writer.write(f"{pkg}/extensions.py", extensions_module())
    writer.write(f"{pkg}/cli.py", cli_module(pkg))
    writer.write(f"{pkg}/utils/__init__.py", '"""Shared helpers."""')
    writer.write(f"{pkg}/utils/files.py", utils_files_module())
    writer.write(f"{pkg}/utils/text.py", utils_text_module())
    writer.write("wsgi.py", wsgi_module(pkg))
    writer.write(f"{pkg}/static/style.css", "body { font-family: sans-serif; }\n")
    writer.write(f"{pkg}/static/app.js", "document.documentElement.dataset.ready = '1';\n")
    writer.write(f"{pkg}/static/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    writer.write("tests/conftest.py", conftest_source(pkg))

    for a, area in enumerate(areas):
        topics = rng.sample(TOPICS, ROUTE_MODULES_PER_AREA)
        modules = [plan_route_module(rng, area, t, static=(a % 3 == 0 and i == 0))
                   for i, t in enumerate(topics)]  # fmt: skip
        writer.write(f"{pkg}/{area}/__init__.py", area_init_source(area, topics))
        for module in modules:
            writer.write(f"{pkg}/{area}/{module.topic}.py", route_module_source(pkg, module, rng))
            if module.static:
                writer.write(f"{pkg}/{area}/static/{area}.css", f".{area} {{ margin: 0; }}\n")
                writer.write(f"{pkg}/{area}/static/{area}.png", "PNG placeholder\n")
        libs: list[LibModule] = []
        for i in range(LIB_MODULES_PER_AREA):
            kind = LIB_KINDS[i % len(LIB_KINDS)]
            text, lib = lib_module_source(pkg, area, kind, i, rng)
            writer.write(f"{pkg}/{area}/{lib.name}.py", text)
            libs.append(lib)
        for module in modules[:ROUTE_TESTS_PER_AREA]:
            writer.write(
                f"tests/{area}/test_{area}_{module.topic}.py",
                route_test_source(pkg, module, rng),
            )
        testable = [lib for lib in libs if lib.functions]
        for lib in rng.sample(testable, min(LIB_TESTS_PER_AREA, len(testable))):
            writer.write(f"tests/{area}/test_{area}_{lib.name}.py", lib_test_source(pkg, lib))
    return writer


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to create (must be empty or absent)")
    parser.add_argument("--files", type=int, required=True, help="about how many .py files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    if args.files < 10:
        parser.error("--files must be at least 10")
    if os.path.exists(args.out) and os.listdir(args.out):
        if not args.force:
            parser.error(f"{args.out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(args.out)
    writer = generate(args.out, args.files, args.seed)
    print(
        f"wrote {writer.py_files} .py files and {writer.other_files} other files to {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
