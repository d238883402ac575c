import asyncio

from fetch_csv import fetch_csv
from request_helpers import (  # the helpers this module uses
    download,
    download_buffered,
    download_later,
    download_via,
    fetch_export,
    grab,
)


class Recorder:
    """Not a test client: its ``get`` returns what it was asked for."""

    def get(self, url):
        return url


def download(cl, name):  # noqa: F811 - hides the imported one
    with cl.get(f"/exports/{name}") as res:
        return res.data


def test_a_local_function_hides_the_imported_helper(client):
    """c02b: this module's own `download` closes the response and returns its body."""
    assert download(client, "detail.csv")


def test_an_async_helper_run_in_a_block(client):
    """c02b: what awaiting an async helper gives is closed by the block."""
    with asyncio.run(download_later(client, "detail.csv")) as res:
        assert res.status_code == 200


def test_a_helper_that_buffers_its_requests(client):
    """c04a: the helper asks for `buffered=True` through the options it builds."""
    res = download_buffered(client, "detail.csv")
    assert res.status_code == 200


def test_a_client_named_parameter_given_something_else():
    """c00b: the helper's `client` parameter gets an object that isn't a test client."""
    assert grab(Recorder(), "detail.csv") == "/exports/detail.csv"


def test_a_client_named_parameter_given_a_client(client):
    """n26: the same helper given the test client."""
    res = grab(client, "summary.csv")  # FCL101
    assert res.status_code == 200


def test_a_helper_named_like_its_module(client):
    """n26: `from fetch_csv import fetch_csv`: the function, not the module."""
    res = fetch_csv(client, "summary.csv")  # FCL101
    assert res.status_code == 200


def test_a_helper_handing_on_to_another_modules_helper(client):
    """n26: the imported helper calls a helper of a third module on its parameter."""
    res = download_via(client, "detail.csv")  # FCL101
    assert res.status_code == 200


def test_a_helper_handing_on_given_something_else():
    """c00b: the same chain given an object that isn't a test client."""
    assert download_via(Recorder(), "detail.csv") == "/exports/detail.csv"


def test_a_helper_a_module_imports_from_another(client):
    """n26: a helper the imported module only re-exports from another module."""
    res = fetch_export(client, "summary.csv")  # FCL101
    assert res.status_code == 200
