"""Reading the fuzzer's ``results.jsonl``: the tally of disagreements and one project's details.

No dependency on the repository: it only reads the JSON lines ``run.py fuzz`` writes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Optional

Record = dict[str, Any]
Key = tuple[Any, ...]

CLOSING_IDIOM_FATES = frozenset(
    {
        "with_after_bind",
        "close_helper",
        "getattr_close",
        "close_in_except_else",
        "lambda_close",
        "cond_close",
        "range416",
        "if_modified_since",
    }
)
"""Fates whose false alarms come from how the test ends, not from the view: with
``--coarse`` their false alarms are grouped by fate alone, all others by view kind."""

EXPECTED_MISS_KINDS = ("mixed", "mixed_method")


def load(path: Path) -> list[Record]:
    """The records of ``path``, one per seed (a seed run again: its last record wins)."""
    by_seed: dict[int, Record] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                by_seed[record["seed"]] = record
    return [by_seed[s] for s in sorted(by_seed)]


def status(record: Record) -> str:
    """crash (the fuzzer itself), skip (runtime truth not usable), FA / MISS / FA+MISS, ok;
    with " lint-crash" appended when flake8 crashed."""
    if "crash" in record:
        return "crash"
    if record["problems"]:
        tag = "skip"
    else:
        tags = [t for t, k in (("FA", "false_alarms"), ("MISS", "misses")) if record[k]]
        tag = "+".join(tags) or "ok"
    return tag + (" lint-crash" if record["lint_crashed"] else "")


def test_info(record: Record, key: str) -> dict[str, Any]:
    """What the generator made test ``key`` (``file::[Class::]name``) do."""
    parts = key.split("::")
    info: dict[str, Any] = record["meta"]["tests"].get(f"{parts[0]}::{parts[-1]}", {})
    return info


def expected_miss(info: dict[str, Any]) -> bool:
    """A miss the linter documents: a URL it can't evaluate (built by a helper call), or a
    view that serves a file on some paths only (not judged)."""
    return "make_url" in info.get("uexpr", "") or info.get("kind") in EXPECTED_MISS_KINDS


SPOOLED_KEPT_FATES = frozenset({"self", "module_fixture"})
"""Fates that keep a response past its test, to be freed when another test runs."""


def expected_false_alarm(record: Record, info: dict[str, Any]) -> Optional[str]:
    """Why a false alarm is expected, or None. Either the linter chooses to give it: the
    route is a blueprint's that is registered only under a condition the tests don't set
    (``bp_unregistered``); the index takes a conditional registration as made, as tests
    that request a blueprint's routes usually run with it registered (a feature flag
    their configuration sets), and a test of its absence asserts the 404, which the
    linter reads. Or the oracle can't charge the leak to its test: a
    ``SpooledTemporaryFile`` kept on ``self`` or by a module-scoped fixture is freed
    after the test, and charged to the test running then (see the README's blind spots)."""
    if info.get("kind") == "spooled" and info.get("fate") in SPOOLED_KEPT_FATES:
        return "spooled file kept past its test"
    meta = record["meta"]
    if not meta.get("v2", {}).get("bp_unregistered"):
        return None
    url = str(info.get("url", "")).split("?", 1)[0]
    for rule in meta.get("blueprint_rules", ()):
        literal, variable, _ = rule.partition("<")
        if url.startswith(literal) if variable else url.rstrip("/") == rule.rstrip("/"):
            return "conditional blueprint"
    return None


def skip_reason(problem: str) -> str:
    """The first line of a runtime problem, without the oracle's event dump."""
    first = problem.splitlines()[0]
    head, sep, event = first.partition(": {")
    if sep and "'message': " in event:
        message = event.split("'message': ", 1)[1][1:].split(" (<", 1)[0]
        return f"{head}: {message[:80]}"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", first)[:100]


def _flags(record: Record) -> str:
    flags = sorted(k for k in record["meta"].get("v2", {}) if k != "phantom")
    return ",".join(flags) or "-"


def tally(records: list[Record], coarse: bool = False) -> str:
    compared = [r for r in records if "crash" not in r and not r["problems"]]
    crashed = [r for r in records if "crash" in r]
    skips: Counter[str] = Counter()
    skip_example: dict[str, int] = {}
    for r in records:
        if "crash" not in r and r["problems"]:
            why = skip_reason(r["problems"][0])
            skips[why] += 1
            skip_example.setdefault(why, r["seed"])
    lint_crashes = [r["seed"] for r in records if "crash" not in r and r["lint_crashed"]]
    false_alarms: Counter[Key] = Counter()
    misses: Counter[Key] = Counter()
    example: dict[Key, tuple[int, str]] = {}
    fa_projects = miss_projects = 0
    for r in compared:
        fa_projects += bool(r["false_alarms"])
        miss_projects += bool(r["misses"])
        for key in r["false_alarms"]:
            info = test_info(r, key)
            fate, kind = info.get("fate"), info.get("kind")
            why = expected_false_alarm(r, info)
            if why is not None:
                group: Key = ("FA", "expected", why)
            elif coarse:
                group = ("FA", _flags(r), fate if fate in CLOSING_IDIOM_FATES else kind)
            else:
                group = ("FA", _flags(r), kind, fate)
            false_alarms[group] += 1
            example.setdefault(group, (r["seed"], key))
        for key in r["misses"]:
            info = test_info(r, key)
            if expected_miss(info):
                group = ("MISS", "expected", info.get("kind"))
            else:
                group = ("MISS", info.get("kind"), info.get("fate"), info.get("method"))
            misses[group] += 1
            example.setdefault(group, (r["seed"], key))
    n_fa, n_miss = sum(false_alarms.values()), sum(misses.values())
    n_expected = sum(c for k, c in misses.items() if k[1] == "expected")
    n_expected_fa = sum(c for k, c in false_alarms.items() if k[1] == "expected")
    out = [
        f"projects {len(records)}: compared {len(compared)}"
        f" ({sum(r['tests'] for r in compared)} test functions),"
        f" skipped {sum(skips.values())}, fuzzer crashes {len(crashed)}",
        f"flake8 crashed in {len(lint_crashes)} project(s)"
        + (f": seeds {lint_crashes[:20]}" if lint_crashes else ""),
    ]
    out += [
        f"  skip {count:3}  {why}  e.g. {skip_example[why]}" for why, count in skips.most_common()
    ]
    out += [f"  crash seed {r['seed']}: {r['crash'].strip().splitlines()[-1]}" for r in crashed]

    def grouped(counts: Counter[Key]) -> list[str]:
        return [
            f"  {count:3}  {group[1:]}  e.g. {example[group][0]} {example[group][1]}"
            for group, count in counts.most_common()
        ]

    head = "flags, view kind or fate" if coarse else "flags, view kind, fate"
    out.append(
        f"FALSE ALARMS: {n_fa} test function(s) in {fa_projects} project(s),"
        f" {n_expected_fa} expected   [count  ({head})  e.g. seed test]"
    )
    out += grouped(false_alarms)
    out.append(
        f"MISSES: {n_miss} test function(s) in {miss_projects} project(s),"
        f" {n_expected} expected   [count  (view kind, fate, method)  e.g. seed test]"
    )
    out += grouped(misses)
    return "\n".join(out)


def show(record: Record) -> str:
    """One project's comparison, test function by test function."""
    name = f"seed {record['seed']}" if "seed" in record else record["name"]
    if "crash" in record:
        return f"{name}: the fuzzer crashed\n{record['crash']}"
    meta = record["meta"]
    out = [
        f"{name}: {status(record)}, {record['tests']} test function(s) compared,"
        f" {record['seconds']:.1f}s",
    ]
    if meta["routes"]:
        out.append(f"v2 flags: {meta['v2'] or '-'}")
        out.append("routes:")
        out += [f"  {rule}  {kind}  {methods}" for rule, kind, methods in meta["routes"]]
    out += [
        "tests:",
    ]
    flagged, leaked = set(record["flagged"]), set(record["leaked"])
    verdicts = {
        (True, True): "leaks, flagged",
        (True, False): "FALSE ALARM",
        (False, True): "MISS",
        (False, False): "no leak",
    }
    for key in record["test_keys"]:
        info = test_info(record, key)
        if key in record["setup_failed"]:
            verdict = "excluded (its setup failed)"
        else:
            verdict = verdicts[key in flagged, key in leaked]
        out.append(f"  {verdict:14}  {key}")
        if info:
            out.append(
                f"  {'':14}    {info['method'].upper()} {info['url']} ({info['kind']})"
                f" as {info['uexpr']}; fate {info['fate']}, {info['style']} style"
            )
    out += [f"  flagged outside any test: {k}" for k in sorted(flagged - set(record["test_keys"]))]
    out.append("leaks (runtime truth):" if record["leaks"] else "leaks (runtime truth): none")
    for key, why in sorted(record["leaks"].items()):
        out += [f"  LEAK {key}: {w[:200]}" for w in why]
    out.append("--- flake8")
    out.append(record["lint_out"].rstrip() or "(no findings)")
    if record["lint_err"].strip():
        out.append(record["lint_err"].rstrip())
    if record["problems"]:
        out.append("--- problems (why the project was skipped)")
        out += [p[:2000] for p in record["problems"]]
    return "\n".join(out)
