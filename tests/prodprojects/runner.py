"""Serve one production project with waitress on 127.0.0.1 and fetch every route.

Run by ``tests/test_prod_runtime_truth.py`` in a subprocess, from a copy of the project::

    python runner.py PROJECT_ROOT OUT_JSON

It imports the project's ``app`` module (``app.py`` or an ``app/`` package; the Flask app is
found as ``flask run`` finds it: an ``app`` attribute, the only Flask instance, or a
``create_app()`` factory), starts ``waitress.create_server(app, host="127.0.0.1", port=0,
threads=1)`` in a thread, and fetches every rule of ``app.url_map`` once with urllib, one
request at a time. It only observes; it writes one JSON document with, per endpoint:

``url``
    a ``url:`` line in the view's docstring, else the rule itself when it has no arguments
    (else none: the test reports it); for the built-in ``static`` endpoints (app or
    blueprint) the first file of the static folder, skipped when there is no such file.
``status``, ``body_size``, ``body_sha256``, ``client_error``
    what urllib received (``client_error``: a broken transfer, e.g. ``IncompleteRead``).
``errors``
    log records of level ERROR or above emitted while the request was served (Flask's
    "Exception on ..." and waitress's "Exception while serving ..."), each as the last line
    of its traceback (``ValueError: I/O operation on closed file.``).
``callbacks_registered``, ``callbacks_fired``
    ``Response.call_on_close`` is wrapped (the callback still runs exactly as before) to
    count the callbacks registered while the request was served and the ones that ran.
``file_response``
    whether the response reaching ``Flask.process_response`` (before any ``after_request``
    hook) was in direct-passthrough mode, which is what ``send_file``,
    ``send_from_directory``, ``wrap_file`` and the static routes produce.
``lines``
    every (file, line) of the project that ran while the request was served, recorded by a
    ``threading.settrace`` line tracer in the server's worker thread. Lines that run after
    the response was sent (the server closing the body, ``call_on_close`` callbacks) count
    too: the runner waits for them before the next request.
``doc``, ``expected_body``
    the view's docstring and the ``body:`` file it names (relative to the project root).

Top-level ``hooks`` lists the source ranges of the project's ``after_request``,
``teardown_request`` and ``teardown_appcontext`` functions (app and blueprints).
"""

from __future__ import annotations

import hashlib
import http.client
import importlib
import inspect
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

TIMEOUT = 10.0
SETTLE = 0.05
"""Seconds to wait after each response before the next request (server-side clean-up)."""
CALLBACK_WAIT = 0.5
"""How long to wait for registered ``call_on_close`` callbacks to run."""

DOC_FIELD_RE = re.compile(r"^\s*(url|body):\s*(\S+)\s*$", re.MULTILINE)


