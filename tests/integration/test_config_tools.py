"""Configuration through other tools, with the snippets of docs/recipes.md:

- ``[tool.flake8]`` in pyproject.toml through Flake8-pyproject: our options and
  ``extend-select`` are read by plain ``flake8`` (Flake8-pyproject 1.2.x hooks itself in as
  a flake8 plugin) and by ``flake8p``. Installing it changes nothing for a project whose
  pyproject.toml has no ``[tool.flake8]``, such as this repository.
- ruff's ``lint.external = ["FCL"]`` keeps ``# noqa: FCL101`` from RUF100 and RUF102.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_flake8, write_project

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "docs" / "recipes.md"


def recipe_block(language: str, starts_with: str) -> str:
    """The one fenced block of docs/recipes.md in ``language`` whose body starts so."""
    text = RECIPES.read_text(encoding="utf-8")
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)
    (found,) = (b for b in blocks if b.startswith(starts_with))
    return str(found)


SHOP = {
    "shop/__init__.py": "",
    "shop/pdf.py": "def render_invoice(number):\n    return make_pdf_response(number)\n",
    "shop/views.py": """\
from flask import Flask, jsonify

from shop.pdf import render_invoice

app = Flask(__name__)


@app.route("/invoice/<int:number>")
def invoice(number):
    return render_invoice(number)


@app.route("/status")
def status():
    return jsonify(ok=True)
""",
    "tests/test_invoice.py": """\
def test_invoice(api):
    api.get("/invoice/7")


def test_status(api):
    res = api.get("/status")
    assert res.status_code == 200
""",
}


def run_module(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m <args>`` in ``cwd``, as the tools' console scripts would run."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def fcl_codes(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if " FCL" in line]


@pytest.mark.parametrize("command", ["flake8", "flake8p"])
def test_flake8_pyproject_reads_our_options(tmp_path: Path, command: str) -> None:
    pytest.importorskip("flake8p", reason="Flake8-pyproject is not installed (test extra)")
    table = recipe_block("toml", "[tool.flake8]\n")
    write_project(tmp_path, {**SHOP, "pyproject.toml": table})
    result = run_module(tmp_path, command, "tests")
    # FCL102 needs both list options (the helper and the fixture name); FCL100 is opt-in.
    assert fcl_codes(result.stdout) == ["FCL102", "FCL100"], result.stdout + result.stderr
    assert "render_invoice in shop/views.py:10" in result.stdout

    # Control: the same table under another name configures nothing.
    (tmp_path / "pyproject.toml").write_text(table.replace("[tool.flake8]", "[tool.other]"))
    assert fcl_codes(run_flake8(tmp_path, "tests").stdout) == []


def test_this_repository_has_no_flake8_table() -> None:
    """Flake8-pyproject acts only on a ``[tool.flake8]`` table in the current folder's
    pyproject.toml; ours has none, so installing it for the tests above leaves every other
    flake8 run of the suite as it was."""
    assert "[tool.flake8]" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_fixer_reads_tool_flake8(tmp_path: Path) -> None:
    write_project(tmp_path, {**SHOP, "pyproject.toml": recipe_block("toml", "[tool.flake8]\n")})
    result = run_module(tmp_path, "flake8_flask_close", "fix", "--diff", "tests")
    assert '+    api.get("/invoice/7").close()' in result.stdout, result.stdout + result.stderr


def ruff_fix_diff(root: Path) -> str:
    return run_module(root, "ruff", "check", "--no-cache", "--fix", "--diff", "tests").stdout


def test_ruff_external_keeps_our_noqa(tmp_path: Path) -> None:
    pytest.importorskip("ruff", reason="ruff is not installed (test extra)")
    source = recipe_block("python", "def test_file(client):\n")
    external = recipe_block("toml", "[tool.ruff.lint]\n")
    assert external == '[tool.ruff.lint]\nexternal = ["FCL"]\n'
    select = 'extend-select = ["RUF100", "RUF102"]\n'
    write_project(tmp_path, {"tests/test_app.py": source, "pyproject.toml": external + select})
    assert 'external = ["FCL"]' in (tmp_path / "pyproject.toml").read_text()

    kept = ruff_fix_diff(tmp_path)
    assert '-    res = client.get("/file.txt")  # noqa: E501, FCL101' in kept, kept
    assert '+    res = client.get("/file.txt")  # noqa: FCL101' in kept, kept
    assert '-    res = client.get("/file.txt")  # noqa: FCL101\n' not in kept, kept

    (tmp_path / "pyproject.toml").write_text("[tool.ruff.lint]\n" + select)
    lost = ruff_fix_diff(tmp_path)
    assert lost.count('+    res = client.get("/file.txt")\n') == 2, lost


def test_routes_command_reads_the_configuration(tmp_path: Path) -> None:
    write_project(tmp_path, {**SHOP, "pyproject.toml": recipe_block("toml", "[tool.flake8]\n")})
    table = run_module(tmp_path, "flake8_flask_close", "routes", ".").stdout
    (invoice,) = (line for line in table.splitlines() if line.startswith("/invoice/"))
    assert " yes " in invoice and "render_invoice" in invoice, table
