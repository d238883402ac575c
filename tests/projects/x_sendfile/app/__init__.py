import os

from flask import Flask, Response, request, send_file, send_from_directory
from werkzeug.utils import send_file as werkzeug_send_file

FILES = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "files"))


class Config:
    """Deployed behind a web server that sends files itself (X-Sendfile)."""

    USE_X_SENDFILE = True


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.update(config or {})

    @app.get("/files/<path:name>")
    def by_name(name):
        return send_from_directory(FILES, name)

    @app.get("/report")
    def report():
        return send_file(os.path.join(FILES, "a.csv"))

    @app.get("/werkzeug")
    def werkzeug_sent():
        return werkzeug_send_file(os.path.join(FILES, "a.csv"), request.environ)

    @app.get("/raw")
    def raw():
        return Response(open(os.path.join(FILES, "a.csv"), "rb"), mimetype="text/csv")

    return app
