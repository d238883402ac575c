import pytest
from flask import Flask

local = Flask(__name__)


@local.route("/export/<path:name>")
def local_export(name):
    return "not a file"


class TestLocalClient:
    @pytest.fixture
    def admin_client(self):
        return local.test_client()

    def test_the_class_fixture_wins(self, admin_client):
        """c00a: the class's own admin_client fixture (its app answers text), not the
        conftest's (the admin app, which serves the file)."""
        res = admin_client.get("/export/orders.csv")  # FCL100
        assert res.data == b"not a file"


@pytest.mark.parametrize("admin_client", [local.test_client()])
def test_a_parametrized_client_wins(admin_client):
    """c00a: a parametrize argument named admin_client overrides the conftest's fixture."""
    res = admin_client.get("/export/orders.csv")  # FCL100
    assert res.data == b"not a file"

