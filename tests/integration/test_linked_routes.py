"""The linked route table kept between runs (``routes/linked.py``): an index that takes
its links from the cache answers as one linked afresh, reads only the modules asked
for, and stored links are not taken when what they were made from changed."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from flake8_flask_close.routes import cache, linked
from flake8_flask_close.routes.cache import CacheSettings
from flake8_flask_close.routes.index import RouteIndex, get_index
from flake8_flask_close.routes.match import ANY_FIRST
from flake8_flask_close.routes.scan import forget_scans, project_scan
from tests.helpers import REPO, write_project
from tests.integration.conftest import CACHE, lint

PROJECTS = sorted(
    [p for p in (REPO / "tests" / "projects").iterdir() if p.is_dir()]
    + [p for p in (REPO / "tests" / "prodprojects").iterdir() if p.is_dir()]
    + [REPO / "examples" / "flask_shop"],
    key=lambda p: p.name,
)


def copied(project: Path, tmp_path: Path) -> Path:
    root = tmp_path / project.name
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(CACHE, "__pycache__"))
    return root


def index_of(root: Path, settings: CacheSettings) -> RouteIndex:
    """The index a new run gets (nothing remembered from an earlier run in this process)."""
    forget_scans()
    try:
        return get_index(str(root), (), None, settings)
    finally:
        forget_scans()


def what_it_knows(index: RouteIndex) -> dict[str, Any]:
    """Everything the analysis can ask an index, but the facts themselves."""
    return {
        "groups": [
            (g.key, g.label, g.local_scope, sorted(g.error_evidence.items()), g.routes)
            for g in index.groups
        ],
        "evidence": index.evidence_memo(),
        "hooks": [(facts.module, hook) for facts, hook in index.hook_facts()],
        "hook_modules": index.hook_modules(),
        "sent": index.sent_attributes(),
        "modules": sorted(index.modules),
        "paths": index.paths,
        "facts": {name: index.modules[name] for name in index.modules},
    }


def urls_of(index: RouteIndex) -> list[str]:
    """A URL each rule of ``index`` matches."""
    return sorted(
        re.sub(r"<[^>]*>", "x", route.rule)
        for group in index.groups
        for route in group.routes
        if route.rule is not None
    )


def answers(index: RouteIndex, urls: list[str]) -> list[Any]:
    """Where each URL goes, by method, and how a test module's own apps see it."""
    return [
        (url, method, index.match(url, method), index.match(url, method, "tests.test_app", ""))
        for url in [*urls, "/", "//", "/nowhere/at/all"]
        for method in ("GET", "POST")
    ]


