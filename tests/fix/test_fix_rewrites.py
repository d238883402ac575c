"""Each rewrite of ``flake8-flask-close fix`` on small sources, before and after.

The sources live in the small Flask project every rule example runs in
(``flake8_flask_close.rules.base.EXAMPLE_PROJECT``: ``/file.txt`` and ``/files/<name>``
serve files, ``/json`` does not). Fixed rule examples are run for real at the end.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

import pytest

from flake8_flask_close.config import Config
from flake8_flask_close.fix.engine import fix_source
from flake8_flask_close.fix.model import Outcome
from flake8_flask_close.rules import (
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl201_file_closed_before_send,
    fcl202_file_response_closed_before_return,
)
from flake8_flask_close.rules.base import EXAMPLE_PROJECT
from tests.helpers import run_pytest, write_project
from tests.rules.test_rule_examples import _route_failures

TEST_PATH = "tests/test_example.py"


def fix(
    tmp_path: Path,
    source: str,
    path: str = TEST_PATH,
    select: Optional[tuple[str, ...]] = None,
    max_line_length: Optional[int] = None,
) -> tuple[str, list[Outcome]]:
    """The fixed text (the source itself when nothing changed) and the outcomes."""
    write_project(tmp_path, EXAMPLE_PROJECT)
    source = textwrap.dedent(source)
    target = tmp_path / path
    target.write_text(source, encoding="utf-8")
    kwargs: dict[str, Any] = {"select": select} if select else {}
    kwargs["max_line_length"] = max_line_length
    result = fix_source(source.encode(), str(target), Config(), **kwargs)
    text = result.data.decode() if result.data is not None else source
    if result.data is not None:  # idempotent: a second run finds nothing more to do
        again = fix_source(result.data, str(target), Config(), **kwargs)
        assert again.data is None, again.data.decode()
        assert [o for o in again.outcomes if o.fixed] == []
        assert len(again.outcomes) == len([o for o in result.outcomes if not o.fixed])
    return text, result.outcomes


def messages(outcomes: list[Outcome]) -> list[str]:
    return [o.render("t.py") for o in outcomes]


def dedent(text: str) -> str:
    return textwrap.dedent(text)


# ------------------------------------------------------------------------- FCL101
def test_issue_5483_becomes_a_with_block(tmp_path: Path) -> None:
    """pallets/flask#5483: the assert moves into the block."""
    text, outcomes = fix(
        tmp_path,
        """\
        def test_download(app, client):
            res = client.get('/file.txt')
            assert res.status_code == 200
        """,
    )
    assert text == dedent(
        """\
        def test_download(app, client):
            with client.get('/file.txt') as res:
                assert res.status_code == 200
        """
    )
    assert messages(outcomes) == ["t.py:2: FCL101 fixed: wrapped in with-block"]


def test_comments_and_formatting_are_kept(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_download(client):
            # fetch the file
            res = client.get(  # the request
                '/files/file.txt',
                headers={"X-Test": "1"},
            )

            # the body
            assert res.data == b'hello\\n'  # read inside the block
            # the status
            assert res.status_code == 200
            print("done")  # after
        """,
    )
    assert text == dedent(
        """\
        def test_download(client):
            # fetch the file
            with client.get(  # the request
                '/files/file.txt',
                headers={"X-Test": "1"},
            ) as res:

                # the body
                assert res.data == b'hello\\n'  # read inside the block
                # the status
                assert res.status_code == 200
            print("done")  # after
        """
    )


def test_trailing_comment_moves_to_the_with_line(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_download(client):
            res = client.get("/file.txt")  # keep me
            assert res.status_code == 200
        """,
    )
    assert '    with client.get("/file.txt") as res:  # keep me\n' in text


def test_body_read_after_the_block_gets_buffered(tmp_path: Path) -> None:
    """c02i: a with-block here would make the read after it raise."""
    text, outcomes = fix(
        tmp_path,
        """\
        def test_body(client):
            with client:
                res = client.get("/files/file.txt")
            assert res.data == b"hello\\n"
        """,
    )
    assert 'res = client.get("/files/file.txt", buffered=True)' in text
    assert outcomes[0].fixed and "added buffered=True" in outcomes[0].message
    assert "c02i" in outcomes[0].message


