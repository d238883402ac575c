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


def test_missing_send_file_path(client):
    """n04: send_file of a missing path is a 500, which no handler of the app answers."""
    res = client.get("/report-gone")  # FCL100
    assert res.mimetype == "text/html"


def test_missing_file_of_an_app_without_a_404_handler(plain_client):
    """c06h: another app's 404 handler, a 500 handler and a ValueError one don't answer."""
    res = plain_client.get("/gone")  # FCL100
    assert res.mimetype == "text/html"


def test_missing_static_file_of_an_app_without_a_404_handler(plain_client):
    """c06h: the same for the built-in static route."""
    res = plain_client.get("/plain_static/nope.css")  # FCL100
    assert res.mimetype == "text/html"


def test_static_file_of_the_other_app(plain_client):
    """c07a: the file is there."""
    res = plain_client.get("/plain_static/plain.css")  # FCL101
    assert res.mimetype == "text/css"


def test_missing_file_asserted_404_elsewhere(plain_client):
    """c06h: the other app's 404 handler serves a file; this app's 404 holds none."""
    res = plain_client.get("/plain_static/nope.css")  # FCL100
    assert res.status_code == 404


def test_the_404_handler_comes_before_the_catch_all(ordered_client):
    """c06h: Flask asks the 404 handler (JSON) before the one for every exception."""
    res = ordered_client.get("/plain_static/nope.css")  # FCL100
    assert res.mimetype == "application/json"


def test_an_errors_blueprint_answers_for_the_app(blueprinted_client):
    """n05: a blueprint's app_errorhandler(404) serves a file for its app's 404s."""
    res = blueprinted_client.get("/plain_static/nope.css")  # FCL101
    assert res.mimetype == "text/html"


def test_a_fallback_page_answers_200_without_a_file(spa_client):
    """c06h: the 404 handler answers with a page and a 200: no file, all the same."""
    res = spa_client.get("/plain_static/app/route")  # FCL100
    assert res.status_code == 200


def test_missing_file_of_a_view_with_a_fallback(spa_client):
    """c06h: the view's file isn't there: the 404 handler answers, before the catch-alls."""
    res = spa_client.get("/report")  # FCL100
    assert res.status_code == 200


def test_a_view_that_aborts_before_its_file(client):
    """n25: the view's abort(404) comes first: the 404 handler's file answers."""
    res = client.get("/retired")  # FCL101
    assert res.mimetype == "text/html"


def test_a_view_that_only_aborts(client):
    """n25: the same for a view that does nothing but abort(404)."""
    res = client.get("/closed")  # FCL101
    assert res.mimetype == "text/html"


def test_an_abort_no_handler_answers(plain_client):
    """n25: abort(403) on an app with no handler for it: a plain error page, no file."""
    res = plain_client.get("/forbidden")  # FCL100
    assert res.mimetype == "text/html"
