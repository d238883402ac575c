class Recorder:
    """Not a test client: its ``get`` returns what it was asked for."""

    def get(self, url):
        return url


def get_with(c, url):
    return c.get(url)


def closing_fetch(c, url):
    res = c.get(url)
    res.close()
    return res


def test_module_helper_with_a_client_parameter(client):
    """c10f: a helper whose parameter isn't named like a client makes the request."""
    res = get_with(client, "/exports/detail.csv")  # FCL101
    assert res.mimetype == "text/csv"


def test_nested_helper(client):
    """c10f: the same helper nested in the test, its client passed by keyword."""

    def fetch(cl, u):
        return cl.get(u)

    res = fetch(u="/exports/summary.csv", cl=client)  # FCL101
    assert res.mimetype == "text/csv"


def test_helper_response_closed(client):
    """c02b: the caller closes what the helper returns."""
    with get_with(client, "/exports/detail.csv") as res:
        assert res.mimetype == "text/csv"


def test_helper_given_something_else():
    """c00b: the helper's parameter gets no test client: nothing is requested."""
    seen = get_with(Recorder(), "/exports/detail.csv")
    assert seen == "/exports/detail.csv"



def test_nested_helper_hides_the_module_one(client):
    """c02b: a nested helper of the same name reads the body in a with-block."""

    def get_with(c, url):
        with c.get(url) as res:
            return res.data

    assert get_with(client, "/exports/detail.csv")


def test_helper_closes_before_returning(client):
    """c02b: the helper closes the response it returns."""
    res = closing_fetch(client, "/exports/detail.csv")
    assert res.status_code == 200


def get_passing_options(c, url, **options):
    return c.get(url, **options)


def test_helper_passes_buffered_on(client):
    """n20: `buffered=True` reaches the request through the helper's `**options`."""
    res = get_passing_options(client, "/exports/detail.csv", buffered=True)
    assert res.status_code == 200


def test_helper_passes_other_options_on(client):
    """n20: the helper's `**options` get no `buffered`: the response streams the file."""
    res = get_passing_options(client, "/exports/detail.csv", headers={"X-Id": "1"})  # FCL101
    assert res.status_code == 200


AUTH = {"headers": {"Authorization": "Bearer x"}}


def test_helper_passes_buffered_false_on(client):
    """n20: `buffered=False` through the helper's `**options`: the file streams."""
    res = get_passing_options(client, "/exports/detail.csv", buffered=False)  # FCL101
    assert res.status_code == 200


def test_helper_passes_a_module_dict_of_options_on(client):
    """n20: `**AUTH`, a module-level dict with no `buffered`: the file streams."""
    res = get_passing_options(client, "/exports/detail.csv", **AUTH)  # FCL101
    assert res.status_code == 200
