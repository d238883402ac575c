import os

from flask import Flask, send_from_directory

FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")


def create_app():
    app = Flask(__name__, static_folder=None)

    @app.route("/prices.txt")
    def prices():
        return send_from_directory(FILES, "prices.txt")

    return app


site = Flask("site", static_folder=None)


@site.route("/catalogue.txt")
def catalogue():
    return send_from_directory(FILES, "prices.txt")
