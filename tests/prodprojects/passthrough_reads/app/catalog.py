import os

from flask import Blueprint, jsonify, send_file

from . import CONTENT

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.route("/full.json")
def full():
    """p19d: a JSON file behind a hook that inspects ``response.json``.

    body: app/content/catalog.json
    """
    return send_file(os.path.join(CONTENT, "catalog.json"), mimetype="application/json")


@bp.route("/count")
def count():
    """ok: ``jsonify`` behind the same hook: reading it is fine."""
    return jsonify(count=1600)


@bp.after_request
def check_payload(response):
    if response.is_json and response.json is None:  # FCL204
        response.status_code = 500
    return response