WRITTEN = {
    "error_handler_files": {
        "app.py": "from flask import Flask, send_file\n\napp = Flask(__name__)\n\n\n"
        "@app.errorhandler(404)\ndef missing(error):\n    return send_file('404.html')\n\n\n"
        "@app.route('/page/<name>')\ndef page(name):\n    return name\n",
        "tests/test_app.py": "from app import app\n\n\ndef test_missing():\n"
        "    res = app.test_client().get('/nowhere')  # FCL101\n"
        "    assert res.status_code == 404\n",
    },
    "variable_first_segment": {
        "app.py": "from flask import Flask, send_file\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/')\ndef home():\n    return 'home'\n\n\n"
        "@app.route('/<lang>/doc')\ndef doc(lang):\n    return send_file(lang + '.pdf')\n\n\n"
        "@app.route('/en/<name>')\ndef english(name):\n    return name\n",
    },
    "one_module_two_files": {
        "pkg/views.py": "from flask import Blueprint, send_file\n\n"
        "bp = Blueprint('a', __name__)\n\n\n@bp.route('/a')\ndef a():\n"
        "    return send_file('a.pdf')\n",
        "pkg/views/__init__.py": "from flask import Blueprint\n\n"
        "bp = Blueprint('b', __name__)\n\n\n@bp.route('/b')\ndef b():\n    return 'b'\n",
        "pkg/__init__.py": "from flask import Flask\nfrom pkg.views import bp\n\n"
        "app = Flask(__name__)\napp.register_blueprint(bp)\n",
    },
}


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_stored_links_answer_as_fresh_ones_in_written_projects(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases the bundled projects don't have: an error handler that serves a file, two
    files of one module name (each keeps its path)."""
    root = tmp_path / name
    write_project(root, WRITTEN[name])
    monkeypatch.chdir(root)
    fresh = index_of(root, CacheSettings(enabled=False))
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    index_of(root, settings)
    stored = index_of(root, settings)
    assert isinstance(stored.modules, linked.StoredModules)
    assert answers(stored, urls_of(fresh)) == answers(fresh, urls_of(fresh))
    assert what_it_knows(stored) == what_it_knows(fresh)
    assert fresh.error_handler_evidence(404) if name == "error_handler_files" else True
    assert len(fresh.paths) == 3 if name == "one_module_two_files" else True


def test_stored_links_are_kept_per_plugin_code_and_python(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linking depends on the plugin's code and on which names are the standard
    library's, which changes between Python versions."""
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    project = project_scan(str(shop), (), settings)
    here = linked.path_for(project, (), settings)
    monkeypatch.setattr(cache, "python_version", lambda: [3, 99])  # never this one
    other_python = linked.path_for(project, (), settings)
    monkeypatch.setattr(cache, "code_fingerprint", lambda memo_folder=None: [("plugin.py", "1")])
    other_code = linked.path_for(project, (), settings)
    forget_scans()
    assert len({here, other_python, other_code}) == 3


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_stored_links_answer_as_fresh_ones(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copied(project, tmp_path)
    monkeypatch.chdir(root)
    fresh = index_of(root, CacheSettings(enabled=False))
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    first = index_of(root, settings)  # links, and stores them
    assert isinstance(first.modules, dict)
    stored = index_of(root, settings)
    assert isinstance(stored.modules, linked.StoredModules)
    # routes read a bucket at a time, as requests ask, before anything reads them all
    assert answers(stored, urls_of(fresh)) == answers(fresh, urls_of(fresh))
    assert what_it_knows(stored) == what_it_knows(fresh) == what_it_knows(first)


def test_stored_links_keep_views_that_serve_a_file_on_some_paths_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "mixed"
    write_project(
        root,
        {
            "app.py": "from flask import Flask, jsonify, send_file\n\n"
            "app = Flask(__name__)\n\n\n"
            "def pdf(name):\n    return send_file(name)\n\n\n"
            "@app.route('/doc/<name>')\ndef doc(name):\n"
            "    if name.endswith('.pdf'):\n        return pdf(name)\n"
            "    return jsonify(missing=name)\n",
        },
    )
    monkeypatch.chdir(root)
    fresh = index_of(root, CacheSettings(enabled=False))
    assert any(v for v in fresh.evidence_memo()[1].values())
    assert any(r.sometimes for g in fresh.groups for r in g.routes)
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    index_of(root, settings)
    stored = index_of(root, settings)
    assert isinstance(stored.modules, linked.StoredModules)
    assert what_it_knows(stored) == what_it_knows(fresh)


@pytest.mark.parametrize(
    "project",
    ["flask_shop", "factory_blueprints", "redirects", "hooks_close_blueprint", "missing_files"],
)
def test_a_run_with_stored_links_reports_the_same(project: str, tmp_path: Path) -> None:
    """A run whose result cache is gone (another world's answers, a new option) but whose
    facts are unchanged analyses every file with the stored links: same findings."""
    [source] = [p for p in PROJECTS if p.name == project]
    root = copied(source, tmp_path)
    cold, counts, _ = lint(root)
    assert counts["linked-store"] == 1
    for results in (root / CACHE).glob("results-*"):
        shutil.rmtree(results)
    again, counts, reads = lint(root)
    assert again == cold
    assert counts["linked-load"] >= 1 and counts["linked-store"] == 0
    assert reads == []


def many_blueprints(root: Path, count: int) -> None:
    files = {
        "site/__init__.py": "from flask import Flask\n\n\ndef create_app():\n"
        "    app = Flask(__name__)\n"
        + "".join(
            f"    from site.part{i} import bp as bp{i}\n    app.register_blueprint(bp{i})\n"
            for i in range(count)
        )
        + "    return app\n",
        "tests/test_one.py": "from site import create_app\n\n\ndef test_report():\n"
        "    client = create_app().test_client()\n"
        "    res = client.get('/part3/report')  # FCL101\n"
        "    assert res.status_code == 200\n",
    }
    for i in range(count):
        files[f"site/part{i}.py"] = (
            "from flask import Blueprint, send_file\n\n"
            f"bp = Blueprint('part{i}', __name__, url_prefix='/part{i}')\n\n\n"
            "@bp.route('/report')\ndef report():\n    return send_file('report.pdf')\n"
        )
    write_project(root, files)


def test_stored_links_read_only_the_modules_and_routes_the_analysis_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "big"
    many_blueprints(root, 30)
    monkeypatch.chdir(root)
    monkeypatch.setattr(linked, "ROUTES_PER_PIECE", 2)  # a big project's many lines
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    index_of(root, settings)
    stored = index_of(root, settings)
    assert isinstance(stored.modules, linked.StoredModules)
    [found] = stored.match("/part3/report", "GET")
    assert found.route is not None and found.route.evidence is not None
    assert stored.file_view("site.part3", stored.modules["site.part3"].routes[0].view)
    assert len(stored.modules._read) == 1  # site.part3 only, of 32
    [group] = stored.groups
    assert group._stored is not None and set(group._stored._read) == {"part3"}  # of 31 buckets
    memo = stored._memo
    assert isinstance(memo, linked.StoredMemo)
    read = [s for s in memo._spans if s[2] not in memo._unread]
    assert read and all(first <= "site.part3" <= last for first, last, _ in read)
    assert len(read) <= 2 < 10 < len(memo._spans)  # the lines holding site.part3 only


def test_stored_links_follow_the_static_folders(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The static route's types come from its folder's files: a file of a new type means
    linking again, another file of a known type doesn't."""
    monkeypatch.chdir(shop)
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    index_of(shop, settings)
    static = shop / "shop" / "static"
    (static / "more.css").write_text("a {}\n")
    assert isinstance(index_of(shop, settings).modules, linked.StoredModules)
    (static / "manual.pdf").write_bytes(b"%PDF-1.4\n")
    relinked = index_of(shop, settings)
    assert isinstance(relinked.modules, dict)
    [types] = {r.mimetypes for g in relinked.groups for r in g.routes if r.static_dir}
    assert types is not None and "application/pdf" in types
    assert isinstance(index_of(shop, settings).modules, linked.StoredModules)  # stored anew


def test_stored_links_are_kept_per_working_directory(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages name modules relative to the working directory: links made from one
    directory aren't taken in a run from another."""
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    monkeypatch.chdir(shop)
    here = index_of(shop, settings)
    monkeypatch.chdir(shop.parent)
    above = index_of(shop, settings)
    assert isinstance(above.modules, dict)  # linked again, not taken
    assert isinstance(index_of(shop, settings).modules, linked.StoredModules)
    monkeypatch.chdir(shop)
    assert isinstance(index_of(shop, settings).modules, linked.StoredModules)  # both kept
    monkeypatch.chdir(shop.parent)
    evidence = {r.evidence for g in above.groups for r in g.routes if r.evidence}
    assert any("flask_shop/shop/" in e for e in evidence)
    assert not any("flask_shop/" in e for g in here.groups for r in g.routes if (e := r.evidence))


def stored_payload(path: Path) -> list[Any]:
    """The stored links' lines, parsed: the header, then lines of numbered routes and
    evidence."""
    body, _, named = path.read_bytes().rpartition(b"\n")
    assert json.loads(named) == cache.bytes_name(body)
    return [json.loads(line) for line in body.split(b"\n")]


def store_payload(path: Path, lines: list[Any]) -> None:
    """Write ``lines`` as the plugin would, their digest matching: only the checks of the
    values themselves stand between them and the index."""
    body = b"\n".join(json.dumps(line).encode() for line in lines)
    path.write_bytes(body + b"\n" + json.dumps(cache.bytes_name(body)).encode())


def spoil(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:200])
        return
    if how == "unsigned-edit":  # still JSON, evidence changed: the digest tells
        path.write_bytes(path.read_bytes().replace(b"send_from_directory", b"send_file", 1))
        return
    lines = stored_payload(path)
    header = lines[0]
    route = lines[1][0][1]  # the first group's first bucket's first route
    if how == "short-route":
        route.pop()
    elif how == "methods-text":
        route[1] = "GET"
    elif how == "flag-text":
        route[8] = "no"
    elif how == "status-text":
        header["groups"][0]["errors"] = [["404", "x"]]
    elif how == "schema":
        header["schema"] = 99
    elif how == "unknown-module":
        header["modules"]["nowhere"] = "nowhere.py"
    elif how == "unknown-hook-owner":
        header["hook_owners"] = ["shop.nowhere"]
    elif how == "static-not-a-pair":
        header["static"] = [["/"]]
    elif how == "not-json-object":
        lines[0] = [header]
    elif how == "line-missing":
        del lines[1]
    elif how == "line-too-many":
        lines.append(lines[-1])
    elif how == "line-null":
        lines.append(None)
    elif how == "negative-count":
        header["groups"][0]["buckets"][0][1] = -1
    elif how == "wrong-bucket":  # a route no request would find where it sits
        route[0] = "/nowhere" + (route[0] or "")
    elif how == "number-twice":
        lines[2][0][0] = lines[1][0][0]
    elif how == "number-twice-any":  # a literal bucket's route numbered as a variable one's
        buckets = header["groups"][0]["buckets"]
        names = [name for name, _ in buckets]
        assert names[0] != ANY_FIRST
        any_line = 1 + sum(count for _, count in buckets[: names.index(ANY_FIRST)])
        lines[1][0][0] = lines[any_line][0][0]
    elif how == "number-out-of-range":
        lines[1][0][0] = header["groups"][0]["count"]
    elif how == "evidence-flag-text":
        lines[-1][0][3] = "no"
    elif how == "evidence-not-four":
        lines[-1][-1].append(None)
    store_payload(path, lines)


@pytest.mark.parametrize(
    "how",
    [
        "truncated",
        "unsigned-edit",
        "status-text",
        "schema",
        "unknown-module",
        "unknown-hook-owner",
        "static-not-a-pair",
        "not-json-object",
        "line-missing",
        "line-too-many",
        "line-null",
        "negative-count",
    ],
)
def test_damaged_stored_links_mean_linking_again(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.chdir(shop)
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    expected = what_it_knows(index_of(shop, settings))
    [stored] = (tmp_path / "cache").glob(f"{linked.PREFIX}*.jsonl")
    spoil(stored, how)
    again = index_of(shop, settings)
    assert isinstance(again.modules, dict)
    assert what_it_knows(again) == expected
    assert isinstance(index_of(shop, settings).modules, linked.StoredModules)  # mended


@pytest.mark.parametrize(
    "how",
    [
        "short-route",
        "methods-text",
        "flag-text",
        "wrong-bucket",
        "number-twice",
        "number-out-of-range",
        "evidence-flag-text",
        "evidence-not-four",
    ],
)
def test_stored_links_unlike_the_plugins_mean_linking_again_when_read(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Routes are read a bucket at a time, when a request needs them, and the function
    evidence a module at a time: a value that isn't what the plugin writes (under a
    matching digest) is found then, and the routes or evidence come from linking again,
    which also mends the stored links."""
    monkeypatch.chdir(shop)
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    fresh = index_of(shop, settings)
    expected = what_it_knows(fresh)
    urls = urls_of(fresh)
    answers = [fresh.match(url, "GET") for url in urls]
    [stored] = (tmp_path / "cache").glob(f"{linked.PREFIX}*.jsonl")
    payload = stored_payload(stored)
    spoil(stored, how)
    for ask in ("match", "routes"):
        again = index_of(shop, settings)
        assert isinstance(again.modules, linked.StoredModules)
        if ask == "match":
            assert [again.match(url, "GET") for url in urls] == answers
        assert what_it_knows(again) == expected
        assert stored_payload(stored) == payload  # mended
        spoil(stored, how)


def test_a_route_numbered_in_two_buckets_means_linking_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request reads its bucket and the bucket of variable first segments together: a
    number in both (one route would hide the other in the router) is found then."""
    root = tmp_path / "variable_first_segment"
    write_project(root, WRITTEN["variable_first_segment"])
    monkeypatch.chdir(root)
    settings = CacheSettings(directory=str(tmp_path / "cache"))
    fresh = index_of(root, settings)
    expected = answers(fresh, urls_of(fresh))
    [stored] = (tmp_path / "cache").glob(f"{linked.PREFIX}*.jsonl")
    payload = stored_payload(stored)
    spoil(stored, "number-twice-any")
    again = index_of(root, settings)
    assert answers(again, urls_of(fresh)) == expected
    assert stored_payload(stored) == payload  # mended


def test_new_facts_replace_the_stored_links(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(shop)
    folder = tmp_path / "cache"
    settings = CacheSettings(directory=str(folder))
    index_of(shop, settings)
    [before] = folder.glob(f"{linked.PREFIX}*.jsonl")
    downloads = shop / "shop" / "downloads.py"
    text = downloads.read_text()
    assert '"/report/<name>"' in text
    downloads.write_text(text.replace('"/report/<name>"', '"/reports/<name>"'))
    os.utime(downloads, ns=(10**18, 10**18))
    changed = index_of(shop, settings)
    assert isinstance(changed.modules, dict)
    assert any(r.rule == "/downloads/reports/<name>" for g in changed.groups for r in g.routes)
    [after] = folder.glob(f"{linked.PREFIX}*.jsonl")
    assert after != before  # the old facts' links are removed
    project = project_scan(str(shop), (), settings)
    assert linked.path_for(project, (), settings) == str(after)
