import pytest

from app import create_app


@pytest.fixture(scope="module")
def module_client():
    return create_app({"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def summary_response(module_client):
    return module_client.get("/exports/summary.csv")  # FCL104


@pytest.fixture(scope="module")
def detail_download(module_client):
    res = module_client.get("/exports/detail.csv")  # FCL104
    yield res


@pytest.fixture(scope="module")
def detail_response(module_client):
    with module_client.get("/exports/detail.csv") as res:
        yield res


def test_module_fixture_response(summary_response):
    """c10b: a module-scoped fixture keeps the response until the module's teardown,
    where -W error reports it (on the module's last test)."""
    assert summary_response.status_code == 200


def test_module_yield_fixture_response(detail_download):
    """c10b: the same with a yield fixture that never closes what it yielded."""
    assert detail_download.headers["Content-Type"].startswith("text/csv")


def test_closing_module_fixture(detail_response):
    """c02f: a module-scoped yield fixture that closes in its with-block."""
    assert detail_response.status_code == 200


def test_last_in_module(module_client):
    """c00b: the module's last test; the c10b error lands in its teardown."""
    res = module_client.get("/health")  # FCL100
    assert res.json == {"ok": True}
