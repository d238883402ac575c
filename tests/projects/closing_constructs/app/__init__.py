import os

from flask import Flask, abort, redirect, send_file, send_from_directory

DATA_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "data"))


def create_app(config=None):
    app = Flask(__name__)
    app.config["DATA_DIR"] = DATA_DIR
    app.config.update(config or {})

    @app.route("/files/<path:name>")
    def files(name):
        return send_from_directory(app.config["DATA_DIR"], name)

    @app.route("/docs/<slug>")
    def docs(slug):
        path = os.path.join(app.config["DATA_DIR"], "docs", f"{slug}.md")
        if not os.path.isfile(path):
            abort(404)
        return send_file(open(path, "rb"), mimetype="text/markdown")

    @app.route("/latest")
    def latest():
        return redirect("/files/handbook.txt")

    return app
