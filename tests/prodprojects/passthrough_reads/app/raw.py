import hashlib
import os

from flask import Blueprint, Response, current_app, request
from werkzeug.wsgi import wrap_file

from . import CONTENT

bp = Blueprint("raw", __name__, url_prefix="/raw")


@bp.route("/orders.csv")
def orders():
    """pn29: ``Response(open(path, "rb"))`` behind a hook that reads the body: not direct
    passthrough, so ``get_data()`` works.

    body: app/content/orders.csv
    """
    return Response(open(os.path.join(CONTENT, "orders.csv"), "rb"), mimetype="text/csv")


@bp.route("/history.html")
def history():
    """pn29: the same with ``app.response_class(open(...))``.

    body: app/content/history.html
    """
    path = os.path.join(CONTENT, "history.html")
    return current_app.response_class(open(path, "rb"), mimetype="text/html")


@bp.route("/catalog.json")
def catalog():
    """pn29: the same with ``Response(wrap_file(environ, f))`` (no direct_passthrough).

    body: app/content/catalog.json
    """
    body = wrap_file(request.environ, open(os.path.join(CONTENT, "catalog.json"), "rb"))
    return Response(body, mimetype="application/json")


@bp.after_request
def add_digest(response):
    response.headers["X-Checksum-Sha256"] = hashlib.sha256(response.get_data()).hexdigest()
    return response
