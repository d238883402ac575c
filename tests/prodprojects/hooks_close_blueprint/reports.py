"""The ``reports`` blueprint: its own static folder, a file view, a page, and an
``after_request`` hook that closes every response of the blueprint.
"""

import os

from flask import Blueprint, send_from_directory

DATA = os.path.join(os.path.dirname(__file__), "data")

reports = Blueprint(
    "reports",
    __name__,
    url_prefix="/reports",
    static_folder="reports_static",
    static_url_path="/static",
)


@reports.route("/orders.csv")
def orders():
    """p18a: ``send_from_directory`` on a blueprint whose ``after_request`` closes it.

    body: data/orders.csv
    """
    return send_from_directory(DATA, "orders.csv", mimetype="text/csv")


@reports.route("/")
def index():
    """p18a': a non-file route of the same blueprint: closing it is a no-op."""
    return "<h1>Reports</h1>\n" + "<p>orders.csv</p>\n" * 100


@reports.after_request
def close_response(response):
    response.headers["Cache-Control"] = "no-store"
    response.close()  # FCL203
    return response
