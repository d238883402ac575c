#!/usr/bin/env python
"""The long real-code sweep: the plugin through real flake8 over every installed Python's
standard library and every site-packages tree, printing counts per tree.

    python scripts/sweep.py                       # every tree found, both modes
    python scripts/sweep.py --modes test --jobs 2 /some/other/tree
    python scripts/sweep.py --full-flake8 --only stdlib

Trees: ``/root/.pyenv/versions/*/lib/python3.*`` (standard libraries; their
``site-packages`` is swept apart), every ``site-packages``/``dist-packages`` folder next to
them, of the running interpreter, of ``/usr/lib/python3*`` and ``/usr/local/lib``, and any
folder given on the command line.

Modes: ``test`` lints with ``--flask-close-test-patterns=*.py`` (every file through the
test-side analysis), ``default`` with the default patterns (production rules). The project
root is the tree's root, so the route index covers the whole tree; its cache goes to a
temporary folder, never into the tree.

A tree is linted in chunks (about ``--chunk`` files each, split along its top-level
entries), so one bad file costs one chunk, not the tree. Per chunk:

- a *crash*: exit code other than 0/1, a traceback, flake8's "failed during execution" or
  "critical error" naming our plugin, or the plugin's own "skipped ... after an internal
  error" (every such file is listed);
- a *hang*: the chunk outlived ``--timeout`` seconds;
- *findings*: FCL lines; *implausible* ones sit on a statement with no request, file
  response or close in sight (see ``tests/hardening/test_real_code.py``);
- *E999*: files flake8 itself can't parse with this interpreter (not our business, counted).

By default flake8 runs with our plugin only (``--fcl-only``: a wrapper drops pyflakes,
pycodestyle and mccabe before flake8 loads them, which makes the sweep several times faster
and keeps their own crashes on odd files from hiding ours); ``--full-flake8`` runs flake8
exactly as installed. ``--python`` picks the interpreter that runs flake8 (it must have the
plugin installed). Details go to ``--out`` as JSON lines; the summary table to stdout.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

FCL_ONLY = """\
import sys
from flake8.plugins import finder

_find = finder.find_plugins


def find_plugins(cfg, opts):
    return [
        p
        for p in _find(cfg, opts)
        if p.entry_point.group != "flake8.extension" or p.entry_point.name == "FCL"
    ]


finder.find_plugins = find_plugins
from flake8.main.cli import main  # noqa: E402

