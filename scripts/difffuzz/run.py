#!/usr/bin/env python
"""Differential fuzzing: runtime truth against the linter, test function by test function.

    python scripts/difffuzz/run.py fuzz START COUNT [--workers N] [--out DIR]
    python scripts/difffuzz/run.py tally [--coarse] [--out DIR]
    python scripts/difffuzz/run.py show SEED [--out DIR]
    python scripts/difffuzz/run.py dump SEED DIR
    python scripts/difffuzz/run.py check DIR [-v]

Each seed gives a small runnable Flask project (``generator.py``). Its tests are run for real
with the runtime-truth machinery of ``tests/test_runtime_truth.py`` (``pytest -W error`` and
the oracle plugin, which charges each leaked file to the test that opened it), and it is
linted with ``flake8 --select=FCL101,FCL102,FCL104``. A test function the linter flags but
that leaks nothing is a false alarm; one that leaks but is not flagged is a miss. See
README.md next to this file.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(HERE)]

import generator  # noqa: E402
import tally  # noqa: E402
from tally import Record  # noqa: E402

from tests import test_runtime_truth as trt  # noqa: E402

DEFAULT_OUT = Path(tempfile.gettempdir()) / "ffc-difffuzz"
LINT_RUN = (*trt.DEFAULT_RUN, "--flask-close-no-cache")
"""The suite's default-codes run; no index cache (thousands of throwaway projects)."""


# ---------------------------------------------------------------------- comparing
def _setup_failed(oracle_report: Path) -> set[str]:
    """Tests whose setup failed never ran their body (a leak of the test before them is
    reported at their setup, runtime row n01): their verdicts say nothing."""
    if not oracle_report.is_file():
        return set()
    reports = json.loads(oracle_report.read_text(encoding="utf-8"))["reports"]
    return {
        trt.function_key(str(rep["nodeid"]))
        for rep in reports
        if rep["when"] == "setup" and rep["outcome"] == "failed"
    }


def compare(root: Path, work: Path) -> Record:
    """Run the project at ``root`` for real (in a copy under ``work``) and lint it in place.

    No pytest plugin but the oracle is loaded, as for a project of ``tests/projects``
    without a ``[runtime-truth]`` section.
    """
    start = time.monotonic()
    project = trt.Project(
        name=root.name, path=root, pytest_plugins=frozenset(), leak_codes=trt.DEFAULT_CODES
    )
    runtime = trt.run_project_tests(project, work)
    # where run_project_tests has the oracle write its report
    setup_failed = _setup_failed(work / "oracle.json")
    lint = trt.run_flake8(root, LINT_RUN)
    test_map = trt.TestMap(root)
    findings = trt.only(lint.findings, trt.DEFAULT_CODES)
    test_keys = {t.key for t in test_map.tests}
    flagged = test_map.tests_for(findings) - setup_failed
    leaked = set(runtime.leaks) - setup_failed
    problems = list(runtime.problems)
    never_ran = test_keys - runtime.ran
    if never_ran:
        problems.append(f"tests that never ran: {', '.join(sorted(never_ran))}")
    return {
        "name": root.name,
        "tests": len(test_keys - setup_failed),
        "test_keys": sorted(test_keys),
        "setup_failed": sorted(setup_failed),
        "problems": problems,
        "flagged": sorted(flagged),
        "leaked": sorted(leaked),
        "false_alarms": sorted(flagged - leaked),
        "misses": sorted(leaked - flagged),
        "findings": sorted(findings),
        "leaks": runtime.leaks,
        "lint_rc": lint.returncode,
        "lint_crashed": bool(lint.returncode not in (0, 1) or trt.CRASH_RE.search(lint.stderr)),
        "lint_out": lint.stdout[-3000:],
        "lint_err": lint.stderr[-2000:],
        "pytest_tail": trt.tail(runtime.output),
        "seconds": time.monotonic() - start,
    }


def fuzz_one(seed: int, out: Path) -> Record:
    """Generate, compare and, unless they agree, keep the project of ``seed``."""
    try:
        files, meta = generator.generate(seed)
        with tempfile.TemporaryDirectory(prefix=f"ffc-difffuzz-{seed}-") as tmp:
            root = Path(tmp) / f"p{seed}"
            generator.write_project(files, root)
            work = Path(tmp) / "work"
            work.mkdir()
            record: Record = {"seed": seed, **compare(root, work), "meta": meta}
    except Exception:
        return {"seed": seed, "crash": traceback.format_exc()}
    keep = kept_dir(out, seed)
    shutil.rmtree(keep, ignore_errors=True)
    if tally.status(record) != "ok":
        generator.write_project(files, keep)
    return record


def kept_dir(out: Path, seed: int) -> Path:
    return out / "keep" / f"seed-{seed}"


