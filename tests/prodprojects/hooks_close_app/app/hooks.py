"""Request hooks, registered by ``create_app``."""


def add_server_header(response):
    response.headers["Server"] = "backoffice"
    return response


def release_response(response):
    """Free whatever the response holds as soon as the view is done (wrong: too early)."""
    response.headers["X-Released"] = "1"
    response.close()  # FCL203
    return response
