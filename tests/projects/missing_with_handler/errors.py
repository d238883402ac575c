from flask import Blueprint, send_from_directory

errors = Blueprint("errors", __name__)


@errors.app_errorhandler(404)
def not_found(error):
    return send_from_directory("files", "sorry.html"), 404
