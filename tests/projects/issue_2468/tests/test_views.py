import unittest

from app import app


class TestCase(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_x(self):
        """c11a: the test from pallets/flask#2468: a bare request statement."""
        self.client.get('/')  # FCL102

    def test_assigned(self):
        """c11b: bound to a local and never closed."""
        rv = self.client.get('/')  # FCL101
        self.assertEqual(rv.status_code, 200)

    def test_with(self):
        """c11c: closed by the with-block."""
        with self.client.get('/') as rv:
            self.assertEqual(rv.status_code, 200)

    def test_kept_on_instance(self):
        """c11d: stored on the TestCase; released when pytest drops the instance."""
        self.rv = self.client.get('/')  # FCL104
        self.assertEqual(self.rv.status_code, 200)

    def test_add_cleanup(self):
        """c11e: closed by a cleanup registered right after the request."""
        rv = self.client.get('/')
        self.addCleanup(rv.close)
        self.assertIn(b"send_file", rv.data)

    def test_legacy_route(self):
        """c06i: safe_join() refuses the absolute name, the view 404s, nothing was opened."""
        rv = self.client.get('/legacy')  # FCL100
        self.assertEqual(rv.status_code, 404)

    def test_health(self):
        """c00a: a plain-text route holds no file."""
        self.client.get('/health')  # FCL100
