"""Every format is generated and valid; the Markdown note respects its cap; writing is atomic."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitectl import outdir
from sitectl.diff import markdown, output, services, summary
from sitectl.diff.compare import compare
from sitectl.diff.model import Plan, Problem, Report, Side, ValueChange
from sitectl.errors import SiteError

from .builders import Site

SCHEMA = Path(output.__file__).with_name("report.schema.json")


def make_report(
    tmp_path: Path, base: Site, head: Site, plan: Plan | None = None
) -> tuple[Report, str]:
    """The report of two synthetic renders, and its plain diff."""
    result = compare(base.write(tmp_path / "b"), head.write(tmp_path / "h"), services.load())
    report = Report(
        environment="example-site",
        base=Side("main", "a" * 40, "main"),
        head=Side("feature merged onto main", "b" * 40, "feature"),
        plan=plan or Plan("full", "etc/kayobe/networks.yml may affect any service"),
        inventory=result.inventory,
        kayobe=result.kayobe,
        globals=result.globals,
        services=result.services,
        renders={"base": None, "head": None},
    )
    return report, result.unified


@pytest.fixture
def made(tmp_path: Path, site: Site) -> tuple[Report, str]:
    head = site.copy()
    head.set_all("ctl", "nova-", "nova.conf", "debug = False", "debug = True")
    head.set_all("ctl", "nova-api", "config.json", '"nova-api"', '"nova-api | ``` <b>"')
    head.add_host("cmp03", ["compute"], like="cmp01")
    head.kayobe["cmp01"]["internal_net_interface"] = "eth|9 <script>"
    head.globals["enable_cinder"] = "no"
    return make_report(tmp_path, site, head)


@pytest.fixture
def report(made: tuple[Report, str]) -> Report:
    return made[0]


def artifacts(report: Report, unified: str = "", **kwargs: object) -> dict[str, str]:
    return output.artifacts(report, unified, **kwargs)  # type: ignore[arg-type]


def test_json_parses_and_holds_the_grouping(report: Report) -> None:
    data = json.loads(artifacts(report)["report.json"])
    assert data["format"] == "sitectl-config-diff-1" and data["changed"] is True
    assert data["counts"]["inventory"] == 1
    [nova] = [s for s in data["services"] if s["service"] == "nova"]
    labels = {p["hosts_label"] for f in nova["files"] for p in f["placements"]}
    assert labels == {"3 controllers"}


def test_junit_parses_one_testcase_per_render(report: Report) -> None:
    root = ET.fromstring(artifacts(report)["junit.xml"])
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "example-site base renders",
        "example-site head renders",
    ]
    assert root.find(".//failure") is None


def test_junit_failure_and_skip(report: Report) -> None:
    report.renders = {"base": None, "head": "kayobe rejected the configuration: bad <yaml> & co"}
    report.error = "example-site does not render at the head side"
    root = ET.fromstring(artifacts(report)["junit.xml"])
    [failure] = root.findall(".//failure")
    assert "bad <yaml> & co" in (failure.text or "")
    assert root.get("failures") == "1"
    report.plan = Plan("none", "no configuration file changed")
    root = ET.fromstring(artifacts(report)["junit.xml"])
    assert len(root.findall(".//skipped")) == 2


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.references: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.references += [f"{k}={v}" for k, v in attrs if k in ("src", "href", "action")]
        if tag not in ("meta", "br", "link", "img", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-5:], tag)
        self.stack.pop()


def test_html_is_self_contained_and_well_formed(report: Report) -> None:
    page = artifacts(report)["report.html"]
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    assert checker.references == []
    assert "script" not in checker.tags and "link" not in checker.tags
    assert not re.search(r"https?://|url\(|@import", page)
    assert {"details", "summary", "style", "table"} <= checker.tags
    assert "&lt;script&gt;" in page  # values are escaped
    assert "break-all" not in page  # a narrow column wraps code between words, not mid-token


def test_markdown_starts_with_marker_and_table(made: tuple[Report, str]) -> None:
    report, unified = made
    md = artifacts(report, unified)["report.md"]
    assert md.startswith(markdown.marker("example-site") + "\n")
    table = md.index("| | Change | Where |")
    assert table < md.index("<details>")
    assert "eth&#124;9 &lt;script&gt;" in md  # no broken table cell, no live HTML
    # The fence around a hunk holding ``` is longer than it.
    assert "````diff" in md
    assert "+++ b/config/ctl01/nova-api/config.json" in artifacts(report, unified)["report.diff"]


def test_markdown_cap(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    for index in range(400):  # many different changes: a long note
        for host in head.hosts:
            for files in head.configs[host].values():
                if "nova.conf" in files:
                    files["nova.conf"] += f"\n[section_{index}]\nkey_{index} = {host}-{index}\n"
    report, _ = make_report(tmp_path, site, head)
    full = artifacts(report, md_cap=markdown.GITLAB_NOTE_LIMIT)["report.md"]
    assert len(full) > 20_000
    capped = artifacts(report, md_cap=20_000, full_report="https://ci.example/job/1/report.html")
    md = capped["report.md"]
    assert len(md) <= 20_000
    assert "left out to keep this note under 20,000 characters" in md
    assert "https://ci.example/job/1/report.html" in md
    assert md.startswith(markdown.marker("example-site"))
    # A cap smaller than the table itself still yields a note with the pointer.
    tiny = artifacts(report, md_cap=2_000, full_report="https://ci.example/r")["report.md"]
    assert len(tiny) <= 2_000 and "https://ci.example/r" in tiny


def test_no_change_and_error_reports(tmp_path: Path, site: Site) -> None:
    report, _ = make_report(tmp_path, site, site.copy(), Plan("none", "only README.md changed"))
    files = artifacts(report)
    assert "no configuration change" in files["report.md"]
    assert json.loads(files["report.json"])["changed"] is False
    report.error = "ci-aio does not render at the head side:\nkayobe said | no"
    md = artifacts(report)["report.md"]
    assert "cannot render" in md and "> kayobe said | no" in md


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    output.write(out, {"report.md": "one\n"})
    assert (out / "report.md").read_text() == "one\n"
    output.write(out, {"report.md": "two\n", "junit.xml": "<x/>\n"})
    assert sorted(p.name for p in out.iterdir()) == [outdir.MARKER, "junit.xml", "report.md"]

    real = Path.write_text

    def failing(self: Path, text: str, *args: object, **kwargs: object) -> int:
        if self.name == "junit.xml":
            raise OSError(28, "No space left on device")
        return real(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(SiteError, match="No space left on device; nothing was replaced"):
        output.write(out, {"report.md": "three\n", "junit.xml": "<y/>\n"})
    assert (out / "report.md").read_text() == "two\n"  # the old report, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind


def test_markdown_notes_do_not_swallow_the_table(made: tuple[Report, str]) -> None:
    report, unified = made
    report.notes.append("the base side is a full render")
    md = artifacts(report, unified)["report.md"]
    lines = md.splitlines()
    table = lines.index("| | Change | Where |")
    assert lines[table - 1] == ""  # Markdown would read the table into a preceding quote
    assert "> ⚠️ the base side is a full render" in lines


def test_a_branch_name_reaches_the_note_as_text(made: tuple[Report, str]) -> None:
    """Git allows <, >, (, ), [ and ] in ref names: a merge request's branch must not put
    HTML or a Markdown link into the note (report.html escapes it too)."""
    report, unified = made
    hostile = "feature/<img src=x onerror=alert(1)>[click](http://evil.example)"
    report.head.label = hostile
    report.notes.append(f"rendered {hostile} with care")
    files = artifacts(report, unified)
    for name in ("report.md", "report.html"):
        assert "<img" not in files[name], name
    assert "[click](" not in files["report.md"]
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in files["report.md"]


def test_how_it_was_rendered_is_collapsed_at_the_end_not_a_warning(
    made: tuple[Report, str],
) -> None:
    report, unified = made
    report.rendering.append("head: kayobe's layer came from an earlier render")
    files = artifacts(report, unified)
    md, page = files["report.md"], files["report.html"]
    assert "⚠️ head: kayobe" not in md
    collapsed = md.index("<details><summary>How this was rendered</summary>")
    assert "<summary><b>" in md[:collapsed] and "<summary><b>" not in md[collapsed:]  # last
    assert md.index("- head: kayobe's layer came from an earlier render") > collapsed
    assert md.index("#### Changes") < md.index("| | Change | Where |")
    assert 'class="warn">head: kayobe' not in page
    assert "<summary>How this was rendered</summary><ul><li>head: kayobe" in page
    assert json.loads(files["report.json"])["rendering"] == report.rendering


def test_summary_rows_show_short_values_and_name_long_ones() -> None:
    changes = [
        ValueChange("cpu_allocation_ratio", "added", None, "4.0", section="DEFAULT"),
        ValueChange("debug", "changed", "False", "True", section="DEFAULT"),
        ValueChange("enabled_filters", "changed", "A," * 30, "B," * 30, section="filter_scheduler"),
        ValueChange("password", "changed", secret=True, section="keystone_authtoken"),
        ValueChange("workers", "changed", "2", "4", section="DEFAULT"),
    ]
    assert summary.named_changes(changes) == (
        "[DEFAULT] cpu_allocation_ratio: (none) → 4.0, [DEFAULT] debug: False → True, "
        "[filter_scheduler] enabled_filters, [keystone_authtoken] password: changed (redacted)"
        " (+1 more)"
    )


def unknown_option(key: str, message: str) -> Problem:
    """An option nova rejects, set at line 3 of the site's nova.conf override."""
    return Problem(
        "error",
        "unknown-option",
        "nova.conf",
        key,
        message,
        "etc/kayobe/kolla/config/nova.conf:3",
        ["ctl01/nova-api/nova.conf"],
    )


