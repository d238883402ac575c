import pytest

from app import create_app


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def summary(client):
    return client.get("/exports/summary.csv")  # FCL101


@pytest.fixture
def closer():
    """Tracks the responses a test gives it and closes them when the test ends."""
    opened = []

    def track(res):
        opened.append(res)
        return res

    yield track
    for res in opened:
        res.close()
