from flask import url_for


def test_track(client):
    """c13a: pytest-flask's client fixture; its with-block does not close responses."""
    rv = client.get("/library/tracks/intro.txt")  # FCL101
    assert rv.status_code == 200


def test_track_url_for(client):
    """c13a: pytest-flask pushes a request context, so url_for() works in the test."""
    rv = client.get(url_for("library.track", name="intro.txt"))  # FCL101
    assert rv.data.startswith(b"intro")


def test_track_with_block(client):
    """c13b: closed by the response's with-block."""
    with client.get("/library/tracks/intro.txt") as rv:
        assert rv.status_code == 200


def test_track_list(client):
    """c00b: JSON listing; nothing to close."""
    rv = client.get(url_for("library.tracks"))  # FCL100
    assert rv.json == {"tracks": ["intro.txt"]}
