import os

from flask import Blueprint, current_app, send_file, send_from_directory

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


def instance_dir(key):
    return os.path.join(current_app.instance_path, current_app.config[key])


@bp.route("/exports/<path:name>")
def export(name):
    """p18a: ``send_from_directory`` behind an app-wide ``after_request`` that closes it.

    url: /downloads/exports/orders.csv
    body: instance/exports/orders.csv
    """
    return send_from_directory(instance_dir("EXPORT_DIR"), name)


@bp.route("/invoices/<int:number>")
def invoice(number):
    """p18a: ``send_file(path)`` behind the same hook.

    url: /downloads/invoices/1001
    body: instance/invoices/1001.txt
    """
    path = os.path.join(instance_dir("INVOICE_DIR"), f"{number}.txt")
    return send_file(path, mimetype="text/plain", download_name=f"invoice-{number}.txt")
