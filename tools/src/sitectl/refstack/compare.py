"""Two RefStack runs against one cloud, compared test by test: the upgrade rehearsal's runs
before and after the upgrade.

A test is matched by its tempest UUID (its name may move between tempest releases), else by
its name. A regression is a test that passed before and does not pass after (it failed, was
skipped, or did not run); it is what fails the rehearsal. A test that failed before and passes
after is fixed; any other change of status is listed apart.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sitectl import junit
from sitectl.errors import SiteError
from sitectl.refstack.normalise import split
from sitectl.refstack.summary import statuses

ABSENT = "not run"
PASSED = "success"


@dataclass(frozen=True)
class Change:
    test: str  # as the run that has it names it (after's when both have it)
    before: str
    after: str


@dataclass
class Comparison:
    regressed: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)  # status -> tests

    @property
    def ok(self) -> bool:
        return not self.regressed


def results(directory: Path, report: str) -> dict[str, str]:
    """test id -> status, from the Rally JSON report `report` of a `refstack run` output."""
    path = directory / report
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SiteError(
            f"cannot read {path} ({e.strerror}): give the --out directory of a "
            "`sitectl refstack run` that finished."
        ) from None
    except ValueError as e:
        raise SiteError(f"{path} is not Rally's JSON report ({e}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), dict):
        raise SiteError(f"{path} is not Rally's JSON report: it has no `tests` mapping.")
    return statuses(data)


def _key(test: str) -> str:
    name, uuid, _ = split(test)
    return uuid or name


def compare(before: dict[str, str], after: dict[str, str]) -> Comparison:
    old = {_key(test): (test, status) for test, status in before.items()}
    new = {_key(test): (test, status) for test, status in after.items()}
    comparison = Comparison()
    for key in sorted({*old, *new}, key=lambda k: (new.get(k) or old[k])[0]):
        test, was = old.get(key, ("", ABSENT))
        test, now = new.get(key, (test, ABSENT))
        change = Change(test, was, now)
        if was == now:
            comparison.unchanged[now] += 1
        elif was == PASSED:
            comparison.regressed.append(change)
        elif now == PASSED and was != ABSENT:
            comparison.fixed.append(change)
        else:
            comparison.other.append(change)
    return comparison


SECTIONS = (
    ("regressed", "Passed before, not after (regressions)"),
    ("fixed", "Failed before, pass after"),
    ("other", "Other changes"),
)


def markdown(comparison: Comparison, title: str) -> str:
    verdict = "no regression" if comparison.ok else f"{len(comparison.regressed)} regressions"
    same = ", ".join(f"{n} {status}" for status, n in sorted(comparison.unchanged.items()))
    lines = [f"### {title}: {verdict}", "", f"Unchanged: {same or 'none'}.", ""]
    for attribute, heading in SECTIONS:
        changes: list[Change] = getattr(comparison, attribute)
        if not changes:
            continue
        lines += [
            f"#### {heading} ({len(changes)})",
            "",
            "| test | before | after |",
            "|---|---|---|",
        ]
        lines += [f"| `{c.test}` | {c.before} | {c.after} |" for c in changes]
        lines.append("")
    return "\n".join(lines)


def to_json(comparison: Comparison) -> dict:
    return {
        "format": "sitectl-refstack-compare-1",
        "ok": comparison.ok,
        "unchanged": dict(sorted(comparison.unchanged.items())),
        **{
            attribute: [vars(change) for change in getattr(comparison, attribute)]
            for attribute, _ in SECTIONS
        },
    }


def junit_xml(comparison: Comparison, title: str) -> str:
    """A case per test whose status changed (the regressions fail), and one for the whole."""
    compared = sum(comparison.unchanged.values()) + sum(
        len(getattr(comparison, attribute)) for attribute, _ in SECTIONS
    )
    whole = junit.Case(
        f"{compared} tests compared",
        "refstack.compare",
        failure=None if comparison.ok else f"{len(comparison.regressed)} regressions",
    )
    cases = [
        whole,
        *(
            junit.Case(
                change.test,
                f"refstack.compare.{attribute}",
                failure=f"passed before the upgrade, {change.after} after"
                if attribute == "regressed"
                else None,
                output=f"{change.before} -> {change.after}",
            )
            for attribute, _ in SECTIONS
            for change in getattr(comparison, attribute)
        ),
    ]
    return junit.document(title, [junit.Suite(title, cases)])
