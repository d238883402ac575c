from flask import url_for


def test_site_css(client):
    """c07a: Flask's built-in /static/ route."""
    res = client.get("/static/css/site.css")  # FCL101
    assert res.mimetype == "text/css"


def test_site_css_chained_data(client):
    """c03b: chained .data on the static route; the response is never bound."""
    assert b"sans-serif" in client.get("/static/css/site.css").data  # FCL102


def test_site_css_try_finally(app, client):
    """c02h: closed in a finally clause."""
    with app.test_request_context():
        url = url_for("static", filename="css/site.css")
    res = client.get(url)
    try:
        assert res.status_code == 200
    finally:
        res.close()


def test_site_css_percent_encoded(client):
    """c07a: a percent-encoded path; the test client decodes it before routing."""
    res = client.get("/static/css/site%2Ecss")  # FCL101
    assert res.status_code == 200


def test_missing_css_percent_encoded(client):
    """c06h: the decoded path names no file: 404, nothing opened."""
    res = client.get("/static/css/missing%2Ecss")  # FCL100
    assert res.status_code == 404


def test_site_css_through_dot_dot(client):
    """c07a: `..` in the path: send_from_directory normalises it before it looks."""
    res = client.get("/static/nowhere/../css/site.css")  # FCL101
    assert res.status_code == 200


def test_out_of_the_static_folder(client):
    """c06i: a path that leaves the static folder: 404 from safe_join, nothing opened."""
    res = client.get("/static/../__init__.py")  # FCL100
    assert res.mimetype == "text/html"  # Flask's 404 page


def test_print_css_after_merged_slashes(client):
    """c04b: a doubled slash redirects to the merged path; the redirect is followed."""
    res = client.get("/static//css/print%20sheet.css", follow_redirects=True)  # FCL101
    assert res.status_code == 200
