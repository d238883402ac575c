from flask import Flask

from ext import AutoIndex, configure_uploads


def test_uploads_served_by_extension():
    """n02: a helper registers the file blueprint on an app built in the test."""
    app = Flask(__name__)
    configure_uploads(app)
    with app.test_client() as client:
        response = client.get("/_uploads/snow.txt")  # FCL101
    assert response.status_code == 200


def test_uploads_closed():
    """c02b: the same request, closed by its with-block."""
    app = Flask(__name__)
    configure_uploads(app)
    with app.test_client().get("/_uploads/snow.txt") as response:
        assert response.status_code == 200


def test_extension_class_blueprint():
    """n03: an extension class builds its blueprint inside a method."""
    app = Flask(__name__)
    AutoIndex(app)
    rv = app.test_client().get("/__autoindex__/snow.txt")  # FCL101
    assert rv.status_code == 200


def test_app_without_the_extension():
    """c06h: nothing registered the blueprint on this app: 404, no file."""
    app = Flask(__name__)
    rv = app.test_client().get("/_uploads/snow.txt")  # FCL100
    assert rv.status_code == 404
