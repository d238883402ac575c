import pytest

MENU_URL = "/media/menu.txt"


@pytest.fixture
def menu(client):
    res = client.get(MENU_URL)
    yield res
    res.close()
