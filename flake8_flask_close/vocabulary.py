"""What Flask and Werkzeug callables do with files: the names the analysis recognises.

``classify_response`` is the single place that decides whether an expression builds a
response that holds an open file (runtime-behavior §2 rows c07-c08, §4).
"""

from __future__ import annotations

import ast
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.names import qualify
from flake8_flask_close.routes.project import METHOD_DECORATORS
from flake8_flask_close.walks import walk_own_scope

SEND_FILE = frozenset(
    {"flask.send_file", "flask.helpers.send_file", "werkzeug.utils.send_file", "werkzeug.send_file"}
)
SEND_FROM_DIRECTORY = frozenset(
    {
        "flask.send_from_directory",
        "flask.helpers.send_from_directory",
        "werkzeug.utils.send_from_directory",
        "werkzeug.send_from_directory",
    }
)
FLASK_SENDERS = frozenset(
    {
        "flask.send_file",
        "flask.helpers.send_file",
        "flask.send_from_directory",
        "flask.helpers.send_from_directory",
    }
)
"""Flask's own send calls: a relative path is below the app's ``root_path`` (Werkzeug's
are below the working directory)."""
RESPONSE_CLASSES = frozenset(
    {
        "flask.Response",
        "flask.wrappers.Response",
        "werkzeug.Response",
        "werkzeug.wrappers.Response",
        "werkzeug.wrappers.response.Response",
    }
)
MAKE_RESPONSE = frozenset({"flask.make_response", "flask.helpers.make_response"})
FILE_OPENERS = frozenset({"open", "io.open", "builtins.open", "codecs.open"})
FILE_WRAPPERS = frozenset(
    {"werkzeug.wsgi.wrap_file", "werkzeug.wsgi.FileWrapper", "werkzeug.wrap_file"}
)
IN_MEMORY_FILES = frozenset({"io.BytesIO", "io.StringIO", "tempfile.NamedTemporaryFile"})
"""``send_file`` of these leaks nothing: no finalizer warning (runtime-behavior c08c, c08f)."""
FLASK_APPS = frozenset({"flask.Flask", "flask.app.Flask"})
BLUEPRINTS = frozenset({"flask.Blueprint", "flask.blueprints.Blueprint"})
HTTP_METHOD_DECORATORS = {name: name.upper() for name in METHOD_DECORATORS}
CLIENT_REQUEST_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "open"}
)
TEST_CLIENT_CLASSES = frozenset(
    {"flask.testing.FlaskClient", "werkzeug.test.Client", "werkzeug.Client"}
)
OTHER_CLIENT_PACKAGES = frozenset(
    {
        "unittest.mock",
        "mock",
        "requests",
        "httpx",
        "aiohttp",
        "urllib3",
        "http.client",
        "xmlrpc.client",
        "ftplib",
        "smtplib",
        "socket",
        "redis",
        "boto3",
        "botocore",
    }
)
"""Modules whose calls make something a test names like a client but that is no Flask test
client: mocks, and clients of other services (``redis_client.get(key)``, a live server
reached over HTTP)."""
MOCKER_FIXTURES = frozenset(
    {"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"}
)
"""pytest-mock's fixtures: ``mocker.Mock()`` is ``unittest.mock.Mock()``."""


def answered_without_file(status: Optional[int]) -> bool:
    """A status a file view can't have sent its file with: an error (the view failed
    before opening it, runtime-behavior c06g-i) or a redirect (a login page, a moved URL).
    304 is not one of them: the file was opened first (c06d-e)."""
    return status is not None and (status >= 400 or (300 <= status < 400 and status != 304))


def _is(qualname: Optional[str], names: frozenset[str], bare: str) -> bool:
    """True for a known qualified name, or for the bare name when it was never imported."""
    if qualname is None:
        return False
    return qualname in names or qualname == bare


def is_send_file(q: Optional[str]) -> bool:
    return _is(q, SEND_FILE, "send_file")


def is_send_from_directory(q: Optional[str]) -> bool:
    return _is(q, SEND_FROM_DIRECTORY, "send_from_directory")


def is_flask_app_class(q: Optional[str]) -> bool:
    return _is(q, FLASK_APPS, "Flask")


