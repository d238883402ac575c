import os

from flask import Blueprint, current_app, send_file, send_from_directory

bp = Blueprint("files", __name__)


@bp.route("/report.txt", methods=["GET", "POST"])
def report():
    return send_from_directory(current_app.config["STORAGE_DIR"], "report.txt")


@bp.route("/cached/report.txt")
def cached_report():
    # send_file(path) always sets an ETag and Last-Modified, so conditional requests work
    path = os.path.join(current_app.config["STORAGE_DIR"], "report.txt")
    return send_file(path, max_age=60)


@bp.route("/files/<path:name>")
def stored_file(name):
    return send_from_directory(current_app.config["STORAGE_DIR"], name)
