def test_with_client_block(app):
    """c05a: leaving the client's with-block does not close its responses."""
    with app.test_client() as c:
        r = c.get("/files/report.txt")  # FCL101
        assert r.status_code == 200


def test_with_client_block_data(app):
    """c05b: reading the body inside the client's with-block is not closing either."""
    with app.test_client() as c:
        r = c.get("/files/report.txt")  # FCL101
        assert r.data == b"quarterly report\n"


def test_with_client_and_response(app):
    """c05c: one with-statement for the client and the response."""
    with app.test_client() as c, c.get("/files/report.txt") as r:
        assert r.data == b"quarterly report\n"

