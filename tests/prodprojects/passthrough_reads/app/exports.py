import logging
import os

from flask import Blueprint, send_file

from . import CONTENT

log = logging.getLogger(__name__)
bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.route("/orders.csv")
def orders():
    """p19d: ``send_file(path)`` behind a hook that logs ``len(response.data)``.

    body: app/content/orders.csv
    """
    return send_file(os.path.join(CONTENT, "orders.csv"), mimetype="text/csv")


@bp.after_request
def log_size(response):
    log.info("export of %d bytes", len(response.data))  # FCL204
    return response
