def test_buffered(client):
    """c04a: buffered=True makes the client drain and close the body itself."""
    res = client.get("/files/handbook.txt", buffered=True)
    assert res.status_code == 200


def test_buffered_read_body(client):
    """c04a: buffered=True, body read afterwards from the buffer."""
    res = client.get("/docs/guide", buffered=True)
    assert res.get_data(as_text=True) == "# Guide\n\nStart here.\n"


def test_follow_redirects_with_block(client):
    """c04c: follow_redirects=True; the final response is closed by its with-block."""
    with client.get("/latest", follow_redirects=True) as res:
        assert res.request.path == "/files/handbook.txt"


def test_follow_redirects_buffered(client):
    """c04d: follow_redirects=True together with buffered=True."""
    res = client.get("/latest", follow_redirects=True, buffered=True)
    assert len(res.history) == 1
