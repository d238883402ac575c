from flask import Flask, jsonify, send_from_directory

app = Flask(__name__)


@app.route('/api/status')
def status():
    return jsonify(status='ok')


@app.route('/<path:name>')
def download_resources(name):
    return send_from_directory('resources', name)
