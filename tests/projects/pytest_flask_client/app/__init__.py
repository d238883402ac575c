import os

from flask import Flask

from app.library import bp as library_bp

LIBRARY_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "library"))


def create_app(**overrides):
    app = Flask(__name__)
    app.config.update(LIBRARY_DIR=LIBRARY_DIR, **overrides)
    app.register_blueprint(library_bp)
    return app
