import os

from flask import Flask, send_from_directory

app = Flask(__name__)
app.config["CONTENT_DIR"] = os.path.join(app.root_path, "content")


@app.route("/content/<path:name>")
def content(name):
    return send_from_directory(app.config["CONTENT_DIR"], name)


@app.route("/ping")
def ping():
    return "pong"
