"""Downloads behind request hooks that close or read the response, or close a file parked
on ``flask.g``, only where no file response goes: on error statuses, on an exception,
in maintenance mode (the hook answers with a new response), or for requests that are
not for a file (``request.path``, ``request.endpoint``, ``request.blueprint``). File
responses answer 200 (206 for a range, 304 when not modified), so every download here
is served whole. Nothing here may be flagged.
"""

import os

from flask import Flask, g, jsonify, make_response, request, send_file, send_from_directory

app = Flask(__name__, static_folder=None)
app.config["MAINTENANCE"] = False
FILES = os.path.join(app.root_path, "files")
ORDERS = os.path.join(FILES, "orders.csv")
FILE_ENDPOINTS = frozenset({"download", "orders", "orders_parked"})


@app.route("/files/<path:name>")
def download(name):
    """pn24: ``send_from_directory`` behind the hooks below.

    url: /files/history.html
    body: files/history.html
    """
    return send_from_directory(FILES, name)


@app.route("/orders.csv")
def orders():
    """pn24: ``send_file(path)`` behind the same hooks.

    body: files/orders.csv
    """
    return send_file(ORDERS, mimetype="text/csv")


@app.route("/orders/parked.csv")
def orders_parked():
    """pn25: ``g.orders_file`` handed to ``send_file``; the teardown hook closes it only
    when the request raised.

    body: files/orders.csv
    """
    g.orders_file = open(ORDERS, "rb")
    return send_file(g.orders_file, mimetype="text/csv")


@app.route("/api/status")
def api_status():
    """ok: a JSON route, the one the request-guarded hooks are for."""
    return jsonify(status="ok", files=sorted(os.listdir(FILES)))


@app.after_request
def maintenance(response):
    """In maintenance mode the response is dropped for a 503 (F5): the closed one is
    never sent."""
    if app.config["MAINTENANCE"]:
        response.close()
        return make_response("down for maintenance", 503)
    return response


@app.after_request
def release_errors(response):
    """Error pages are closed early: a file response is never one (200, 206, 304)."""
    if response.status_code >= 400:
        response.close()
    return response


@app.after_request
def log_errors(response):
    """The body of error pages goes to the log."""
    if 400 <= response.status_code < 600:
        app.logger.warning("error body: %s", response.get_data(as_text=True))
    return response


@app.after_request
def api_length(response):
    """Only API responses get a body length header."""
    if request.path.startswith("/api"):
        response.headers["X-Body-Length"] = str(len(response.get_data()))
    return response


@app.after_request
def digest_pages(response):
    """Every response but the downloads gets a body size header."""
    if request.endpoint in FILE_ENDPOINTS:
        return response
    response.headers["X-Body-Size"] = str(len(response.data))
    return response


@app.after_request
def blueprint_only(response):
    """Only responses of the ``api`` blueprint (there are none yet) are closed."""
    if request.blueprint == "api":
        response.close()
    return response


@app.teardown_request
def close_parked_on_error(exc):
    """On an exception the response is an error page: close the parked file then."""
    if exc is not None:
        parked = g.pop("orders_file", None)
        if parked is not None:
            parked.close()