def is_blueprint_class(q: Optional[str]) -> bool:
    return _is(q, BLUEPRINTS, "Blueprint")


def mimetype_hint(call: ast.Call, name: Optional[ast.expr]) -> Optional[str]:
    """``mimetype="text/csv"``, or the type of a literal file name (``"report.pdf"``,
    ``os.path.join(DIR, "a.html")``); None when the call doesn't say."""
    given = call_arg(call, 99, "mimetype")
    if isinstance(given, ast.Constant) and isinstance(given.value, str):
        return given.value.split(";", 1)[0].strip()
    if isinstance(name, ast.Call) and name.args:
        name = name.args[-1]
    if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Div):
        name = name.right
    if isinstance(name, ast.Constant) and isinstance(name.value, str):
        guessed, _ = mimetypes.guess_type(name.value)
        return guessed
    return None


def call_arg(call: ast.Call, index: int, *keywords: str) -> Optional[ast.expr]:
    """The argument at ``index`` or passed by one of ``keywords``."""
    for kw in call.keywords:
        if kw.arg in keywords:
            return kw.value
    if index < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    return None


@dataclass(frozen=True)
class Classified:
    """What a returned expression is, as far as files go."""

    evidence: Optional[str]
    """e.g. "send_from_directory": the expression is a response holding an open file."""
    helper: Optional[ast.expr] = None
    """The callee when the expression is a call to something we can't judge here."""
    mimetype: Optional[str] = None
    """The file's mimetype when the call says it (``mimetype=``, a literal file name)."""


NOT_A_FILE = Classified(None)


class ResponseClassifier:
    """Judges expressions in one function body.

    ``assignments`` maps local names to the expressions assigned to them, so that
    ``resp = send_file(p); resp.headers[...] = ...; return resp`` is followed.
    """

    def __init__(
        self,
        aliases: Mapping[str, str],
        assignments: Mapping[str, list[ast.expr]],
        send_functions: Iterable[str] = (),
    ) -> None:
        self.aliases = aliases
        self.assignments = assignments
        self.send_functions = frozenset(send_functions)
        self._following: set[str] = set()

    def qualify(self, node: ast.AST) -> Optional[str]:
        return qualify(node, self.aliases)

    def classify(self, expr: Optional[ast.expr], depth: int = 0) -> list[Classified]:
        if expr is None or depth > 8:
            return []
        if isinstance(expr, ast.Tuple) and expr.elts:
            return self.classify(expr.elts[0], depth + 1)
        if isinstance(expr, ast.IfExp):
            return self.classify(expr.body, depth + 1) + self.classify(expr.orelse, depth + 1)
        if isinstance(expr, ast.Await):
            return []  # Quart / async frameworks: not a Werkzeug file response
        if isinstance(expr, ast.Name):
            values = self.assignments.get(expr.id, ())
            if expr.id in self._following or len(values) > 16:
                return []  # x = y; y = x, or a name rebound in a long loop: can't tell
            self._following.add(expr.id)
            try:
                out: list[Classified] = []
                for value in values:
                    out += self.classify(value, depth + 1)
                return out
            finally:
                self._following.discard(expr.id)
        if isinstance(expr, ast.Call):
            return [self.classify_call(expr, depth)]
        return []

    def classify_call(self, call: ast.Call, depth: int = 0) -> Classified:
        func = call.func
        q = self.qualify(func)
        if is_send_file(q):
            arg = call_arg(call, 0, "path_or_file", "filename_or_fp")
            if self.is_in_memory(arg):
                return NOT_A_FILE
            return Classified(_sender("send_file", q), mimetype=mimetype_hint(call, arg))
        if is_send_from_directory(q):
            name = call_arg(call, 1, "path", "filename")
            return Classified(_sender("send_from_directory", q), mimetype=mimetype_hint(call, name))
        if isinstance(func, ast.Attribute) and func.attr == "send_static_file":
            return Classified("send_static_file", mimetype=mimetype_hint(call, call_arg(call, 0)))
        if q is not None and (
            q in self.send_functions or q.rsplit(".", 1)[-1] in self.send_functions
        ):
            return Classified(q.rsplit(".", 1)[-1])
        if _is(q, MAKE_RESPONSE, "make_response") or (
            isinstance(func, ast.Attribute) and func.attr == "make_response"
        ):
            inner = call_arg(call, 0)
            found = [c for c in self.classify(inner, depth + 1) if c.evidence]
            return found[0] if found else NOT_A_FILE
        if self.is_response_class(func, q):
            body = self.opened_file(call_arg(call, 0, "response"))
            if body is None:
                return NOT_A_FILE
            passthrough = ", direct_passthrough=True" if _passthrough_on(call) else ""
            return Classified(f"Response({body}{passthrough})")
        if q is None or q in FILE_OPENERS or q.split(".", 1)[0] in ("flask", "werkzeug"):
            return NOT_A_FILE
        return Classified(None, helper=func)

    def is_response_class(self, func: ast.expr, q: Optional[str]) -> bool:
        if _is(q, RESPONSE_CLASSES, "Response"):
            return True
        return isinstance(func, ast.Attribute) and func.attr == "response_class"

    def opened_file(self, body: Optional[ast.expr], depth: int = 0) -> Optional[str]:
        """``open(...)`` or ``wrap_file(...)`` when ``body``, a response's body, is an open
        file or a file wrapper."""
        if body is None or depth > 4:
            return None
        if isinstance(body, ast.Name):
            for value in self.assignments.get(body.id, ()):
                found = self.opened_file(value, depth + 1)
                if found:
                    return found
            return None
        if not isinstance(body, ast.Call):
            return None
        q = self.qualify(body.func)
        if q in FILE_OPENERS or (
            isinstance(body.func, ast.Attribute) and body.func.attr in ("open", "open_resource")
        ):
            return "open(...)"
        if _is(q, FILE_WRAPPERS, "wrap_file") or q == "FileWrapper":
            inner = call_arg(body, 1, "file")
            if inner is not None and self.is_in_memory(inner):
                return None
            return "wrap_file(...)"
        return None

    def is_in_memory(self, arg: Optional[ast.expr], depth: int = 0) -> bool:
        if arg is None or depth > 4:
            return False
        if isinstance(arg, ast.Name):
            values = self.assignments.get(arg.id, ())
            return bool(values) and all(self.is_in_memory(v, depth + 1) for v in values)
        if isinstance(arg, ast.Call):
            q = self.qualify(arg.func)
            if q is None:
                return False
            return q in IN_MEMORY_FILES or q.rsplit(".", 1)[-1] in ("BytesIO", "StringIO")
        return False


