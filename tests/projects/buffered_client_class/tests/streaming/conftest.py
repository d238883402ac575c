import pytest
from flask.testing import FlaskClient

from app import create_app


class TaggingClient(FlaskClient):
    """Adds a header to every request; leaves the body streaming."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("headers", {"X-Test": "1"})
        return super().open(*args, **kwargs)


@pytest.fixture
def app():
    app = create_app()
    app.test_client_class = TaggingClient
    return app
