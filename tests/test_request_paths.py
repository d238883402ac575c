"""Where the test client sends a request, checked against the real client: the path a URL
is routed on (``concrete_paths``), and the method a followed redirect is made with
(``method_after_redirect``)."""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlsplit

import pytest
from flask import Flask, redirect, request

from flake8_flask_close.testcode.urls import (
    Template,
    concrete_paths,
    for_another_host,
    method_after_redirect,
)

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]
URLS = [
    "/download/a.txt",
    "download/a.txt",
    "//host/download/a.txt",
    "///download/a.txt",
    "//host//download/a.txt",
    "http://localhost/download/a.txt",
    "http://other/download/a.txt",
    "https:///download/a.txt",
    "mailto:download/a.txt",
    "./download/a.txt",
    "/static/../app.py",
    "%2Fdownload/a.txt",
    "%2F%2Fdownload/a.txt",
    "/download%2Fa.txt",
    "download//a.txt",
    "/download/a.txt?x=//y#z",
    "/%C3%BC/a",
    "%20a",
    "/a;b=c",
    "/down\tload/a.txt",
    "/download/a.txt#z",
    "/\\other/a.txt",
    "/download/a%3Fb.txt",
]


def _echo_app() -> Flask:
    """Answers every path and method with the path it routed and the method it got."""
    app = Flask(__name__, static_folder=None)

    @app.route("/", defaults={"rest": ""}, methods=METHODS)
    @app.route("/<path:rest>", methods=METHODS)
    def echo(rest: str) -> Any:
        code = request.args.get("code")
        if code is not None:
            return redirect("/landed", code=int(code))
        return f"{request.method} /{rest}", 200, {"X-Method": request.method, "X-Path": f"/{rest}"}

    return app


@pytest.mark.parametrize("url", URLS)
def test_routed_path_agrees_with_the_client(url: str) -> None:
    with _echo_app().test_client().get(url) as response:
        routed = response.get_data(as_text=True).removeprefix("GET ")
    assert concrete_paths((url,)) == [routed]


@pytest.mark.parametrize(
    "url",
    [*URLS, "/", "/\t/other/a.txt", "/\n/other", "/\\other/a.txt", "/ //other", "/a//other"],
)
def test_another_host_is_the_one_urlsplit_finds(url: str) -> None:
    """A URL starting with one slash is told a path without splitting it."""
    host = urlsplit(url).hostname
    assert for_another_host((url,)) == (host is not None and host != "localhost")


@pytest.mark.parametrize("url", ["", "?q=1"])
def test_an_empty_path_is_not_routed(url: str) -> None:
    with _echo_app().test_client().get(url) as response:
        assert response.status_code == 308  # a redirect to "/", not routed itself
    assert concrete_paths((url,)) == []


@pytest.mark.parametrize("code", [300, 301, 302, 303, 304, 305, 307, 308])
@pytest.mark.parametrize("method", METHODS)
def test_followed_method_agrees_with_the_client(code: int, method: str) -> None:
    client = _echo_app().test_client()
    with client.open(f"/from?code={code}", method=method, follow_redirects=True) as response:
        landed: Optional[str] = None
        if response.headers.get("X-Path") == "/landed":
            landed = response.headers["X-Method"]
    assert method_after_redirect(code, method) == landed


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_code_keeps_only_the_methods_every_code_agrees_on(method: str) -> None:
    followed = {method_after_redirect(code, method) for code in (301, 302, 303, 307, 308)}
    expected = followed.pop() if len(followed) == 1 else None
    assert method_after_redirect(None, method) == expected


@pytest.mark.parametrize(
    "template",
    [(None, "/items"), ("", None, "/items"), ("", "", None, "/x")],
    ids=["f-string", "percent", "format"],
)
def test_a_path_with_an_unknown_start_is_not_routed(template: Template) -> None:
    """``f"{base}/items"``, ``"%s/items" % base``: the start may be a host, or more path."""
    assert concrete_paths(template) == []


RANGES = [
    "bytes=0-",
    "bytes=5-",
    "bytes=6-",
    "bytes=6-9",
    "bytes=100-200",
    "bytes=-3",
    "bytes=-100",
    "bytes=0-1,3-4",
    "bytes=5-3",
    "bytes=abc",
    "BYTES=7-",
    "items=0-1",
    "bytes=" + "9" * 5000 + "-",
]


@pytest.mark.parametrize("asked", RANGES)
def test_unsatisfiable_ranges_agree_with_the_client(tmp_path: Any, asked: str) -> None:
    """A range the 6-byte file can't satisfy is answered 416 (``_range_unsatisfiable``)."""
    from flake8_flask_close.testcode.analysis import _range_unsatisfiable

    (tmp_path / "there.txt").write_text("there\n")
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    with app.test_client().get("/static/there.txt", headers={"Range": asked}) as response:
        refused = response.status_code == 416
    assert _range_unsatisfiable(str(tmp_path / "there.txt"), asked) is refused


@pytest.mark.parametrize(
    "name, start, folder",
    [
        ("js/x", "/static/js/", "js/"),
        ("a/b/1", "/static/a/b/", "a/b/"),
        ("a/x/b/x", "/static/a/", "a/"),
        ("x/app.js", "/static/", ""),
        ("x", "/static/", ""),
        ("js/x", "http://localhost/static/js/", "js/"),
    ],
)
def test_the_known_folder_of_a_name_from_a_partly_known_url(
    name: str, start: str, folder: str
) -> None:
    from flake8_flask_close.testcode.analysis import _known_folder

    assert _known_folder(name, start) == folder


FOLDERS = [
    ("", True),
    ("css/", True),
    ("deep/", True),
    ("deep/x/", True),
    ("linked/", True),
    ("empty/", False),
    ("only-folders/", False),
    ("none/", False),
    ("css/a.css/", False),
    ("../", False),
]


@pytest.mark.parametrize("below, holds", FOLDERS)
def test_folders_a_request_may_find_a_file_in(tmp_path: Any, below: str, holds: bool) -> None:
    """``_holds_files`` against the real client: a folder it says holds no file answers
    every name with 404; one it says holds files serves them."""
    import os

    from flake8_flask_close.testcode.analysis import _holds_files

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "a.css").write_text("a {}\n")
    (static / "deep" / "x" / "y").mkdir(parents=True)
    (static / "deep" / "x" / "y" / "z.txt").write_text("z\n")
    (static / "empty").mkdir()
    (static / "only-folders" / "a" / "b").mkdir(parents=True)
    os.symlink(static / "css", static / "linked")
    (tmp_path / "secret.txt").write_text("secret\n")
    assert _holds_files(str(static), below) is holds
    app = Flask(__name__, static_folder=str(static), static_url_path="/static")
    client = app.test_client()
    names = ["a.css", "css/a.css", "z.txt", "y/z.txt", "x/y/z.txt", "b", "a/b", "secret.txt"]
    statuses = set()
    for name in names:
        with client.get(f"/static/{below}{name}") as response:
            statuses.add(response.status_code)
    assert (200 in statuses) is holds
