"""Every registered code has a rule page whose examples are the rule's own examples.

``docs/rules/FCLnnn.md`` follows ruff's sections, in order; its ``## Example`` block is
the rule module's ``INVALID[0].source`` and its ``## Use instead`` block is ``VALID[0].source``,
character for character, so the page shows exactly what the rule-example tests lint and
run. The rules index and the top-level README must link to every page.

``## Fix safety`` and ``## Options`` are checked per side (``CODES[code].side``): the
test-side fixer's hazard is a body read after the ``with`` block (c02i, ``buffered=True``),
which means nothing in production code, where there is no test client and no
``--flask-close-client-names``.

The guides (README, recipes, CI, fixer) may name only options config.py registers and
codes codes.py registers; their ``ini`` snippets are ``[flake8]`` configuration and their
TOML snippets parse. The README links every guide.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Optional

import pytest

from flake8_flask_close.codes import CODES
from flake8_flask_close.config import OPTIONS as CONFIG_OPTIONS
from flake8_flask_close.rules import ALL_RULES, PROD_RULES, TEST_RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
INDEX = DOCS / "README.md"
TOP_README = ROOT / "README.md"

HEADINGS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "Options",
    "Known problems",
    "References",
)
OPTIONS = (
    "--flask-close-send-functions",
    "--flask-close-client-names",
    "--flask-close-test-patterns",
    "--flask-close-project-root",
)
PROD_OPTIONS = (
    "--flask-close-send-functions",
    "--flask-close-test-patterns",
    "--flask-close-project-root",
)
"""Production rules never look at test clients, so their pages need not document
``--flask-close-client-names``; ``--flask-close-test-patterns`` decides which files they
run on."""
PROD_ROW = re.compile(r"\bp1[5-9][a-z]?\b")
"""A production runtime row id (p15 ... p19i) in runtime-behavior.md section 3."""
ALL_CODES = sorted(CODES)


def _page(code: str) -> str:
    path = DOCS / f"{code}.md"
    assert path.is_file(), f"{code} is registered in codes.py but {path} does not exist"
    return path.read_text(encoding="utf-8")


def _rule(code: str) -> ModuleType:
    found = [rule for rule in ALL_RULES if rule.CODE.code == code]
    assert len(found) == 1, f"{code}: expected one rule module in ALL_RULES, found {len(found)}"
    return found[0]


def _headings(text: str) -> list[str]:
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def _section(text: str, heading: str) -> str:
    """The text under ``## heading`` up to the next ``## `` heading."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"## {heading}\n") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "".join(lines[start:end])


