def test_a_download_through_a_client_class_that_streams(client):
    """n23: the app's own client class doesn't ask for buffered=True: the file is open."""
    res = client.get("/prices.txt")  # FCL101
    assert res.data == b"price list\n"
