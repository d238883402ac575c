import pytest

from app import create_app


@pytest.fixture
def app():
    # pytest-flask builds the `client` fixture from this one
    return create_app(TESTING=True)
