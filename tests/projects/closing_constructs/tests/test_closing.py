import contextlib
from http import HTTPStatus

import pytest

HANDBOOK = "/files/handbook.txt"


def test_close_before_asserting(client):
    """c02a: closed right after the values are taken out."""
    res = client.get(HANDBOOK)
    status = res.status_code
    res.close()
    assert status == 200


def test_close_after_asserting(client):
    """c02a: closed after the assertion: fine while it passes (c02g if it fails)."""
    res = client.get(HANDBOOK)  # FCL103
    assert res.status_code == 200
    res.close()


def test_with_block(client):
    """c02b: the response's own with-block."""
    with client.get(HANDBOOK) as res:
        assert res.data.startswith(b"The Handbook")


def test_contextlib_closing(client):
    """c02c: contextlib.closing()."""
    with contextlib.closing(client.get(HANDBOOK)) as res:
        assert res.status_code == 200


def test_exit_stack(client):
    """c02d: ExitStack.enter_context()."""
    with contextlib.ExitStack() as stack:
        res = stack.enter_context(client.get(HANDBOOK))
        assert res.status_code == 200


def test_addfinalizer(client, request):
    """c02e: request.addfinalizer(res.close) closes it at teardown."""
    res = client.get(HANDBOOK)
    request.addfinalizer(res.close)
    assert res.status_code == 200


def test_yield_fixture(handbook):
    """c02f: a yield fixture that holds the response in a with-block."""
    assert handbook.status_code == 200


def test_try_finally(client):
    """c02h: closed in finally."""
    res = client.get(HANDBOOK)
    try:
        assert res.mimetype == "text/plain"
    finally:
        res.close()


def test_chained_close(client):
    """c03e: a chained .close() on the unbound response."""
    client.get(HANDBOOK).close()


def test_read_then_close(client):
    """c09f: reading is not closing, so close after reading."""
    res = client.get(HANDBOOK)
    body = res.data
    res.close()
    assert b"be kind" in body


def test_send_file_open_closed(client):
    """c08l: send_file(open(...)) behind the route; closed after the assertion."""
    res = client.get("/docs/guide")  # FCL103
    assert res.mimetype == "text/markdown"
    res.close()


def test_send_file_open_with(client):
    """c08l: send_file(open(...)) behind the route; closed by a with-block."""
    with client.get("/docs/guide") as res:
        assert res.data.startswith(b"# Guide")


def test_with_block_after_binding(client):
    """c02b: the bound response's own with-block, opened on a later line."""
    res = client.get(HANDBOOK)
    with res:
        assert res.status_code == 200


def test_closed_in_except_and_else(client):
    """c02a: closed by the except handler when the body raises, by else otherwise."""
    res = client.get(HANDBOOK)
    try:
        length = res.content_length
    except Exception:
        res.close()
        raise
    else:
        res.close()
    assert length > 0


def test_closed_when_it_succeeded(client):
    """c02a: closed under an if that tests the response (its other answers hold no file)."""
    res = client.get(HANDBOOK)
    if res.status_code == 200:
        res.close()


def test_closed_on_some_paths_only(client):
    """c02a: closed only when an unrelated flag is set, which it is not: the file leaks."""
    verbose = False
    res = client.get(HANDBOOK)  # FCL101
    if verbose:
        res.close()


def test_close_held_for_later(client):
    """c02a: res.close taken first, called later."""
    res = client.get(HANDBOOK)
    closer = res.close
    assert res.status_code == 200
    closer()


def test_close_by_getattr(client):
    """c02a: getattr(res, "close")()."""
    res = client.get(HANDBOOK)
    getattr(res, "close")()


def _done(response):
    response.close()


def test_closed_by_a_function_of_the_module(client):
    """c02a: a function of the test module that closes the response it is passed."""
    res = client.get(HANDBOOK)
    _done(res)


def test_closed_by_a_nested_function(client):
    """c02a: a function nested in the test closes the response it is passed."""

    def done(response):
        response.close()

    res = client.get(HANDBOOK)
    done(res)


def test_closed_in_each_branch(client):
    """n07: closed in both branches of an if: every path closes it."""
    res = client.get(HANDBOOK)
    if res.mimetype == "text/plain" and b"kind" in res.data:
        body = res.data
        res.close()
    else:
        body = b""
        res.close()
    assert body


def test_closed_in_each_branch_of_a_test_not_on_it(client, request):
    """n07: closed in every branch of an if/elif/else that doesn't look at the response."""
    res = client.get(HANDBOOK)
    if request.node.name.endswith("_it"):
        res.close()
    elif request.node.name:
        res.close()
    else:
        res.close()


def test_closed_in_try_and_handler(client):
    """n07: closed at the end of a try and in its handler."""
    res = client.get(HANDBOOK)
    try:
        status = res.status_code
        res.close()
    except AttributeError:
        res.close()
        raise
    assert status == 200


def test_walrus_closed_in_its_if(client):
    """n07: bound by := in an if's test and closed in both branches."""
    if (res := client.get(HANDBOOK)).status_code == 200:
        res.close()
    else:
        res.close()


