def test_send_static_file(client):
    """c07c: the view returns current_app.send_static_file()."""
    res = client.get("/robots.txt")  # FCL101
    assert res.status_code == 200


def test_send_file_path(client):
    """c08a: send_file(path)."""
    res = client.get("/poster")  # FCL101
    assert res.status_code == 200


def test_send_file_open_file(client):
    """c08b: send_file(open(path, 'rb'))."""
    res = client.get("/poster/stream")  # FCL101
    assert res.mimetype == "text/plain"


def test_send_file_bytesio(client):
    """c08c: send_file(io.BytesIO(...)): no real file, nothing warns."""
    res = client.get("/thumbnail")  # FCL100
    assert res.status_code == 200


def test_send_file_named_temporary_file(client):
    """c08f: send_file(NamedTemporaryFile()): its closer deletes and closes it silently."""
    res = client.get("/contact-sheet")  # FCL100
    assert res.status_code == 200
