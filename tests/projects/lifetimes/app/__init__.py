import os

from flask import Flask, send_from_directory

EXPORT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "exports"))


def create_app(config=None):
    app = Flask(__name__)
    app.config["EXPORT_DIR"] = EXPORT_DIR
    app.config.update(config or {})

    @app.get("/exports/<path:name>")
    def export(name):
        return send_from_directory(app.config["EXPORT_DIR"], name, as_attachment=True)

    @app.get("/health")
    def health():
        return {"ok": True}

    return app
