"""The benchmark's configurations counted in instructions: the same figures every time.

    python bench/instructions.py [--sizes 1000] [--dir PATH ...] [--parallel 2]

Wall and CPU time on a shared machine move by a tenth from one run to the next, more than
most changes to the plugin are worth. This runs each configuration of ``run.py`` once,
as ``flake8 --jobs 1 .`` under valgrind's cachegrind (``--cache-sim=no``: it counts the
instructions every process executes, user space only) with ``PYTHONHASHSEED=0``, and
prints the count and its ratio to bare flake8. Two runs of the same code count the same
to within a few instructions, whatever else the machine is doing, so runs can go
side by side (``--parallel``, default: the CPU count).

Two more configurations take apart what flake8 itself does with the plugin's findings:
``plugin-cold`` and ``plugin-warm`` again, with flake8's ``FileProcessor.noqa_line_for``
answering ``None``. flake8 calls it for every finding, and the first call on a file
tokenizes the whole file again to map ``# noqa`` comments to lines: a cost any plugin
reporting that many findings would bring, which bare flake8 and flake8-bugbear, finding
nothing on a generated project, never pay. (Without the map, flake8 reads each line it
reports on with ``linecache``: the difference slightly understates the map's cost.) On a
tree where bare flake8 finds something too, or the plugin nothing, the map isn't the
plugin's alone, and those two runs are left out.

What it leaves out: system calls (the kernel's time: listing folders, reading files,
forking), memory, and with ``--jobs 1`` the helper processes, the workers and what they
exchange. ``run.py`` measures those; this measures the instructions behind them. valgrind
runs code about 30 times slower: at 1,000 files, about four minutes per configuration.

It uses run.py's virtualenvs and generated projects (``python bench/run.py`` makes them),
and with ``--fixed`` their copies mended by ``flake8-flask-close fix`` too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional

import run

UNMAPPED_NOQA = (
    "import sys, flake8.processor as p\n"
    "p.FileProcessor.noqa_line_for = lambda self, line_number: None\n"
    "from flake8.main.cli import main\n"
    "raise SystemExit(main())\n"
)
"""flake8 with ``# noqa`` left unmapped (``python -c`` passes its arguments on)."""

I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")

COUNT_TIMEOUT = 8 * 3600.0
"""Seconds before one run under valgrind is killed: 30 times a plain run's time."""


@dataclass
class Counted:
    name: str
    instructions: int
    findings: dict[str, int]


@dataclass
class Setup:
    name: str
    venv: str
    cache: Optional[str]
    """``"cold"``: a new, empty cache folder; ``"warm"``: a copy of one a run filled."""
    unmapped_noqa: bool = False


SETUPS = (
    Setup("bare", "bare", None),
    Setup("plugin-cold", "plugin", "cold"),
    Setup("plugin-warm", "plugin", "warm"),
    Setup("bugbear", "bugbear", None),
    Setup("plugin-cold, noqa unmapped", "plugin", "cold", unmapped_noqa=True),
    Setup("plugin-warm, noqa unmapped", "plugin", "warm", unmapped_noqa=True),
)


def count(
    venvs: run.Venvs, setup: Setup, tree: run.Tree, warm_cache: str, scratch: str, jobs: int
) -> Counted:
    """Run one configuration under cachegrind; the instructions of all its processes."""
    python = run.venv_python(getattr(venvs, setup.venv))
    flake8 = ["-c", UNMAPPED_NOQA] if setup.unmapped_noqa else ["-m", "flake8"]
    args = ["--jobs", str(jobs)]
    if setup.cache is not None:
        cache = os.path.join(scratch, setup.name.replace(",", "").replace(" ", "-"))
        if setup.cache == "warm" and os.path.isdir(warm_cache):
            shutil.copytree(warm_cache, cache)  # absent when the plugin indexed nothing
        args += ["--flask-close-cache-dir", cache]
    output = os.path.join(scratch, f"{setup.name}.out")
    cmd = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        "--trace-children=yes", python, *flake8, *args, ".",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    stderr = run.measure(cmd, tree.path, COUNT_TIMEOUT, stdout_path=output, env=env).stderr
    refs = [int(m.replace(",", "")) for m in I_REFS.findall(stderr)]
    if not refs:
        raise run.RunFailed(f"no instruction count in valgrind's output:\n{stderr[-2000:]}")
    return Counted(setup.name, sum(refs), run.count_findings(output))


