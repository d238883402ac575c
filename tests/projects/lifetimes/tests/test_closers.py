import contextlib
import unittest

import pytest
from closing_helpers import ClosingCase

from app import create_app

SUMMARY = "/exports/summary.csv"


@pytest.fixture
def finalized_by_lambda(client, request):
    res = client.get(SUMMARY)
    request.addfinalizer(lambda: res.close())
    return res


@pytest.fixture
def finalized_by_function(client, request):
    res = client.get(SUMMARY)

    def finish():
        res.close()

    request.addfinalizer(finish)
    return res


def test_fixtures_with_a_finalizer(finalized_by_lambda, finalized_by_function):
    """n08: a fixture returns the response after registering a finalizer that closes it,
    written as a lambda or as a nested function."""
    assert finalized_by_lambda.status_code == 200
    assert finalized_by_function.mimetype == "text/csv"


def check_in_a_block(res):
    with res:
        assert res.status_code == 200


def check_closing(res):
    with contextlib.closing(res):
        assert res.mimetype == "text/csv"


def check_then_close(expected, res):
    try:
        assert res.status_code == expected
    finally:
        res.close()


def check_without_closing(res):
    assert res.status_code == 200


class Checks:
    @staticmethod
    def finish(res):
        res.close()


def test_closing_functions(client):
    """n09: functions of the test module close what they're given: `with res:`,
    `closing(res)`, by keyword, a static method through its class, inline."""
    first = client.get(SUMMARY)
    check_in_a_block(first)
    second = client.get(SUMMARY)
    check_closing(second)
    third = client.get(SUMMARY)
    check_then_close(res=third, expected=200)
    fourth = client.get(SUMMARY)
    Checks.finish(fourth)
    check_in_a_block(client.get(SUMMARY))


def test_a_function_that_does_not_close(client):
    """n09: a function of the test module that only looks at the response."""
    res = client.get(SUMMARY)  # FCL101
    check_without_closing(res)


class ClientCase(unittest.TestCase):
    def setUp(self):
        self.client = create_app({"TESTING": True}).test_client()
        self.res = None

    def tearDown(self):
        if self.res is not None:
            self.res.close()


class TestBaseClassCloses(ClientCase):
    def test_kept_on_self(self):
        """n10: kept on self; the base class's tearDown closes it."""
        self.res = self.client.get(SUMMARY)
        assert self.res.status_code == 200


class TestOwnCase(unittest.TestCase):
    def setUp(self):
        self.client = create_app({"TESTING": True}).test_client()

    def test_kept_on_self(self):
        """c11d: kept on self, and nothing closes it."""
        self.res = self.client.get(SUMMARY)  # FCL104
        assert self.res.status_code == 200


@pytest.mark.parametrize("head", [True, False])
def test_one_request_per_branch(client, head):
    """n11: one request in each branch of an if, then one close for whichever was made."""
    if head:
        res = client.head(SUMMARY)
    else:
        res = client.get(SUMMARY)
    try:
        assert res.status_code == 200
    finally:
        res.close()


def test_bound_in_its_with(client):
    """n11: `with (res := client.get(...)):` closes it."""
    with (res := client.get(SUMMARY)):
        assert res.status_code == 200


def test_closed_by_an_imported_function(client):
    """n14: a function of another test module closes what it is given."""
    from closing_helpers import check_and_close

    res = client.get(SUMMARY)
    check_and_close(res)
    check_and_close(client.get(SUMMARY))


def test_closed_by_an_imported_function_that_hands_it_on(client):
    """n14: the imported function hands it to another one, which closes it."""
    from closing_helpers import check_then_finish

    res = client.get(SUMMARY)
    check_then_finish(res)


def test_printed_by_a_library_function(client):
    """n14: a library's function is given the response and doesn't close it."""
    from pprint import pformat

    res = client.get(SUMMARY)  # FCL101
    assert "Response" in pformat(res)


class TestImportedBase(ClosingCase):
    def test_closed_by_a_method_of_an_imported_base(self, client):
        """n14: a method of a base class from another module closes it."""
        res = client.get(SUMMARY)
        self.finish(res)


def close_all(*responses):
    for res in responses:
        res.close()


def look_at_all(*responses):
    for res in responses:
        assert res.status_code == 200


close = lambda res: res.close()  # noqa: E731


class Checker:
    def done(self, res):
        res.close()

    def look(self, res):
        assert res.status_code == 200


checker = Checker()


def test_closed_by_functions_seen_through(client):
    """n19: closers found through `*args`, a lambda bound at module level and a method
    of a module-level instance."""
    first = client.get(SUMMARY)
    close_all(client.get(SUMMARY), first)
    third = client.get(SUMMARY)
    close(third)
    fourth = client.get(SUMMARY)
    checker.done(fourth)
    close_all(client.get(SUMMARY))


def test_looked_at_through_args(client):
    """n19: a function that loops over its `*args` without closing them."""
    res = client.get(SUMMARY)  # FCL101
    look_at_all(res)


def test_looked_at_by_an_instance(client):
    """n19: a method of a module-level instance that only looks at the response."""
    res = client.get(SUMMARY)  # FCL101
    checker.look(res)


class TestCleanups(unittest.TestCase):
    def setUp(self):
        self.client = create_app({"TESTING": True}).test_client()

    def test_cleanup_closes_it(self):
        """n19: `self.addCleanup(close_all, res)` closes it when the test ends."""
        res = self.client.get(SUMMARY)
        self.addCleanup(close_all, res)
        assert res.status_code == 200

    def test_cleanup_looks_at_it(self):
        """n19: `self.addCleanup(look_at_all, res)` runs, but doesn't close it."""
        res = self.client.get(SUMMARY)  # FCL101
        self.addCleanup(look_at_all, res)


def test_given_to_a_fixture_that_closes_it_later(client, closer):
    """n24: a fixture's value is called with the response: its code isn't followed,
    and it closes what it tracked when the test ends."""
    res = closer(client.get(SUMMARY))
    assert res.status_code == 200


def test_given_to_a_local_function_that_keeps_it(client):
    """n24: a function of the test itself, which only hands it back."""

    def keep(res):
        return res

    res = keep(client.get(SUMMARY))  # FCL102
    assert res.status_code == 200
