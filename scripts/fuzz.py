#!/usr/bin/env python
"""The long fuzzing campaign: the properties of ``tests/hardening/test_fuzz.py``, run with
many seeds and many examples, in-process (no flake8 start-up per example).

    python scripts/fuzz.py --seeds 20 --examples 500            # 10,000 programs per target
    python scripts/fuzz.py --minutes 15 --examples 200          # as many seeds as fit
    python scripts/fuzz.py --targets projects --seeds 5 --out /tmp/ffc-fuzz

Targets (``--targets``, comma-separated; default all):

- ``grammar-test``: hypothesmith programs linted as a test file and as a production file;
- ``grammar-module``: hypothesmith programs as a project module the route index reads;
- ``projects``: generated Flask projects (``strategies.projects``): no crash, deterministic,
  independent of file order, no test-side finding on a provably closed request;
- ``index-order``: the route index is independent of the order of its modules.

Each (target, seed) pair is one Hypothesis run of ``--examples`` examples under
``hypothesis.seed(seed)``, so a failure can be replayed with the same arguments. A failing run is
shrunk by Hypothesis; its minimal example and traceback are written to ``--out`` and the
campaign goes on. The summary counts generated programs (every example Hypothesis tried,
rejected ones apart), failures (distinct by target and first line of the error) and wall
time. Exit code 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "ffc-hypothesis-home")

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, Phase, assume, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hardening import properties  # noqa: E402
from tests.hardening.strategies import Project, projects  # noqa: E402

TARGETS = ("grammar-test", "grammar-module", "projects", "index-order")


class Stats:
    def __init__(self) -> None:
        self.examples: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.failures: dict[str, dict[str, Any]] = {}
        self.runs: Counter[str] = Counter()


def _guard(stats: Stats, target: str, check: Callable[..., Any], *args: Any) -> None:
    stats.examples[target] += 1
    try:
        out = check(*args)
    except properties.Rejected:
        stats.rejected[target] += 1
        assume(False)
        return
    if isinstance(out, dict):
        stats.findings[target] += sum(len(v) for v in out.values())


def build(target: str, stats: Stats, examples: int, number: int) -> Callable[[], None]:
    config = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=False,
    )
    if target == "grammar-test":

        @seed(number)
        @config
        @given(source=hypothesmith.from_grammar(), as_test=st.booleans())
        def run(source: str, as_test: bool) -> None:
            _guard(stats, target, properties.check_grammar_checked, source, as_test)

    elif target == "grammar-module":

        @seed(number)
        @config
        @given(source=hypothesmith.from_grammar())
        def run(source: str) -> None:
            _guard(stats, target, properties.check_grammar_project_module, source)

    elif target == "projects":

        @seed(number)
        @config
        @given(project=projects())
        def run(project: Project) -> None:
            _guard(stats, target, properties.check_project, project)

    else:

        @seed(number)
        @config
        @given(project=projects(), order=st.integers(0, 2**32 - 1))
        def run(project: Project, order: int) -> None:
            _guard(stats, target, properties.check_index_order, project, order)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=0, help="number of seeds (0: until --minutes)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=200, help="examples per (target, seed)")
    parser.add_argument("--minutes", type=float, default=0.0, help="stop after this long")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--out", default=None, help="folder for failures and the summary")
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {sorted(unknown)}")
    if not args.seeds and not args.minutes:
        parser.error("give --seeds or --minutes (or both)")
    out = Path(args.out or tempfile.mkdtemp(prefix="ffc-fuzz-campaign-"))
    out.mkdir(parents=True, exist_ok=True)
    stats = Stats()
    started = time.monotonic()
    deadline = started + args.minutes * 60 if args.minutes else None
    seed = args.first_seed
    warnings.simplefilter("ignore", SyntaxWarning)
    while True:
        if args.seeds and seed >= args.first_seed + args.seeds:
            break
        if deadline is not None and time.monotonic() > deadline:
            break
        for target in targets:
            if deadline is not None and time.monotonic() > deadline:
                break
            run_started = time.monotonic()
            before = stats.examples[target]
            try:
                build(target, stats, args.examples, seed)()
                verdict = "ok"
            except Exception as exc:  # a property failed (shrunk) or the harness broke
                first = str(exc).splitlines()[0][:160] if str(exc) else ""
                key = f"{target}: {type(exc).__name__}: {first}"
                verdict = "FAIL"
                if key not in stats.failures:
                    path = out / f"failure-{len(stats.failures) + 1:03}-{target}-seed{seed}.txt"
                    path.write_text("".join(traceback.format_exception(exc)))
                    stats.failures[key] = {"seed": seed, "target": target, "file": str(path)}
            stats.runs[target] += 1
            print(
                f"seed {seed:5} {target:15} {verdict:4} "
                f"{stats.examples[target] - before:6} examples "
                f"{time.monotonic() - run_started:7.1f} s",
                flush=True,
            )
        seed += 1
    elapsed = time.monotonic() - started
    summary = {
        "seeds": seed - args.first_seed,
        "examples_per_run": args.examples,
        "generated": dict(stats.examples),
        "rejected": dict(stats.rejected),
        "generated_total": sum(stats.examples.values()),
        "usable_total": sum(stats.examples.values()) - sum(stats.rejected.values()),
        "project_findings": dict(stats.findings),
        "failures": stats.failures,
        "wall_seconds": round(elapsed, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"summary and failures in {out}")
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
