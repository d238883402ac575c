import os

from flask import Flask

MEDIA_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "media"))


def create_app(config=None):
    app = Flask(__name__)
    app.config["MEDIA_DIR"] = MEDIA_DIR
    app.config.update(config or {})

    from app import views

    app.register_blueprint(views.bp)
    return app
