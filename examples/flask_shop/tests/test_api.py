"""JSON routes build their body in memory: nothing to close."""


def test_list_products(client):
    """The catalogue lists every product."""
    res = client.get("/api/products")
    assert res.status_code == 200
    assert [p["name"] for p in res.json] == ["Espresso cup", "Pour-over kettle"]


def test_get_product(client):
    """A single product, read straight off the response."""
    assert client.get("/api/products/2").json["price"] == 42.0


def test_add_to_cart(client):
    """Adding a known product to the cart answers 201."""
    res = client.post("/api/cart", json={"product_id": 1, "quantity": 2})
    assert res.status_code == 201
    assert res.json == {"added": 1, "quantity": 2}
