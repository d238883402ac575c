import unittest

from app import create_app
from fetch_csv import fetch_csv as fetch_export  # noqa: F401 - offered to the tests too

EXPORTS = "/exports"


def download(cl, name):
    return cl.get(f"{EXPORTS}/{name}")


def download_data(cl, name):
    with cl.get(f"{EXPORTS}/{name}") as res:
        return res.data


def own_client_download(name):
    return create_app({"TESTING": True}).test_client().get(f"{EXPORTS}/{name}")


class Exports:
    @staticmethod
    def fetch(cl, name):
        return cl.get(f"{EXPORTS}/{name}")


async def download_later(cl, name):
    return cl.get(f"{EXPORTS}/{name}")


def download_buffered(cl, name, **options):
    options.setdefault("buffered", True)
    return cl.get(f"{EXPORTS}/{name}", **options)


def grab(client, name):
    return client.get(f"{EXPORTS}/{name}")


class DownloadCase(unittest.TestCase):
    """A base class for unittest-style tests: a client per test and a request helper."""

    def setUp(self):
        self.client = create_app({"TESTING": True}).test_client()

    def download(self, name):
        return self.client.get(f"{EXPORTS}/{name}")


def download_via(cl, name):
    """Hands the request on to another module's helper."""
    return fetch_export(cl, name)
