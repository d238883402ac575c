def test_download(app, client):
    """c01: the exact test from pallets/flask#5483."""
    res = client.get('/file.txt')  # FCL101
    assert res.status_code == 200


def test_download_inline(client):
    """c03d: the response is never bound, so nothing can close it."""
    assert client.get('/file.txt').status_code == 200  # FCL102


def test_download_closed(client):
    """c02a: closed by hand, but only after the assertion."""
    res = client.get('/file.txt')  # FCL103
    assert res.status_code == 200
    res.close()


def test_download_with(client):
    """c02b: the response as a context manager."""
    with client.get('/file.txt') as res:
        assert res.data == b'file\n'


def test_status_json(client):
    """c00b: a JSON route holds no file, so leaving it open leaks nothing."""
    res = client.get('/api/status')  # FCL100
    assert res.json == {'status': 'ok'}


def test_missing_resource(client):
    """c06h: send_from_directory raises NotFound before it opens anything."""
    res = client.get('/missing.txt')  # FCL100
    assert res.status_code == 404
