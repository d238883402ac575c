"""The one registry of codes: every finding the plugin can emit is declared here."""

from __future__ import annotations

from typing import Literal, NamedTuple

Side = Literal["test", "prod"]


class Code(NamedTuple):
    # not a frozen dataclass: those take ten times as long to define, on every run
    code: str
    name: str
    side: Side
    default_on: bool
    summary: str
    """One line for tables and `explain`."""
    message: str
    """``str.format`` template; ``{route}``, ``{evidence}`` and ``{fix}`` are filled by rules."""

    def format(self, **fields: str) -> str:
        return f"{self.code} {self.message.format(**fields)}"


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            code="FCL100",
            name="unclosed-test-response",
            side="test",
            default_on=False,
            summary="a test-client response is never closed, whatever the route (opt-in hygiene)",
            message="response from {route} is never closed; {fix}",
        ),
        Code(
            code="FCL101",
            name="unclosed-file-response",
            side="test",
            default_on=True,
            summary="a file-route response bound to a name is not closed on every normal path",
            message="response from {route} is {how} (serves a file: {evidence}); {fix}",
        ),
        Code(
            code="FCL102",
            name="unclosable-file-response",
            side="test",
            default_on=True,
            summary="a file-route response is used without ever being bound, so it can't be closed",
            message=(
                "response from {route} can never be closed ({usage}; serves a file: {evidence});"
                " {fix}"
            ),
        ),
        Code(
            code="FCL103",
            name="close-not-in-finally",
            side="test",
            default_on=False,
            summary="a file-route response is closed, but not if an earlier statement raises",
            message=(
                "response from {route} is closed only if nothing before line {close_line} raises"
                " (serves a file: {evidence}); a failing assert moves the ResourceWarning to the"
                " next test: {fix}"
            ),
        ),
        Code(
            code="FCL104",
            name="file-response-outlives-test",
            side="test",
            default_on=True,
            summary="a file-route response outlives the test (self, module global, wide fixture)",
            message=(
                "response from {route} outlives the test ({holder}; serves a file: {evidence});"
                " {fix}"
            ),
        ),
        Code(
            code="FCL201",
            name="file-closed-before-send",
            side="prod",
            default_on=True,
            summary="the file handed to send_file / Response is closed before the server sends it",
            message=(
                "{what} gets a file that {closer} closes before the server sends it:"
                " every request fails with 'ValueError: I/O operation on closed file'; {fix}"
            ),
        ),
        Code(
            code="FCL202",
            name="file-response-closed-before-return",
            side="prod",
            default_on=True,
            summary="a file response is closed before it is returned",
            message=(
                "the response from {what} is closed {closer} before it is returned:"
                " every request fails ({error}); {fix}"
            ),
        ),
        Code(
            code="FCL203",
            name="hook-closes-file-response",
            side="prod",
            default_on=True,
            summary="a request hook closes the response or the file behind it",
            message=(
                "{hook} closes {what} before the server sends it ({routes}):"
                " those requests fail with 'ValueError: I/O operation on closed file'; {fix}"
            ),
        ),
        Code(
            code="FCL204",
            name="hook-reads-file-response",
            side="prod",
            default_on=True,
            summary="an after_request hook reads the body of a file response (direct passthrough)",
            message=(
                "{hook} reads the response body with {read} ({routes}): file responses are"
                " in direct passthrough mode, so {consequence}; {fix}"
            ),
        ),
        Code(
            code="FCL205",
            name="call-on-close-never-runs",
            side="prod",
            default_on=True,
            summary="call_on_close() on a file response: the callback never runs",
            message=(
                "call_on_close() on the response from {what} never runs its callback: file"
                " responses are sent in direct passthrough mode, which skips close callbacks; {fix}"
            ),
        ),
    )
}

DEFAULT_OFF: tuple[str, ...] = tuple(c.code for c in CODES.values() if not c.default_on)
