from flask import Flask, jsonify, send_from_directory

ordered = Flask(__name__, static_folder="plain_static")


@ordered.errorhandler(404)
def not_found(error):
    return jsonify(error="not found"), 404


@ordered.errorhandler(Exception)
def anything(error):
    # Flask asks the 404 handler first: this one never sees a NotFound
    return send_from_directory("files", "sorry.html"), 500
