import contextlib

import pytest
from flask import url_for

DOWNLOADS = "/downloads"
MANUAL_URL = "/downloads/manual.txt"


def test_manual_via_url_for(app, client):
    """c01: the URL comes from url_for() inside a test request context."""
    with app.test_request_context():
        url = url_for("downloads.download", name="manual.txt")
    res = client.get(url)  # FCL101
    assert res.status_code == 200


def test_manual_via_fstring(client):
    """c01: the URL is an f-string over a module constant."""
    name = "manual.txt"
    res = client.get(f"{DOWNLOADS}/{name}")  # FCL101
    assert res.mimetype == "text/plain"


def test_manual_via_constant(client):
    """c01: the URL is a module constant."""
    res = client.get(MANUAL_URL)  # FCL101
    assert res.status_code == 200


@pytest.mark.parametrize("url", ["/downloads/manual.txt", "/downloads/notes/changelog.txt"])
def test_downloads_parametrized(client, url):
    """c01: parametrized URLs, all served from the downloads folder."""
    res = client.get(url)  # FCL101
    assert res.status_code == 200


def test_blueprint_asset(client):
    """c07b: the downloads blueprint's own static folder."""
    res = client.get("/downloads/assets/logo.svg")  # FCL101
    assert res.mimetype == "image/svg+xml"


def test_missing_download(client):
    """c06h: a missing file is a 404 raised before anything is opened."""
    res = client.get("/downloads/missing.txt")  # FCL100
    assert res.status_code == 404


def test_traversal_is_refused(client):
    """c06i: safe_join() refuses '..', the view answers 404."""
    res = client.get("/downloads/../../setup.cfg")  # FCL100
    assert res.status_code == 404


def test_manual_with_contextlib_closing(client):
    """c02c: contextlib.closing() closes the response."""
    with contextlib.closing(client.get(MANUAL_URL)) as res:
        assert b"red button" in res.data
