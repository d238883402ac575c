from flask import Flask

from errors import errors

blueprinted = Flask(__name__, static_folder="plain_static")
blueprinted.register_blueprint(errors)
