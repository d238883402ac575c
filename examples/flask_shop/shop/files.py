"""File helpers shared by the views."""
import os

from flask import abort, send_file
from werkzeug.security import safe_join

REPORT_DIR = os.path.join(os.path.dirname(__file__), "reports")


def send_report(name):
    """Send ``reports/<name>.csv`` as a CSV attachment, or 404."""
    path = safe_join(REPORT_DIR, f"{name}.csv")
    if path is None or not os.path.isfile(path):
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True)
