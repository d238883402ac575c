"""A single-page app: a React bundle served by a catch-all view, and a JSON API made with
flask-restful, whose routes the catch-all would answer if they weren't there."""

import os

from flask import Blueprint, Flask, send_from_directory
from flask_restful import Api, Resource

app = Flask(__name__, static_folder="frontend")
api = Api(app, prefix="/api")


class Items(Resource):
    def get(self):
        return {"items": ["bolt", "nut"]}


class Report(Resource):
    def get(self):
        return send_from_directory(os.path.join(app.root_path, "reports"), "report.csv")


api.add_resource(Items, "/items")
api.add_resource(Report, "/report", endpoint="monthly_report")

admin = Blueprint("admin", __name__, url_prefix="/admin")
admin_api = Api()


class Users(Resource):
    def get(self):
        return [{"name": "ada"}]


admin_api.add_resource(Users, "/users")
admin_api.init_app(admin)
app.register_blueprint(admin)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def single_page(path):
    return send_from_directory(app.static_folder, "index.html")


import health  # noqa: E402,F401 - its views use the app above