def test_an_option_problem_the_change_introduces_fails_its_junit_case(
    made: tuple[Report, str],
) -> None:
    """GitLab's widgets show it: a failed test case per error, and a Code Quality issue on
    the line of the site's file that set it (kolla-ansible's own have no line to point at)."""
    report, unified = made
    report.problems = [
        unknown_option(
            "[DEFAULT] cpu_alocation_ratio",
            "nova does not know cpu_alocation_ratio; did you mean cpu_allocation_ratio?",
        ),
        Problem("warning", "deprecated", "nova.conf", "[x] y", "y is deprecated", None, ["z"]),
    ]
    files = artifacts(report, unified)
    root = ET.fromstring(files["junit.xml"])
    assert root.get("failures") == "1"
    [failed] = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert failed.get("name") == "example-site nova.conf [DEFAULT] cpu_alocation_ratio"
    assert "did you mean cpu_allocation_ratio?" in failed.find("failure").get("message")
    [issue] = json.loads(files["codequality.json"])
    assert issue["location"] == {
        "path": "etc/kayobe/kolla/config/nova.conf",
        "lines": {"begin": 3},
    }
    assert issue["check_name"] == "config-diff/unknown-option" and issue["severity"] == "major"
    again = json.loads(artifacts(report, unified)["codequality.json"])
    assert again[0]["fingerprint"] == issue["fingerprint"]  # the same issue on the next push