def test_status_read_after_the_block_keeps_the_with(tmp_path: Path) -> None:
    """c02i: status and headers stay readable after the close."""
    text, _ = fix(
        tmp_path,
        """\
        def test_status(client):
            with client:
                res = client.get("/files/file.txt")
            assert res.status_code == 200
            assert res.headers["Content-Type"].startswith("text/plain")
        """,
    )
    assert text == dedent(
        """\
        def test_status(client):
            with client:
                with client.get("/files/file.txt") as res:
                    pass
            assert res.status_code == 200
            assert res.headers["Content-Type"].startswith("text/plain")
        """
    )


def test_names_holding_the_unread_body_go_into_the_block(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_iterate(client):
            res = client.get("/files/file.txt")
            chunks = res.response
            assert b"".join(chunks) == b"hello\\n"
        """,
    )
    assert text == dedent(
        """\
        def test_iterate(client):
            with client.get("/files/file.txt") as res:
                chunks = res.response
                assert b"".join(chunks) == b"hello\\n"
        """
    )


def test_unread_body_kept_beyond_the_block_gets_buffered(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        """\
        def test_iterate(client):
            if True:
                res = client.get("/files/file.txt")
                chunks = res.response
            assert b"".join(chunks) == b"hello\\n"
        """,
    )
    assert 'client.get("/files/file.txt", buffered=True)' in text
    assert "chunks holds the unread body" in outcomes[0].message


def test_reassigned_response_block_stops_at_the_rebinding(tmp_path: Path) -> None:
    """c10e: the second response is another one."""
    text, _ = fix(
        tmp_path,
        """\
        def test_two(client):
            res = client.get("/file.txt")
            assert res.status_code == 200
            res = client.get("/json")
            assert res.json == {"answer": 42}
            res.close()
        """,
    )
    assert text == dedent(
        """\
        def test_two(client):
            with client.get("/file.txt") as res:
                assert res.status_code == 200
            res = client.get("/json")
            assert res.json == {"answer": 42}
            res.close()
        """
    )


def test_buffered_follows_a_trailing_comma_layout(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_body(client):
            if True:
                res = client.get(
                    "/files/file.txt",
                    headers={"X": "1"},
                )
            assert res.data
        """,
    )
    assert text == dedent(
        """\
        def test_body(client):
            if True:
                res = client.get(
                    "/files/file.txt",
                    headers={"X": "1"},
                    buffered=True,
                )
            assert res.data
        """
    )


def test_fixture_that_returns_the_response_is_left_alone(tmp_path: Path) -> None:
    source = """\
        import pytest


        @pytest.fixture
        def download(client):
            return client.get("/file.txt")


        def test_download(download):
            assert download.status_code == 200
        """
    text, outcomes = fix(tmp_path, source)
    assert text == dedent(source)
    assert len(outcomes) == 1 and not outcomes[0].fixed
    assert "leaves download() by return" in outcomes[0].message


def test_yield_fixture_is_left_alone(tmp_path: Path) -> None:
    source = """\
        import pytest


        @pytest.fixture
        def download(client):
            res = client.get("/file.txt")
            yield res


        def test_download(download):
            assert download.status_code == 200
        """
    text, outcomes = fix(tmp_path, source)
    assert text == dedent(source)
    assert [o.fixed for o in outcomes] == [False]
    assert "by yield" in outcomes[0].message


def test_helper_response_read_after_the_block_is_left_alone(tmp_path: Path) -> None:
    """A helper is no test client: buffered=True is no option."""
    source = """\
        def fetch(client, url):
            return client.get(url)


        def test_download(client):
            if True:
                res = fetch(client, "/files/file.txt")
            assert res.data == b"hello\\n"
        """
    text, outcomes = fix(tmp_path, source)
    assert text == dedent(source)
    assert [o.fixed for o in outcomes] == [False]
    assert "fetch() is a helper" in outcomes[0].message


