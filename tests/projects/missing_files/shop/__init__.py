from flask import Flask, send_file, send_from_directory
from werkzeug.routing import BaseConverter


class LowerConverter(BaseConverter):
    def to_python(self, value):
        return value.lower()


def create_app():
    app = Flask(__name__)
    app.url_map.converters["lower"] = LowerConverter

    @app.route("/download/<path:name>")
    def download(name):
        return send_from_directory("files", name)

    @app.route("/there")
    def there():
        return send_from_directory("files", "there.txt")

    @app.route("/gone")
    def gone():
        return send_from_directory("files", "nope.txt")

    @app.route("/report")
    def report():
        return send_file("files/there.txt")

    @app.route("/report-gone")
    def report_gone():
        return send_file("files/nope.txt")

    @app.route("/renamed/<name>")
    def renamed(name):
        name = name + ".txt"
        return send_from_directory("files", name)

    @app.route("/lower/<lower:name>")
    def lowered(name):
        return send_from_directory("files", name)

    from shop.parts.media import bp

    app.register_blueprint(bp)
    return app
