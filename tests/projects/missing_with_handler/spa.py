from flask import Flask, send_from_directory
from werkzeug.exceptions import HTTPException

spa = Flask(__name__, static_folder="plain_static")


@spa.errorhandler(404)
def index_page(error):
    # a single-page app's fallback: every unknown path gets the page, with a 200
    return "index page"


@spa.route("/report")
def report():
    return send_from_directory("files", "report.csv")


@spa.errorhandler(HTTPException)
def http_error(error):
    return "http error", error.code


@spa.errorhandler(Exception)
def anything(error):
    return send_from_directory("files", "sorry.html"), 500
