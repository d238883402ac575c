def test_menu_fixture(menu):
    """c02f: a yield fixture that closes the response after the yield."""
    assert menu.data.startswith(b"Monday")


def test_prices(client):
    """c01: a CSV from the media folder."""
    res = client.get("/media/prices.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_prices_try_finally(client):
    """c02h: closed in finally."""
    res = client.get("/media/prices.csv")
    try:
        assert res.data.count(b"\n") == 3
    finally:
        res.close()


def test_forbidden_extension(client):
    """c06h: abort(404) in the view before send_from_directory() runs."""
    res = client.get("/media/app.py")  # FCL100
    assert res.status_code == 404
