import pytest

from app import admin


class TestAdminClient:
    @pytest.fixture
    def client(self):
        return admin.test_client()

    def test_the_class_fixture_of_the_admin_app(self, client):
        """c06h: the class's own client is the admin app's, which has no /download/."""
        res = client.get("/download/notes.txt")  # FCL100
        assert res.mimetype == "text/html"