def failed(records: list[Record]) -> bool:
    """A false alarm or a miss the linter doesn't document, or a crash of either tool."""
    for r in records:
        if "crash" in r or r["lint_crashed"]:
            return True
        if r["problems"]:
            continue
        if any(
            tally.expected_false_alarm(r, tally.test_info(r, k)) is None for k in r["false_alarms"]
        ):
            return True
        if any(not tally.expected_miss(tally.test_info(r, k)) for k in r["misses"]):
            return True
    return False


# ----------------------------------------------------------------------- commands
def outside_repo(path: Path) -> Path:
    path = path.resolve()
    if path == ROOT or ROOT in path.parents:
        sys.exit(f"error: {path} is inside the repository; use a folder outside it")
    return path


def cmd_fuzz(args: argparse.Namespace) -> int:
    out = outside_repo(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    seeds = range(args.start, args.start + args.count)
    records: list[Record] = []
    start = time.monotonic()
    job = functools.partial(fuzz_one, out=out)
    with ProcessPoolExecutor(args.workers) as pool, results.open("a", encoding="utf-8") as fh:
        for record in pool.map(job, seeds):
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            records.append(record)
            line = f"{record['seed']} {tally.status(record)}"
            if "crash" not in record:
                line += f" {record['seconds']:.1f}s"
                line += "".join(f"\n    FA   {k}" for k in record["false_alarms"])
                line += "".join(f"\n    MISS {k}" for k in record["misses"])
            print(line, flush=True)
    elapsed = time.monotonic() - start
    print(
        f"\n{len(records)} projects in {elapsed:.0f}s with {args.workers} worker(s);"
        f" results appended to {results}, disagreements kept in {out / 'keep'}\n"
    )
    print(tally.tally(records))
    return 1 if failed(records) else 0


def cmd_tally(args: argparse.Namespace) -> int:
    results = args.out / "results.jsonl"
    if not results.is_file():
        sys.exit(f"error: no {results} (run `fuzz` first, with the same --out)")
    print(f"{results}\n")
    print(tally.tally(tally.load(results), coarse=args.coarse))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    results = args.out / "results.jsonl"
    found = [r for r in tally.load(results) if r["seed"] == args.seed] if results.is_file() else []
    if not found:
        sys.exit(f"error: seed {args.seed} is not in {results}")
    keep = kept_dir(args.out, args.seed)
    print(tally.show(found[0]))
    print(f"--- project kept in {keep}" if keep.is_dir() else "--- project not kept (see `dump`)")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    dest = outside_repo(args.dir)
    if dest.exists() and any(dest.iterdir()):
        sys.exit(f"error: {dest} is not empty")
    files, meta = generator.generate(args.seed)
    generator.write_project(files, dest)
    print(f"seed {args.seed} written to {dest}; its tests:")
    for key, info in meta["tests"].items():
        print(f"  {key}: {info['method'].upper()} {info['url']} ({info['kind']}), {info['fate']}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    root = args.dir.resolve()
    if not (root / "tests").is_dir():
        sys.exit(f"error: {root} has no tests/ folder (expected a project like `dump` writes)")
    with tempfile.TemporaryDirectory(prefix="ffc-difffuzz-check-") as tmp:
        record = compare(root, Path(tmp))
    record["meta"] = {"routes": [], "v2": {}, "tests": {}}
    print(tally.show(record))
    if args.verbose:
        print("--- pytest (tail)")
        print(record["pytest_tail"])
    return 1 if record["false_alarms"] or record["misses"] else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Differential fuzzing: runtime truth against flake8."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def out_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out",
            type=Path,
            default=DEFAULT_OUT,
            help=f"results.jsonl and keep/ (default: {DEFAULT_OUT})",
        )

    p = sub.add_parser("fuzz", help="generate, run and lint COUNT projects from seed START")
    p.add_argument("start", type=int, help=f"first seed (from {generator.V2_FROM_SEED}: v2)")
    p.add_argument("count", type=int)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    out_option(p)
    p.set_defaults(func=cmd_fuzz)

    p = sub.add_parser("tally", help="group the disagreements of results.jsonl")
    p.add_argument(
        "--coarse",
        action="store_true",
        help="group false alarms by fate for closing idioms, by view kind otherwise",
    )
    out_option(p)
    p.set_defaults(func=cmd_tally)

    p = sub.add_parser("show", help="one seed's comparison, test by test")
    p.add_argument("seed", type=int)
    out_option(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("dump", help="write the project of SEED into DIR")
    p.add_argument("seed", type=int)
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("check", help="compare a (hand-reduced) project in DIR")
    p.add_argument("dir", type=Path)
    p.add_argument("-v", "--verbose", action="store_true", help="also show pytest's output")
    p.set_defaults(func=cmd_check)

    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
