from flask import Blueprint, Response, jsonify, request

bp = Blueprint("api", __name__, url_prefix="/api")

ITEMS = ["alpha", "beta"]


@bp.get("/items")
def list_items():
    return jsonify(items=ITEMS)


@bp.post("/items")
def create_item():
    name = request.get_json()["name"]
    return jsonify(created=name), 201


@bp.get("/export.csv")
def export_csv():
    def rows():
        yield "name\n"
        for item in ITEMS:
            yield f"{item}\n"

    return Response(rows(), mimetype="text/csv")
