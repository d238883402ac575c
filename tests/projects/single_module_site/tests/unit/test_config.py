def test_media_folder(app):
    """c00a: no request at all: nothing to close."""
    assert app.config["MEDIA_FOLDER"].endswith("media")


def test_url_map(app):
    """c00a: only the URL map, no request."""
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/media/<path:name>" in rules
