from flask import Flask

from app.views import bp


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object("app.settings")
    if config:
        app.config.update(config)
    app.register_blueprint(bp)
    return app
