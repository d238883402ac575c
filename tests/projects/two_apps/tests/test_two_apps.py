from app import create_admin_app as make_board


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


def test_a_client_of_a_factory_app_made_in_the_test():
    """n18: a client of the factory's app, made in the test: the main app's /download/
    is not a route of that app (404, no file)."""
    from app import create_admin_app

    client = create_admin_app().test_client()
    res = client.get("/download/notes.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_a_factory_app_bound_in_the_test():
    """n18: the app the factory made, bound to a name, then its client in a with."""
    from app import create_admin_app

    board = create_admin_app()
    with board.test_client() as c:
        res = c.get("/download/notes.txt")  # FCL100
        assert res.mimetype == "text/html"


def test_a_client_of_the_app_fixture_made_in_the_test(board_app):
    """n18: the test makes a client from the app fixture it requests."""
    res = board_app.test_client().get("/download/notes.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_export_from_a_factory_app_made_in_the_test():
    """n18: the factory's app serves /export/: the file is left open."""
    from app import create_admin_app

    res = create_admin_app().test_client().get("/export/orders.csv")  # FCL101
    assert res.mimetype == "text/csv"


def download_from_a_board(url):
    return make_board().test_client().get(url)


def test_a_helper_that_makes_its_client_from_the_factory():
    """n18: a helper of the module makes its client from the factory's app."""
    res = download_from_a_board("/export/orders.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_the_app_fixture_name_bound_again_in_the_test(board_app):
    """n18: the name of the app fixture is bound again to the main app: its client."""
    from app import app as main

    board_app = main
    res = board_app.test_client().get("/download/notes.txt")  # FCL101
    assert res.mimetype == "text/plain"


def test_the_app_fixture_name_bound_by_a_loop(board_app):
    """n18: a loop binds the name to the main app: not the fixture's app."""
    from app import app as main

    for board_app in (main,):
        res = board_app.test_client().get("/download/notes.txt")  # FCL101
        assert res.mimetype == "text/plain"
