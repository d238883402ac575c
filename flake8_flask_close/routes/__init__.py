"""Project-wide knowledge: apps, blueprints, routes, and which of them serve files.

Everything here is static: source is parsed with ``ast``; project code is never imported.
Import ``flake8_flask_close.routes.index`` for ``RouteIndex`` and ``get_index``: this
package imports nothing itself, so its light modules (the cache, the scan) stay light.
"""
