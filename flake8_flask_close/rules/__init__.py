"""One module per rule; each carries its VALID / INVALID examples."""

from __future__ import annotations

from types import ModuleType

from flake8_flask_close.rules import (
    fcl100_unclosed_test_response,
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl103_close_not_in_finally,
    fcl104_file_response_outlives_test,
)

TEST_RULES: tuple[ModuleType, ...] = (
    fcl100_unclosed_test_response,
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl103_close_not_in_finally,
    fcl104_file_response_outlives_test,
)
