def test_missing_file_answered_by_a_file(client):
    """n05: the file isn't there, and the 404 handler answers with a file of its own."""
    res = client.get("/gone")  # FCL101
    assert res.mimetype == "text/html"


def test_missing_static_file_answered_by_a_file(client):
    """n05: the same for the built-in static route."""
    res = client.get("/static/nope.css")  # FCL101
    assert res.mimetype == "text/html"


def test_static_file_there(client):
    """c07a: the static file is there."""
    res = client.get("/static/site.css")  # FCL101
    assert res.mimetype == "text/css"
