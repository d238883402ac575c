"""A file shelf. Several views close the response before returning it (FCL202); closing
a response that holds no file (``make_response``, ``jsonify``) is a harmless no-op.
"""

import contextlib
import io
import os

from flask import Flask, jsonify, make_response, request, send_file, send_from_directory

app = Flask(__name__)
FILES = os.path.join(app.root_path, "files")
ORDERS = os.path.join(FILES, "orders.csv")


@app.route("/files/<path:name>")
def download(name):
    """p15: ``resp = send_from_directory(...); resp.close(); return resp``.

    url: /files/orders.csv
    body: files/orders.csv
    """
    response = send_from_directory(FILES, name)
    response.headers["Cache-Control"] = "private, max-age=60"
    response.close()  # FCL202
    return response


@app.route("/latest")
def latest():
    """p16: ``with send_file(path) as resp: return resp``.

    body: files/orders.csv
    """
    with send_file(ORDERS, mimetype="text/csv") as response:  # FCL202
        response.headers["X-Report"] = "latest"
        return response


@app.route("/latest/closing")
def latest_closing():
    """pn06: ``with contextlib.closing(send_file(path)) as resp: return resp``.

    body: files/orders.csv
    """
    with contextlib.closing(send_file(ORDERS, mimetype="text/csv")) as response:  # FCL202
        return response


@app.route("/latest/closing-object")
def latest_closing_object():
    """pn07: ``return contextlib.closing(send_file(path))`` (not even a response).

    body: files/orders.csv
    """
    return contextlib.closing(send_file(ORDERS, mimetype="text/csv"))  # FCL202


@app.route("/snapshot")
def snapshot():
    """p19g: ``resp = send_file(io.BytesIO(...)); resp.close(); return resp``.

    body: files/orders.csv
    """
    with open(ORDERS, "rb") as f:
        data = f.read()
    response = send_file(io.BytesIO(data), mimetype="text/csv", download_name="orders.csv")
    response.close()  # FCL202
    return response


@app.route("/shelf")
def shelf():
    """ok: ``send_from_directory`` returned as it is.

    body: files/orders.csv
    """
    return send_from_directory(FILES, "orders.csv")


@app.route("/motd")
def motd():
    """p19h: ``resp = make_response("..."); resp.close(); return resp``."""
    response = make_response("Welcome to the file shelf.\n" * 40)
    response.close()
    return response


@app.route("/motd/with")
def motd_with():
    """p19i: ``with make_response(...) as resp: return resp``."""
    with make_response("Welcome to the file shelf.\n" * 40) as response:
        return response


@app.route("/index.json")
def index_json():
    """pn08: ``resp = jsonify(...); resp.close(); return resp``."""
    response = jsonify(files=sorted(os.listdir(FILES)))
    response.close()
    return response


@app.route("/guarded/<path:name>")
def guarded(name):
    """pn19: ``resp.close()`` only on a path that returns something else (a 403).

    The response closed there is dropped, never sent; the other path returns it open.

    url: /guarded/orders.csv
    body: files/orders.csv
    """
    response = send_from_directory(FILES, name)
    if request.args.get("deny"):
        response.close()
        return "denied", 403
    return response


@app.route("/either")
def either():
    """pn20: ``if``/``else``, each branch returning something else; one closes.

    body: files/orders.csv
    """
    response = send_file(ORDERS, mimetype="text/csv")
    if request.args.get("format") == "json":
        response.close()
        return jsonify(files=sorted(os.listdir(FILES)))
    else:
        return response


@app.route("/first-readable")
def first_readable():
    """pn21: in a loop, ``resp.close()`` then ``continue``: the next round builds the
    response it returns.

    body: files/orders.csv
    """
    for name in ("draft.csv", "orders.csv"):
        response = send_from_directory(FILES, "orders.csv")
        if name.startswith("draft"):
            response.close()
            continue
        return response
    return "nothing to send", 404


@app.route("/rebuilt")
def rebuilt():
    """pn22: ``resp.close(); resp = send_file(...); return resp``: a new response.

    body: files/orders.csv
    """
    response = send_file(ORDERS, mimetype="text/csv")
    response.close()
    response = send_file(ORDERS, mimetype="text/csv")
    return response
