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


def test_a_request_for_a_subdomain(client):
    """n28: a request made for a subdomain reaches that subdomain's route: no file."""
    res = client.get("/exports/a.csv", subdomain="cdn")
    assert res.mimetype == "text/html"


def test_a_full_url_of_another_host(client):
    """n28: so does a full URL naming that subdomain's host."""
    res = client.get("http://cdn.example.test/exports/a.csv")  # FCL100
    assert res.mimetype == "text/html"


def test_a_route_of_the_default_subdomain(client):
    """c01: `subdomain=""` is the app's own subdomain: the file is left open."""
    res = client.get("/plain/a.csv")  # FCL101
    assert res.status_code == 200
