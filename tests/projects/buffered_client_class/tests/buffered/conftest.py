import pytest
from flask.testing import FlaskClient

from app import create_app, site


class BufferedClient(FlaskClient):
    """Every request of this folder's tests reads the body and closes the response."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def app():
    app = create_app()
    app.test_client_class = BufferedClient
    return app


@pytest.fixture
def site_client():
    return site.test_client()
