from helpers import assert_ok

GREETING = "/content/greeting.txt"


def test_bare_statement(client):
    """c03a: a bare request statement; the temporary dies at the end of the line."""
    client.get(GREETING)  # FCL102


def test_chained_data(client):
    """c03b: chained .data."""
    body = client.get(GREETING).data  # FCL102
    assert body == b"hello, reader\n"


def test_chained_status(client):
    """c03c: chained .status_code."""
    status = client.get(GREETING).status_code  # FCL102
    assert status == 200


def test_chained_json(client):
    """c03b: chained .json in an assert."""
    assert client.get("/content/settings.json").json["pages"] == 3  # FCL102


def test_passed_into_a_call(client):
    """c03a: passed straight into a helper; never bound in the test."""
    assert_ok(client.get(GREETING))  # FCL102


def test_chained_close(client):
    """c03e: chained .close()."""
    client.get(GREETING).close()


def test_ping(client):
    """c00a: a plain-text route, chained .data: nothing to leak."""
    assert client.get("/ping").data == b"pong"  # FCL100
