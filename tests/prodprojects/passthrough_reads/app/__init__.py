"""Storefront: each blueprint has an ``after_request`` hook that reads the response body.
A file response is in direct-passthrough mode, so reading it raises ``RuntimeError``
(FCL204), unless the hook first sets ``response.direct_passthrough = False`` (``reports``).
"""

import os

from flask import Flask

CONTENT = os.path.join(os.path.dirname(__file__), "content")


def create_app():
    from . import archive, catalog, exports, mirror, pages, raw, reports

    app = Flask(__name__)
    for module in (pages, exports, catalog, archive, mirror, raw, reports):
        app.register_blueprint(module.bp)
    return app
