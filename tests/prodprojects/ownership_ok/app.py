"""Media server: every view hands its file to the response and lets the WSGI server
close it after sending. Nothing here may be flagged.
"""

import io
import os
import shutil
import tempfile
from functools import partial

from flask import Flask, Response, request, send_file, send_from_directory, stream_with_context
from werkzeug.wsgi import wrap_file

app = Flask(__name__)
MEDIA = os.path.join(app.root_path, "media")
ORDERS = os.path.join(MEDIA, "orders.csv")


@app.route("/media/<path:name>")
def media(name):
    """ok: ``send_from_directory``.

    url: /media/history.html
    body: media/history.html
    """
    return send_from_directory(MEDIA, name)


@app.route("/orders/open")
def orders_open():
    """ok: ``send_file(open(path, "rb"))``: ownership passes to the response.

    body: media/orders.csv
    """
    return send_file(open(ORDERS, "rb"), mimetype="text/csv")


@app.route("/orders/handle")
def orders_handle():
    """pn15: ``f = open(path, "rb"); return send_file(f)``.

    body: media/orders.csv
    """
    f = open(ORDERS, "rb")
    return send_file(f, mimetype="text/csv", download_name="orders.csv")


@app.route("/orders/stream")
def orders_stream():
    """ok: a generator that opens the file in its own ``with``.

    body: media/orders.csv
    """

    def chunks():
        with open(ORDERS, "rb") as f:
            yield from iter(partial(f.read, 64 * 1024), b"")

    return Response(chunks(), mimetype="text/csv")


@app.route("/orders/stream-with-context")
def orders_stream_with_context():
    """ok: the same generator inside ``stream_with_context``.

    body: media/orders.csv
    """

    @stream_with_context
    def chunks():
        with open(ORDERS, "rb") as f:
            yield from f

    return Response(chunks(), mimetype="text/csv")


@app.route("/orders/response")
def orders_response():
    """pn16: ``Response(wrap_file(environ, open(path, "rb")), direct_passthrough=True)``.

    body: media/orders.csv
    """
    body = wrap_file(request.environ, open(ORDERS, "rb"))
    return Response(body, mimetype="text/csv", direct_passthrough=True)


@app.route("/orders/lines")
def orders_lines():
    """pn18: ``Response(open(path, "rb"))``: the response closes the file.

    body: media/orders.csv
    """
    return Response(open(ORDERS, "rb"), mimetype="text/csv")


@app.route("/orders/copy")
def orders_copy():
    """p17d: read inside ``with``, send a BytesIO copy after the block.

    body: media/orders.csv
    """
    with open(ORDERS, "rb") as f:
        data = f.read()
    return send_file(io.BytesIO(data), mimetype="text/csv", download_name="orders.csv")


@app.route("/orders/temp")
def orders_temp():
    """pn17: a ``NamedTemporaryFile`` handed over without ``with``.

    body: media/orders.csv
    """
    tmp = tempfile.NamedTemporaryFile(suffix=".csv")
    with open(ORDERS, "rb") as src:
        shutil.copyfileobj(src, tmp)
    tmp.seek(0)
    return send_file(tmp, mimetype="text/csv", download_name="orders.csv")


@app.route("/orders/guarded")
def orders_guarded():
    """pn23: ``f.close()`` only on a path that returns a 403; the response built on
    ``f`` is returned on the other path, its file open.

    body: media/orders.csv
    """
    f = open(ORDERS, "rb")
    response = send_file(f, mimetype="text/csv", download_name="orders.csv")
    if request.args.get("deny"):
        f.close()
        return "denied", 403
    return response
