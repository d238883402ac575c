from contextlib import ExitStack


def close_all(responses):
    for res in responses:
        res.close()


def test_kept_in_a_list(client):
    """n06: responses kept in a list the test only reads, never closed."""
    responses = [client.get("/exports/detail.csv"), client.get("/exports/summary.csv")]  # FCL101
    assert all(res.mimetype == "text/csv" for res in responses)
    assert len(responses) == 2


def test_made_in_a_comprehension(client):
    """c00b: made by a list comprehension, of a route that serves no file."""
    urls = ["/health"]
    responses = [client.get(url) for url in urls]  # FCL100
    assert responses[0].json == {"ok": True}


def test_list_closed_in_a_loop(client):
    """c02b: every response of the list closed."""
    responses = [client.get("/exports/detail.csv")]
    for res in responses:
        assert res.mimetype == "text/csv"
        res.close()


def test_list_handed_to_a_function_that_closes(client):
    """c02b: a function closes them."""
    responses = [client.get("/exports/detail.csv")]
    close_all(responses)


def test_item_closed_by_index(client):
    """c02b: the list's only response closed through it."""
    responses = [client.get("/exports/summary.csv")]
    assert responses[0].mimetype == "text/csv"
    responses[0].close()


def test_list_closed_by_an_exit_stack(client):
    """c02b: an exit stack closes them when the test ends."""
    with ExitStack() as stack:
        responses = [client.get("/exports/detail.csv")]
        for res in responses:
            stack.enter_context(res)
        assert responses[0].mimetype == "text/csv"
