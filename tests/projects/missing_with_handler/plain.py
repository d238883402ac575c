from flask import Flask, abort, send_from_directory

plain = Flask(__name__, static_folder="plain_static")


@plain.route("/gone")
def gone():
    return send_from_directory("files", "nope.txt")


@plain.errorhandler(500)
def broken(error):
    return send_from_directory("files", "sorry.html"), 500


@plain.errorhandler(ValueError)
def bad_value(error):
    return send_from_directory("files", "sorry.html"), 400


@plain.route("/forbidden")
def forbidden():
    abort(403)
    return send_from_directory("files", "sorry.html")
