import os

from flask import Flask, send_file

app = Flask(__name__, root_path=os.path.dirname(os.path.abspath(__file__)))


@app.route('/<path:filepath>')
def handle_request(filepath):
    return send_file(filepath)
