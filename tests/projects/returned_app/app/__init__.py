"""An app factory that returns the app it makes without naming it."""
from flask import Flask


def create_app():
    return Flask(__name__)


def create_plain_app():
    return Flask(__name__, static_folder="public")