def test_closed_in_one_branch_only(client, request):
    """n07: closed in one branch of an if that doesn't look at the response; the other
    leaves it open."""
    res = client.get(HANDBOOK)  # FCL101
    if request.node.name.endswith("_never"):
        res.close()


def test_returns_before_the_close(client, request):
    """n12: a return between the request and the close, taken: the close never runs."""
    res = client.get(HANDBOOK)  # FCL101
    if request.node.name.startswith("test_returns"):
        return
    res.close()


def test_returns_inside_try_finally(client, request):
    """n12: a return inside a try whose finally closes it."""
    res = client.get(HANDBOOK)
    try:
        if request.node.name.startswith("test_returns"):
            return
        assert res.status_code == 200
    finally:
        res.close()


def test_returns_only_without_a_file(client):
    """n12: a return only for answers that hold no file (not 200)."""
    res = client.get(HANDBOOK)
    if res.status_code != 200:
        return
    res.close()


def test_breaks_out_of_an_inner_loop(client):
    """n12: a break that leaves a loop ending before the close."""
    res = client.get(HANDBOOK)
    for line in (b"a", b"b"):
        if line:
            break
    res.close()


def test_closed_only_on_failure(client):
    """n13: closed only when the status isn't 200, which a file answers with: the file
    stays open."""
    res = client.get(HANDBOOK)  # FCL101
    if res.status_code != 200:
        res.close()
        raise AssertionError(res.status_code)
    assert res.data.startswith(b"The Handbook")


def test_closed_in_the_else_of_a_200(client):
    """n13: closed in the else of `if res.status_code == 200:`: the 200 path leaves it
    open."""
    res = client.get(HANDBOOK)  # FCL101
    if res.status_code == 200:
        assert res.mimetype == "text/plain"
    else:
        res.close()


@pytest.mark.parametrize("shortcut", [True, False])
def test_closed_then_returned_early(client, shortcut):
    """n12: closed before an early return on one path, at the end on the other."""
    res = client.get(HANDBOOK)
    if shortcut:
        res.close()
        return
    mimetype = res.mimetype
    res.close()
    assert mimetype == "text/plain"


def test_returns_unless_ok(client):
    """n12: a return under a test of the response's status: taken only without a file."""
    res = client.get(HANDBOOK)
    if res.status_code != HTTPStatus.OK:
        return
    res.close()


def test_closed_only_on_failure_with_headers(client):
    """n13: headers that ask for no range and no condition: the file still answers 200
    only, and the close under `!= 200` never runs."""
    res = client.get(HANDBOOK, headers={"Accept": "text/plain"})  # FCL101
    if res.status_code != 200:
        res.close()
        raise AssertionError(res.status_code)


def test_closed_in_each_branch_or_failed(client):
    """n07: closed in the if and the elif; the else fails the test."""
    res = client.get(HANDBOOK)
    if res.status_code == 200:
        res.close()
    elif res.status_code == 404:
        res.close()
    else:
        pytest.fail(f"unexpected {res.status_code}")


def test_returns_unless_its_status_is_ok(client):
    """n12: a return under a test of the status taken from the response into a name."""
    res = client.get(HANDBOOK)
    status = res.status_code
    if status != 200:
        return
    res.close()


def test_closes_the_body_iterable(client):
    """n21: closing the body iterable (`res.response.close()`) closes the file (after an
    assert: FCL103, as for `res.close()`)."""
    res = client.get(HANDBOOK)  # FCL103
    assert res.status_code == 200
    res.response.close()


def test_only_looks_at_the_body_iterable(client):
    """n21: the body iterable looked at, never closed."""
    res = client.get(HANDBOOK)  # FCL101
    assert res.response is not None


def test_closed_in_a_loops_else(client):
    """n22: closed in the else of a loop that no break leaves: it always runs."""
    res = client.get(HANDBOOK)
    for line in res.data.splitlines():
        if not line:
            continue
    else:
        res.close()


def test_closed_in_a_while_true(client):
    """n22: closed in the body of `while True:` before its break: the body runs once."""
    res = client.get(HANDBOOK)
    while True:
        res.close()
        break


def test_closed_in_the_else_of_a_loop_left_by_break(client):
    """n22: closed in the else of a loop that a break leaves: skipped then."""
    res = client.get(HANDBOOK)  # FCL101
    for line in res.data.splitlines():
        if line:
            break
    else:
        res.close()


def test_a_continue_of_while_true_before_the_close(client):
    """n22: the continue runs the loop again, and the close after it runs in the end."""
    res = client.get(HANDBOOK)
    rounds = 0
    while True:
        rounds += 1
        if rounds < 2:
            continue
        res.close()
        break


def test_a_continue_of_while_true_around_the_request(client):
    """n22: the continue requests again: the first response is never closed."""
    rounds = 0
    while True:
        res = client.get(HANDBOOK)  # FCL101
        rounds += 1
        if rounds < 2:
            continue
        res.close()
        break
