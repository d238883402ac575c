import os

from flask import Flask, send_from_directory

app = Flask(__name__)
DATA = os.path.join(app.root_path, "data")


@app.route("/data/<path:name>")
def data(name):
    return send_from_directory(DATA, name)
