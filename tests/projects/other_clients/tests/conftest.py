from unittest import mock

import pytest

from app import app as flask_app


@pytest.fixture
def app():
    flask_app.config.update(TESTING=True)
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def billing_client():
    # stands in for the client of a remote billing service
    return mock.Mock()


@pytest.fixture
def audit_client(app):
    # records the calls, and makes them through the real client
    return mock.Mock(wraps=app.test_client())
