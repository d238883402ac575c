import pytest

from app import closed, create_app, frozen, open_shop, shop


@pytest.fixture
def closed_client():
    return closed.test_client()


@pytest.fixture
def shop_client():
    return shop.test_client()


@pytest.fixture
def frozen_client():
    return frozen.test_client()


@pytest.fixture
def open_shop_client():
    return open_shop.test_client()


@pytest.fixture
def testing_client():
    return create_app(testing=True).test_client()
