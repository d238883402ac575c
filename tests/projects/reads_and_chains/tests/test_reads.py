GREETING = "/content/greeting.txt"


def test_data(client):
    """c09a: .data drains the body but does not close it."""
    res = client.get(GREETING)  # FCL101
    assert res.data == b"hello, reader\n"


def test_get_data(client):
    """c09b: .get_data(as_text=True)."""
    res = client.get(GREETING)  # FCL101
    assert res.get_data(as_text=True) == "hello, reader\n"


def test_json(client):
    """c09c: .json of a JSON file served from disk."""
    res = client.get("/content/settings.json")  # FCL101
    assert res.json == {"theme": "dark", "pages": 3}


def test_text(client):
    """c09d: .text."""
    res = client.get(GREETING)  # FCL101
    assert res.text.startswith("hello")


def test_iterate_body(client):
    """c09e: joining the WSGI iterable by hand."""
    res = client.get(GREETING)  # FCL101
    assert b"".join(res.response) == b"hello, reader\n"


def test_data_then_close(client):
    """c09f: read, then close."""
    res = client.get(GREETING)
    body = res.data
    res.close()
    assert body == b"hello, reader\n"
