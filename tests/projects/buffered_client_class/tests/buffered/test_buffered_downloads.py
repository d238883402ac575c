def test_a_download_through_the_buffering_client(client):
    """n23: the app's test_client_class asks for buffered=True: the file is closed."""
    res = client.get("/prices.txt")
    assert res.data == b"price list\n"


def test_the_body_read_twice(client):
    """n23: a buffered response keeps its body; nothing is left open."""
    res = client.get("/prices.txt")
    assert res.get_data() == res.data


def test_a_client_of_another_app(site_client):
    """n23: the buffering client class is set on the factory's app, not on this one."""
    res = site_client.get("/catalogue.txt")  # FCL101
    assert res.data == b"price list\n"
