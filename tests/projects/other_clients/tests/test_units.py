import unittest
from unittest import mock

from app import app


class TestMockedService(unittest.TestCase):
    def setUp(self):
        self.client = mock.Mock()

    def test_mocked_service_client(self):
        """n30: self.client holds a mock, not a test client: no request reaches the app."""
        res = self.client.get("/files/report.csv")
        res.close.assert_not_called()


class TestRealClient(unittest.TestCase):
    def setUp(self):
        self.client = app.test_client()

    def test_real_client(self):
        """c11b: the same request through the app's test client leaves the file open."""
        res = self.client.get("/files/report.csv")  # FCL101
        self.assertEqual(res.status_code, 200)


class TestWrappedClient(unittest.TestCase):
    def setUp(self):
        self.client = mock.Mock(wraps=app.test_client())

    def test_mock_wrapping_a_client(self):
        """n30: a mock wrapping the test client makes the request through it."""
        res = self.client.get("/files/report.csv")  # FCL101
        self.assertEqual(res.status_code, 200)
