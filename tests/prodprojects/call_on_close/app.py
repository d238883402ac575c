"""Export service: views register clean-up callbacks with ``call_on_close``. On a file
response (direct passthrough) the callback never runs (FCL205); on other responses, or
after ``direct_passthrough = False``, it does.
"""

import logging
import os
import shutil
import tempfile

from flask import Flask, Response, jsonify, make_response, request, send_file, send_from_directory
from werkzeug.wsgi import wrap_file

app = Flask(__name__)
log = logging.getLogger(__name__)
DATA = os.path.join(app.root_path, "data")
ORDERS = os.path.join(DATA, "orders.csv")
SPOOL = os.path.join(app.root_path, "spool")


def make_export():
    """Copy the export to a temporary file that should be deleted once it was sent."""
    os.makedirs(SPOOL, exist_ok=True)
    fd, path = tempfile.mkstemp(suffix=".csv", dir=SPOOL)
    with os.fdopen(fd, "wb") as out, open(ORDERS, "rb") as src:
        shutil.copyfileobj(src, out)
    return path


@app.route("/exports/orders.csv")
def export_orders():
    """p19a: ``resp = send_file(path); resp.call_on_close(cleanup)``: never runs.

    body: data/orders.csv
    """
    path = make_export()
    response = send_file(path, mimetype="text/csv", download_name="orders.csv")
    response.call_on_close(lambda: os.remove(path))  # FCL205
    return response


@app.route("/data/<path:name>")
def data_file(name):
    """pn13: ``send_from_directory`` + ``call_on_close`` (an audit log line): never runs.

    url: /data/orders.csv
    body: data/orders.csv
    """
    response = send_from_directory(DATA, name)
    response.call_on_close(lambda: log.info("sent %s", name))  # FCL205
    return response


@app.route("/exports/orders-buffered.csv")
def export_buffered():
    """p19c: ``direct_passthrough = False`` before ``call_on_close``: the callback runs.

    body: data/orders.csv
    """
    path = make_export()
    response = send_file(path, mimetype="text/csv", download_name="orders.csv")
    response.direct_passthrough = False
    response.call_on_close(lambda: os.remove(path))
    return response


@app.route("/banner")
def banner():
    """p19b: ``make_response`` + ``call_on_close``: the callback runs."""
    response = make_response("Exports are ready.\n" * 50)
    response.call_on_close(lambda: log.info("banner sent"))
    return response


@app.route("/exports")
def exports():
    """pn14: ``jsonify`` + ``call_on_close``: the callback runs."""
    response = jsonify(exports=["orders.csv"])
    response.call_on_close(lambda: log.info("listing sent"))
    return response


@app.route("/exports/response.csv")
def export_response():
    """pn26: ``Response(open(path, "rb"))`` + ``call_on_close``: not direct passthrough,
    so the server closes the response itself and the callback runs.

    body: data/orders.csv
    """
    path = make_export()
    response = Response(open(path, "rb"), mimetype="text/csv")
    response.call_on_close(lambda: os.remove(path))
    return response


@app.route("/exports/response-class.csv")
def export_response_class():
    """pn27: ``app.response_class(open(path, "rb"))`` + ``call_on_close``: it runs.

    body: data/orders.csv
    """
    path = make_export()
    response = app.response_class(open(path, "rb"), mimetype="text/csv")
    response.call_on_close(lambda: os.remove(path))
    return response


@app.route("/exports/wrapped.csv")
def export_wrapped():
    """pn28: ``Response(wrap_file(environ, f))`` without ``direct_passthrough=True`` +
    ``call_on_close``: it runs.

    body: data/orders.csv
    """
    path = make_export()
    body = wrap_file(request.environ, open(path, "rb"))
    response = Response(body, mimetype="text/csv")
    response.call_on_close(lambda: os.remove(path))
    return response
