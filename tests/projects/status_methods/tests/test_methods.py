def test_head(client):
    """c06a: HEAD runs the view, which opens the file; the empty body is never closed."""
    res = client.head("/report.txt")  # FCL101
    assert res.headers["Content-Length"] == "34"


def test_post(client):
    """c06b: POST to the file view."""
    res = client.post("/report.txt")  # FCL101
    assert res.status_code == 200


def test_automatic_options(client):
    """c06c: the automatic OPTIONS answer never calls the view (so only FCL100 applies)."""
    res = client.options("/report.txt")  # FCL100
    assert "POST" in res.headers["Allow"]
