import io
import os
import tempfile
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    request,
    send_file,
    stream_with_context,
)
from werkzeug.wsgi import wrap_file

bp = Blueprint("media", __name__)


def media_path(name):
    return os.path.join(current_app.config["MEDIA_DIR"], name)


def read_chunks(path, size=64):
    with open(path, "rb") as fh:
        yield from iter(partial(fh.read, size), b"")


@bp.route("/robots.txt")
def robots():
    return current_app.send_static_file("robots.txt")


@bp.route("/poster")
def poster():
    return send_file(media_path("poster.txt"))


@bp.route("/poster/stream")
def poster_stream():
    return send_file(open(media_path("poster.txt"), "rb"), mimetype="text/plain")


@bp.route("/poster/retired")
def poster_retired():
    abort(410)
    return send_file(media_path("poster.txt"))


@bp.route("/poster/draft")
def poster_draft():
    if request.args.get("ready"):
        raise NotImplementedError("drafts are never served")
    return send_file(media_path("poster.txt"))


@bp.route("/poster/unfinished")
def poster_unfinished():
    try:
        raise LookupError("no poster yet")
        return send_file(media_path("poster.txt"))
    except LookupError:
        return "not yet", 404


@bp.route("/thumbnail")
def thumbnail():
    return send_file(io.BytesIO(b"tiny thumbnail"), mimetype="text/plain")


@bp.route("/contact-sheet")
def contact_sheet():
    sheet = tempfile.NamedTemporaryFile()
    sheet.write(b"sheet of 12 thumbnails")
    sheet.seek(0)
    return send_file(sheet, mimetype="text/plain", download_name="sheet.txt")


@bp.route("/caption")
def caption():
    return Response(open(media_path("caption.txt"), "rb"), mimetype="text/plain")


@bp.route("/caption/wrapped")
def caption_wrapped():
    body = wrap_file(request.environ, open(media_path("caption.txt"), "rb"))
    return Response(body, mimetype="text/plain", direct_passthrough=True)


@bp.route("/caption/chunks")
def caption_chunks():
    return Response(read_chunks(media_path("caption.txt")), mimetype="text/plain")


@bp.route("/caption/chunks-in-context")
def caption_chunks_in_context():
    chunks = stream_with_context(read_chunks(media_path("caption.txt")))
    return Response(chunks, mimetype="text/plain")
