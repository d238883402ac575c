from flask import Blueprint, abort
from flask.views import MethodView

from app.files import report_path, serve_report

bp = Blueprint("reports", __name__, url_prefix="/reports")

KNOWN = {"q1", "q2"}


@bp.route("/<name>")
def report(name):
    if name not in KNOWN:
        abort(404)
    return serve_report(name)


class ExportView(MethodView):
    def get(self, name):
        if name not in KNOWN:
            abort(404)
        return serve_report(name, as_attachment=True)

    def head(self, name):
        return "", 200, {"X-Report-Path": report_path(name)}
