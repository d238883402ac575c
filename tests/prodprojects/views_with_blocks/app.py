"""Order reports. Most views close the file they hand to the response before the WSGI
server reads it (FCL201); ``orders_snapshot`` and ``orders_plain`` are the correct forms.
"""

import io
import os
import shutil
import tempfile

import flask
from flask import Flask, Response, make_response, request, send_file
from flask import send_file as send_attachment
from werkzeug.wsgi import wrap_file

app = Flask(__name__)
ORDERS = os.path.join(app.root_path, "data", "orders.csv")


def read_orders():
    with open(ORDERS, "rb") as f:
        return f.read()


@app.route("/reports/orders.csv")
def orders_csv():
    """p17a: ``with open(...) as f: return send_file(f)``.

    body: data/orders.csv
    """
    with open(ORDERS, "rb") as f:
        return send_file(f, mimetype="text/csv")  # FCL201


@app.route("/reports/orders/download")
def orders_download():
    """p17b: ``f = open(...); response = send_file(f); f.close(); return response``.

    body: data/orders.csv
    """
    f = open(ORDERS, "rb")
    response = send_file(f, mimetype="text/csv", download_name="orders.csv")  # FCL201
    f.close()
    return response


@app.route("/reports/orders/buffered")
def orders_buffered():
    """p17c: ``with io.BytesIO(data) as buffer: return send_file(buffer)``.

    body: data/orders.csv
    """
    with io.BytesIO(read_orders()) as buffer:
        return send_file(buffer, mimetype="text/csv", download_name="orders.csv")  # FCL201


@app.route("/reports/orders/snapshot")
def orders_snapshot():
    """p17d: read inside ``with``, send a BytesIO copy after the block.

    body: data/orders.csv
    """
    with open(ORDERS, "rb") as f:
        data = f.read()
    return send_file(io.BytesIO(data), mimetype="text/csv", download_name="orders.csv")


@app.route("/reports/orders/plain")
def orders_plain():
    """ok: ``send_file(path)``: send_file opens the file and the server closes it.

    body: data/orders.csv
    """
    return send_file(ORDERS, mimetype="text/csv")


@app.route("/reports/export.csv")
def export_csv():
    """pn01: ``with tempfile.NamedTemporaryFile() as tmp: ... return flask.send_file(tmp)``.

    body: data/orders.csv
    """
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        with open(ORDERS, "rb") as src:
            shutil.copyfileobj(src, tmp)
        tmp.seek(0)
        return flask.send_file(tmp, mimetype="text/csv", download_name="export.csv")  # FCL201


@app.route("/reports/export/spooled")
def export_spooled():
    """pn02: ``with tempfile.SpooledTemporaryFile() as tmp:`` around an aliased send_file.

    body: data/orders.csv
    """
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024) as tmp:
        tmp.write(read_orders())
        tmp.seek(0)
        return send_attachment(tmp, mimetype="text/csv", download_name="orders.csv")  # FCL201


@app.route("/reports/orders.txt")
def orders_txt():
    """pn03: ``with open(...) as f: return Response(f)``.

    body: data/orders.csv
    """
    with open(ORDERS, "rb") as f:
        return Response(f, mimetype="text/plain")  # FCL201


@app.route("/reports/orders/inline")
def orders_inline():
    """pn04: ``with open(...) as f: response = make_response(f)``.

    body: data/orders.csv
    """
    with open(ORDERS, "rb") as f:
        response = make_response(f)  # FCL201
        response.mimetype = "text/csv"
        return response


@app.route("/reports/orders/wrapped")
def orders_wrapped():
    """pn05: ``with open(...) as f: return Response(wrap_file(environ, f), ...)``.

    body: data/orders.csv
    """
    with open(ORDERS, "rb") as f:
        return Response(  # FCL201
            wrap_file(request.environ, f), mimetype="text/csv", direct_passthrough=True
        )
