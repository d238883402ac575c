"""Reports portal: one module app; the ``reports`` blueprint brings its own hook."""

import os

from flask import Flask, send_file
from reports import DATA, reports

app = Flask(__name__)
app.register_blueprint(reports)


@app.route("/orders.csv")
def orders():
    """ok: the same file outside the blueprint: the blueprint's hook does not run.

    body: data/orders.csv
    """
    return send_file(os.path.join(DATA, "orders.csv"), mimetype="text/csv")


@app.route("/")
def home():
    """ok: a plain page."""
    return '<a href="/reports/">reports</a>'
