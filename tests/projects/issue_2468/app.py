from flask import Flask, send_file, send_from_directory

app = Flask(__name__)


@app.route("/")
def hello():
    return send_file(__file__)


@app.route("/legacy")
def legacy():
    # The code from pallets/flask#2468. Since Werkzeug 2.0 safe_join() refuses an
    # absolute file name, so this answers 404 without opening anything.
    return send_from_directory('.', __file__)


@app.route("/health")
def health():
    return "ok"
