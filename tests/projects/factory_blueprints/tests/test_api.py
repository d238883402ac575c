def test_list_items(client):
    """c00b: JSON route, never closed."""
    res = client.get("/api/items")  # FCL100
    assert res.json == {"items": ["alpha", "beta"]}


def test_create_item(client):
    """c00b: JSON POST, never closed."""
    res = client.post("/api/items", json={"name": "gamma"})  # FCL100
    assert res.status_code == 201


def test_export_csv_stream(client):
    """c00c: a streamed generator that opens no file."""
    res = client.get("/api/export.csv")  # FCL100
    assert res.data.splitlines() == [b"name", b"alpha", b"beta"]


def test_index(client):
    """c00a: plain HTML string."""
    assert b"ACME" in client.get("/").data  # FCL100