def test_helper_response_gets_a_with_block(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def fetch(client, url):
            return client.get(url)


        def test_download(client):
            res = fetch(client, "/files/file.txt")
            assert res.data == b"hello\\n"
        """,
    )
    assert '    with fetch(client, "/files/file.txt") as res:\n' in text


def test_kwargs_request_is_left_alone_when_no_with_fits(tmp_path: Path) -> None:
    source = """\
        def test_download(client):
            options = {}
            if True:
                res = client.get("/files/file.txt", **options)
            assert res.data
        """
    text, outcomes = fix(tmp_path, source)
    assert text == dedent(source)
    assert "**kwargs" in outcomes[0].message


def test_noqa_is_respected(tmp_path: Path) -> None:
    source = """\
        def test_download(client):
            res = client.get("/file.txt")  # noqa: FCL101
            assert res.status_code == 200
            other = client.get("/file.txt")  # noqa
            assert other.status_code == 200
        """
    text, outcomes = fix(tmp_path, source)
    assert text == dedent(source)
    assert outcomes == []


# ------------------------------------------------------------------------- FCL102
def test_chained_status_in_an_assert(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        """\
        def test_download_inline(client):
            assert client.get('/file.txt').status_code == 200
        """,
    )
    assert text == dedent(
        """\
        def test_download_inline(client):
            with client.get('/file.txt') as res:
                assert res.status_code == 200
        """
    )
    assert messages(outcomes) == ["t.py:2: FCL102 fixed: wrapped in with-block"]


def test_chained_data_in_an_assignment(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_body(client):
            # read it
            body = client.get("/files/file.txt").data  # the body
            assert body == b"hello\\n"
        """,
    )
    assert text == dedent(
        """\
        def test_body(client):
            # read it
            with client.get("/files/file.txt") as res:
                body = res.data  # the body
            assert body == b"hello\\n"
        """
    )


def test_new_name_does_not_clash(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_body(client):
            res = 1
            assert client.get("/file.txt").status_code == 200
            assert res == 1
        """,
    )
    assert '    with client.get("/file.txt") as response:\n' in text
    assert "        assert response.status_code == 200\n" in text


def test_bare_request_gets_a_chained_close(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        """\
        def test_hit(client):
            client.get("/file.txt")  # just hit it
        """,
    )
    assert text == dedent(
        """\
        def test_hit(client):
            client.get("/file.txt").close()  # just hit it
        """
    )
    assert "chained .close()" in outcomes[0].message


def test_request_after_another_call_gets_buffered(tmp_path: Path) -> None:
    """Moving the request in front of the statement would change what runs first."""
    text, outcomes = fix(
        tmp_path,
        """\
        def make():
            return b"hello\\n"


        def test_body(client):
            assert make() == client.get("/files/file.txt").data
        """,
    )
    assert 'assert make() == client.get("/files/file.txt", buffered=True).data' in text
    assert "order" in outcomes[0].message


def test_conditional_request_gets_buffered(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_body(client, flag=False):
            assert flag or client.get("/file.txt").status_code == 200
        """,
    )
    assert 'assert flag or client.get("/file.txt", buffered=True).status_code == 200' in text


def test_two_requests_in_one_statement(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        """\
        def test_same(client):
            assert client.get("/file.txt").data == client.get("/files/file.txt").data
        """,
    )
    assert text == dedent(
        """\
        def test_same(client):
            with client.get("/file.txt") as res:
                assert res.data == client.get("/files/file.txt", buffered=True).data
        """
    )
    assert all(o.fixed for o in outcomes) and len(outcomes) == 2


def test_select_limits_the_codes(tmp_path: Path) -> None:
    source = """\
        def test_both(client):
            res = client.get("/file.txt")
            assert res.status_code == 200
            assert client.get("/file.txt").status_code == 200
        """
    text, outcomes = fix(tmp_path, source, select=("FCL102",))
    assert [o.code for o in outcomes] == ["FCL102"]
    assert 'res = client.get("/file.txt")\n' in text


# ------------------------------------------------------------------------- FCL201
APP_HEAD = """\
    import io
    import os

    from flask import Flask, send_file, send_from_directory

    app = Flask(__name__)
    REPORT = os.path.join(os.path.dirname(__file__), "files", "file.txt")
    FILES = os.path.dirname(REPORT)


"""


def test_open_file_is_handed_over(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        APP_HEAD
        + """\
    @app.route("/report")
    def report():
        # the report
        with open(REPORT, "rb") as f:  # opened here
            return send_file(f, mimetype="text/plain")  # sent here
    """,
        path="app.py",
    )
    assert text.endswith(
        dedent(
            """\
            def report():
                # the report
                # opened here
                return send_file(open(REPORT, "rb"), mimetype="text/plain")  # sent here
            """
        )
    )
    assert messages(outcomes) == [
        "t.py:15: FCL201 fixed: handed the open file to the response without a with-block"
    ]


def test_with_block_doing_more_is_left_alone(tmp_path: Path) -> None:
    source = (
        APP_HEAD
        + """\
    @app.route("/report")
    def report():
        with open(REPORT, "rb") as f:
            f.seek(0)
            return send_file(f, mimetype="text/plain")
    """
    )
    text, outcomes = fix(tmp_path, source, path="app.py")
    assert text == dedent(source)
    assert "does more than return the response" in outcomes[0].message


