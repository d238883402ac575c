def test_response_of_open_file(client):
    """c08g: Response(open(path, 'rb'))."""
    res = client.get("/caption")  # FCL101
    assert res.status_code == 200


def test_response_of_wrap_file(client):
    """c08h: Response(wrap_file(environ, open(...)), direct_passthrough=True)."""
    res = client.get("/caption/wrapped")  # FCL101
    assert res.status_code == 200


def test_generator_with_open(client):
    """c08i: a generator that opens the file in its own with-block."""
    res = client.get("/caption/chunks")  # FCL100
    assert res.status_code == 200


def test_generator_with_stream_with_context(client):
    """c08j: the same generator wrapped in stream_with_context()."""
    res = client.get("/caption/chunks-in-context")  # FCL100
    assert res.status_code == 200


def test_generator_read(client):
    """c08k: the generator response read to the end, still not closed."""
    res = client.get("/caption/chunks")  # FCL100
    assert res.data.endswith(b"two chunks.\n")
