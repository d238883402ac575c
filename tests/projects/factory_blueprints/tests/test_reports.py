import contextlib


def test_report_through_project_helper(client):
    """c08a: the view returns app.files.serve_report(), which is send_file(path)."""
    res = client.get("/reports/q1")  # FCL101
    assert res.status_code == 200


def test_unknown_report(client):
    """c06h: abort(404) before the helper opens anything; the error page holds no file."""
    res = client.get("/reports/q9")  # FCL100
    assert res.status_code == 404


def test_export_method_view(client):
    """c08a: a MethodView registered with add_url_rule(), serving send_file(path)."""
    res = client.get("/exports/q2")  # FCL101
    assert res.headers["Content-Disposition"].startswith("attachment")


def test_export_head_is_handled_by_its_own_method(client):
    """c00a: MethodView.head() answers HEAD itself and never calls send_file."""
    res = client.head("/exports/q2")  # FCL100
    assert res.headers["X-Report-Path"].endswith("q2.txt")


def test_report_closed_by_exit_stack(client):
    """c02d: ExitStack.enter_context() closes the response."""
    with contextlib.ExitStack() as stack:
        res = stack.enter_context(client.get("/reports/q2"))
        assert res.data == b"Q2 revenue: 15\n"