sys.exit(main())
"""
FINDING = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")
SKIPPED = re.compile(
    r"flake8-flask-close: skipped (?P<path>.+?) after an internal error: (?P<e>.*)"
)
CRASH_MARKERS = (
    "Traceback (most recent call last)",
    "There was a critical error",
    "failed during execution",
    "plugin code for",
    "after an internal error",
)
TEST_SIDE = re.compile(r"\.(get|post|put|patch|delete|head|options|open)\(|send_|request_context")
PROD_SIDE = re.compile(
    r"send_|Response|wrap_file|close|call_on_close|get_data|after_request|teardown|\.response"
)
EXCLUDE = "__pycache__,site-packages,dist-packages,.git,.tox,.nox,.venv"


@dataclass
class Tally:
    tree: str
    mode: str
    files: int = 0
    chunks: int = 0
    findings: list[tuple[str, int, str]] = field(default_factory=list)
    implausible: list[tuple[str, int, str]] = field(default_factory=list)
    crashes: list[dict[str, str]] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    e999: int = 0
    seconds: float = 0.0


def discover(only: Optional[str]) -> list[tuple[str, Path]]:
    """(kind, path) of every standard library and site-packages tree on this machine."""
    trees: list[tuple[str, Path]] = []
    seen: set[str] = set()

    def add(kind: str, path: str) -> None:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real not in seen:
            seen.add(real)
            trees.append((kind, Path(path)))

    for lib in sorted(glob.glob("/root/.pyenv/versions/*/lib/python3.*")):
        if os.path.isfile(os.path.join(lib, "os.py")):
            add("stdlib", lib)
    add("stdlib", sysconfig.get_paths()["stdlib"])
    for pattern in (
        "/root/.pyenv/versions/*/lib/python3.*/site-packages",
        "/usr/lib/python3*/dist-packages",
        "/usr/lib/python3/dist-packages",
        "/usr/local/lib/python3.*/site-packages",
        "/usr/local/lib/python3.*/dist-packages",
        "/root/*/lib/python3.*/site-packages",
        "/root/.*/lib/python3.*/site-packages",
    ):
        for path in sorted(glob.glob(pattern)):
            add("site-packages", path)
    add("site-packages", sysconfig.get_paths()["purelib"])
    if only:
        trees = [t for t in trees if t[0] == only]
    return trees


def python_files(path: Path, skip_nested_site: bool) -> int:
    if path.is_file():
        return 1 if path.suffix == ".py" else 0
    count = 0
    for _dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [
            d
            for d in dirnames
            if d != "__pycache__"
            and not d.startswith(".")
            and not (skip_nested_site and d in ("site-packages", "dist-packages"))
        ]
        count += sum(1 for f in filenames if f.endswith(".py"))
    return count


def chunks(tree: Path, size: int, skip_nested_site: bool) -> list[tuple[list[Path], int]]:
    """Top-level entries grouped into chunks of about ``size`` Python files."""
    out: list[tuple[list[Path], int]] = []
    current: list[Path] = []
    count = 0
    for entry in sorted(tree.iterdir()):
        if entry.name in ("__pycache__", "site-packages", "dist-packages"):
            continue
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        n = python_files(entry, skip_nested_site)
        if n == 0:
            continue
        if current and count + n > size:
            out.append((current, count))
            current, count = [], 0
        current.append(entry)
        count += n
    if current:
        out.append((current, count))
    return out


def plausible(path: str, line: int, code: str, span: int = 6) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    window = "\n".join(text[line - 1 : line - 1 + span])
    return bool((TEST_SIDE if code.startswith("FCL1") else PROD_SIDE).search(window))


def run_chunk(
    python: str,
    tree: Path,
    paths: list[Path],
    mode: str,
    args: argparse.Namespace,
    cache: str,
) -> tuple[Optional[subprocess.CompletedProcess[str]], float]:
    command = [python, "-c", FCL_ONLY] if not args.full_flake8 else [python, "-m", "flake8"]
    command += [
        "--select=FCL,E999",
        f"--jobs={args.jobs}",
        f"--exclude={EXCLUDE}",
        f"--flask-close-project-root={tree}",
        f"--flask-close-cache-dir={cache}",
    ]
    if mode == "test":
        command.append("--flask-close-test-patterns=*.py")
    command += [str(p) for p in paths]
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=args.timeout,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - started
    return result, time.monotonic() - started


def sweep_tree(
    python: str, kind: str, tree: Path, mode: str, args: argparse.Namespace, log: object
) -> Tally:
    tally = Tally(str(tree), mode)
    skip_nested = kind == "stdlib"
    parts = chunks(tree, args.chunk, skip_nested)
    if args.max_files:
        kept, total = [], 0
        for paths, n in parts:
            if total >= args.max_files:
                break
            kept.append((paths, n))
            total += n
        parts = kept
    with tempfile.TemporaryDirectory(prefix="ffc-sweep-cache-") as cache:
        for paths, n in parts:
            tally.chunks += 1
            tally.files += n
            result, seconds = run_chunk(python, tree, paths, mode, args, cache)
            tally.seconds += seconds
            label = ", ".join(p.name for p in paths[:5]) + (" ..." if len(paths) > 5 else "")
            if result is None:
                tally.hangs.append(label)
                record = {"tree": str(tree), "mode": mode, "chunk": label, "hang": args.timeout}
                print(json.dumps(record), file=log, flush=True)  # type: ignore[call-overload]
                continue
            for line in result.stdout.splitlines():
                m = FINDING.match(line)
                if not m:
                    continue
                if m["code"] == "E999":
                    tally.e999 += 1
                    continue
                finding = (m["path"], int(m["line"]), m["code"])
                tally.findings.append(finding)
                if not plausible(*finding):
                    tally.implausible.append(finding)
            crashed = result.returncode not in (0, 1) or any(
                marker in result.stderr for marker in CRASH_MARKERS
            )
            if crashed:
                skipped = [f"{m['path']}: {m['e']}" for m in SKIPPED.finditer(result.stderr)]
                tally.crashes.append(
                    {
                        "chunk": label,
                        "returncode": str(result.returncode),
                        "skipped": "; ".join(skipped),
                        "stderr": result.stderr[-4000:],
                    }
                )
            record = {
                "tree": str(tree),
                "mode": mode,
                "chunk": label,
                "files": n,
                "seconds": round(seconds, 1),
                "returncode": result.returncode,
                "findings": [line for line in result.stdout.splitlines() if " FCL" in line],
                "crash": crashed,
                "stderr": result.stderr[-4000:] if crashed else "",
            }
            print(json.dumps(record), file=log, flush=True)  # type: ignore[call-overload]
    return tally


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", help="extra trees to sweep")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs flake8")
    parser.add_argument("--modes", default="test,default", help="test, default or both")
    parser.add_argument("--only", choices=("stdlib", "site-packages", "given"), default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=400, help="about this many files a run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per chunk")
    parser.add_argument("--max-files", type=int, default=0, help="per tree (0: all)")
    parser.add_argument("--full-flake8", action="store_true", help="keep flake8's own checks")
    parser.add_argument("--out", default=None, help="JSON-lines log (default: a temp file)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    trees = [] if args.only == "given" else discover(args.only)
    trees += [("given", Path(t)) for t in args.trees]
    out = args.out or tempfile.mktemp(prefix="ffc-sweep-", suffix=".jsonl")
    print(f"python: {args.python}; {len(trees)} trees; modes: {modes}; log: {out}", flush=True)
    tallies: list[Tally] = []
    started = time.monotonic()
    with open(out, "a", encoding="utf-8") as log:
        for kind, tree in trees:
            for mode in modes:
                tally = sweep_tree(args.python, kind, tree, mode, args, log)
                tallies.append(tally)
                print(
                    f"{mode:7} {tally.files:6} files {len(tally.findings):4} findings "
                    f"{len(tally.implausible):3} implausible {len(tally.crashes):3} crashes "
                    f"{len(tally.hangs):2} hangs {tally.e999:5} E999 {tally.seconds:8.1f} s  "
                    f"{tree}",
                    flush=True,
                )
                for crash in tally.crashes:
                    detail = crash["skipped"] or crash["stderr"][-300:]
                    print(f"    CRASH in {crash['chunk']}: {detail}")
                for hang in tally.hangs:
                    print(f"    HANG in {hang}")
                for finding in tally.implausible[:20]:
                    print(f"    IMPLAUSIBLE {finding}")
    files = sum(t.files for t in tallies)
    findings = sum(len(t.findings) for t in tallies)
    crashes = sum(len(t.crashes) for t in tallies)
    hangs = sum(len(t.hangs) for t in tallies)
    implausible = sum(len(t.implausible) for t in tallies)
    wall = time.monotonic() - started
    print(
        f"TOTAL {files} files linted ({len(trees)} trees x {len(modes)} modes), {findings} "
        f"findings, {implausible} implausible, {crashes} crashed chunks, {hangs} hangs, "
        f"{wall:.0f} s wall"
    )
    return 1 if crashes or hangs or implausible else 0


if __name__ == "__main__":
    sys.exit(main())