def _sender(name: str, q: Optional[str]) -> str:
    """The evidence of a send call: Werkzeug's own functions are told apart from Flask's,
    which read the app's ``USE_X_SENDFILE`` (Werkzeug's take the environ, and send the
    file themselves unless told otherwise)."""
    return f"werkzeug.utils.{name}" if q is not None and q.startswith("werkzeug.") else name


def _passthrough_on(call: ast.Call) -> bool:
    """``Response(..., direct_passthrough=True)``: the server gets the body untouched."""
    return any(
        k.arg == "direct_passthrough"
        and isinstance(k.value, ast.Constant)
        and k.value.value is True
        for k in call.keywords
    )


BUFFERED_FILE_RESPONSES = ("Response(open(...))", "Response(wrap_file(...))")
"""Evidence of file responses *not* in direct passthrough mode: Werkzeug hands the server
``ClosingIterator(iter_encoded(), response.close)``, so close callbacks run and the body
can be read (``get_data()``), unlike ``send_file``'s (served by waitress: 200, the whole
file, the callback ran)."""


def passes_through(evidence: str) -> bool:
    """Whether the file response this evidence describes is in direct passthrough mode:
    everything ``send_file`` builds, and ``Response(f, direct_passthrough=True)``."""
    return not any(kind in evidence for kind in BUFFERED_FILE_RESPONSES)


def local_assignments(
    func: ast.AST, nodes: Optional[Iterable[ast.AST]] = None
) -> dict[str, list[ast.expr]]:
    """Simple ``name = value`` bindings in a function body, nested scopes excluded, among
    ``nodes`` when given (its statements, when the text has no ``:=``)."""
    found: dict[str, list[ast.expr]] = {}
    for node in walk_own_scope(func) if nodes is None else nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.NamedExpr):
            found.setdefault(node.target.id, []).append(node.value)
    return found
