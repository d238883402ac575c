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


def test_send_file_after_abort(client):
    """n15: the view aborts before its send_file: no file is opened."""
    res = client.get("/poster/retired")  # FCL100
    assert b"Gone" in res.data


def test_send_file_after_raise_in_try(client):
    """n15: the send_file follows a raise in its block; the handler answers instead."""
    res = client.get("/poster/unfinished")  # FCL100
    assert res.data == b"not yet"


def test_send_file_after_conditional_raise(client):
    """n15: a raise in an if doesn't stop the send_file after it."""
    res = client.get("/poster/draft")  # FCL101
    assert res.data


def test_send_file_bytesio(client):
    """c08c: send_file(io.BytesIO(...)): no real file, nothing warns."""
    res = client.get("/thumbnail")  # FCL100
    assert res.status_code == 200


def test_send_file_named_temporary_file(client):
    """c08f: send_file(NamedTemporaryFile()): its closer deletes and closes it silently."""
    res = client.get("/contact-sheet")  # FCL100
    assert res.status_code == 200
