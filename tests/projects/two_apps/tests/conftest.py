import pytest

from app import admin, app, create_admin_app


@pytest.fixture
def client():
    return app.test_client()


@pytest.fixture
def admin_client():
    with admin.test_client() as c:
        yield c


@pytest.fixture
def board_app():
    board = create_admin_app()
    board.config["TESTING"] = True
    yield board


@pytest.fixture
def board_client(board_app):
    return board_app.test_client()
