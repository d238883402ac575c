def test_home(client):
    """c00a: an HTML string."""
    res = client.get("/")  # FCL100
    assert b"Bakery" in res.data


def test_favicon(client):
    """c07c: app.send_static_file()."""
    res = client.get("/favicon.ico")  # FCL101
    assert res.status_code == 200


def test_robots(client):
    """c03d: send_from_directory(app.static_folder, ...), asserted inline."""
    assert client.get("/robots.txt").status_code == 200  # FCL102


def test_stylesheet(client):
    """c07a: the built-in static route."""
    res = client.get("/static/css/bakery.css")  # FCL101
    assert res.mimetype == "text/css"


def test_stylesheet_with_block(client):
    """c02b: the same, closed by a with-block."""
    with client.get("/static/css/bakery.css") as res:
        assert b"brown" in res.data
