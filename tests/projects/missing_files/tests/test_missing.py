import os

import pytest

import shop

FILES = os.path.join(os.path.dirname(shop.__file__), "files")


@pytest.fixture
def made():
    """A file the test makes before requesting it, as an upload would."""
    path = os.path.join(FILES, "made.txt")
    with open(path, "w") as fh:
        fh.write("made\n")
    yield "made.txt"
    os.remove(path)


def test_download_there(client):
    """c01: the file the URL names is in the folder: the response holds it."""
    res = client.get("/download/there.txt")  # FCL101
    assert res.mimetype == "text/plain"


def test_download_below(client):
    """c01: a file in a folder below it."""
    res = client.get("/download/sub/deep.txt")  # FCL101
    assert res.mimetype == "text/plain"


def test_download_missing(client):
    """c06h: no such file in the folder: 404, nothing opened."""
    res = client.get("/download/nope.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_fixed_name_there(client):
    """c01: the view always sends the same file, and it is there."""
    res = client.get("/there")  # FCL101
    assert res.mimetype == "text/plain"


def test_fixed_name_missing(client):
    """c06h: the view always sends the same file, and it isn't there: 404."""
    res = client.get("/gone")  # FCL100
    assert res.mimetype == "text/html"


def test_send_file_there(client):
    """c01: send_file of a path below the app's root path."""
    res = client.get("/report")  # FCL101
    assert res.mimetype == "text/plain"


def test_send_file_missing(client):
    """n04: send_file of a path that isn't there fails before opening anything: 500."""
    res = client.get("/report-gone")  # FCL100
    assert res.mimetype == "text/html"


def test_rebound_name(client):
    """c01: the view changes the name before sending it: the request's name isn't it."""
    res = client.get("/renamed/there")  # FCL101
    assert res.mimetype == "text/plain"


def test_blueprint_view_looks_below_the_app(client):
    """c01: a blueprint's view finds the file below its app's root path."""
    res = client.get("/media/logo.txt")  # FCL101
    assert res.mimetype == "text/plain"


def test_blueprint_view_not_below_its_own_module(client):
    """c06h: the file beside the blueprint's module isn't below the app's root: 404."""
    res = client.get("/media/other.txt")  # FCL100
    assert res.mimetype == "text/html"


def test_custom_converter(client):
    """c01: the converter hands the view another name than the URL's ("there.txt")."""
    res = client.get("/lower/THERE.TXT")  # FCL101
    assert res.mimetype == "text/plain"


def test_file_made_by_the_test(client, made):
    """c01: not on disk when flake8 runs, but the test makes it and expects a 200."""
    res = client.get("/download/made.txt")  # FCL101
    assert res.status_code == 200


def test_name_bound_again(client):
    """c06h: the 200 asserted is the later response's, not the missing file's."""
    res = client.get("/download/nope.txt")  # FCL100
    assert res.mimetype == "text/html"
    res = client.get("/there")  # FCL101
    assert res.status_code == 200


def test_range_from_the_end_of_a_file_there(client):
    """c06g: a range starting at the end of the file (6 bytes): 416, send_file closes it."""
    res = client.get("/download/there.txt", headers={"Range": "bytes=6-"})  # FCL100
    assert res.mimetype == "text/html"


def test_range_of_the_last_byte_of_a_file_there(client):
    """c06f: a range starting at its last byte: 206, the file is left open."""
    res = client.get("/download/there.txt", headers={"Range": "bytes=5-"})  # FCL101
    assert res.mimetype == "text/plain"


def test_range_beyond_a_fixed_file(client):
    """c06g: a range beyond the end of the one file a view sends: 416."""
    res = client.get("/report", headers={"Range": "bytes=100-200"})  # FCL100
    assert res.mimetype == "text/html"


def test_range_longer_than_a_file_there(client):
    """c06g: a suffix range longer than the file: 416."""
    res = client.get("/download/there.txt", headers={"Range": "bytes=-100"})  # FCL100
    assert res.mimetype == "text/html"


def test_several_ranges_of_a_file_there(client):
    """c06g: several ranges, which Werkzeug doesn't serve: 416."""
    res = client.get("/download/there.txt", headers={"Range": "bytes=0-1,3-4"})  # FCL100
    assert res.mimetype == "text/html"


def test_range_with_an_if_range_spelled_with_an_underscore(client):
    """c06f: `If_Range` is sent as If-Range; it doesn't match: the whole file, left open."""
    res = client.get(  # FCL101
        "/download/there.txt", headers={"Range": "bytes=6-", "If_Range": '"other"'}
    )
    assert res.mimetype == "text/plain"


def test_download_name_known_at_run_time_there(client):
    """c01: a name the linter can't know, in a folder below that is there."""
    name = sorted(os.listdir(os.path.join(FILES, "sub")))[0]
    res = client.get(f"/download/sub/{name}")  # FCL101
    assert res.mimetype == "text/plain"


def test_download_name_known_at_run_time_in_a_folder_not_there(client):
    """c06h: whatever the name, the folder has no folder archive: 404, nothing opened."""
    name = sorted(os.listdir(os.path.join(FILES, "sub")))[0]
    res = client.get(f"/download/archive/{name}")  # FCL100
    assert res.data


def _name_from_elsewhere():
    """A name the linter can't know: one a user typed, say."""
    return os.environ.get("SHOP_TEST_NAME", "../setup.cfg")


def test_download_asserted_not_ok(client):
    """c06h: a name that leaves the folder: 404, which the test asserts as not 200."""
    res = client.get(f"/download/{_name_from_elsewhere()}")  # FCL100
    assert res.status_code != 200


def test_download_range_asserted_not_ok(client):
    """c06f: a range of the file: 206, not 200, and the file is left open."""
    res = client.get("/download/there.txt", headers={"Range": "bytes=1-"})  # FCL101
    assert res.status_code != 200


def test_download_then_one_refused(client):
    """c01: the first response's file is left open; the refusal asserted later is another's."""
    res = client.get("/download/there.txt")  # FCL101
    assert res.status_code == 200
    res = client.get(f"/download/{_name_from_elsewhere()}")  # FCL100
    assert res.status_code != 200
