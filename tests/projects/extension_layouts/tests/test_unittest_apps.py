import os
import unittest

from flask import Flask, jsonify, send_from_directory

FILES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "files")


class JsonAppTest(unittest.TestCase):
    def setUp(self):
        self.app = Flask(__name__)

        @self.app.route("/f/<name>")
        def f(name):
            return jsonify(name=name)

    def get(self, path):
        return self.app.test_client().get(path)

    def test_json(self):
        """c00b: this class's app answers /f/<name> with JSON."""
        rv = self.get("/f/snow.txt")
        assert rv.status_code == 200


class FileAppBase(unittest.TestCase):
    def setUp(self):
        app = Flask(__name__)

        @app.route("/f/<name>")
        def f(name):
            return send_from_directory(FILES, name)

        self.app = app

    def get(self, path):
        return self.app.test_client().get(path)


class FileAppTest(FileAppBase):
    def test_file(self):
        """c11b: the same URL on this class's app serves a file."""
        rv = self.get("/f/snow.txt")  # FCL101
        assert rv.status_code == 200


class InheritedAppTest(FileAppBase):
    def test_inherited_file(self):
        """c11b: a subclass uses the app its base class builds in setUp."""
        rv = self.app.test_client().get("/f/snow.txt")  # FCL101
        assert rv.status_code == 200

    def test_inherited_closed(self):
        """c11c: closed by its with-block."""
        with self.app.test_client().get("/f/snow.txt") as rv:
            assert rv.status_code == 200
