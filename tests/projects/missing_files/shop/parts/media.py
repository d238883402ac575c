from flask import Blueprint, send_from_directory

bp = Blueprint("media", __name__)


@bp.route("/media/<path:name>")
def media(name):
    # Flask looks below the app's root path, not this module's folder
    return send_from_directory("media", name)
