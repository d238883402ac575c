from flask import Blueprint, current_app, jsonify, send_from_directory

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.route("/tracks/<path:name>")
def track(name):
    return send_from_directory(current_app.config["LIBRARY_DIR"], name)


@bp.route("/tracks")
def tracks():
    return jsonify(tracks=["intro.txt"])
