import os

from flask import Blueprint, Flask, send_from_directory

FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")

cdn = Blueprint("cdn", __name__, subdomain="cdn")
reports = Blueprint("reports", __name__)


@cdn.get("/assets/<name>")
def asset(name):
    return send_from_directory(FILES, name)


@reports.get("/reports/<name>")
def report(name):
    return send_from_directory(FILES, name)


def create_app(config=None):
    app = Flask(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    app.config.update(config or {})

    @app.get("/files/<name>", subdomain="files")
    def on_files_host(name):
        return send_from_directory(FILES, name)

    @app.get("/exports/<name>", subdomain="cdn")
    def cdn_export(name):
        return f"the cdn serves {name}"

    @app.get("/exports/<name>")
    def export(name):
        return send_from_directory(FILES, name)

    @app.get("/plain/<name>", subdomain="")
    def plain(name):
        return send_from_directory(FILES, name)

    app.register_blueprint(cdn)
    app.register_blueprint(reports, subdomain="reports")
    return app
