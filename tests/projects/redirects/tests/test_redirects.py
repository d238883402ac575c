import pytest


def test_follow_redirect_to_file(client):
    """c04b: the client closes the 302 it followed, but returns the file response open."""
    res = client.get("/latest", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_redirect_not_followed(client):
    """c00a: without follow_redirects the answer is the 302 itself: no file."""
    res = client.get("/latest")  # FCL100
    assert res.status_code == 302


def test_follow_redirect_to_text(client):
    """c00a: following a redirect that ends on a plain-text view."""
    res = client.get("/home", follow_redirects=True)  # FCL100
    assert res.data == b"Welcome!"


def test_follow_redirect_with_block(client):
    """c04c: follow_redirects=True inside the response's with-block."""
    with client.get("/latest", follow_redirects=True) as res:
        assert res.status_code == 200


def test_follow_redirect_buffered(client):
    """c04d: follow_redirects=True with buffered=True."""
    res = client.get("/latest", follow_redirects=True, buffered=True)
    assert res.data.startswith(b"v2.0")


def test_buffered_download(client):
    """c04a: buffered=True straight to the file."""
    res = client.get("/download/release-notes.txt", buffered=True)
    assert res.status_code == 200


def test_redirect_to_another_host(client):
    """c00a: the client refuses to follow a redirect to another host: no file is served."""
    with pytest.raises(RuntimeError):
        client.get("/mirror", follow_redirects=True)  # FCL100


def test_follow_redirect_to_encoded_path(client):
    """c04b: the redirect's target is percent-decoded as the client follows it."""
    res = client.get("/notes-latest", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_follow_redirect_to_a_static_file(client):
    """c04b: a redirect to url_for("static", filename=...) that is there."""
    res = client.get("/style", follow_redirects=True)  # FCL101
    assert res.mimetype == "text/css"


def test_follow_redirect_to_a_missing_static_file(client):
    """c06h: the redirect's static file isn't there: 404, nothing opened."""
    res = client.get("/old-style", follow_redirects=True)  # FCL100
    assert res.mimetype == "text/html"


def test_post_follows_a_302_as_get(client):
    """c04b: a POST answered with a 302 is followed with a GET, which the file route takes."""
    res = client.post("/upload", follow_redirects=True)  # FCL101
    assert res.request.method == "GET"


def test_post_kept_by_a_307(client):
    """c06h: a 307 keeps the POST, which the GET-only file route refuses (405)."""
    res = client.post("/upload-kept", follow_redirects=True)  # FCL100
    assert res.request.method == "POST"


def test_post_kept_by_a_308_to_static(client):
    """c06h: a 308 to url_for("static", ...) keeps the POST: the static route answers 405."""
    res = client.post("/style-kept", follow_redirects=True)  # FCL100
    assert res.request.path == "/static/notes.css"


def test_post_kept_by_a_307_to_a_post_file_route(client):
    """c04b: a 307 keeps the POST, and the route it lands on serves a file for POST."""
    res = client.post("/receipt-moved", follow_redirects=True)  # FCL101
    assert res.request.path == "/receipt"


def test_head_follows_a_302_as_head(client):
    """c06a: a HEAD answered with a 302 stays a HEAD: the file is opened all the same."""
    res = client.head("/latest", follow_redirects=True)  # FCL101
    assert res.request.method == "HEAD"


def test_a_300_is_not_followed(client):
    """c00a: the client follows 301, 302, 303, 305, 307 and 308 only: a 300 is the answer."""
    res = client.get("/choices", follow_redirects=True)  # FCL100
    assert res.location == "/download/release-notes.txt"


def test_follow_an_absolute_redirect(client):
    """c04b: a redirect to http://localhost/... is followed like a path."""
    res = client.get("/latest-absolute", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_request_path_without_a_leading_slash(client):
    """c01: the client routes "download/..." as "/download/...": the file leaks."""
    res = client.get("download/release-notes.txt")  # FCL101
    assert res.mimetype == "text/plain"


def test_post_redirected_with_a_named_303(client):
    """c04b: HTTPStatus.SEE_OTHER makes the followed request a GET, which static serves."""
    res = client.post("/submit", follow_redirects=True)  # FCL101
    assert res.mimetype == "text/css"


def test_post_kept_by_a_307_constant(client):
    """c04b: a module constant 307 keeps the POST, and the route it lands on serves one."""
    res = client.post("/receipt-kept", follow_redirects=True)  # FCL101
    assert res.request.path == "/receipt"


def test_a_named_300_is_not_followed(client):
    """c00a: HTTPStatus.MULTIPLE_CHOICES is not followed: the 300 is the answer."""
    res = client.get("/choices-named", follow_redirects=True)  # FCL100
    assert res.location == "/download/release-notes.txt"


def test_post_to_a_view_that_redirects_on_get_only(client):
    """c00a: the view redirects a GET to the file, but answers a POST itself."""
    res = client.post("/notes", follow_redirects=True)  # FCL100
    assert res.data == b"posted"


def test_follow_a_redirect_given_by_keyword(client):
    """c04b: redirect(location=...) is followed like redirect(...)."""
    res = client.get("/by-keyword", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_follow_a_relative_redirect(client):
    """c04b: a location without a leading slash is followed from "/"."""
    res = client.get("/relative", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_follow_a_redirect_to_a_redirecting_endpoint(client):
    """c04b: url_for("latest") redirects again, to the file."""
    res = client.get("/latest-of-latest", follow_redirects=True)  # FCL101
    assert res.request.path == "/download/release-notes.txt"


def test_a_login_redirect_asserted_by_its_location_header(client):
    """n17: the test asserts the Location header: a redirect, no file."""
    res = client.get("/private/release-notes.txt")  # FCL100
    assert res.headers["Location"] == "/login"


def test_a_login_redirect_asserted_by_its_location(client):
    """n17: res.location ends with the login page: a redirect, no file."""
    res = client.get("/private/release-notes.txt")  # FCL100
    assert res.location.endswith("/login") and res.data


def test_a_login_redirect_asserted_by_a_part_of_its_location(client):
    """n17: "/login" in res.location: a redirect, no file."""
    res = client.get("/private/release-notes.txt")  # FCL100
    assert "/login" in res.location


def test_logged_in_with_no_location(client):
    """n17: logged in, the file is served: asserting there is no Location says so."""
    res = client.get("/private/release-notes.txt", headers={"X-User": "ann"})  # FCL101
    assert res.location is None


def test_logged_in_and_not_redirected_elsewhere(client):
    """n17: a Location that is not the login page's may be absent: the file is served."""
    res = client.get("/private/release-notes.txt", headers={"X-User": "ann"})  # FCL101
    assert res.headers.get("Location") != "/login"


def test_a_login_redirect_asserted_as_a_location_that_is_not_none(client):
    """n17: a Location that is not None: a redirect, no file."""
    res = client.get("/private/release-notes.txt")  # FCL100
    assert res.location is not None


@pytest.mark.parametrize(("headers", "location"), [({}, "/login"), ({"X-User": "ann"}, None)])
def test_a_location_from_a_parameter(client, headers, location):
    """n17: the expected Location may be None: logged in, the file is served."""
    res = client.get("/private/release-notes.txt", headers=headers)  # FCL101
    assert res.location == location


def test_a_location_with_a_default(client):
    """n17: .get("Location", "") is never None: logged in, the file is served."""
    res = client.get("/private/release-notes.txt", headers={"X-User": "ann"})  # FCL101
    assert res.headers.get("Location", "") == ""


def test_a_location_asserted_in_a_try(client):
    """n17: an assert whose failure is caught proves nothing: the file is served."""
    res = client.get("/private/release-notes.txt", headers={"X-User": "ann"})  # FCL101
    try:
        assert res.location == "/login"
    except AssertionError:
        pass
