"""JSON API for the product catalogue and the shopping cart."""
from flask import Blueprint, abort, jsonify, request

bp = Blueprint("api", __name__, url_prefix="/api")

PRODUCTS = {
    1: {"id": 1, "name": "Espresso cup", "price": 9.5},
    2: {"id": 2, "name": "Pour-over kettle", "price": 42.0},
}


@bp.get("/products")
def list_products():
    return jsonify(list(PRODUCTS.values()))


@bp.get("/products/<int:product_id>")
def get_product(product_id):
    product = PRODUCTS.get(product_id)
    if product is None:
        abort(404)
    return jsonify(product)


@bp.post("/cart")
def add_to_cart():
    item = request.get_json()
    if item.get("product_id") not in PRODUCTS:
        return jsonify(error="unknown product"), 400
    return jsonify(added=item["product_id"], quantity=item.get("quantity", 1)), 201
