from email.utils import formatdate

FAR_FUTURE = formatdate(4102444800, usegmt=True)  # 2100-01-01


def test_if_none_match_304(client):
    """c06d: If-None-Match -> 304; the file was opened before make_conditional()."""
    with client.get("/cached/report.txt") as first:
        etag = first.headers["ETag"]
    res = client.get("/cached/report.txt", headers={"If-None-Match": etag})  # FCL101
    assert res.status_code == 304


def test_if_modified_since_304(client):
    """c06e: If-Modified-Since in the future -> 304."""
    res = client.get("/cached/report.txt", headers={"If-Modified-Since": FAR_FUTURE})  # FCL101
    assert res.status_code == 304


def test_range_206(client):
    """c06f: a satisfiable Range -> 206 Partial Content."""
    res = client.get("/report.txt", headers={"Range": "bytes=0-4"})  # FCL101
    assert res.status_code == 206


def test_range_416(client):
    """c06g: an unsatisfiable Range -> 416; send_file closes the file itself."""
    res = client.get("/report.txt", headers={"Range": "bytes=100000-"})  # FCL100
    assert res.status_code == 416


def test_range_beyond_a_file_of_unknown_size(client):
    """c06g: a range from byte 100 of a file the linter can't size (its folder comes from
    the configuration): Werkzeug answers 416 here, and the linter doesn't judge it."""
    res = client.get("/report.txt", headers={"Range": "bytes=100-"})  # FCL100
    assert res.mimetype == "text/html"


def test_missing_file_404(client):
    """c06h: send_from_directory() of a missing file -> 404, nothing opened."""
    res = client.get("/files/nope.txt")  # FCL100
    assert res.status_code == 404


def test_traversal_404(client):
    """c06i: '..' in the name -> safe_join() refuses -> 404."""
    res = client.get("/files/../setup.cfg")  # FCL100
    assert res.status_code == 404
