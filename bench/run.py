"""Benchmark flake8-flask-close against bare flake8 and flake8-bugbear.

    python bench/run.py [--sizes 100,1000,10000] [--dir PATH ...] [--repeat 5] [--jobs 2]

For every input tree (generated Flask projects of the given sizes, and any folder named
with --dir) it runs, round-robin for --repeat rounds after one untimed warm-up round:

- ``bare``: flake8 alone (pyflakes + pycodestyle; flake8's own mccabe stays off);
- ``plugin-cold``: flake8 + this plugin, the index cache folder deleted before the run;
- ``plugin-warm``: the same, with the cache the previous plugin run left;
- ``bugbear``: flake8 + flake8-bugbear, as a reference for what a plugin costs.

Each run is ``flake8 --jobs J .`` in the tree's folder (so the tree's own flake8
configuration applies), output to /dev/null. Wall time is ``time.perf_counter`` around the
child; CPU time and peak RSS come from ``os.wait4`` on the child: user + system time of the
child and the workers it reaped, and ru_maxrss, the peak RSS of the largest single process
among them (not a sum over processes).

With ``--fixed``, each generated project is measured a second time as a copy that
``flake8-flask-close fix`` has mended (``<project>-fixed``): what a project pays once its
findings are fixed, as CI keeps them.

On generated projects it also measures the editor case, ``flake8 - --stdin-display-name
tests/.../test_x.py`` with the file on stdin: plugin with a warm cache against bare flake8.

The three flake8 installations are virtualenvs under bench/.venvs/ made with this script's
Python and the same flake8 version; the plugin is installed (not editable) from a copy of
the working tree, and reinstalled whenever its source changes. Results go to the terminal
and, as JSON, to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
VENVS = os.path.join(BENCH, ".venvs")
WORK = os.path.join(BENCH, ".work")
RESULTS = os.path.join(BENCH, "results")
PLUGIN_SOURCE_FILES = ("pyproject.toml", "README.md", "LICENSE", "setup.cfg", "setup.py")
PLUGIN_PACKAGE = "flake8_flask_close"
PIP_TIMEOUT = 900.0
FIX_TIMEOUT = 3600.0
MIB = 1024.0  # ru_maxrss is in KiB on Linux

TARGETS = {
    "cold_ratio": 1.10,
    "warm_ratio": 1.03,
    "editor_ms": 30.0,
    "rss_mib": 30.0,
}
"""From the issue: wall over bare flake8 with a cold / warm cache, the editor case's extra
milliseconds, and the peak RSS over bare flake8."""


# ---------------------------------------------------------------- small helpers
def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checked(
    cmd: Sequence[str], timeout: float, cwd: Optional[str] = None, ok: tuple[int, ...] = (0,)
) -> str:
    """Run a setup command; its output, or exit with what went wrong (an exit code not in
    ``ok``)."""
    try:
        done = subprocess.run(
            list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        sys.exit(f"bench: timed out after {timeout:.0f}s: {' '.join(cmd)}")
    if done.returncode not in ok:
        sys.exit(
            f"bench: failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def median(values: Iterable[float]) -> float:
    data = list(values)
    return statistics.median(data) if data else float("nan")


def tree_stats(root: str) -> tuple[int, int]:
    """(.py files, their bytes) below root, skipping the folders flake8 skips by default."""
    skip = {".git", "__pycache__", ".tox", ".nox", ".eggs", ".svn", ".hg", ".bzr", "CVS"}
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.endswith(".egg")]
        for name in filenames:
            if name.endswith(".py"):
                files += 1
                with contextlib.suppress(OSError):
                    size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


# ---------------------------------------------------------------- measuring one run
@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kib: int
    returncode: int
    stderr: str = ""


class RunFailed(RuntimeError):
    pass


def measure(
    cmd: Sequence[str],
    cwd: str,
    timeout: float,
    stdin_path: Optional[str] = None,
    stdout_path: Optional[str] = None,
    env: Optional[dict[str, str]] = None,
) -> Sample:
    """Run cmd once (in ``env``, or this process's environment); wall time, CPU time and
    peak RSS of the child (and of the workers it reaped), through ``os.wait4``. The whole
    process group is killed after ``timeout``. Output goes to /dev/null, or to
    ``stdout_path``."""
    with contextlib.ExitStack() as stack:
        err = stack.enter_context(tempfile.TemporaryFile())
        stdin = stack.enter_context(open(stdin_path, "rb")) if stdin_path else subprocess.DEVNULL
        out = stack.enter_context(open(stdout_path, "wb")) if stdout_path else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdin=stdin,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        # the group may still hold stray grandchildren: never leave them running
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if killed.is_set():
        raise RunFailed(f"timed out after {timeout:.0f}s: {' '.join(cmd)} (in {cwd})")
    if proc.returncode not in (0, 1):
        raise RunFailed(f"exit {proc.returncode}: {' '.join(cmd)} (in {cwd})\n{stderr[-2000:]}")
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_kib=usage.ru_maxrss,
        returncode=proc.returncode,
        stderr=stderr,
    )


# ---------------------------------------------------------------- the three installations
@dataclass
class Venvs:
    bare: str
    plugin: str
    bugbear: str
    flake8_version: str
    bugbear_version: str
    plugin_version: str
    plugin_source_hash: str
    cache_option: bool
    """Whether the installed plugin has --flask-close-cache-dir."""
    stale: bool = False
    """--keep-plugin kept an installed plugin older than the working tree."""

    def flake8(self, which: str) -> str:
        return os.path.join(getattr(self, which), "bin", "flake8")


def plugin_source_files() -> list[str]:
    """The files that make up the installed plugin, relative to the repository."""
    out = [name for name in PLUGIN_SOURCE_FILES if os.path.isfile(os.path.join(REPO, name))]
    for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, PLUGIN_PACKAGE)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if not name.endswith((".pyc", ".pyo")):
                out.append(os.path.relpath(os.path.join(dirpath, name), REPO))
    return out


def plugin_source_hash() -> str:
    digest = hashlib.sha256()
    for rel in plugin_source_files():
        digest.update(rel.encode() + b"\0")
        with open(os.path.join(REPO, rel), "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:16]


def copy_plugin_source(dest: str) -> None:
    """A copy of the working tree's plugin (uncommitted changes included): pip builds it
    there, so building leaves nothing behind in the repository."""
    shutil.rmtree(dest, ignore_errors=True)
    for rel in plugin_source_files():
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(REPO, rel), target)


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def pip_install(venv: str, *args: str) -> None:
    run_checked(
        [venv_python(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *args],
        timeout=PIP_TIMEOUT,
    )  # fmt: skip


def installed_version(venv: str, dist: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    return run_checked([venv_python(venv), "-c", code], timeout=120).strip()


def make_venv(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    run_checked([sys.executable, "-m", "venv", path], timeout=300)


def read_marker(venv: str) -> dict[str, Any]:
    try:
        with open(os.path.join(venv, "bench-marker.json"), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_marker(venv: str, data: dict[str, Any]) -> None:
    with open(os.path.join(venv, "bench-marker.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)


def ensure_venvs(rebuild: bool, flake8_spec: str, keep_plugin: bool = False) -> Venvs:
    """bench/.venvs/{bare,plugin,bugbear}: made once and reused; the plugin is reinstalled
    when the working tree's plugin source changed."""
    os.makedirs(VENVS, exist_ok=True)
    python = os.path.realpath(sys.executable)
    paths = {name: os.path.join(VENVS, name) for name in ("bare", "plugin", "bugbear")}

    bare = paths["bare"]
    marker = read_marker(bare)
    if rebuild or marker.get("python") != python or marker.get("spec") != flake8_spec:
        log(f"bench: creating {bare} ({flake8_spec})")
        make_venv(bare)
        pip_install(bare, flake8_spec)
        write_marker(bare, {"python": python, "spec": flake8_spec})
    version = installed_version(bare, "flake8")
    pinned = f"flake8=={version}"

    bugbear = paths["bugbear"]
    marker = read_marker(bugbear)
    if rebuild or marker.get("python") != python or marker.get("flake8") != version:
        log(f"bench: creating {bugbear} ({pinned} + flake8-bugbear)")
        make_venv(bugbear)
        pip_install(bugbear, pinned, "flake8-bugbear")
        write_marker(bugbear, {"python": python, "flake8": version})

    plugin = paths["plugin"]
    source_hash = plugin_source_hash()
    marker = read_marker(plugin)
    fresh = rebuild or marker.get("python") != python or marker.get("flake8") != version
    stale = False
    if keep_plugin and not fresh and marker.get("source"):
        if marker["source"] != source_hash:
            log("bench: --keep-plugin: benchmarking the plugin installed earlier, not the tree")
            stale = True
        source_hash = marker["source"]
    elif fresh or marker.get("source") != source_hash:
        src = os.path.join(VENVS, "plugin-src")
        copy_plugin_source(src)
        if fresh:
            log(f"bench: creating {plugin} ({pinned} + this plugin from {REPO})")
            make_venv(plugin)
            pip_install(plugin, pinned, src)
        else:
            log(f"bench: plugin source changed: reinstalling it into {plugin}")
            pip_install(plugin, "--force-reinstall", "--no-deps", src)
        write_marker(plugin, {"python": python, "flake8": version, "source": source_hash})
        shutil.rmtree(src, ignore_errors=True)

    for name in ("bugbear", "plugin"):
        other = installed_version(paths[name], "flake8")
        if other != version:
            sys.exit(f"bench: {name} has flake8 {other}, bare has {version}: use --rebuild")
    help_text = run_checked([os.path.join(plugin, "bin", "flake8"), "--help"], timeout=120)
    return Venvs(
        bare=bare,
        plugin=plugin,
        bugbear=bugbear,
        flake8_version=version,
        bugbear_version=installed_version(bugbear, "flake8-bugbear"),
        plugin_version=installed_version(plugin, "flake8-flask-close"),
        plugin_source_hash=source_hash,
        cache_option="--flask-close-cache-dir" in help_text,
        stale=stale,
    )


# ---------------------------------------------------------------- inputs
@dataclass
class Tree:
    label: str
    path: str
    generated: bool
    py_files: int = 0
    py_bytes: int = 0
    editor_file: Optional[str] = None
    """For generated projects: the test file of the editor case, relative to the tree."""
    fixed: bool = False
    """A generated project after ``flake8-flask-close fix`` (``--fixed``)."""


STAMP_FILE = ".bench-generated"
"""In a made project: what it was made from (the digests of its makers)."""


def read_stamp(path: str) -> Optional[str]:
    try:
        with open(os.path.join(path, STAMP_FILE), encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return None


def write_stamp(path: str, stamp: str) -> None:
    with open(os.path.join(path, STAMP_FILE), "w", encoding="utf-8") as fh:
        fh.write(stamp + "\n")


def generated_tree(size: int, seed: int) -> Tree:
    """bench/.work/gen-<size>-s<seed>, made by generate.py, remade when generate.py changes."""
    sys.path.insert(0, BENCH)
    try:
        import generate
    finally:
        sys.path.remove(BENCH)
    with open(os.path.join(BENCH, "generate.py"), "rb") as fh:
        stamp = hashlib.sha256(fh.read()).hexdigest()[:16]
    path = os.path.join(WORK, f"gen-{size}-s{seed}")
    if read_stamp(path) != stamp:
        log(f"bench: generating a {size}-file project in {path}")
        shutil.rmtree(path, ignore_errors=True)
        generate.generate(path, size, seed)
        write_stamp(path, stamp)
    tree = Tree(label=f"generated-{size}", path=path, generated=True)
    tree.editor_file = pick_editor_file(path)
    return tree


def fixed_tree(tree: Tree, venvs: Venvs) -> Tree:
    """A copy of a generated project with ``flake8-flask-close fix`` run over it: its
    findings mended, as a project keeps them once its CI runs the plugin (flake8 then
    maps no ``# noqa`` for them). <project>-fixed, remade when the project or the
    plugin changes."""
    stamp = f"{read_stamp(tree.path)} {venvs.plugin_source_hash}"
    path = f"{tree.path}-fixed"
    if read_stamp(path) != stamp:
        log(f"bench: fixing a copy of {tree.path} in {path}")
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(tree.path, path, ignore=shutil.ignore_patterns(".flake8_flask_close_cache"))
        fixer = os.path.join(venvs.plugin, "bin", "flake8-flask-close")
        # exit 1: some findings left (they show in the findings line): measured all the same
        run_checked([fixer, "fix", "--no-cache", "."], timeout=FIX_TIMEOUT, cwd=path, ok=(0, 1))
        write_stamp(path, stamp)
    fixed = Tree(label=f"{tree.label}-fixed", path=path, generated=True, fixed=True)
    fixed.editor_file = pick_editor_file(path)
    return fixed


def pick_editor_file(root: str) -> Optional[str]:
    """The first test module (in sorted order) that makes requests with the client."""
    tests = os.path.join(root, "tests")
    for dirpath, dirnames, filenames in sorted(os.walk(tests)):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith("test_") and name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as fh:
                    if "client.get(" in fh.read():
                        return os.path.relpath(path, root).replace(os.sep, "/")
    return None


def cache_dir_for(tree: Tree) -> str:
    key = hashlib.sha256(tree.path.encode()).hexdigest()[:10]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in tree.label)
    return os.path.join(WORK, "cache", f"{name}-{key}")


# ---------------------------------------------------------------- configurations
@dataclass
class Config:
    name: str
    venv: str
    extra: tuple[str, ...] = ()
    cold: bool = False
    """Delete the cache folder before each run."""


def configs_for(venvs: Venvs, cache_dir: str) -> list[Config]:
    out = [Config("bare", "bare")]
    if venvs.cache_option:
        cache = ("--flask-close-cache-dir", cache_dir)
        out += [Config("plugin-cold", "plugin", cache, cold=True)]
        out += [Config("plugin-warm", "plugin", cache)]
    else:
        out += [Config("plugin", "plugin")]
    out += [Config("bugbear", "bugbear")]
    return out


@dataclass
class ConfigResult:
    name: str
    samples: list[Sample] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    """What the untimed warm-up run reported, per code prefix."""

    @property
    def wall(self) -> float:
        return median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return median(s.cpu for s in self.samples)

    @property
    def rss_mib(self) -> float:
        return max((s.rss_kib for s in self.samples), default=0) / MIB


def run_once(
    venvs: Venvs, config: Config, args: Sequence[str], tree: Tree, cache_dir: str,
    timeout: float, stdin_path: Optional[str] = None, stdout_path: Optional[str] = None,
) -> Sample:  # fmt: skip
    if config.cold:
        shutil.rmtree(cache_dir, ignore_errors=True)
    cmd = [venvs.flake8(config.venv), *args, *config.extra]
    return measure(cmd, tree.path, timeout, stdin_path, stdout_path)


def count_findings(path: str) -> dict[str, int]:
    """Reported lines per code prefix (``E``, ``F``, ``B``, ``FCL``...) of flake8 output."""
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split(": ", 1)
            if len(parts) < 2:
                continue
            code = parts[1].split(" ", 1)[0]
            prefix = code.rstrip("0123456789") or "?"
            counts[prefix] = counts.get(prefix, 0) + 1
    return dict(sorted(counts.items()))


def bench_tree(
    venvs: Venvs, tree: Tree, repeat: int, jobs: int, timeout: float
) -> dict[str, ConfigResult]:
    cache_dir = cache_dir_for(tree)
    configs = configs_for(venvs, cache_dir)
    results = {c.name: ConfigResult(c.name) for c in configs}
    args = ["--jobs", str(jobs), "."]
    log(f"bench: {tree.label}: warm-up round")
    with tempfile.TemporaryDirectory() as tmp:
        for config in configs:  # page cache, .pyc files, a warm index cache, the findings
            output = os.path.join(tmp, f"{config.name}.txt")
            run_once(venvs, config, args, tree, cache_dir, timeout, stdout_path=output)
            results[config.name].findings = count_findings(output)
    for round_no in range(repeat):
        shift = round_no % len(configs)
        order = configs[shift:] + configs[:shift]  # nobody always runs first
        for config in order:
            sample = run_once(venvs, config, args, tree, cache_dir, timeout)
            results[config.name].samples.append(sample)
            log(
                f"bench: {tree.label} round {round_no + 1}/{repeat} {config.name:12} "
                f"{sample.wall:8.2f}s wall {sample.cpu:8.2f}s cpu "
                f"{sample.rss_kib / MIB:6.1f} MiB"
            )
    return results


@dataclass
class EditorResult:
    file: str
    runs: int
    bare_ms: list[float]
    plugin_ms: list[float]
    plugin_label: str
    cold_ms: list[float] = field(default_factory=list)
    edited_ms: list[float] = field(default_factory=list)
    """Warm index, but a buffer that differs from the file on disk (as while typing):
    nothing for the result cache, the file is analysed."""

    @property
    def delta_ms(self) -> float:
        return median(self.plugin_ms) - median(self.bare_ms)

    @property
    def paired_delta_ms(self) -> float:
        return median(p - b for p, b in zip(self.plugin_ms, self.bare_ms))


def bench_editor(venvs: Venvs, tree: Tree, repeat: int, timeout: float) -> Optional[EditorResult]:
    """``flake8 - --stdin-display-name FILE`` with the file on stdin, as editors run it."""
    if tree.editor_file is None:
        return None
    cache_dir = cache_dir_for(tree)
    stdin_path = os.path.join(tree.path, tree.editor_file)
    args = ["-", "--stdin-display-name", tree.editor_file]
    configs = configs_for(venvs, cache_dir)
    bare = configs[0]
    warm = next(c for c in configs if c.name in ("plugin-warm", "plugin"))
    cold = next((c for c in configs if c.name == "plugin-cold"), None)
    for config in (bare, warm):  # warm-up (and a warm cache)
        run_once(venvs, config, args, tree, cache_dir, timeout, stdin_path)
    result = EditorResult(tree.editor_file, repeat, [], [], warm.name)
    for i in range(repeat):
        pair = (bare, warm) if i % 2 == 0 else (warm, bare)
        for config in pair:
            sample = run_once(venvs, config, args, tree, cache_dir, timeout, stdin_path)
            target = result.bare_ms if config is bare else result.plugin_ms
            target.append(sample.wall * 1000)
    if cold is not None:  # the first lint after a checkout: a few runs are enough
        for _ in range(min(repeat, 5)):
            sample = run_once(venvs, cold, args, tree, cache_dir, timeout, stdin_path)
            result.cold_ms.append(sample.wall * 1000)
        run_once(venvs, warm, args, tree, cache_dir, timeout, stdin_path)  # leave it warm
    with open(stdin_path, encoding="utf-8") as fh:
        original = fh.read()
    with tempfile.TemporaryDirectory() as scratch:
        edited_path = os.path.join(scratch, "buffer.py")
        for i in range(min(repeat, 5)):
            with open(edited_path, "w", encoding="utf-8") as fh:
                fh.write(f"{original}\n# unsaved edit {i} {time.time()}\n")
            sample = run_once(venvs, warm, args, tree, cache_dir, timeout, edited_path)
            result.edited_ms.append(sample.wall * 1000)
    log(
        f"bench: {tree.label} editor: bare {median(result.bare_ms):.0f} ms, "
        f"{warm.name} {median(result.plugin_ms):.0f} ms"
    )
    return result


# ---------------------------------------------------------------- reporting
def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


WITHIN_NOISE = "within the noise"
"""Said of a verdict its rounds fall on both sides of (``_ratio_check``)."""


def _ratio_check(label: str, res: ConfigResult, bare: ConfigResult, target: float) -> str:
    """The ratio of the medians against ``target``, wall and CPU; flagged when the rounds'
    own ratios (each run against bare flake8's run of the same round) fall on both sides
    of the target: that run can't tell, counting instructions can (instructions.py)."""
    checks = []
    for metric in ("wall", "cpu"):
        ratio = getattr(res, metric) / getattr(bare, metric)
        check = f"{metric} {ratio:.3f}x {verdict(ratio <= target)}"
        rounds = [
            getattr(run, metric) / getattr(base, metric)
            for run, base in zip(res.samples, bare.samples)
        ]
        if len(rounds) > 1 and min(rounds) <= target < max(rounds):
            check += f" (rounds {min(rounds):.3f}x-{max(rounds):.3f}x: {WITHIN_NOISE})"
        checks.append(check)
    return f"{label} <= {target:.2f}x: " + ", ".join(checks)


def tree_report(
    tree: Tree, results: dict[str, ConfigResult], editor: Optional[EditorResult], jobs: int,
    repeat: int, load: Optional[tuple[float, float]] = None,
) -> list[str]:  # fmt: skip
    bare = results["bare"]
    lines = [
        f"{tree.label}: {tree.path}",
        f"  {tree.py_files} .py files, {tree.py_bytes / 1e6:.1f} MB; flake8 --jobs {jobs}; "
        f"median of {repeat} rounds (after 1 warm-up round)",
        f"  {'config':12} {'wall s':>9} {'x bare':>7} {'cpu s':>9} {'x bare':>7} "
        f"{'peak RSS MiB':>13} {'vs bare':>8}",
    ]
    for res in results.values():
        lines.append(
            f"  {res.name:12} {res.wall:9.2f} {res.wall / bare.wall:7.3f} {res.cpu:9.2f} "
            f"{res.cpu / bare.cpu:7.3f} {res.rss_mib:13.1f} {res.rss_mib - bare.rss_mib:+8.1f}"
        )
    found = ", ".join(
        f"{name} " + (" ".join(f"{k}:{v}" for k, v in res.findings.items()) or "none")
        for name, res in results.items()
    )
    lines.append(f"  findings (warm-up run): {found}")
    walls = [s.wall for s in bare.samples]
    noise = f"  noise: bare wall {min(walls):.2f}-{max(walls):.2f} s over the rounds"
    if load is not None:
        noise += f"; 1-min load average {load[0]:.1f} before, {load[1]:.1f} after"
    lines.append(noise)
    checks = []
    for name, key in (("plugin-cold", "cold_ratio"), ("plugin-warm", "warm_ratio")):
        if name in results:
            checks.append(_ratio_check(name, results[name], bare, TARGETS[key]))
    if "plugin" in results:
        checks.append(
            _ratio_check("plugin (no cache option)", results["plugin"], bare, TARGETS["cold_ratio"])
        )
    rss = max(r.rss_mib for n, r in results.items() if n.startswith("plugin")) - bare.rss_mib
    checks.append(
        f"RSS {rss:+.1f} MiB <= {TARGETS['rss_mib']:.0f}: {verdict(rss <= TARGETS['rss_mib'])}"
    )
    lines += [f"  target {check}" for check in checks]
    if any(WITHIN_NOISE in check for check in checks):
        lines.append(
            "  (some rounds met a target and others didn't: count instructions for a verdict, "
            "bench/instructions.py)"
        )
    if editor is not None:
        ok = editor.delta_ms <= TARGETS["editor_ms"]
        lines += [
            f"  editor: flake8 - --stdin-display-name {editor.file} ({editor.runs} runs each):",
            f"    bare {median(editor.bare_ms):.0f} ms, {editor.plugin_label} "
            f"{median(editor.plugin_ms):.0f} ms: {editor.delta_ms:+.0f} ms "
            f"(paired median {editor.paired_delta_ms:+.0f} ms) "
            f"<= {TARGETS['editor_ms']:.0f} ms: {verdict(ok)}",
        ]
        if editor.cold_ms:
            lines.append(
                f"    plugin-cold ({len(editor.cold_ms)} runs): {median(editor.cold_ms):.0f} ms"
            )
        if editor.edited_ms:
            lines.append(
                f"    {editor.plugin_label}, buffer edited (not in the result cache; "
                f"{len(editor.edited_ms)} runs): {median(editor.edited_ms):.0f} ms"
            )
    stray = sorted({n for n, r in results.items() for s in r.samples if s.stderr.strip()})
    if stray:
        lines.append(f"  note: stderr output from: {', '.join(stray)} (see the JSON)")
    return lines


def scaling_report(
    rows: list[tuple[Tree, dict[str, ConfigResult]]],
) -> list[str]:
    """Plugin cost per 1,000 files across the generated sizes: flat = linear."""
    generated = [(t, r) for t, r in rows if t.generated and not t.fixed]
    if len(generated) < 2:
        return []
    lines = ["scaling (generated projects): plugin wall over bare (and per 1,000 .py files)"]
    for name in ("plugin-cold", "plugin-warm", "plugin"):
        cells = []
        for tree, res in generated:
            if name in res:
                extra = res[name].wall - res["bare"].wall
                per_k = extra * 1000 / tree.py_files
                cells.append(f"{tree.py_files} files: {extra:+.2f} s ({per_k:+.2f} s)")
        if cells:
            lines.append(f"  {name:12} " + ", ".join(cells))
    return lines


def tree_record(
    tree: Tree, results: dict[str, ConfigResult], editor: Optional[EditorResult],
    load: tuple[float, float],
) -> dict[str, Any]:  # fmt: skip
    """One tree's entry of the JSON results (every sample kept)."""
    bare = results["bare"]
    return {
        **asdict(tree),
        "load_average_before": load[0],
        "load_average_after": load[1],
        "configs": {
            name: {
                "median_wall_s": res.wall,
                "ratio_wall": res.wall / bare.wall,
                "median_cpu_s": res.cpu,
                "ratio_cpu": res.cpu / bare.cpu,
                "peak_rss_mib": res.rss_mib,
                "delta_rss_mib": res.rss_mib - bare.rss_mib,
                "findings": res.findings,
                "samples": [{**asdict(s), "stderr": s.stderr[-2000:]} for s in res.samples],
            }
            for name, res in results.items()
        },
        "editor": None
        if editor is None
        else {
            **asdict(editor),
            "delta_ms": editor.delta_ms,
            "paired_delta_ms": editor.paired_delta_ms,
        },
    }


def from_record(
    record: dict[str, Any],
) -> tuple[Tree, dict[str, ConfigResult], Optional[EditorResult], tuple[float, float]]:
    """What ``tree_record`` saved, as objects again."""
    tree = Tree(**{k: record[k] for k in ("label", "path", "generated", "py_files", "py_bytes",
                                          "editor_file")},
                fixed=record.get("fixed", False))  # fmt: skip
    results = {
        name: ConfigResult(
            name, [Sample(**sample) for sample in entry["samples"]], entry.get("findings", {})
        )
        for name, entry in record["configs"].items()
    }
    editor = None
    if record.get("editor"):
        fields = ("file", "runs", "bare_ms", "plugin_ms", "plugin_label", "cold_ms")
        editor = EditorResult(**{k: record["editor"][k] for k in fields})
        editor.edited_ms = list(record["editor"].get("edited_ms", []))
    before, after = record["load_average_before"], record["load_average_after"]
    load = (before[0] if isinstance(before, list) else before,
            after[0] if isinstance(after, list) else after)  # fmt: skip
    return tree, results, editor, load


def render(data: dict[str, Any]) -> list[str]:
    """The whole report of a run, from its JSON data."""
    machine = data["machine"]
    started = data["started"].replace("T", " ")
    stale = data.get("plugin_older_than_tree", False)
    lines = [
        f"flake8-flask-close benchmark, {started}, {machine['host']}",
        f"  {machine.get('cpu_model')}, {machine['cpu_count']} CPUs; Python {machine['python']}; "
        f"flake8 {data['flake8']}, flake8-bugbear {data['flake8_bugbear']}, "
        f"flake8-flask-close {data['flake8_flask_close']}",
        f"  plugin source {data['plugin_source_hash']}, commit "
        f"{(data['git']['commit'] or '?')[:10]}"
        f"{' + uncommitted changes' if data['git']['plugin_source_dirty'] else ''}"
        f"{' (installed earlier: the tree has changed since)' if stale else ''}",
        f"  command: {data['command']}",
        "",
    ]
    rows = []
    for record in data["trees"]:
        if "error" in record:
            lines += [f"{record['label']}: FAILED: {record['error']}", ""]
            continue
        tree, results, editor, load = from_record(record)
        rows.append((tree, results))
        lines += [*tree_report(tree, results, editor, data["jobs"], data["repeat"], load), ""]
    return lines + scaling_report(rows)


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": os.path.realpath(sys.executable),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            models = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        info["cpu_model"] = models[0] if models else None
    with contextlib.suppress(OSError):
        with open("/proc/meminfo", encoding="utf-8") as fh:
            total = next(ln for ln in fh if ln.startswith("MemTotal"))
        info["mem_total_kib"] = int(total.split()[1])
    return info


def git_state() -> dict[str, Any]:
    def git(*args: str) -> Optional[str]:
        try:
            done = subprocess.run(
                ["git", "-C", REPO, *args], capture_output=True, text=True, timeout=30,
                check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--", PLUGIN_PACKAGE, "pyproject.toml")
    return {"commit": git("rev-parse", "HEAD"), "plugin_source_dirty": bool(status)}


# ---------------------------------------------------------------- main
def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark flake8-flask-close against bare flake8 and flake8-bugbear."
    )
    parser.add_argument(
        "--sizes", default="100,1000,10000",
        help="comma-separated sizes of generated projects, in .py files ('' for none)",
    )  # fmt: skip
    parser.add_argument("--dir", action="append", default=[], metavar="PATH",
                        help="also benchmark this folder (repeatable)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds per tree")
    parser.add_argument("--jobs", type=int, default=2, help="flake8 --jobs")
    parser.add_argument(
        "--editor-repeat",
        type=int,
        default=20,
        help="runs per configuration of the editor (stdin) case; 0: skip it",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated projects")
    parser.add_argument(
        "--fixed", action="store_true",
        help="also benchmark each generated project after 'flake8-flask-close fix'",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds after which one flake8 run is killed")  # fmt: skip
    parser.add_argument(
        "--flake8",
        default="flake8",
        metavar="SPEC",
        help="pip requirement for flake8 in every venv (e.g. flake8==7.1.1)",
    )
    parser.add_argument(
        "--show", metavar="FILE", help="print the report of a saved JSON result again, and exit"
    )
    parser.add_argument("--rebuild", action="store_true", help="recreate bench/.venvs/")
    parser.add_argument(
        "--keep-plugin",
        action="store_true",
        help="don't reinstall the plugin when the working tree changed",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="JSON results file (default: bench/results/<date>-<host>.json)",
    )
    args = parser.parse_args(argv)
    if args.show:
        return args
    if args.repeat < 1 or args.jobs < 1 or args.editor_repeat < 0:
        parser.error("--repeat and --jobs must be at least 1, --editor-repeat at least 0")
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    for path in args.dir:
        if not os.path.isdir(path):
            parser.error(f"--dir: not a folder: {path}")
    if not args.size_list and not args.dir:
        parser.error("nothing to benchmark: give --sizes or --dir")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.show:
        with open(args.show, encoding="utf-8") as fh:
            print("\n".join(render(json.load(fh))))
        return 0
    started = datetime.datetime.now()
    venvs = ensure_venvs(args.rebuild, args.flake8, args.keep_plugin)
    if not venvs.cache_option:
        log(
            "bench: the installed plugin has no --flask-close-cache-dir: cold and warm can't "
            "be told apart; measuring one 'plugin' configuration"
        )
    trees = [generated_tree(size, args.seed) for size in args.size_list]
    if args.fixed:
        trees += [fixed_tree(tree, venvs) for tree in trees]
    trees += [
        Tree(label=os.path.abspath(p), path=os.path.abspath(p), generated=False) for p in args.dir
    ]
    data: dict[str, Any] = {
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_state(),
        "flake8": venvs.flake8_version,
        "flake8_bugbear": venvs.bugbear_version,
        "flake8_flask_close": venvs.plugin_version,
        "plugin_source_hash": venvs.plugin_source_hash,
        "plugin_older_than_tree": venvs.stale,
        "cache_option": venvs.cache_option,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "targets": TARGETS,
        "trees": [],
    }
    for tree in trees:
        tree.py_files, tree.py_bytes = tree_stats(tree.path)
        load_before = os.getloadavg()[0]
        try:
            results = bench_tree(venvs, tree, args.repeat, args.jobs, args.timeout)
            editor = (
                bench_editor(venvs, tree, args.editor_repeat, args.timeout)
                if tree.generated and args.editor_repeat
                else None
            )
        except RunFailed as exc:
            log(f"bench: {tree.label}: {exc}")
            data["trees"].append({"label": tree.label, "path": tree.path, "error": str(exc)})
            continue
        load = (load_before, os.getloadavg()[0])
        log("\n".join(tree_report(tree, results, editor, args.jobs, args.repeat, load)))
        data["trees"].append(tree_record(tree, results, editor, load))
    report = render(data)
    print("\n" + "\n".join(report), flush=True)
    data["report"] = report
    data["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    output = args.output or os.path.join(
        RESULTS, f"{started:%Y%m%d-%H%M%S}-{platform.node() or 'host'}.json"
    )
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
    log(f"bench: results written to {output}")
    return 1 if any("error" in t for t in data["trees"]) else 0


if __name__ == "__main__":
    sys.exit(main())
