def test_an_app_in_maintenance(closed_client):
    """n16: the app's before_request answers every request: the view never runs."""
    res = closed_client.get("/report")  # FCL100
    assert res.data == b"down for maintenance"


def test_the_static_route_of_an_app_in_maintenance(closed_client):
    """n16: the static route is a view too: the gate answers first."""
    res = closed_client.get("/static/site.css")  # FCL100
    assert res.data == b"down for maintenance"


def test_a_blueprint_that_answers_itself(shop_client):
    """n16: the staff blueprint's before_request answers its requests."""
    res = shop_client.get("/staff/report")  # FCL100
    assert res.get_json() == {"error": "staff only"}


def test_a_blueprint_nested_in_it(shop_client):
    """n16: a request to the nested audit blueprint runs the staff blueprint's hook too."""
    res = shop_client.get("/staff/audit/report")  # FCL100
    assert res.get_json() == {"error": "staff only"}


def test_another_blueprint_of_the_app(shop_client):
    """n16: the staff gate doesn't answer the public blueprint's requests; the app's own
    hook answers only some requests."""
    res = shop_client.get("/public/report")  # FCL101
    assert res.data == b"report of the quarter\n"


def test_a_gate_a_command_registers(frozen_client):
    """n16: the gate is registered by a command when it runs: here the view runs."""
    res = frozen_client.get("/report")  # FCL101
    assert res.data == b"report of the quarter\n"


def test_a_gate_after_the_factory_returned(testing_client):
    """n16: the factory returns before it registers its gate: the view runs."""
    res = testing_client.get("/report")  # FCL101
    assert res.data == b"report of the quarter\n"


def test_a_gate_registered_only_sometimes(open_shop_client):
    """n16: the gate is registered only when the environment asks: here the view runs."""
    res = open_shop_client.get("/report")  # FCL101
    assert res.data == b"report of the quarter\n"
