from flask import Blueprint, send_from_directory

from . import CONTENT

bp = Blueprint("archive", __name__, url_prefix="/archive")


@bp.route("/<path:name>")
def document(name):
    """pn12: ``send_from_directory`` behind a hook that joins ``response.response``.

    url: /archive/orders.csv
    body: app/content/orders.csv
    """
    return send_from_directory(CONTENT, name)


@bp.after_request
def refuse_secrets(response):
    body = b"".join(response.response)  # FCL204
    if b"BEGIN PRIVATE KEY" in body:
        response.status_code = 403
    return response
