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
