"""The bakery's website: one module, a static folder and a media folder."""

import os

from flask import Flask, abort, send_from_directory

app = Flask(__name__)
app.config.update(
    MEDIA_FOLDER=os.path.join(app.root_path, "media"),
    ALLOWED_MEDIA={".txt", ".csv"},
)


@app.route("/")
def index():
    return "<h1>The Bakery</h1>"


@app.route("/favicon.ico")
def favicon():
    return app.send_static_file("favicon.ico")


@app.route("/robots.txt")
def robots():
    return send_from_directory(app.static_folder, "robots.txt")


@app.route("/media/<path:name>")
def media(name):
    if os.path.splitext(name)[1] not in app.config["ALLOWED_MEDIA"]:
        abort(404)
    return send_from_directory(app.config["MEDIA_FOLDER"], name)
