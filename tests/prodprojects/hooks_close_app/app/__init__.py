"""Back office of a shop: an app factory, two blueprints, the static folder, and an
app-wide ``after_request`` hook (``app/hooks.py``) that closes every response, as does
the ``after_app_request`` hook of a third blueprint (``app/ops.py``).
"""

from flask import Flask

from . import api, downloads, hooks, ops


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(EXPORT_DIR="exports", INVOICE_DIR="invoices")
    if config:
        app.config.from_mapping(config)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    app.after_request(hooks.add_server_header)
    app.after_request(hooks.release_response)
    return app
