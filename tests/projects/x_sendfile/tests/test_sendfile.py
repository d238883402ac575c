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
