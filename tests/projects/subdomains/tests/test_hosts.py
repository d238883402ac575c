def test_a_route_of_a_subdomain(client):
    """n28: a path alone never reaches a route made for a subdomain: 404, no file."""
    res = client.get("/files/a.csv")  # FCL100
    assert res.mimetype == "text/html"


def test_a_blueprint_of_a_subdomain(client):
    """n28: nor the routes of a blueprint made for one."""
    res = client.get("/assets/a.csv")  # FCL100
    assert res.mimetype == "text/html"


def test_a_blueprint_registered_for_a_subdomain(client):
    """n28: nor those of a blueprint registered for one."""
    res = client.get("/reports/a.csv")  # FCL100
    assert res.mimetype == "text/html"


def test_a_route_of_the_app_itself(client):
    """c01: the app's own route serves the file, which is left open."""
    res = client.get("/exports/a.csv")  # FCL101
    assert res.status_code == 200
