"""The stylesheet and the logo come from Flask's built-in static route."""
import unittest

from shop import create_app


def test_stylesheet_is_served(client):
    """The stylesheet is reachable."""
    assert client.get("/static/style.css").status_code == 200  # FCL102


def test_logo_is_svg(client):
    """The logo is an SVG image."""
    with client.get("/static/logo.svg") as res:
        assert res.mimetype == "image/svg+xml"
        assert b"<title>Flask Shop</title>" in res.data


class StaticFilesTestCase(unittest.TestCase):
    """The same checks written in the unittest style."""

    def setUp(self):
        self.app = create_app({"TESTING": True})
        self.client = self.app.test_client()

    def test_logo_request_does_not_raise(self):
        """Smoke test: fetching the logo must not raise."""
        self.client.get("/static/logo.svg")  # FCL102

    def test_stylesheet_kept_for_later_checks(self):
        """The response is kept on the test case for a helper to inspect."""
        self.response = self.client.get("/static/style.css")  # FCL104
        self.assert_is_css()

    def assert_is_css(self):
        self.assertEqual(self.response.status_code, 200)
        self.assertEqual(self.response.mimetype, "text/css")

    def test_stylesheet_closed(self):
        """The stylesheet, closed by its ``with`` block."""
        with self.client.get("/static/style.css") as response:
            self.assertIn(b".price", response.data)
