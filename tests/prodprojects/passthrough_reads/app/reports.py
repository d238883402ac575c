import hashlib

from flask import Blueprint, send_from_directory

from . import CONTENT

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("/orders.csv")
def orders():
    """p19d': the hook turns direct passthrough off before it reads the body.

    body: app/content/orders.csv
    """
    return send_from_directory(CONTENT, "orders.csv")


@bp.route("/history.html")
def history():
    """p19d': the same for an HTML file.

    body: app/content/history.html
    """
    return send_from_directory(CONTENT, "history.html")


@bp.after_request
def add_etag(response):
    response.direct_passthrough = False
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response
