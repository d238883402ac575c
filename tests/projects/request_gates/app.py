import os

from flask import Blueprint, Flask, jsonify, request, send_from_directory

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")

# an app in maintenance: its gate answers every request, the static route's too
closed = Flask(__name__)


@closed.before_request
def maintenance():
    return "down for maintenance", 503


@closed.route("/report")
def closed_report():
    return send_from_directory(FILES, "report.txt")


# an app whose staff blueprint (and the blueprint nested in it) answers itself
shop = Flask(__name__)
staff = Blueprint("staff", __name__, url_prefix="/staff")
audit = Blueprint("audit", __name__, url_prefix="/audit")
public = Blueprint("public", __name__, url_prefix="/public")


@staff.before_request
def staff_only():
    return jsonify(error="staff only"), 403


@staff.route("/report")
def staff_report():
    return send_from_directory(FILES, "report.txt")


@audit.route("/report")
def audit_report():
    return send_from_directory(FILES, "report.txt")


@public.route("/report")
def public_report():
    return send_from_directory(FILES, "report.txt")


@shop.before_request
def block_robots():
    if request.headers.get("User-Agent", "").startswith("BadBot"):
        return "go away", 403


staff.register_blueprint(audit)
shop.register_blueprint(staff)
shop.register_blueprint(public)

# an app whose maintenance gate is registered by a command, when it runs
frozen = Flask(__name__)


@frozen.route("/report")
def frozen_report():
    return send_from_directory(FILES, "report.txt")


@frozen.cli.command("maintenance-on")
def maintenance_on():
    @frozen.before_request
    def down():
        return "down for maintenance", 503


# a factory that returns before it registers its gate, when testing
def create_app(testing=False):
    app = Flask(__name__)

    @app.route("/report")
    def report():
        return send_from_directory(FILES, "report.txt")

    if testing:
        return app

    @app.before_request
    def down():
        return "down for maintenance", 503

    return app


# a gate registered only when the environment asks for it
open_shop = Flask(__name__)

if os.environ.get("OPEN_SHOP_MAINTENANCE"):

    @open_shop.before_request
    def maybe_maintenance():
        return "down for maintenance", 503


@open_shop.route("/report")
def open_shop_report():
    return send_from_directory(FILES, "report.txt")
