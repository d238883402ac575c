"""Operations blueprint: no routes of its own, only an app-wide hook."""

from flask import Blueprint

bp = Blueprint("ops", __name__)


@bp.after_app_request
def release_everything(response):
    """Runs for every route of the app (``after_app_request``), file downloads included."""
    response.close()  # FCL203
    return response