def test_in_gitlab_a_problem_links_to_the_line_that_set_it(made: tuple[Report, str]) -> None:
    report, unified = made
    report.problems = [unknown_option("[DEFAULT] x", "unknown")]
    environ = {"CI_PROJECT_URL": "https://gitlab.example/site/config", "CI_COMMIT_SHA": "ab" * 20}
    files = artifacts(report, unified, link=output.gitlab_link(environ))
    blob = f"https://gitlab.example/site/config/-/blob/{'ab' * 20}"
    url = f"{blob}/etc/kayobe/kolla/config/nova.conf#L3"
    assert f"[<code>etc/kayobe/kolla/config/nova.conf:3</code>]({url})" in files["report.md"]
    assert (
        f'<a href="{url}"><code>etc/kayobe/kolla/config/nova.conf:3</code></a>'
        in files["report.html"]
    )
    plain = artifacts(report, unified, link=output.gitlab_link({}))  # outside GitLab: no link
    assert "](https://" not in plain["report.md"] and "<a href" not in plain["report.html"]


def test_report_json_is_its_documented_format(made: tuple[Report, str]) -> None:
    """report.json against its JSON Schema (sitectl/diff/report.schema.json: every field
    described, nulls said), with and without problems; the schema names every field."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    report, unified = made
    data = json.loads(artifacts(report, unified)["report.json"])
    jsonschema.validate(data, schema)
    assert set(schema["required"]) == set(data) == set(schema["properties"])
    report.problems = [
        Problem("warning", "deprecated", "nova.conf", "[x] y", "deprecated", None, ["ctl01"])
    ]
    report.rendering.append("head: a note")
    jsonschema.validate(json.loads(artifacts(report, unified)["report.json"]), schema)
    broken = {**data, "renders": {"base": 3}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
