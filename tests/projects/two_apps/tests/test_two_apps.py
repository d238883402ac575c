def test_download_from_the_main_app(client):
    """c01: the main app serves the file, and the response is never closed."""
    res = client.get("/download/notes.txt")  # FCL101
    assert res.status_code == 200


def test_export_is_not_a_route_of_the_main_app(client):
    """c06h: only the admin app has /export/: the main app answers 404, no file."""
    res = client.get("/export/orders.csv")  # FCL100
    assert res.mimetype == "text/html"


def test_export_from_the_admin_app(admin_client):
    """c01: the admin client's app serves the file."""
    res = admin_client.get("/export/orders.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_download_is_not_a_route_of_the_admin_app(admin_client):
    """c06h: the admin app has no /download/: 404, no file."""
    res = admin_client.get("/download/notes.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_export_from_a_factory_app(board_client):
    """c01: the client of the app fixture made by a factory: the factory's routes."""
    res = board_client.get("/export/orders.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_download_is_not_a_route_of_the_factory_app(board_client):
    """c06h: the factory's app has no /download/: 404, no file."""
    res = board_client.get("/download/notes.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_a_local_client_of_the_main_app():
    """c06h: a client made in the test from the imported main app."""
    from app import app

    res = app.test_client().get("/export/orders.csv")  # FCL100
    assert res.mimetype == "text/html"
