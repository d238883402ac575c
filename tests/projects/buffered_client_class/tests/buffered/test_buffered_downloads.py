def test_a_download_through_the_buffering_client(client):
    """n23: the app's test_client_class asks for buffered=True: the file is closed."""
    res = client.get("/prices.txt")
    assert res.data == b"price list\n"


def test_the_body_read_twice(client):
    """n23: a buffered response keeps its body; nothing is left open."""
    res = client.get("/prices.txt")
    assert res.get_data() == res.data
