def test_mocked_service_fixture(billing_client):
    """n30: a fixture named like a client that returns a mock: nothing is requested."""
    res = billing_client.get("/static/app.css")
    assert res is not None


def test_client_fixture(client):
    """c01: the conftest's client leaves the static file open."""
    res = client.get("/static/app.css")  # FCL101
    assert res.status_code == 200


def test_mock_wrapping_fixture(audit_client):
    """n30: a fixture's mock wrapping the test client makes the request through it."""
    res = audit_client.get("/static/app.css")  # FCL101
    assert res.status_code == 200
