LAST_EXPORT = None


def fetch(client, url):
    return client.get(url)


def test_kept_in_module_global(client):
    """c10a: parked in a module global: never reported under -W error, never closed."""
    global LAST_EXPORT
    LAST_EXPORT = client.get("/exports/summary.csv")  # FCL104
    assert LAST_EXPORT.status_code == 200


def test_deleted_mid_test(client):
    """c10c: del does not close; the finalizer warns right there."""
    res = client.get("/exports/summary.csv")  # FCL101
    status = res.status_code
    del res
    assert status == 200


def test_reassigned(client):
    """c10e: the first response is dropped when the name is rebound."""
    res = client.get("/exports/summary.csv")  # FCL101
    assert res.status_code == 200
    res = client.get("/exports/detail.csv")
    res.close()


def test_helper_returns_response(client):
    """c10f: a helper returns the response; the test never closes it."""
    res = fetch(client, "/exports/detail.csv")  # FCL101
    assert res.headers["Content-Disposition"].startswith("attachment")


def test_helper_response_closed(client):
    """c02b: the helper's response closed by the caller's with-block."""
    with fetch(client, "/exports/detail.csv") as res:
        assert res.status_code == 200


def test_function_fixture_returns_response(summary):
    """n01: a function-scoped fixture *returns* the response. pytest drops it after the
    teardown phase, outside any phase, so -W error reports it at the next test's setup."""
    assert summary.status_code == 200


def test_health(client):
    """c00b: runs right after n01 and gets its error at setup; it leaks nothing itself."""
    with client.get("/health") as res:
        assert res.json == {"ok": True}
