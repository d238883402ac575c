"""One module per rule; each carries its VALID / INVALID examples."""

from __future__ import annotations

from types import ModuleType

from flake8_flask_close.rules import (
    fcl100_unclosed_test_response,
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl103_close_not_in_finally,
    fcl104_file_response_outlives_test,
    fcl201_file_closed_before_send,
    fcl202_file_response_closed_before_return,
    fcl203_hook_closes_file_response,
    fcl204_hook_reads_file_response,
    fcl205_call_on_close_never_runs,
)

TEST_RULES: tuple[ModuleType, ...] = (
    fcl100_unclosed_test_response,
    fcl101_unclosed_file_response,
    fcl102_unclosable_file_response,
    fcl103_close_not_in_finally,
    fcl104_file_response_outlives_test,
)
PROD_RULES: tuple[ModuleType, ...] = (
    fcl201_file_closed_before_send,
    fcl202_file_response_closed_before_return,
    fcl203_hook_closes_file_response,
    fcl204_hook_reads_file_response,
    fcl205_call_on_close_never_runs,
)
ALL_RULES: tuple[ModuleType, ...] = TEST_RULES + PROD_RULES
