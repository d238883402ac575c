from flask import Flask, send_from_directory

app = Flask(__name__)


@app.route("/files/<name>")
def download(name):
    return send_from_directory("files", name)
