def test_stylesheet(client):
    """c07a: the built-in /static/ route of an app its factory returns unnamed."""
    res = client.get("/static/style.css")  # FCL101
    assert res.status_code == 200


def test_stylesheet_closed(client):
    """c02b: the same request in a with block."""
    with client.get("/static/style.css") as res:
        assert res.status_code == 200


def test_missing_stylesheet(client):
    """c06h: no such file in the static folder: 404, nothing opened."""
    res = client.get("/static/missing.css")  # FCL100
    assert res.status_code == 404


def test_static_folder_not_there():
    """c06h: the app's static folder doesn't exist: every request to it is a 404."""
    from app import create_plain_app

    res = create_plain_app().test_client().get("/public/style.css")  # FCL100
    assert res.mimetype == "text/html"
