"""Every kayobe command line the documentation shows parses with kayobe's own parser: an
operator who copies one gets no "unrecognized arguments" (kayobe 21 dropped --kolla-tags)."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.cli_parsers import kayobe_error
from tests.helpers import REPO

DOCS = sorted(
    [REPO / "README.md", REPO / "ansible" / "README.md", *REPO.glob("environments/*/README.md")]
)
_SPAN = re.compile(r"`((?:tools/sitectl )?kayobe [^`]+)`")
_BLOCK = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def kayobe_lines(text: str) -> list[str]:
    """kayobe command lines in inline code and in code blocks (continuations joined)."""
    found = [" ".join(span.split()) for span in _SPAN.findall(text)]
    for block in _BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith(("kayobe ", "tools/sitectl kayobe ")):
                found.append(command)
    return found


def words(line: str) -> list[str]:
    parts = shlex.split(line)
    return parts[parts.index("kayobe") + 1 :]


def documented() -> list[tuple[str, str]]:
    return [
        (str(doc.relative_to(REPO)), line)
        for doc in DOCS
        for line in kayobe_lines(doc.read_text())
        if len(words(line)) >= 2  # "kayobe playbook" in prose is a name, not a command
    ]


def test_the_docs_show_kayobe_commands() -> None:
    found = documented()
    assert len(found) >= 10
    assert any("service upgrade" in line and "-t" in line for _, line in found)


@pytest.mark.parametrize(("doc", "line"), documented())
def test_each_documented_kayobe_command_parses(doc: str, line: str) -> None:
    assert kayobe_error(words(line)) is None, f"{doc}: {line}"


def test_an_old_flag_is_caught() -> None:
    assert kayobe_error(words("kayobe overcloud service deploy --kolla-tags nova"))