def test_close_call_form_is_left_alone(tmp_path: Path) -> None:
    source = (
        APP_HEAD
        + """\
    @app.route("/report")
    def report():
        f = open(REPORT, "rb")
        response = send_file(f, mimetype="text/plain")
        f.close()
        return response
    """
    )
    text, outcomes = fix(tmp_path, source, path="app.py")
    assert text == dedent(source)
    assert "not by a with-block" in outcomes[0].message


# ------------------------------------------------------------------------- FCL202
def test_premature_close_is_removed(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        APP_HEAD
        + """\
    @app.route("/download/<path:name>")
    def download(name):
        response = send_from_directory(FILES, name)
        # done with it
        response.close()  # free the file
        return response
    """,
        path="app.py",
    )
    assert text.endswith(
        dedent(
            """\
            def download(name):
                response = send_from_directory(FILES, name)
                # done with it
                # free the file
                return response
            """
        )
    )
    assert outcomes[0].fixed and outcomes[0].message == "removed the premature close()"


def test_close_before_another_return_is_left_alone(tmp_path: Path) -> None:
    source = (
        APP_HEAD
        + """\
    @app.route("/download/<path:name>")
    def download(name):
        response = send_from_directory(FILES, name)
        response.close()
        if name == "x":
            return "nothing"
        return response
    """
    )
    text, outcomes = fix(tmp_path, source, path="app.py")
    assert text == dedent(source)
    assert "leaves early" in outcomes[0].message


def test_with_response_is_unwrapped(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        APP_HEAD
        + """\
    @app.route("/report")
    def report():
        with send_file(REPORT) as response:  # closes it
            return response
    """,
        path="app.py",
    )
    assert text.endswith("    return send_file(REPORT)  # closes it\n")


def test_closing_wrappers_are_removed(tmp_path: Path) -> None:
    text, outcomes = fix(
        tmp_path,
        APP_HEAD.replace("import io\n", "import contextlib\n    import io\n")
        + """\
    @app.route("/a")
    def a():
        with contextlib.closing(send_file(REPORT)) as response:
            return response


    @app.route("/b")
    def b():
        return contextlib.closing(send_file(REPORT))
    """,
        path="app.py",
    )
    assert text.count("    return send_file(REPORT)\n") == 2
    assert "closing" not in text.split("app = Flask")[1]
    assert all(o.fixed for o in outcomes) and len(outcomes) == 2


def test_with_response_doing_more_is_left_alone(tmp_path: Path) -> None:
    source = (
        APP_HEAD
        + """\
    @app.route("/report")
    def report():
        with send_file(REPORT) as response:
            response.headers["X-Report"] = "1"
            return response
    """
    )
    text, outcomes = fix(tmp_path, source, path="app.py")
    assert text == dedent(source)
    assert "does more than 'return response'" in outcomes[0].message


# ------------------------------------------------------------ fixed examples run
def _fixed_examples(tmp_path: Path, rules: tuple[ModuleType, ...]) -> list[tuple[str, str]]:
    out = []
    for rule in rules:
        for i, example in enumerate(rule.INVALID):
            text, outcomes = fix(tmp_path / "work", example.source, path=example.path)
            if outcomes and all(o.fixed for o in outcomes):
                out.append((f"{rule.CODE.code}_{i}", text))
    return out