class State:
    """What the server thread records for the request being served (one at a time)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = str(root) + os.sep
        self.label: Optional[str] = None
        self.lines: dict[str, set[tuple[str, int]]] = {}
        self.errors: dict[str, list[str]] = {}
        self.registered: dict[str, int] = {}
        self.fired: dict[str, int] = {}
        self.file_response: dict[str, bool] = {}
        self._traced: dict[str, Optional[str]] = {}

    def rel(self, filename: str) -> Optional[str]:
        if filename not in self._traced:
            path = os.path.realpath(filename)
            inside = os.path.isabs(filename) and path.startswith(self.prefix)
            self._traced[filename] = (
                Path(path).relative_to(self.root).as_posix() if inside else None
            )
        return self._traced[filename]

    # threading.settrace: 'call' events go to the global tracer, which returns the local one
    # only for frames of the project's own files.
    def tracer(self, frame: Any, event: str, arg: Any) -> Any:
        if self.rel(frame.f_code.co_filename) is None:
            return None
        return self._local

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        label = self.label
        if event == "line" and label is not None:
            rel = self.rel(frame.f_code.co_filename)
            if rel is not None:
                self.lines.setdefault(label, set()).add((rel, frame.f_lineno))
        return self._local


class ErrorLog(logging.Handler):
    def __init__(self, state: State) -> None:
        super().__init__(logging.ERROR)
        self.state = state

    def emit(self, record: logging.LogRecord) -> None:
        label = self.state.label or "(between requests)"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            last = traceback.format_exception_only(type(error), error)[-1].strip()
        else:
            last = record.getMessage().splitlines()[-1] if record.getMessage() else "?"
        self.state.errors.setdefault(label, []).append(last)


def observe_call_on_close(state: State) -> None:
    from werkzeug.wrappers.response import Response

    original = Response.call_on_close

    def call_on_close(self: Any, func: Any) -> Any:
        label = state.label or "(between requests)"
        state.registered[label] = state.registered.get(label, 0) + 1

        def counted() -> Any:
            state.fired[label] = state.fired.get(label, 0) + 1
            return func()

        original(self, counted)
        return func

    Response.call_on_close = call_on_close  # type: ignore[method-assign]


def observe_process_response(app: Any, state: State) -> None:
    original = app.process_response

    def process_response(response: Any) -> Any:
        # the first call: the view's response (a failing hook makes Flask call it again
        # for the 500 response)
        if state.label is not None:
            state.file_response.setdefault(state.label, bool(response.direct_passthrough))
        return original(response)

    app.process_response = process_response


def source_range(func: Any, state: State) -> Optional[dict[str, Any]]:
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    rel = state.rel(code.co_filename)
    if rel is None:
        return None
    lines, start = inspect.getsourcelines(func)
    return {"name": func.__qualname__, "file": rel, "start": start, "end": start + len(lines) - 1}


def hook_ranges(app: Any, state: State) -> list[dict[str, Any]]:
    found = []
    for kind, registry in (
        ("after_request", app.after_request_funcs),
        ("teardown_request", app.teardown_request_funcs),
    ):
        for scope, funcs in registry.items():
            for func in funcs:
                where = source_range(func, state)
                if where:
                    found.append({**where, "kind": kind, "scope": scope or "(app)"})
    for func in app.teardown_appcontext_funcs:
        where = source_range(func, state)
        if where:
            found.append({**where, "kind": "teardown_appcontext", "scope": "(app)"})
    return found


def static_sample(app: Any, endpoint: str) -> tuple[Optional[str], Optional[str]]:
    """(url path below the rule, file relative to the project) for a static endpoint."""
    owner = app if endpoint == "static" else app.blueprints.get(endpoint.rsplit(".", 1)[0])
    folder = getattr(owner, "static_folder", None)
    if not folder or not os.path.isdir(folder):
        return None, None
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    if not files:
        return None, None
    return files[0].relative_to(folder).as_posix(), str(files[0])


def sample_urls(app: Any, state: State) -> list[dict[str, Any]]:
    root = state.root
    views = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        endpoint = rule.endpoint
        func = app.view_functions.get(endpoint)
        doc = inspect.getdoc(func) or ""
        fields = dict(DOC_FIELD_RE.findall(doc)) if func is not None else {}
        url, body = fields.get("url"), fields.get("body")
        is_static = endpoint == "static" or endpoint.endswith(".static")
        if is_static:
            sub, path = static_sample(app, endpoint)
            if sub is None or path is None:
                continue  # no static folder (or an empty one): nothing to request
            url = rule.rule.replace("<path:filename>", sub)
            body = Path(os.path.realpath(path)).relative_to(root).as_posix()
            doc = f"(built-in {endpoint} route)"
        elif url is None and not rule.arguments:
            url = rule.rule
        views.append(
            {
                "endpoint": endpoint,
                "rule": rule.rule,
                "url": url,
                "doc": doc,
                "expected_body": body,
            }
        )
    return views


def fetch(url: str) -> tuple[Any, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            status = resp.status
            try:
                return status, resp.read(), ""
            except http.client.IncompleteRead as e:
                return status, e.partial, f"IncompleteRead({len(e.partial)} bytes read)"
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read(), ""
    except (OSError, http.client.HTTPException) as e:
        return None, b"", f"{type(e).__name__}: {e}"


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    out = Path(sys.argv[2])
    state = State(root)
    logging.getLogger().addHandler(ErrorLog(state))
    logging.getLogger().setLevel(logging.ERROR)  # also keeps Flask from adding its own handler
    os.chdir(root)
    sys.path.insert(0, str(root))
    observe_call_on_close(state)

    from flask.cli import find_best_app

    app = find_best_app(importlib.import_module("app"))
    observe_process_response(app, state)

    import waitress

    threading.settrace(state.tracer)  # before the server starts its worker thread
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=1)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    socket.create_connection(("127.0.0.1", server.effective_port), timeout=TIMEOUT).close()

    views = sample_urls(app, state)
    try:
        for view in views:
            if view["url"] is None:
                continue
            state.label = label = view["endpoint"]
            status, body, client_error = fetch(base + view["url"])
            deadline = time.monotonic() + CALLBACK_WAIT
            time.sleep(SETTLE)
            while state.fired.get(label, 0) < state.registered.get(label, 0):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            state.label = None
            view.update(
                status=status,
                body_size=len(body),
                body_sha256=hashlib.sha256(body).hexdigest(),
                client_error=client_error,
                errors=state.errors.get(label, []),
                callbacks_registered=state.registered.get(label, 0),
                callbacks_fired=state.fired.get(label, 0),
                file_response=state.file_response.get(label),
                lines=sorted(state.lines.get(label, ())),
            )
    finally:
        server.close()
    result = {
        "hooks": hook_ranges(app, state),
        "views": views,
        "stray_errors": state.errors.get("(between requests)", []),
    }
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
