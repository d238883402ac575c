"""pre-commit end to end: a real ``pre-commit run`` on a throwaway git repository.

The hooks are the ones a user writes, as ``repo: local`` hooks:

- ``flake8``: flake8's own hook definition (``entry: flake8``, ``language: python``,
  ``types: [python]``, ``require_serial: true``) with this checkout as
  ``additional_dependencies``. Users write ``repo: https://github.com/pycqa/flake8`` with
  ``additional_dependencies: [flake8-flask-close]`` instead; GitHub cannot be reached from
  the test machine and the package is not on PyPI yet, so the same definition is written
  locally and the plugin is installed from this checkout's path.
- ``flake8-flask-close-fix``: the hook this repository ships in ``.pre-commit-hooks.yaml``,
  copied field by field, with the same ``additional_dependencies``.

Both hooks share one pre-commit environment (same language and dependencies), built once
per test session in a ``PRE_COMMIT_HOME`` under pytest's tmp folder; pre-commit creates it
with virtualenv and pip installs flake8, werkzeug and libcst from the package index.

What it proves, step by step:

1. ``pre-commit run flake8 --all-files`` fails with FCL101 on the leaking test.
2. With everything committed and only the test file changed and staged, ``pre-commit run
   flake8`` passes that file alone (``app.py``'s own F401, reported in step 1, is absent),
   yet the finding still names the route in ``app.py``: routes come from the whole project.
3. The fixer hook rewrites the staged test (pre-commit fails it: "files were modified");
   once staged, the flake8 hook passes, and so does ``pre-commit run --all-files``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import copy_package_sources
from tests.integration.test_flake8_cli import project_5483

pytest.importorskip(
    "pre_commit", reason="pre-commit is not installed (it is in the test extra: .[test])"
)
yaml = pytest.importorskip("yaml")  # PyYAML: a dependency of pre-commit

ROOT = Path(__file__).resolve().parents[2]
FIX_HOOK_FIELDS = ("id", "name", "entry", "args", "language", "types", "require_serial")

LEAKING_TEST = """\
def test_file(client):
    res = client.get('/file.txt')
    assert res.status_code == 200
"""

ANOTHER_LEAK = """\


def test_file_text(client):
    assert client.get('/file.txt').data == b'hello\\n'
"""


def shipped_fix_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = (h for h in hooks if h["id"] == "flake8-flask-close-fix")
    return {k: hook[k] for k in FIX_HOOK_FIELDS if k in hook}


def pre_commit_config(plugin: Path) -> str:
    flake8_hook = {
        "id": "flake8",
        "name": "flake8",
        "entry": "flake8",
        "language": "python",
        "types": ["python"],
        "require_serial": True,
    }
    hooks = [
        {**hook, "additional_dependencies": [str(plugin)]}
        for hook in (flake8_hook, shipped_fix_hook())
    ]
    return str(yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False))


@pytest.fixture(scope="session")
def plugin_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_package_sources(tmp_path_factory.mktemp("plugin-source"))


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the session: built on the first run, reused after."""
    return tmp_path_factory.mktemp("pre-commit-home")


class Repo:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GIT_", "PRE_COMMIT", "SKIP", "PYTEST_"))
        }
        self.env = {
            **inherited,
            "PRE_COMMIT_HOME": str(home),
            "PRE_COMMIT_COLOR": "never",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.root, env=self.env, check=True, capture_output=True)

    def pre_commit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )


def test_pre_commit_end_to_end(tmp_path: Path, pre_commit_home: Path, plugin_source: Path) -> None:
    root = tmp_path / "project"
    project_5483(root, LEAKING_TEST)
    (root / "setup.cfg").unlink()  # the project root is found from .git
    app = root / "app.py"
    app.write_text("import os\n" + app.read_text(encoding="utf-8"), encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(
        pre_commit_config(plugin_source), encoding="utf-8"
    )
    repo = Repo(root, pre_commit_home)
    repo.git("init", "-q")
    repo.git("add", ".")

    # 1. Every file: the leak in the test, and app.py's own unused import.
    everything = repo.pre_commit("flake8", "--all-files")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 1, out
    assert "tests/test_app.py:2:5: FCL101 response from GET /<path:name>" in out, out
    assert "send_from_directory in app.py:" in out
    assert "app.py:1:1: F401" in out

    # 2. Only the changed test file is passed; its routes still come from app.py.
    repo.git("commit", "-q", "-m", "leaky project")
    test_file = root / "tests" / "test_app.py"
    test_file.write_text(LEAKING_TEST + ANOTHER_LEAK, encoding="utf-8")
    repo.git("add", "tests/test_app.py")
    staged = repo.pre_commit("flake8")
    out = staged.stdout + staged.stderr
    assert staged.returncode == 1, out
    assert "tests/test_app.py:2:5: FCL101" in out, out
    assert "tests/test_app.py:7:5: FCL102" in out, out
    assert "send_from_directory in app.py:" in out
    assert "F401" not in out, "app.py was passed to flake8: " + out

    # 3. The shipped fixer hook rewrites the staged test; then flake8 passes.
    fixed = repo.pre_commit("flake8-flask-close-fix")
    out = fixed.stdout + fixed.stderr
    assert fixed.returncode == 1 and "files were modified by this hook" in out, out
    assert "FCL101 fixed" in out and "FCL102 fixed" in out, out
    assert "with client.get('/file.txt') as res:" in test_file.read_text(encoding="utf-8")
    repo.git("add", "tests/test_app.py")
    clean = repo.pre_commit("flake8")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    app.write_text(app.read_text(encoding="utf-8").replace("import os\n", "", 1))
    repo.git("add", "app.py")
    everything = repo.pre_commit("--all-files")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 0, out
    assert out.count("Passed") == 2, out
