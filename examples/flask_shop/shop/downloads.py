"""Customer downloads: invoices, sales reports and printable receipts."""
import io

from flask import Blueprint, current_app, send_file, send_from_directory

from .files import send_report

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


@bp.get("/<path:name>")
def invoice(name):
    """An invoice stored on disk under ``shop/invoices``."""
    return send_from_directory(current_app.config["INVOICE_DIR"], name)


@bp.get("/report/<name>")
def report(name):
    """A sales report, served by the project's own helper."""
    return send_report(name)


@bp.get("/receipt/<int:order_id>")
def receipt(order_id):
    """A receipt rendered in memory; no file on disk is opened."""
    text = f"Flask Shop receipt for order #{order_id}\nThank you for your purchase!\n"
    return send_file(
        io.BytesIO(text.encode()),
        mimetype="text/plain",
        download_name=f"receipt-{order_id}.txt",
    )
