"""What render.json's "notes" tell every reader of a render: here, why a render holds no
service file at all (the others: tests/config/test_release.py)."""

from __future__ import annotations

from pathlib import Path

from sitectl import render_layout as layout
from sitectl.render import pipeline


def test_a_render_without_service_files_says_why(tmp_path: Path) -> None:
    (tmp_path / layout.CONFIG).mkdir()
    why = pipeline._why_no_service_files(tmp_path, ["localhost"], ["nova"])
    assert why and "no service file for the selected services (nova) on 1 host(s)" in why
    assert "kolla/inventory/overcloud" in why and "enable_*" in why
    (tmp_path / layout.CONFIG / "ctl1").mkdir()
    assert pipeline._why_no_service_files(tmp_path, ["ctl1"], None) is None
