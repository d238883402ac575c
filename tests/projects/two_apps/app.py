import os

from flask import Flask, send_from_directory

HERE = os.path.dirname(os.path.abspath(__file__))

app = Flask(__name__, static_folder=None)
admin = Flask("admin", static_folder=None)


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(os.path.join(HERE, "files"), name)


@app.route("/health")
def health():
    return {"ok": True}


@admin.route("/export/<path:name>")
def export(name):
    return send_from_directory(os.path.join(HERE, "exports"), name)


def create_admin_app():
    board = Flask("board", static_folder=None)

    @board.route("/export/<path:name>")
    def board_export(name):
        return send_from_directory(os.path.join(HERE, "exports"), name)

    return board
