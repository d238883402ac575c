"""The one table of options, and the frozen Config that rules and the index read."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional

from flake8_flask_close.routes.cache import CacheSettings

DEFAULT_TEST_PATTERNS: tuple[str, ...] = (
    "test_*.py",
    "*_test.py",
    "conftest.py",
    "tests/*",
    "test/*",
)


class Config(NamedTuple):
    # not a frozen dataclass: those take ten times as long to define, on every run
    project_root: Optional[str] = None
    """Where route discovery starts; ``None`` means: found from the checked file."""
    send_functions: tuple[str, ...] = ()
    """Extra dotted (or bare) names of callables that return file responses."""
    client_names: tuple[str, ...] = ()
    """Extra fixture / attribute names that hold a test client."""
    test_patterns: tuple[str, ...] = DEFAULT_TEST_PATTERNS
    opt_in: frozenset[str] = frozenset()
    """Opt-in codes the user named in select / extend-select."""
    cache_dir: Optional[str] = None
    """Where the index cache lives (default: ``.flake8_flask_close_cache`` in the root)."""
    no_cache: bool = False

    @property
    def cache(self) -> CacheSettings:
        return CacheSettings(enabled=not self.no_cache, directory=self.cache_dir)


DEFAULT_CONFIG = Config()


class OptionSpec(NamedTuple):
    flag: str
    dest: str
    help: str
    is_list: bool
    is_flag: bool = False


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "--flask-close-project-root",
        "flask_close_project_root",
        "Folder where route discovery starts (default: the nearest folder above the checked file"
        " holding setup.cfg, tox.ini, .flake8, pyproject.toml or .git).",
        is_list=False,
    ),
    OptionSpec(
        "--flask-close-send-functions",
        "flask_close_send_functions",
        "Comma-separated dotted names of project callables that return file responses"
        " (e.g. myapp.files.serve_pdf).",
        is_list=True,
    ),
    OptionSpec(
        "--flask-close-client-names",
        "flask_close_client_names",
        "Comma-separated extra fixture or attribute names that hold a Flask test client.",
        is_list=True,
    ),
    OptionSpec(
        "--flask-close-test-patterns",
        "flask_close_test_patterns",
        "Comma-separated globs that make a file a test file"
        f" (default: {','.join(DEFAULT_TEST_PATTERNS)}).",
        is_list=True,
    ),
    OptionSpec(
        "--flask-close-cache-dir",
        "flask_close_cache_dir",
        "Folder for the route index cache (default: .flake8_flask_close_cache in the"
        " project root).",
        is_list=False,
    ),
    OptionSpec(
        "--flask-close-no-cache",
        "flask_close_no_cache",
        "Don't read or write the route index cache.",
        is_list=False,
        is_flag=True,
    ),
)


def register_options(option_manager: Any) -> None:
    for spec in OPTIONS:
        if spec.is_flag:
            option_manager.add_option(
                spec.flag,
                dest=spec.dest,
                default=False,
                action="store_true",
                parse_from_config=True,
                help=spec.help,
            )
        elif spec.is_list:
            option_manager.add_option(
                spec.flag,
                dest=spec.dest,
                default=[],
                parse_from_config=True,
                comma_separated_list=True,
                help=spec.help,
            )
        else:
            option_manager.add_option(
                spec.flag, dest=spec.dest, default=None, parse_from_config=True, help=spec.help
            )


def _names(value: Optional[Sequence[str]]) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or ()) if v and v.strip())


OPT_IN_MIN_PREFIX = 4
"""``FCL1`` or longer: ``select = E,F,W,C90`` must not switch opt-in codes on through ``F``."""


def selected_opt_in(options: argparse.Namespace) -> frozenset[str]:
    """Opt-in codes enabled by a select / extend-select entry of at least ``FCL1``.

    flake8 lets any explicit select beat the plugin's default ignore, so a legacy
    ``select = E,F,W`` (or ``--select=FCL``) would turn broad-mode codes on by accident.
    """
    from flake8_flask_close.codes import DEFAULT_OFF

    chosen = [
        entry.strip().upper()
        for name in ("select", "extend_select")
        for entry in (getattr(options, name, None) or ())
        if isinstance(entry, str)
    ]
    return frozenset(
        code
        for code in DEFAULT_OFF
        if any(len(e) >= OPT_IN_MIN_PREFIX and code.startswith(e) for e in chosen)
    )


def config_from_options(options: argparse.Namespace) -> Config:
    root = getattr(options, "flask_close_project_root", None)
    patterns = _names(getattr(options, "flask_close_test_patterns", None))
    return Config(
        project_root=root or None,
        send_functions=_names(getattr(options, "flask_close_send_functions", None)),
        client_names=_names(getattr(options, "flask_close_client_names", None)),
        test_patterns=patterns or DEFAULT_TEST_PATTERNS,
        opt_in=selected_opt_in(options),
        cache_dir=getattr(options, "flask_close_cache_dir", None) or None,
        no_cache=bool(getattr(options, "flask_close_no_cache", False)),
    )
