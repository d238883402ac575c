import os

from flask import Flask, redirect, send_from_directory, url_for

app = Flask(__name__)
FILES = os.path.join(app.root_path, "files")


@app.route("/download/<path:name>")
def download(name):
    return send_from_directory(FILES, name)


@app.route("/latest")
def latest():
    return redirect("/download/release-notes.txt")


@app.route("/home")
def home():
    return redirect("/welcome")


@app.route("/welcome")
def welcome():
    return "Welcome!"


@app.route("/mirror")
def mirror():
    return redirect("https://mirror.example.com/download/release-notes.txt")


@app.route("/notes-latest")
def notes_latest():
    return redirect("/download/release%2Dnotes.txt")


@app.route("/style")
def style():
    return redirect(url_for("static", filename="notes.css"))


@app.route("/old-style")
def old_style():
    return redirect(url_for("static", filename="gone.css"))


@app.route("/upload", methods=["POST"])
def upload():
    return redirect("/download/release-notes.txt")


@app.route("/upload-kept", methods=["POST"])
def upload_kept():
    return redirect("/download/release-notes.txt", code=307)


@app.route("/style-kept", methods=["POST"])
def style_kept():
    return redirect(url_for("static", filename="notes.css"), 308)


@app.route("/receipt", methods=["POST"])
def receipt():
    return send_from_directory(FILES, "release-notes.txt")


@app.route("/receipt-moved", methods=["POST"])
def receipt_moved():
    return redirect("/receipt", code=307)


@app.route("/choices")
def choices():
    return redirect("/download/release-notes.txt", code=300)


@app.route("/latest-absolute")
def latest_absolute():
    return redirect("http://localhost/download/release-notes.txt")
