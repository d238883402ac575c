"""Flask Shop: a tiny storefront with invoices, reports and a JSON API."""
import os

from flask import Flask


def create_app(test_config=None):
    """Create and configure the shop application."""
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY="dev",
        INVOICE_DIR=os.path.join(app.root_path, "invoices"),
    )
    if test_config is not None:
        app.config.update(test_config)

    from . import api, downloads

    app.register_blueprint(downloads.bp)
    app.register_blueprint(api.bp)

    @app.get("/")
    def index():
        return "Welcome to Flask Shop"

    return app
