from flask import Blueprint, current_app, send_from_directory

bp = Blueprint(
    "downloads",
    __name__,
    url_prefix="/downloads",
    static_folder="assets",
    static_url_path="/assets",
)


@bp.route("/<path:name>")
def download(name):
    return send_from_directory(current_app.config["DOWNLOAD_DIR"], name)
