"""Release readiness: the wheel pip builds from this tree carries the plugin's entry point,
``py.typed``, the classifiers and the Python floor, and nothing but the package.

Building needs the package index (pip fetches setuptools into an isolated build
environment); the sdist and ``twine check`` are one command in CONTRIBUTING.md."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import copy_package_sources


def test_wheel_contents(tmp_path: Path) -> None:
    source = copy_package_sources(tmp_path / "source")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("flake8_flask_close-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(info).decode())
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert {n.split("/")[0] for n in names if not n.startswith("flake8_flask_close-")} == {
        "flake8_flask_close"
    }
    assert "flake8_flask_close/py.typed" in names
    assert "flake8_flask_close/rules/fcl101_unclosed_file_response.py" in names
    assert "FCL = flake8_flask_close.plugin:Plugin" in entry_points
    assert "flake8-flask-close = flake8_flask_close.cli:main" in entry_points
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: Flake8" in classifiers and "Framework :: Flask" in classifiers
    assert metadata["Requires-Python"] == ">=3.9"
    assert metadata["License-Expression"] == "MIT"
