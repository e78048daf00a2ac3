"""Run-specific paths, the throwaway key and Ansible's random omit value get placeholders."""

from __future__ import annotations

from pathlib import Path

from sitectl.render.normalise import Normaliser

SCRATCH = Path("/tmp/sitectl-render-abc123")


def normaliser() -> Normaliser:
    return Normaliser(
        paths={
            "repo": SCRATCH / "repo",
            "scratch": SCRATCH,
            "venv": Path("/work/main/.venv"),
        },
        literals={"ssh-public-key": "ssh-rsa AAAAkey stand-in"},
    )


def test_paths_most_specific_first() -> None:
    text = f"a: {SCRATCH}/repo/etc/kayobe\nb: {SCRATCH}/tmp/x\nc: /work/main/.venv/bin/python\n"
    assert normaliser().text(text) == (
        "a: <render:repo>/etc/kayobe\nb: <render:scratch>/tmp/x\nc: <render:venv>/bin/python\n"
    )


def test_only_whole_path_components() -> None:
    text = f"{SCRATCH}/repository {SCRATCH}/repo\n/work/main/.venv2\n"
    assert normaliser().text(text) == (
        "<render:scratch>/repository <render:repo>\n/work/main/.venv2\n"
    )


def test_literals_and_omit() -> None:
    text = "key: ssh-rsa AAAAkey stand-in\nx: __omit_place_holder__0a1b2c3d4e\n"
    assert normaliser().text(text) == "key: <render:ssh-public-key>\nx: __omit_place_holder__\n"


def test_data_keys_and_values() -> None:
    data = {f"{SCRATCH}/repo": [f"{SCRATCH}/repo/a", 1, None]}
    assert normaliser().data(data) == {"<render:repo>": ["<render:repo>/a", 1, None]}
