"""Cache coherence: after any sequence of edits, a run that uses the caches (index, head,
facts, stored links, result cache) reports exactly what a run without them reports.

Each seed edits a copy of the example project step by step with random toggles: routes,
URL prefixes, helpers that stop serving files, blueprints unregistered, a static folder
moved, emptied, removed or reached through symlinks, fixtures renamed, requests closed or
not, files touched or deleted. Every edited file gets a new mtime in the past, so the
caches' size-and-mtime trust is what is exercised (a recent file is read again anyway).
After each step the whole project is linted with the project's cache and without any;
now and then an editor's buffer too. A failure names the seed, the step and the toggles
so far: replay them by hand from the list.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
from collections.abc import Callable
from functools import partial
from itertools import count
from pathlib import Path

import pytest

from tests.helpers import run_flake8
from tests.integration.conftest import CACHE, EXAMPLE

STEPS = int(os.environ.get("FFC_COHERENCE_STEPS", "12"))
SEEDS = int(os.environ.get("FFC_COHERENCE_SEEDS", "4"))
"""More of either for a longer campaign: ``FFC_COHERENCE_SEEDS=50 pytest tests/hardening/
test_cache_coherence.py``."""

TEXT_TOGGLES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "downloads prefix": (
        "shop/downloads.py",
        (('url_prefix="/downloads"', 'url_prefix="/files"'),),
    ),
    "report view sends JSON": (
        "shop/downloads.py",
        (("return send_report(name)", 'return {"report": name}'),),
    ),
    "report helper sends JSON": (
        "shop/files.py",
        (
            (
                'return send_file(path, mimetype="text/csv", as_attachment=True)',
                'return {"path": path}',
            ),
        ),
    ),
    "product view sends a file": (
        "shop/api.py",
        (
            ("    return jsonify(product)\n", "    return send_file(__file__)\n"),
            (
                "from flask import Blueprint, abort, jsonify, request",
                "from flask import Blueprint, abort, jsonify, request, send_file",
            ),
        ),
    ),
    "downloads unregistered": (
        "shop/__init__.py",
        (("app.register_blueprint(downloads.bp)", "downloads.bp  # unregistered"),),
    ),
    "static folder moved": (
        "shop/__init__.py",
        (("app = Flask(__name__)", 'app = Flask(__name__, static_folder="assets")'),),
    ),
    "client fixture renamed": (
        "tests/conftest.py",
        (("def client(app):", "def web(app):"),),
    ),
    "stylesheet request misses": (
        "tests/test_static.py",
        (('"/static/style.css"', '"/static/missing.css"'),),
    ),
    "invoice with-block removed": (
        "tests/test_downloads.py",
        (
            (
                '    with client.get("/downloads/invoice-2.txt") as res:\n',
                '    res = client.get("/downloads/invoice-2.txt")\n    if res:\n',
            ),
        ),
    ),
    "invoice unbuffered": (
        "tests/test_downloads.py",
        (('"/downloads/invoice-1.txt", buffered=True)', '"/downloads/invoice-1.txt")'),),
    ),
}

REQUESTS = (
    "/static/style.css",
    "/static/logo.svg",
    "/static/vendor/lib.js",
    "/assets/style.css",
    "/downloads/invoice-1.txt",
    "/files/invoice-1.txt",
    "/downloads/report/sales-2024",
    "/api/products/1",
)


def toggled(text: str, swaps: tuple[tuple[str, str], ...]) -> tuple[str, bool]:
    """The text with a toggle's swaps made one way or back, and whether it was one way."""
    forward = swaps[0][0] in text
    for old, new in swaps:
        text = text.replace(old, new) if forward else text.replace(new, old)
    return text, forward


