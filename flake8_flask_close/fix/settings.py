"""The plugin's options, flake8's excludes and its line length, read by flake8 itself.

The fixer (and ``flake8-flask-close routes``) must see the project as flake8 does: the
``flask-close-*`` options decide which files are tests and which callables serve files,
``exclude`` / ``extend-exclude`` keep the fixer out of folders flake8 never checks, and
``max-line-length`` (with E501 selected) is how long a line the fixer writes may be.
So flake8 parses its configuration here, from the folder it would run in, with every
installed plugin: ``setup.cfg``, ``tox.ini``, ``.flake8``, or ``pyproject.toml`` when
Flake8-pyproject is installed.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import fnmatch
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from flake8_flask_close.config import Config, config_from_options


class UnusableConfiguration(Exception):
    """flake8 can't read its configuration (a section twice, an error code or a number it
    can't parse), refuses it (an option's value its command line would refuse too) or
    won't run with it (a required plugin missing): flake8 itself stops there, so the
    command does too, rather than fix files its ``exclude`` may keep out of reach."""


@dataclass(frozen=True)
class Settings:
    config: Config
    exclude: tuple[str, ...]
    """Patterns as flake8 uses them: a basename glob, or an absolute path glob."""
    max_line_length: Optional[int] = None
    """flake8's ``max-line-length``, when E501 is selected: a with-line the fixer makes
    longer is folded."""

    def excluded(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        base = os.path.basename(absolute)
        return any(
            fnmatch.fnmatch(base, pattern) or fnmatch.fnmatch(absolute, pattern)
            for pattern in self.exclude
        )


@contextlib.contextmanager
def _working_folder(folder: str) -> Iterator[None]:
    """flake8 finds its configuration from the current folder (and Flake8-pyproject reads
    the current folder's pyproject.toml)."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def flake8_options(start: str = ".", config_file: Optional[str] = None) -> argparse.Namespace:
    """flake8's parsed options (no file is checked), as ``flake8`` run in ``start`` sees
    them. Raises ``UnusableConfiguration`` when flake8 would stop there."""
    from flake8.exceptions import Flake8Exception
    from flake8.main.application import Application

    argv = ["--config", os.path.abspath(config_file)] if config_file else []
    application = Application()
    said_on_stderr = io.StringIO()
    with _working_folder(start):
        try:
            with contextlib.redirect_stderr(said_on_stderr):
                application.initialize(argv)
        except SystemExit as error:
            # argparse printed its usage and the error's line: the line is flake8's word
            lines = said_on_stderr.getvalue().strip().splitlines()
            said = lines[-1].split(": error: ", 1)[-1] if lines else f"exit {error.code}"
            raise UnusableConfiguration(f"flake8 refuses its configuration: {said}") from error
        except (configparser.Error, ValueError) as error:
            raise UnusableConfiguration(
                f"flake8 can't read its configuration: {_one_line(error)}"
            ) from error
        except Flake8Exception as error:
            raise UnusableConfiguration(f"flake8 refuses to run: {_one_line(error)}") from error
    sys.stderr.write(said_on_stderr.getvalue())  # a plugin's warnings, say
    options: argparse.Namespace = application.options
    return options


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def load_settings(
    start: str = ".",
    config_file: Optional[str] = None,
    project_root: Optional[str] = None,
    no_cache: bool = False,
) -> Settings:
    options = flake8_options(start, config_file)
    if project_root:
        options.flask_close_project_root = project_root
    if no_cache:
        options.flask_close_no_cache = True
    patterns = [*options.exclude, *(options.extend_exclude or [])]
    return Settings(config_from_options(options), tuple(patterns), _line_limit(options))


def _line_limit(options: argparse.Namespace) -> Optional[int]:
    """flake8's ``max-line-length`` when flake8 reports longer lines (E501 selected):
    where it doesn't (``extend-ignore = E501``, often beside black), folding a line
    would only change the project's style."""
    from flake8.style_guide import Decision, DecisionEngine

    limit = getattr(options, "max_line_length", None)
    if not isinstance(limit, int) or limit <= 0:
        return None
    return limit if DecisionEngine(options).decision_for("E501") is Decision.Selected else None
