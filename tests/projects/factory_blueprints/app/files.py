"""Project helpers for serving generated reports."""

import os

from flask import current_app, send_file


def report_path(name):
    return os.path.join(current_app.config["REPORT_DIR"], f"{name}.txt")


def serve_report(name, as_attachment=False):
    return send_file(report_path(name), mimetype="text/plain", as_attachment=as_attachment)
