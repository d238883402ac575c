from flask import Flask, abort, send_file, send_from_directory

app = Flask(__name__)


@app.route("/gone")
def gone():
    return send_from_directory("files", "nope.txt")


@app.errorhandler(404)
def not_found(error):
    return send_from_directory("files", "sorry.html"), 404


@app.route("/report-gone")
def report_gone():
    return send_file("files/nope.txt")


@app.route("/retired")
def retired():
    abort(404)
    return send_file("files/sorry.html")


@app.route("/closed")
def closed():
    abort(404)
