from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/health")
def health():
    """p18a': a non-file route behind the same hook: closing it is a no-op."""
    return jsonify(status="ok")


@bp.route("/orders/summary")
def orders_summary():
    """p18a': another non-file route: a plain string."""
    return "orders: 4000\n" * 50
