import pytest

from app import app
from plain import plain


@pytest.fixture
def client():
    return app.test_client()


@pytest.fixture
def plain_client():
    return plain.test_client()
