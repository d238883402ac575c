"""ACME customer portal: downloads, reports and a small JSON API."""

import os

from flask import Flask

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(
        DOWNLOAD_DIR=os.path.join(BASE_DIR, "data", "downloads"),
        REPORT_DIR=os.path.join(BASE_DIR, "data", "reports"),
    )
    if test_config is not None:
        app.config.update(test_config)

    from app import api, downloads, reports

    app.register_blueprint(downloads.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.add_url_rule("/exports/<name>", view_func=reports.ExportView.as_view("export"))

    @app.route("/")
    def index():
        return "<h1>ACME portal</h1>"

    return app
