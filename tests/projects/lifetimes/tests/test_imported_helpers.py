import request_helpers
from request_helpers import Exports, download, download_data, own_client_download

from closing_helpers import finish


class Recorder:
    """Not a test client: its ``get`` returns what it was asked for."""

    def get(self, url):
        return url


def test_imported_helper(client):
    """n26: a helper of another test module makes the request and returns the response."""
    res = download(client, "detail.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_imported_helper_through_its_module(client):
    """n26: the same helper called through its module."""
    res = request_helpers.download(client, "summary.csv")  # FCL101
    assert res.status_code == 200


def test_imported_helper_static_method(client):
    """n26: a static method of a class of the helper module."""
    res = Exports.fetch(client, "detail.csv")  # FCL101
    assert res.status_code == 200


def test_imported_helper_with_its_own_client(client):
    """n26: a helper that makes its own client."""
    res = own_client_download("summary.csv")  # FCL101
    assert res.status_code == 200


def test_imported_helper_closed_with_a_block(client):
    """c02b: the caller closes what the imported helper returns."""
    with download(client, "detail.csv") as res:
        assert res.mimetype == "text/csv"


def test_imported_helper_closed_by_an_imported_function(client):
    """c10f: the caller hands it to another module's function that closes it."""
    res = download(client, "summary.csv")
    finish(res)


def test_imported_helper_reading_in_a_block(client):
    """c02b: the imported function closes the response itself and returns its body."""
    assert download_data(client, "detail.csv")


def test_imported_helper_given_something_else():
    """c00b: the helper's parameter gets no test client: nothing is requested."""
    assert download(Recorder(), "detail.csv") == "/exports/detail.csv"


def test_imported_helper_missing_file(client):
    """c06h: the file isn't there: a 404 holds no file."""
    res = download(client, "missing.csv")
    assert res.status_code == 404