def test_fixed_test_examples_pass_under_w_error(tmp_path: Path) -> None:
    """Every INVALID example of FCL101/FCL102, fixed, passes ``pytest -W error``."""
    examples = _fixed_examples(
        tmp_path, (fcl101_unclosed_file_response, fcl102_unclosable_file_response)
    )
    assert len(examples) == 7
    root = tmp_path / "run"
    write_project(root, EXAMPLE_PROJECT)
    for name, text in examples:
        (root / "tests" / f"test_{name.lower()}.py").write_text(text, encoding="utf-8")
    result = run_pytest(root, "-p", "no:flask", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout, result.stdout


@pytest.mark.parametrize(
    "rule", [fcl201_file_closed_before_send, fcl202_file_response_closed_before_return]
)
def test_fixed_app_examples_serve_every_route(tmp_path: Path, rule: ModuleType) -> None:
    """Every INVALID app example of FCL201/FCL202 the fixer fixes completely serves all
    its routes afterwards (through the test client, which raises what a server logs)."""
    examples = _fixed_examples(tmp_path, (rule,))
    assert len(examples) == 2
    for name, text in examples:
        root = tmp_path / name
        write_project(root, {**EXAMPLE_PROJECT, "app.py": text})
        assert _route_failures(root) == [], (name, text)


# ------------------------------------------------------------------ line length
def test_a_with_line_made_too_long_is_folded(tmp_path: Path) -> None:
    """flake8 would report the one-line form as E501: the arguments go on a line of their
    own, as black folds them. The body's lines are left as they come."""
    text, outcomes = fix(
        tmp_path,
        """\
        class TestFiles:
            def test_download(self, client):
                response = client.get("/files/file.txt", headers={"X-Test": "1"})  # the file
                assert response.status_code == 200
                assert client.get("/files/file.txt?download=yes").status_code == 200
        """,
        max_line_length=60,
    )
    assert text == dedent(
        """\
        class TestFiles:
            def test_download(self, client):
                with client.get(
                    "/files/file.txt", headers={"X-Test": "1"}
                ) as response:  # the file
                    assert response.status_code == 200
                with client.get(
                    "/files/file.txt?download=yes"
                ) as res:
                    assert res.status_code == 200
        """
    )
    assert [o.fixed for o in outcomes] == [True, True]


def test_a_with_line_within_the_limit_stays_on_one_line(tmp_path: Path) -> None:
    source = """\
        def test_download(client):
            res = client.get("/files/file.txt")
            assert res.status_code == 200
        """
    text, _ = fix(
        tmp_path, source, max_line_length=len('    with client.get("/files/file.txt") as res:')
    )
    assert '    with client.get("/files/file.txt") as res:\n' in text


def test_a_long_with_line_already_in_the_file_is_not_folded(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        def test_download(client):
            with client.get("/files/file.txt", headers={"X-Test": "1"}) as kept:
                assert kept.status_code == 200
            res = client.get("/file.txt")
            assert res.status_code == 200
        """,
        max_line_length=30,
    )
    assert text == dedent(
        """\
        def test_download(client):
            with client.get("/files/file.txt", headers={"X-Test": "1"}) as kept:
                assert kept.status_code == 200
            with client.get(
                "/file.txt"
            ) as res:
                assert res.status_code == 200
        """
    )


@pytest.mark.parametrize(
    ("comment", "limit"),
    [
        ("# noqa: E501", 40),  # flake8 takes the line as it is
        ("# only this comment makes the line too long", 48),  # folding can't shorten it
    ],
)
def test_a_with_line_long_by_its_comment_or_excused_is_not_folded(
    tmp_path: Path, comment: str, limit: int
) -> None:
    text, _ = fix(
        tmp_path,
        f"""\
        def test_download(client):
            res = client.get("/files/file.txt")  {comment}
            assert res.status_code == 200
        """,
        max_line_length=limit,
    )
    assert f'    with client.get("/files/file.txt") as res:  {comment}\n' in text


def test_newlines_and_encoding_are_kept(tmp_path: Path) -> None:
    write_project(tmp_path, EXAMPLE_PROJECT)
    target = tmp_path / TEST_PATH
    crlf = b"def test_a(client):\r\n    res = client.get('/file.txt')\r\n    assert res.ok\r\n"
    target.write_bytes(crlf)
    fixed = fix_source(crlf, str(target), Config()).data
    assert fixed == (
        b"def test_a(client):\r\n    with client.get('/file.txt') as res:\r\n"
        b"        assert res.ok\r\n"
    )
    latin = "# -*- coding: latin-1 -*-\ndef test_b(client):\n"
    latin += "    assert client.get('/file.txt').data != 'caf\xe9'.encode()\n"
    data = latin.encode("latin-1")
    target.write_bytes(data)
    fixed = fix_source(data, str(target), Config()).data
    assert fixed is not None
    assert fixed.decode("latin-1").endswith(
        "    with client.get('/file.txt') as res:\n        assert res.data != 'caf\xe9'.encode()\n"
    )


def test_unittest_assertion_gets_a_with_block(tmp_path: Path) -> None:
    text, _ = fix(
        tmp_path,
        """\
        import unittest

        from app import app


        class DownloadTest(unittest.TestCase):
            def setUp(self):
                self.client = app.test_client()

            def test_download(self):
                self.assertEqual(self.client.get("/file.txt").status_code, 200)
        """,
    )
    assert text.endswith(
        '        with self.client.get("/file.txt") as res:\n'
        "            self.assertEqual(res.status_code, 200)\n"
    )
