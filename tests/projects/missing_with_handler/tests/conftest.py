import pytest

from app import app
from blueprinted import blueprinted
from ordered import ordered
from plain import plain
from spa import spa


@pytest.fixture
def client():
    return app.test_client()


@pytest.fixture
def plain_client():
    return plain.test_client()


@pytest.fixture
def ordered_client():
    return ordered.test_client()


@pytest.fixture
def blueprinted_client():
    return blueprinted.test_client()


@pytest.fixture
def spa_client():
    return spa.test_client()
