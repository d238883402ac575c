import functools
import os
from http import HTTPStatus

from flask import Flask, redirect, request, send_from_directory, url_for

app = Flask(__name__)
FILES = os.path.join(app.root_path, "files")
KEEP_METHOD = 307


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


@app.route("/submit", methods=["POST"])
def submit():
    return redirect(url_for("static", filename="notes.css"), code=HTTPStatus.SEE_OTHER)


@app.route("/receipt-kept", methods=["POST"])
def receipt_kept():
    return redirect("/receipt", KEEP_METHOD)


@app.route("/choices-named")
def choices_named():
    return redirect("/download/release-notes.txt", HTTPStatus.MULTIPLE_CHOICES)


@app.route("/notes", methods=["GET", "POST"])
def notes():
    if request.method == "GET":
        return redirect("/download/release-notes.txt")
    return "posted"


@app.route("/by-keyword")
def by_keyword():
    return redirect(location="/download/release-notes.txt")


@app.route("/relative")
def relative():
    return redirect("download/release-notes.txt")


@app.route("/latest-of-latest")
def latest_of_latest():
    return redirect(url_for("latest"))


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if "X-User" not in request.headers:
            return redirect("/login")
        return view(**kwargs)

    return wrapped


@app.route("/private/<path:name>")
@login_required
def private(name):
    return send_from_directory(FILES, name)
