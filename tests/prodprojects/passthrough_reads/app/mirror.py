import hashlib

from flask import Blueprint, send_from_directory

from . import CONTENT

bp = Blueprint("mirror", __name__, url_prefix="/mirror")


@bp.route("/orders.csv")
def orders():
    """pn11: a file behind a hook that iterates the body to compute a checksum.

    body: app/content/orders.csv
    """
    return send_from_directory(CONTENT, "orders.csv")


@bp.after_request
def add_digest(response):
    digest = hashlib.sha256()
    for chunk in response.iter_encoded():  # FCL204
        digest.update(chunk)
    response.headers["X-Checksum-Sha256"] = digest.hexdigest()
    return response
