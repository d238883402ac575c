"""Billing: views park the file they send on ``flask.g`` so that a teardown hook can
close it. Teardown hooks run before the server reads the body (FCL203). Closing a
database connection the same way is fine.
"""

import os
import sqlite3

from flask import Flask, g, jsonify, send_file, send_from_directory

app = Flask(__name__)
INVOICES = os.path.join(app.root_path, "invoices")
EXPORTS = os.path.join(app.root_path, "exports")


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(":memory:")
        g.db.execute("create table invoices (number integer, total real)")
        g.db.executemany("insert into invoices values (?, ?)", [(1001, 99.5), (1002, 12.0)])
    return g.db


@app.route("/invoices/<int:number>")
def invoice(number):
    """p18b: ``g.invoice_file = open(...)``; ``send_file(g.invoice_file)``; teardown_request
    closes it.

    url: /invoices/1001
    body: invoices/1001.txt
    """
    g.invoice_file = open(os.path.join(INVOICES, f"{number}.txt"), "rb")
    return send_file(g.invoice_file, mimetype="text/plain", download_name=f"{number}.txt")


@app.route("/exports/orders.csv")
def export_orders():
    """pn09: the same through ``teardown_appcontext``.

    body: exports/orders.csv
    """
    g.export_file = open(os.path.join(EXPORTS, "orders.csv"), "rb")
    return send_file(g.export_file, mimetype="text/csv")


@app.route("/orders.csv")
def orders():
    """ok: ``send_from_directory``; the teardown hooks find nothing to close.

    body: exports/orders.csv
    """
    return send_from_directory(EXPORTS, "orders.csv")


@app.route("/stats")
def stats():
    """pn10: a database connection on ``g``, closed in teardown: fine."""
    (count,) = get_db().execute("select count(*) from invoices").fetchone()
    return jsonify(invoices=count)


@app.teardown_request
def close_invoice_file(exc):
    invoice_file = g.pop("invoice_file", None)
    if invoice_file is not None:
        invoice_file.close()  # FCL203


@app.teardown_appcontext
def close_resources(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()
    export_file = g.pop("export_file", None)
    if export_file is not None:
        export_file.close()  # FCL203
