"""The one registry of codes: every finding the plugin can emit is declared here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["test", "prod"]


@dataclass(frozen=True)
class Code:
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
            message="response from {route} is never closed (serves a file: {evidence}); {fix}",
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
    )
}

DEFAULT_OFF: tuple[str, ...] = tuple(c.code for c in CODES.values() if not c.default_on)
