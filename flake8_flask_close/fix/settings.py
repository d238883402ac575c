"""The plugin's options and flake8's excludes, read from flake8's own configuration.

The fixer must see the project as flake8 does: the ``flask-close-*`` options decide
which files are tests and which callables serve files, and ``exclude`` /
``extend-exclude`` keep it out of folders flake8 never checks (vendored code, test
projects that hold bugs on purpose). flake8 looks for ``setup.cfg``, ``tox.ini`` or
``.flake8`` with a ``[flake8]`` section from the current folder upward; so does this.
"""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.config import OPTIONS, Config, config_from_options

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs")
DEFAULT_EXCLUDE_GLOBS = ("*.egg",)


@dataclass(frozen=True)
class Settings:
    config: Config
    exclude: tuple[str, ...]
    """Patterns as flake8 uses them: a basename glob, or an absolute path glob."""
    source: Optional[str] = None
    """The configuration file read, if any."""

    def excluded(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        base = os.path.basename(absolute)
        return any(
            fnmatch.fnmatch(base, pattern) or fnmatch.fnmatch(absolute, pattern)
            for pattern in self.exclude
        )


def find_config(start: str) -> Optional[str]:
    current = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate) and _has_flake8_section(candidate):
                return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _has_flake8_section(path: str) -> bool:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return False
    return parser.has_section("flake8") or parser.has_section("flake8:local-plugins")


def _split(value: str) -> list[str]:
    return [v for v in (p.strip() for p in re.split(r"[,\s]", value)) if v]


def _normalize(pattern: str, folder: str) -> str:
    """flake8's ``normalize_path``: a pattern naming a path is made absolute."""
    if "/" in pattern or os.sep in pattern:
        return os.path.abspath(os.path.join(folder, pattern)).rstrip("/\\")
    return pattern


def load_settings(
    start: str = ".",
    config_file: Optional[str] = None,
    project_root: Optional[str] = None,
    no_cache: bool = False,
) -> Settings:
    path = config_file if config_file is not None else find_config(start)
    values: dict[str, str] = {}
    if path is not None:
        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        if parser.has_section("flake8"):
            values = {k.replace("-", "_"): v for k, v in parser.items("flake8")}
    namespace = argparse.Namespace()
    for spec in OPTIONS:
        raw = values.get(spec.dest.replace("-", "_"))
        if spec.is_flag:
            setattr(namespace, spec.dest, (raw or "").strip().lower() in ("1", "true", "yes", "on"))
        elif spec.is_list:
            setattr(namespace, spec.dest, _split(raw) if raw else [])
        else:
            setattr(namespace, spec.dest, raw.strip() if raw else None)
    if project_root:
        namespace.flask_close_project_root = project_root
    if no_cache:
        namespace.flask_close_no_cache = True
    config = config_from_options(namespace)
    folder = os.path.dirname(os.path.abspath(path)) if path else os.path.abspath(start)
    if "exclude" in values:
        patterns = _split(values["exclude"])
    else:
        patterns = [*DEFAULT_EXCLUDE, *DEFAULT_EXCLUDE_GLOBS]
    patterns += _split(values.get("extend_exclude", ""))
    return Settings(config, tuple(_normalize(p, folder) for p in patterns), path)
