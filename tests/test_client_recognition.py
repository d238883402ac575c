"""Names that look like clients (``client``, ``*_client``, ``self.client``) but that the code
shows to hold something else: a mock, a client of another service. Such a name makes no
request to the app, and its "responses" hold no file (the ``other_clients`` runtime
project runs the cases that matter). Any sign of a real client keeps the name a client.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flake8_flask_close.rules.base import EXAMPLE_PROJECT
from tests.helpers import codes, expected_codes, lint, write_project

CASES = {
    "a mock in setUp": """\
        import unittest
        from unittest import mock


        class Test(unittest.TestCase):
            def setUp(self):
                self.client = mock.Mock()

            def test_it(self):
                res = self.client.get("/file.txt")
                assert res is not None
        """,
    "a client set in another method too": """\
        import unittest
        from unittest import mock

        from app import app


        class Test(unittest.TestCase):
            def setUp(self):
                self.client = mock.Mock()

            def use_the_app(self):
                self.client = app.test_client()

            def test_it(self):
                res = self.client.get("/file.txt")  # FCL101
                assert res is not None
        """,
    "a value of the module's own as well": """\
        import unittest
        from unittest import mock


        def make_client():
            from app import app

            return app.test_client()


        class Test(unittest.TestCase):
            def setUp(self):
                self.client = make_client()

            def offline(self):
                self.client = mock.Mock()

            def test_it(self):
                res = self.client.get("/file.txt")  # FCL101
                assert res is not None
        """,
    "a session set by a base class of the module": """\
        import unittest

        import requests


        class LiveServer(unittest.TestCase):
            def setUp(self):
                self.api_client = requests.Session()


        class Test(LiveServer):
            def test_it(self):
                res = self.api_client.get("http://localhost/file.txt")
                assert res.ok
        """,
    "a mock wrapping a client": """\
        import unittest
        from unittest.mock import Mock

        from app import app


        class Test(unittest.TestCase):
            def setUp(self):
                self.client = Mock(wraps=app.test_client())

            def test_it(self):
                res = self.client.get("/file.txt")  # FCL101
                assert res.status_code == 200
        """,
    "a function of the module named Mock": """\
        import unittest

        from app import app


        def Mock():
            return app.test_client()


        class Test(unittest.TestCase):
            def setUp(self):
                self.client = Mock()

            def test_it(self):
                res = self.client.get("/file.txt")  # FCL101
                assert res.status_code == 200
        """,
    "a fixture yielding a mock": """\
        from unittest import mock

        import pytest


        @pytest.fixture
        def storage_client():
            yield mock.MagicMock()


        def test_it(storage_client):
            res = storage_client.get("/file.txt")
            assert res is not None
        """,
    "a fixture of another service's client": """\
        import pytest
        import redis


        @pytest.fixture
        def redis_client():
            return redis.Redis()


        def test_it(redis_client):
            res = redis_client.get("/file.txt")
            assert res is None
        """,
    "a fixture returning a mock or a client": """\
        from unittest import mock

        import pytest

        from app import app


        @pytest.fixture
        def api_client(request):
            if request.param:
                return mock.Mock()
            return app.test_client()


        def test_it(api_client):
            res = api_client.get("/file.txt")  # FCL101
            assert res is not None
        """,
    "pytest-mock's mock": """\
        import pytest


        @pytest.fixture
        def api_client(mocker):
            return mocker.MagicMock()


        def test_it(api_client):
            res = api_client.get("/file.txt")
            assert res is not None
        """,
    "a subclass setting a client of its own": """\
        import unittest
        from unittest import mock


        def make_client():
            from app import app

            return app.test_client()


        class Offline(unittest.TestCase):
            def setUp(self):
                self.client = mock.Mock()


        class Online(Offline):
            def setUp(self):
                self.client = make_client()

            def test_it(self):
                res = self.client.get("/file.txt")  # FCL101
                assert res.status_code == 200
        """,
    "the conftest's client overridden by a mock": """\
        from unittest import mock

        import pytest


        @pytest.fixture
        def client():
            return mock.Mock()


        def test_it(client):
            res = client.get("/file.txt")
            assert res is not None
        """,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_client_named_thing(tmp_path: Path, case: str) -> None:
    source = textwrap.dedent(CASES[case])
    write_project(tmp_path, {**EXAMPLE_PROJECT, "tests/test_example.py": source})
    assert codes(lint(tmp_path / "tests" / "test_example.py")) == expected_codes(source)


def test_a_mock_client_fixture_of_the_conftest_is_overridden_by_a_real_one(
    tmp_path: Path,
) -> None:
    conftest = EXAMPLE_PROJECT["tests/conftest.py"].replace(
        "    return app.test_client()", "    return mock.Mock()"
    )
    assert conftest != EXAMPLE_PROJECT["tests/conftest.py"]
    overriding = textwrap.dedent(
        """\
        import pytest

        from app import app


        @pytest.fixture
        def client():
            return app.test_client()


        def test_it(client):
            res = client.get("/file.txt")  # FCL101
            assert res.status_code == 200
        """
    )
    plain = "def test_it(client):\n    res = client.get('/file.txt')\n    assert res is not None\n"
    write_project(
        tmp_path,
        {
            **EXAMPLE_PROJECT,
            "tests/conftest.py": "from unittest import mock\n" + conftest,
            "tests/test_overriding.py": overriding,
            "tests/test_plain.py": plain,
        },
    )
    assert codes(lint(tmp_path / "tests" / "test_overriding.py")) == expected_codes(overriding)
    assert codes(lint(tmp_path / "tests" / "test_plain.py")) == set()