def count_tree(venvs: run.Venvs, tree: run.Tree, parallel: int, jobs: int) -> dict[str, Counted]:
    with tempfile.TemporaryDirectory(prefix="ffc-instructions-") as scratch:
        warm_cache = os.path.join(scratch, "warm-source")
        # filled by a plain run (the warm runs' copies start from it): a warm run's
        # count then doesn't depend on which configuration ran before it
        cmd = [venvs.flake8("plugin"), "--jobs", str(jobs), "--flask-close-cache-dir",
               warm_cache, "."]  # fmt: skip
        found = os.path.join(scratch, "warm-source.out")
        run.measure(cmd, tree.path, timeout=3600.0, stdout_path=found)
        bare_found = os.path.join(scratch, "bare-plain.out")
        run.measure([venvs.flake8("bare"), "--jobs", str(jobs), "."], tree.path, 3600.0,
                    stdout_path=bare_found)  # fmt: skip
        # The map the plugin's findings cost is told apart only where it is theirs alone:
        # bare flake8 finding nothing, the plugin something.
        apart = bool(run.count_findings(found)) and not run.count_findings(bare_found)
        setups = [s for s in SETUPS if apart or not s.unmapped_noqa]
        run.log(f"instructions: {tree.label}: {len(setups)} configurations, {parallel} at once")
        with ThreadPoolExecutor(parallel) as pool:
            futures = [
                pool.submit(count, venvs, setup, tree, warm_cache, scratch, jobs)
                for setup in setups
            ]
            counted = [future.result() for future in futures]
    return {c.name: c for c in counted}


def report(tree: run.Tree, counted: dict[str, Counted], jobs: int) -> list[str]:
    bare = counted["bare"].instructions
    lines = [
        f"{tree.label}: {tree.path}",
        f"  {tree.py_files} .py files; flake8 --jobs {jobs} under cachegrind, "
        "PYTHONHASHSEED=0; instructions of every process",
        f"  {'config':28} {'instructions':>16}  x bare  findings",
    ]
    for c in counted.values():
        found = ", ".join(f"{k}:{v}" for k, v in c.findings.items()) or "none"
        lines.append(f"  {c.name:28} {c.instructions:16,}  {c.instructions / bare:6.3f}  {found}")
    for state in ("cold", "warm"):
        if f"plugin-{state}, noqa unmapped" not in counted:
            continue
        mapped = counted[f"plugin-{state}"].instructions
        own = counted[f"plugin-{state}, noqa unmapped"].instructions
        lines.append(
            f"  {state}: the plugin's own work {(own - bare) / bare:+.1%} of bare, flake8 "
            f"mapping # noqa for its findings {(mapped - own) / bare:+.1%}"
        )
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="generated project sizes ('' for none)")
    parser.add_argument("--dir", action="append", default=[], metavar="PATH",
                        help="also count this folder (repeatable)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated projects")
    parser.add_argument("--fixed", action="store_true",
                        help="also count each generated project after 'flake8-flask-close "
                        "fix'")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1,
                        help="flake8 --jobs (more than 1 adds the pool's polling, which "
                        "depends on timing)")  # fmt: skip
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 1,
                        help="configurations run at once")  # fmt: skip
    parser.add_argument("--flake8", default="flake8", metavar="SPEC",
                        help="pip requirement for flake8 in every venv")  # fmt: skip
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (Debian: apt install valgrind)",
              file=sys.stderr)  # fmt: skip
        return 2
    venvs = run.ensure_venvs(False, args.flake8)
    trees = [run.generated_tree(int(s), args.seed) for s in args.sizes.split(",") if s.strip()]
    if args.fixed:
        trees += [run.fixed_tree(tree, venvs) for tree in trees]
    trees += [
        run.Tree(label=os.path.abspath(p), path=os.path.abspath(p), generated=False)
        for p in args.dir
    ]
    for tree in trees:
        tree.py_files, tree.py_bytes = run.tree_stats(tree.path)
        try:
            counted = count_tree(venvs, tree, max(1, args.parallel), max(1, args.jobs))
        except (run.RunFailed, OSError) as exc:
            run.log(f"instructions: {tree.label}: {exc}")
            return 1
        print("\n".join(report(tree, counted, args.jobs)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
