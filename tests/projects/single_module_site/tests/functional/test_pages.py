import os


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


def test_stylesheet_named_at_run_time(client, app):
    """c07a: a name the linter can't know, in a folder of the static folder that is there."""
    name = sorted(os.listdir(os.path.join(app.static_folder, "css")))[0]
    res = client.get(f"/static/css/{name}")  # FCL101
    assert res.mimetype == "text/css"


def test_script_in_a_folder_not_there(client, app):
    """c06h: whatever the name, the static folder has no folder js: 404, nothing opened."""
    name = sorted(os.listdir(os.path.join(app.static_folder, "css")))[0]
    res = client.get(f"/static/js/{name}")  # FCL100
    assert res.data
