"""The benchmark's report says when its rounds can't tell a target (bench/run.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture
def bench_run(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "bench" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_run", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


def _result(bench_run: ModuleType, name: str, seconds: list[float]) -> object:
    samples = [bench_run.Sample(wall=s, cpu=2 * s, rss_kib=1024, returncode=0) for s in seconds]
    return bench_run.ConfigResult(name, samples)


@pytest.mark.parametrize(
    ("plugin_seconds", "expected"),
    [
        # rounds 0.95x, 1.15x, 1.20x: some meet 1.10x, some don't
        ([4.75, 5.75, 6.0], "wall 1.150x NOT met (rounds 0.950x-1.200x: within the noise)"),
        # rounds 1.15x-1.25x: every round misses
        ([5.75, 6.0, 6.25], "wall 1.200x NOT met, cpu"),
        # rounds 1.00x-1.05x: every round meets
        ([5.0, 5.25, 5.1], "wall 1.020x met, cpu"),
    ],
)
def test_a_target_the_rounds_fall_on_both_sides_of_is_within_the_noise(
    bench_run: ModuleType, plugin_seconds: list[float], expected: str
) -> None:
    bare = _result(bench_run, "bare", [5.0, 5.0, 5.0])
    cold = _result(bench_run, "plugin-cold", plugin_seconds)
    check = bench_run._ratio_check("plugin-cold", cold, bare, 1.10)
    assert check.startswith("plugin-cold <= 1.10x: " + expected)
    assert check.count("within the noise") == (2 if "noise" in expected else 0)


def test_one_round_is_never_said_to_be_within_the_noise(bench_run: ModuleType) -> None:
    bare = _result(bench_run, "bare", [5.0])
    cold = _result(bench_run, "plugin-cold", [5.5])
    check = bench_run._ratio_check("plugin-cold", cold, bare, 1.10)
    assert check == "plugin-cold <= 1.10x: wall 1.100x met, cpu 1.100x met"
