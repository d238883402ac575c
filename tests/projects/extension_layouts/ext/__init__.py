"""Two extension styles seen in real Flask extensions: a helper that registers a file
blueprint on the app it is given (Flask-Reuploaded), and a class that builds a blueprint
inside a method (Flask-AutoIndex)."""

import os

from flask import Blueprint, send_from_directory

FILES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "files")

uploads = Blueprint("_uploads", __name__, url_prefix="/_uploads")


@uploads.route("/<path:filename>")
def uploaded_file(filename):
    return send_from_directory(FILES, filename)


def configure_uploads(app):
    app.register_blueprint(uploads)


class AutoIndex:
    def __init__(self, app):
        self._register_shared(app)

    def _register_shared(self, app):
        shared = Blueprint("__autoindex__", __name__)

        @shared.route("/__autoindex__/<path:filename>")
        def asset(filename):
            return send_from_directory(FILES, filename)

        app.register_blueprint(shared)