class Project:
    """The copy being edited; ``mtimes`` hands out a new past mtime per edit."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.mtimes = count(1_000_000_000, 7)

    def age(self, path: Path) -> None:
        stamp = next(self.mtimes)
        os.utime(path, (stamp, stamp), follow_symlinks=False)

    def toggle_text(self, label: str) -> str:
        name, swaps = TEXT_TOGGLES[label]
        path = self.root / name
        text, forward = toggled(path.read_text(), swaps)
        path.write_text(text)
        self.age(path)
        return f"{label} {'on' if forward else 'off'}"

    def static_file(self) -> str:
        css = self.root / "shop" / "static" / "style.css"
        if not css.parent.is_dir():
            return "static file: no folder"
        if css.exists() or css.is_symlink():
            css.unlink()
            return "style.css removed"
        css.write_text("body {}\n")
        self.age(css)
        return "style.css restored"

    def static_folder(self) -> str:
        """The static folder full, empty or missing: another state than now."""
        static = self.root / "shop" / "static"
        now = "missing" if not static.is_dir() else "empty" if not any(static.iterdir()) else "full"
        state = self.rng.choice([s for s in ("full", "empty", "missing") if s != now])
        if static.is_dir():
            shutil.rmtree(static)
        if state == "full":
            shutil.copytree(EXAMPLE / "shop" / "static", static)
        elif state == "empty":
            static.mkdir()
        return f"static folder {state}"

    def vendor_link(self) -> str:
        """A symlinked folder in the static folder, and the file behind it."""
        assets = self.root / "vendor-assets"
        link = self.root / "shop" / "static" / "vendor"
        if not link.parent.is_dir():
            return "vendor: no static folder"
        if self.rng.random() < 0.5:
            lib = assets / "lib.js"
            assets.mkdir(exist_ok=True)
            if lib.exists():
                lib.unlink()
                return "vendor lib.js removed"
            lib.write_text("x")
            self.age(lib)
            return "vendor lib.js added"
        if link.is_symlink():
            link.unlink()
            return "vendor link removed"
        assets.mkdir(exist_ok=True)
        link.symlink_to(assets, target_is_directory=True)
        return "vendor link added"

    def extra_test(self) -> str:
        path = self.root / "tests" / "test_extra.py"
        if path.exists() and self.rng.random() < 0.3:
            path.unlink()
            return "test_extra.py removed"
        path.write_text(extra_test_text(self.rng))
        self.age(path)
        return "test_extra.py rewritten"

    def touch(self) -> str:
        files = sorted(p for p in self.root.rglob("*.py") if CACHE not in p.parts)
        path = self.rng.choice(files)
        self.age(path)
        return f"{path.relative_to(self.root)} touched"


def extra_test_text(rng: random.Random) -> str:
    lines = []
    for i in range(rng.randint(1, 3)):
        url = rng.choice(REQUESTS)
        if rng.random() < 0.5:
            body = f'    with client.get("{url}") as res:\n        assert res.status_code\n'
        else:
            body = f'    res = client.get("{url}")\n    assert res.status_code\n'
        lines.append(f"def test_extra_{i}(client):\n{body}")
    return "\n\n".join(lines)


def editor_buffer(root: Path, rng: random.Random) -> tuple[str, str]:
    """An unsaved buffer: a new test module, a test module with a test added, or a
    module whose routes differ from the file on disk."""
    kind = rng.choice(("new test", "edited test", "edited view"))
    if kind == "new test":
        return "tests/test_buffer.py", extra_test_text(rng)
    if kind == "edited test":
        name = "tests/test_downloads.py"
        return name, (root / name).read_text() + "\n\n" + extra_test_text(rng)
    name, swaps = TEXT_TOGGLES[rng.choice(("downloads prefix", "report view sends JSON"))]
    return name, toggled((root / name).read_text(), swaps)[0]


def edits(project: Project) -> tuple[list[Callable[[], str]], list[int]]:
    """The edits and their weights: what the caches see of the disk beyond Python files
    (static folders) comes up more often."""
    found: list[tuple[Callable[[], str], int]] = [
        (partial(project.toggle_text, label), 1) for label in TEXT_TOGGLES
    ]
    found += [(project.static_file, 2), (project.static_folder, 3)]
    found += [(project.extra_test, 2), (project.touch, 1)]
    if sys.platform != "win32":
        found.append((project.vendor_link, 3))
    return [edit for edit, _ in found], [weight for _, weight in found]


def findings(root: Path, *args: str, stdin: str | None = None) -> list[str]:
    result = run_flake8(root, "--select=FCL", *args, stdin=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    return sorted(line for line in result.stdout.splitlines() if " FCL" in line)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_caches_answer_as_a_run_without_them(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "flask_shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(CACHE, "__pycache__"))
    rng = random.Random(seed)
    project = Project(root, rng)
    choices, weights = edits(project)
    done: list[str] = []
    for step in range(STEPS):
        done += [edit() for edit in rng.choices(choices, weights, k=rng.randint(1, 2))]
        where = f"seed {seed}, after step {step}: " + "; ".join(done)
        jobs = rng.choice(("1", "2"))
        cached = findings(root, f"--jobs={jobs}", ".")
        assert cached == findings(root, "--flask-close-no-cache", "."), where
        if step % 3 == 2:
            name, buffer = editor_buffer(root, rng)
            editor = ("-", "--stdin-display-name", name)
            assert findings(root, *editor, stdin=buffer) == findings(
                root, "--flask-close-no-cache", *editor, stdin=buffer
            ), f"{where}; buffer:\n{buffer}"
