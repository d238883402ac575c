"""Where the plugin's time goes, measured in one process on pre-parsed trees.

    python bench/parts.py TREE [--rounds 5]

Runs with the Python it is started with (the plugin must be importable: ``bench/.venvs/
plugin/bin/python bench/parts.py bench/.work/gen-1000-s0``). Every ``.py`` file of TREE is
read and parsed first; then, with a fresh cache folder, the early index build flake8 makes
before its workers start, and the plugin over every file as flake8 would call it (test and
production files apart); then the same again over the cache that left (the warm case),
``--rounds`` times, median shown. CPU time of this process only: the early build is made
in this process too (``--jobs 1``), so it is the sum of what helper processes share out.

Unlike ``run.py`` it measures no flake8 run and no other plugin: its figures are the
plugin's own, without the machine's drift between processes.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence

from flake8_flask_close import plugin
from flake8_flask_close.testcode.files import is_test_file

Checked = tuple[str, list[str], ast.Module, bool]
"""A file as flake8 hands it to the plugin: name, lines, tree; and whether it is a test."""


def _files(tree: str, test_patterns: tuple[str, ...]) -> list[Checked]:
    found: list[Checked] = []
    for folder, dirnames, filenames in os.walk("."):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    source = fh.read()
                parsed = ast.parse(source)
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
                continue
            test = is_test_file(path, test_patterns)
            found.append((path, source.splitlines(keepends=True), parsed, test))
    return found


def _one_pass(files: Sequence[Checked]) -> tuple[float, float, float]:
    """CPU seconds of the early build, of the test files, of the other files."""
    plugin.forget_previous_run()
    start = time.process_time()
    plugin.Plugin._build_index_early(argparse.Namespace(filenames=["."], jobs=None))
    build = time.process_time() - start
    spent = {True: 0.0, False: 0.0}
    for path, lines, parsed, test in files:
        start = time.process_time()
        list(plugin.Plugin(parsed, path, lines).run())
        spent[test] += time.process_time() - start
    return build, spent[True], spent[False]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", help="the project to measure")
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds (median shown)")
    args = parser.parse_args(argv)
    os.chdir(args.tree)
    cache = tempfile.mkdtemp(prefix="ffc-parts-")
    try:
        plugin.Plugin.config = plugin.Plugin.config._replace(cache_dir=cache)
        files = _files(args.tree, plugin.Plugin.config.test_patterns)
        tests = sum(1 for f in files if f[3])
        print(f"{args.tree}: {len(files)} files, {tests} of them test files")
        cold = _one_pass(files)
        warm = [_one_pass(files) for _ in range(args.rounds)]
        for label, (build, test, other) in (
            ("cold", cold),
            ("warm", tuple(statistics.median(w[i] for w in warm) for i in range(3))),
        ):
            print(
                f"  {label}: early build {build:.3f} s, test files {test:.3f} s, "
                f"other files {other:.3f} s of CPU"
            )
    finally:
        plugin.forget_previous_run()
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
