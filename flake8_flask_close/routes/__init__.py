"""Project-wide knowledge: apps, blueprints, routes, and which of them serve files.

Everything here is static: source is parsed with ``ast``; project code is never imported.
"""

from flake8_flask_close.routes.index import RouteIndex, get_index

__all__ = ["RouteIndex", "get_index"]
