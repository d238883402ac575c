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
