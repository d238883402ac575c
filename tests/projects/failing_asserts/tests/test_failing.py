import pytest

FAILS = pytest.mark.xfail(strict=True, reason="the assertion fails by design")


@FAILS
def test_close_after_failing_assert(client):
    """c02g: res.close() is never reached; the traceback keeps the frame alive."""
    res = client.get("/data/result.txt")  # FCL103
    assert res.status_code == 201
    res.close()


@FAILS
def test_unclosed_in_failing_test(client):
    """c10d: never closed, and the test fails."""
    res = client.get("/data/result.txt")  # FCL101
    assert res.status_code == 201


@FAILS
def test_finally_closes_even_when_failing(client):
    """c02h: try/finally closes before the failure propagates."""
    res = client.get("/data/result.txt")
    try:
        assert res.status_code == 201
    finally:
        res.close()


@FAILS
def test_with_closes_even_when_failing(client):
    """c02b: the with-block closes before the failure propagates."""
    with client.get("/data/result.txt") as res:
        assert res.status_code == 201


def test_innocent(client):
    """c02b: a passing test that closes its response."""
    with client.get("/data/result.txt") as res:
        assert res.status_code == 200
