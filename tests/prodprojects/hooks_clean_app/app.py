"""Inventory API. No view serves a file and there is no static folder, so the
``after_request`` hooks that read and close every response break nothing (p18a').
"""

import hashlib

from flask import Flask, jsonify, make_response, request

app = Flask(__name__)
STOCK = {f"SKU-{1000 + i}": (i * 7) % 300 for i in range(2000)}


@app.route("/stock")
def stock():
    """p18a': a large JSON document behind hooks that read and close it."""
    return jsonify(stock=STOCK)


@app.route("/stock/<sku>")
def stock_item(sku):
    """p18a': a small JSON document.

    url: /stock/SKU-1042
    """
    return jsonify(sku=sku, quantity=STOCK.get(sku, 0))


@app.route("/report.txt")
def report():
    """p18a': a text response built with ``make_response``."""
    lines = [f"{sku}: {qty}" for sku, qty in sorted(STOCK.items())]
    response = make_response("\n".join(lines))
    response.mimetype = "text/plain"
    return response


@app.after_request
def add_etag(response):
    """Reads every body (fine: none of them is a file response)."""
    if request.method == "GET" and response.status_code == 200:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response


@app.after_request
def audit(response):
    app.logger.debug("%s -> %d bytes", request.path, len(response.data))
    return response


def release(response):
    """Closes every response (harmless: nothing here holds a file)."""
    response.close()
    return response


app.after_request(release)
