def assert_ok(response):
    assert response.status_code == 200, response.status
