def test_items(client):
    """n31: a flask-restful resource answers JSON; the catch-all page never sees the request."""
    res = client.get("/api/items")  # FCL100
    assert res.json == {"items": ["bolt", "nut"]}


def test_users_of_a_blueprint_api(client):
    """n31: a resource of an Api made for a blueprint, added before init_app."""
    res = client.get("/admin/users")  # FCL100
    assert res.json == [{"name": "ada"}]


def test_report(client):
    """c01: a resource that sends a file leaves it open like any view."""
    res = client.get("/api/report")  # FCL101
    assert res.mimetype == "text/csv"


def test_report_closed(client):
    """c02a: closed by the with-block."""
    with client.get("/api/report") as res:
        assert res.mimetype == "text/csv"


def test_page(client):
    """c01: any other path gets the page, a file."""
    res = client.get("/inventory")  # FCL101
    assert res.mimetype == "text/html"


def test_health_of_a_method_decorator(client):
    """n32: ``@app.get`` in a module naming nothing else the index looks for adds a JSON
    view; the catch-all page never sees the request."""
    res = client.get("/health")  # FCL100
    assert res.json == {"ok": True}

