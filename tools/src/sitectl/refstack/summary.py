"""Results of a verification per capability, from Rally's JSON report, and the gate."""

from collections import Counter
from dataclasses import dataclass, field

from sitectl.refstack.normalise import split

STATUSES = ("success", "fail", "skip", "xfail", "uxsuccess")
COLUMNS = (("passed", "success"), ("failed", "fail"), ("skipped", "skip"), ("xfail", "xfail"))
OTHER = "(not in the guideline)"


@dataclass
class Summary:
    title: str
    # capability -> status -> count; statuses as Rally names them (success, fail, ...)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    unexpected_success: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # listed, but no result
    unmatched: list[str] = field(default_factory=list)  # list lines naming no tempest test

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_run or self.unmatched)

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.counts.values())


def statuses(report: dict) -> dict[str, str]:
    """test id (with attributes) -> status, from `rally verify report --type json`."""
    out = {}
    for test_id, test in report.get("tests", {}).items():
        by = test.get("by_verification", {})
        if by:
            out[test_id] = next(iter(by.values())).get("status", "unknown")
    return out


def summarise(
    title: str,
    results: dict[str, str],
    expected: list[str],
    capability_of_uuid: dict[str, str],
    unmatched: list[str] = (),  # type: ignore[assignment]
) -> Summary:
    """`results`: test id -> status; `expected`: the normalised load list."""
    summary = Summary(title=title, unmatched=list(unmatched))
    for capability in dict.fromkeys(capability_of_uuid.values()):
        summary.counts[capability] = Counter()

    def capability(test_id: str) -> str:
        _, uuid, _ = split(test_id)
        return capability_of_uuid.get(uuid or "", OTHER)

    for test_id, status in results.items():
        summary.counts.setdefault(capability(test_id), Counter())[status] += 1
        if status == "fail":
            summary.failed.append(test_id)
        elif status == "uxsuccess":
            summary.unexpected_success.append(test_id)
    summary.not_run = [t for t in expected if t not in results]
    return summary


def render(summary: Summary) -> str:
    """A short plain-text table: passed, failed, skipped (and xfail) per capability."""
    names = [n for n, c in summary.counts.items() if sum(c.values()) or n != OTHER]
    width = max([len("capability"), len("total"), *map(len, names)])
    head = f"{'capability':<{width}}  " + "  ".join(f"{h:>7}" for h, _ in COLUMNS)
    lines = [summary.title, head, "-" * len(head)]
    for name in names:
        c = summary.counts[name]
        row = "  ".join(f"{c[s]:>7}" for _, s in COLUMNS)
        lines.append(f"{name:<{width}}  {row}")
    lines.append("-" * len(head))
    total = "  ".join(f"{summary.total(s):>7}" for _, s in COLUMNS)
    lines.append(f"{'total':<{width}}  {total}")
    for label, items in (
        ("unexpected failures", summary.failed),
        ("listed but not run", summary.not_run),
        ("list lines matching no tempest test", summary.unmatched),
        ("unexpected successes (drop their xfail entries)", summary.unexpected_success),
    ):
        if items:
            lines.append(f"{label}: {len(items)}")
            lines += [f"  {item}" for item in items]
    lines.append("result: " + ("PASS" if summary.ok else "FAIL"))
    return "\n".join(lines) + "\n"