def _first_python_block(section: str) -> Optional[str]:
    """The body of the first ```python fence, with its trailing newline."""
    match = re.search(r"^```python\n(.*?)^```[ \t]*$", section, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def test_every_code_has_a_rule_module() -> None:
    assert sorted(rule.CODE.code for rule in ALL_RULES) == ALL_CODES


def test_rule_modules_sit_on_their_side() -> None:
    """A rule's module runs on test files or on production files, as its code says."""
    assert sorted(r.CODE.code for r in TEST_RULES) == sorted(
        c for c in CODES if CODES[c].side == "test"
    )
    assert sorted(r.CODE.code for r in PROD_RULES) == sorted(
        c for c in CODES if CODES[c].side == "prod"
    )


@pytest.mark.parametrize("code", ALL_CODES)
def test_page_sections_in_order(code: str) -> None:
    found = _headings(_page(code))
    assert found == list(HEADINGS), (
        f"docs/rules/{code}.md: '## ' headings must be exactly {list(HEADINGS)}, got {found}"
    )


@pytest.mark.parametrize("code", ALL_CODES)
def test_page_title_and_default(code: str) -> None:
    text = _page(code)
    entry = CODES[code]
    title = text.splitlines()[0]
    assert title == f"# {code}: {entry.name}", f"docs/rules/{code}.md: title is {title!r}"
    preamble = text.split("\n## ", 1)[0]
    if entry.default_on:
        assert "**Default:** on." in preamble, f"{code} is on by default; the page must say so"
    else:
        assert "**Default:** opt-in." in preamble, f"{code} is opt-in; the page must say so"
        assert f"extend-select = {code}" in preamble, (
            f"{code} is opt-in; the page must show 'extend-select = {code}'"
        )


@pytest.mark.parametrize("code", ALL_CODES)
def test_example_is_invalid_0(code: str) -> None:
    block = _first_python_block(_section(_page(code), "Example"))
    expected = _rule(code).INVALID[0].source
    assert block is not None, f"docs/rules/{code}.md: '## Example' has no ```python block"
    assert block == expected, f"docs/rules/{code}.md: '## Example' differs from INVALID[0].source"
    assert f"# {code}" in block


@pytest.mark.parametrize("code", ALL_CODES)
def test_use_instead_is_valid_0(code: str) -> None:
    block = _first_python_block(_section(_page(code), "Use instead"))
    expected = _rule(code).VALID[0].source
    assert block is not None, f"docs/rules/{code}.md: '## Use instead' has no ```python block"
    assert block == expected, f"docs/rules/{code}.md: '## Use instead' differs from VALID[0].source"


FIXABLE = frozenset({"FCL101", "FCL102", "FCL201", "FCL202"})
"""The codes ``flake8-flask-close fix`` rewrites (docs/fix.md)."""


@pytest.mark.parametrize("code", ALL_CODES)
def test_fix_safety_and_options(code: str) -> None:
    text = _page(code)
    fix = _section(text, "Fix safety")
    assert "flake8-flask-close fix" in fix and "../fix.md" in fix
    assert "planned" not in fix, f"docs/rules/{code}.md: the fixer exists; say what it does"
    if code in FIXABLE:
        assert "leaves this finding alone" not in fix
    else:
        assert "leaves this finding alone" in fix
    required: tuple[str, ...]
    if CODES[code].side == "test":
        assert "buffered=True" in fix and "c02i" in fix
        required = OPTIONS
    else:
        # No test client in production code: buffered=True is no fix there. The section
        # either describes the rewrite with the runtime row that makes it safe,
        # or says plainly that there is none.
        assert "buffered=True" not in fix, (
            f"docs/rules/{code}.md: 'buffered=True' is a test-client option, not a fix for"
            " production code"
        )
        assert "no automatic fix" in fix or PROD_ROW.search(fix), (
            f"docs/rules/{code}.md: '## Fix safety' must cite the runtime row (p15-p19)"
            " that makes the rewrite safe, or say there is no automatic fix"
        )
        required = PROD_OPTIONS
    options = _section(text, "Options")
    missing = [o for o in required if o not in options]
    assert not missing, f"docs/rules/{code}.md: '## Options' lacks {missing}"


def _links(markdown: str) -> set[str]:
    """Targets of inline markdown links, without #anchors."""
    return {m.group(1).split("#", 1)[0] for m in re.finditer(r"\]\(\s*<?([^)\s>]+)>?", markdown)}


def _links_to(targets: set[str], page: str) -> bool:
    return any(t == page or t.endswith("/" + page) for t in targets)


def test_rules_index_lists_every_code() -> None:
    assert INDEX.is_file(), f"{INDEX} does not exist"
    text = INDEX.read_text(encoding="utf-8")
    rows = {
        cells[0]: cells
        for cells in (
            [c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines()
            if line.lstrip().startswith("|")
        )
    }
    for code, entry in CODES.items():
        row = rows.get(f"[{code}]({code}.md)")
        assert row is not None, f"docs/rules/README.md: no table row linking [{code}]({code}.md)"
        assert f"`{entry.name}`" in row or entry.name in row, f"{code}: row lacks {entry.name}"
        assert ("on" if entry.default_on else "opt-in") in row, f"{code}: wrong default in row"


def test_readme_links_every_rule_page() -> None:
    if not TOP_README.is_file():
        pytest.skip("README.md not written yet")
    targets = _links(TOP_README.read_text(encoding="utf-8"))
    missing = [c for c in ALL_CODES if not _links_to(targets, f"docs/rules/{c}.md")]
    assert not missing, "README.md must link to every rule page; missing links to " + ", ".join(
        f"docs/rules/{c}.md" for c in missing
    )


GUIDES = (
    TOP_README,
    ROOT / "docs" / "recipes.md",
    ROOT / "docs" / "ci.md",
    ROOT / "docs" / "fix.md",
)
"""Pages that show configuration and commands (the rule pages are checked above)."""
OPTION_NAME = re.compile(r"(?<![\w-])(?:--)?(flask-close-[a-z]+(?:-[a-z]+)*)")
"""An option as written in a config file or on the command line; not the ``-fix`` hook id."""
CODE_NAME = re.compile(r"\bFCL\d{3}\b")


def _guides() -> list[Path]:
    return [page for page in GUIDES if page.is_file()]


def _fenced(text: str, language: str) -> list[str]:
    """Bodies of ```language fences, also when indented inside a list item."""
    blocks = []
    for match in re.finditer(rf"^([ \t]*)```{language}\n(.*?)^\1```[ \t]*$", text, re.M | re.S):
        indent = match.group(1)
        lines = match.group(2).splitlines(keepends=True)
        blocks.append(
            "".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)
        )
    return blocks


@pytest.mark.parametrize("page", _guides(), ids=lambda p: p.name)
def test_guides_name_only_real_options_and_codes(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    options = {spec.flag[2:] for spec in CONFIG_OPTIONS}
    unknown = sorted(set(OPTION_NAME.findall(text)) - options)
    assert not unknown, f"{page.name} names options config.py does not register: {unknown}"
    codes = sorted(set(CODE_NAME.findall(text)) - set(CODES))
    assert not codes, f"{page.name} names codes codes.py does not register: {codes}"


@pytest.mark.parametrize("page", _guides(), ids=lambda p: p.name)
def test_guide_ini_snippets_are_flake8_config(page: Path) -> None:
    """Each ```ini snippet parses as flake8 reads it, and has a ``[flake8]`` section."""
    for block in _fenced(page.read_text(encoding="utf-8"), "ini"):
        parser = configparser.RawConfigParser()
        parser.read_string(block)
        assert parser.has_section("flake8"), f"{page.name}: snippet without [flake8]:\n{block}"


def test_recipes_toml_snippets_parse() -> None:
    toml = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    blocks = _fenced((ROOT / "docs" / "recipes.md").read_text(encoding="utf-8"), "toml")
    assert blocks
    for block in blocks:
        toml.loads(block)


def test_readme_links_the_guides() -> None:
    targets = _links(TOP_README.read_text(encoding="utf-8"))
    for page in ("docs/recipes.md", "docs/ci.md", "docs/fix.md", "CONTRIBUTING.md"):
        assert _links_to(targets, page), f"README.md must link to {page}"
        assert (ROOT / page).is_file(), f"README.md links to {page}, which does not exist"
