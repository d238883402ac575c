def test_directory_sent_by_the_server(client):
    """n27: `send_from_directory` with X-Sendfile on opens no file: the server sends it."""
    res = client.get("/files/a.csv")  # FCL100
    assert res.headers["X-Sendfile"].endswith("a.csv")


def test_path_sent_by_the_server(client):
    """n27: `send_file(path)` with X-Sendfile on opens no file."""
    res = client.get("/report")  # FCL100
    assert res.status_code == 200


def test_static_sent_by_the_server(client):
    """n27: the built-in static route with X-Sendfile on opens no file."""
    res = client.get("/static/site.css")  # FCL100
    assert res.headers["X-Sendfile"].endswith("site.css")


def test_response_of_an_open_file(client):
    """n27: `Response(open(...))` holds its file whatever the setting."""
    res = client.get("/raw")  # FCL101
    assert res.mimetype == "text/csv"


def test_werkzeug_sends_the_file_itself(client):
    """n29: Werkzeug's own `send_file` doesn't read the app's setting: it opens the file."""
    res = client.get("/werkzeug")  # FCL101
    assert "X-Sendfile" not in res.headers
