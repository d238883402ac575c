import re

from flask import Blueprint, send_from_directory

from . import CONTENT

bp = Blueprint("pages", __name__, url_prefix="/pages")


@bp.route("/history")
def history():
    """p19d: an HTML file behind a minifying hook that calls ``response.get_data()``.

    body: app/content/history.html
    """
    return send_from_directory(CONTENT, "history.html")


@bp.route("/about")
def about():
    """ok: an HTML string behind the same hook: reading it is fine."""
    return "<html>\n  <body>\n    <p>About us</p>\n  </body>\n</html>\n"


@bp.after_request
def minify(response):
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)  # FCL204
        response.set_data(re.sub(r">\s+<", "><", html))
    return response
