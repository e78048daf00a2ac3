"""kolla-build's configuration as kayobe writes it, and the Dockerfiles real kolla renders from
it (kolla-build --template-only, offline, no container engine)."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import tarfile
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.images import kolla
from sitectl.images.kolla import BuildConfig, Render

pytestmark = pytest.mark.slow

SiteRender = Callable[[str], tuple[BuildConfig, Render]]
MLNX = (
    "https://files.pythonhosted.org/packages/3f/c2/"
    "ea27eed33cc313c8477283e7cc46993eeab51d8e98f53a59a1cdb0131b5d/networking-mlnx-21.0.0.tar.gz"
)
MLNX_SHA256 = "5216c44117d738c9d8b509e460faefa2242b9128c33180491a6c6528e453ee60"


def test_every_image_the_site_builds_renders_from_its_parent(site_render: SiteRender) -> None:
    config, render = site_render("example-site")
    assert config.site_regexes, "kayobe's overcloud image regexes reached the config"
    site = set(render.site_images)
    # What the example site runs (kolla.yml, infiniband, sriov, ironic mixins).
    assert {"neutron-server", "nova-compute", "neutron-mlnx-agent", "cinder-volume"} <= site
    assert {"neutron-sriov-agent", "ironic-conductor", "prometheus-server"} <= site
    assert "neutron-ovn-agent" not in site  # kolla_enable_ovn: no
    for name in site:
        image = render.images[name]
        first = re.search(r"^FROM\s+(\S+)", image.dockerfile, re.MULTILINE)
        assert first, f"{name}: no FROM"
        if image.parent is None:
            assert name == "base"
            assert first.group(1).endswith(":10"), "the base distribution image, Rocky 10"
        else:
            assert first.group(1) == f"openstack.kolla/{image.parent}:2026.2-rocky-10"
    assert render.ancestry("neutron-server") == [
        "neutron-server",
        "neutron-base",
        "openstack-base",
        "base",
    ]


def test_kolla_build_conf_is_kayobes(site_render: SiteRender) -> None:
    config, _ = site_render("example-site")
    default = config.conf_sections()["DEFAULT"]
    assert default["base"] == ["rocky"]
    assert default["base_tag"] == ["10"]
    assert default["namespace"] == ["openstack.kolla"]
    assert default["tag"] == ["2026.2-rocky-10"]  # from the pin file
    overrides = default["template_override"]
    assert overrides[0].endswith("/template-override.j2")  # kayobe's kolla_build_blocks
    assert [o.rsplit("/", 2)[-2:] for o in overrides[1:]] == [
        ["templates", "base-ca-certificates.j2"],
        ["templates", "neutron-server.j2"],
    ]
    assert "{% extends parent_template %}" in config.template_override


def test_site_override_is_in_the_rendered_dockerfile(site_render: SiteRender) -> None:
    _, render = site_render("example-site")
    server = render.images["neutron-server"].dockerfile
    assert "RUN ls /plugins > /etc/neutron/site-plugins.txt" in server
    # ... inside kolla's own neutron-server Dockerfile, before it drops root.
    assert server.index("site-plugins.txt") < server.index("USER neutron")
    assert "site-plugins.txt" not in render.images["nova-compute"].dockerfile


def test_infiniband_adds_networking_mlnx_to_neutron_server_and_nova_compute(
    site_render: SiteRender,
) -> None:
    _, render = site_render("example-site")
    for image in ("neutron-server", "nova-compute"):
        section = f"{image}-plugin-networking-mlnx"
        source = render.images[image].sources[section]
        assert source == {"type": ["url"], "location": [MLNX]}
    assert not any("mlnx" in s for s in render.images["neutron-base"].sources)
    # The eswitch agent image installs the same release.
    assert (
        "RUN python3 -m pip --no-cache-dir install --upgrade -c "
        "/requirements/upper-constraints.txt networking-mlnx==21.0.0"
        in (render.images["neutron-mlnx-agent"].dockerfile)
    )


def test_the_networking_mlnx_source_exists_and_is_the_pinned_release() -> None:
    """The URL kolla-build fetches for the plugin serves the release whose digest the
    infiniband environment documents, and it is an sdist of networking-mlnx 21.0.0."""
    with urllib.request.urlopen(MLNX, timeout=60) as response:
        data = response.read()
    assert hashlib.sha256(data).hexdigest() == MLNX_SHA256
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        info = archive.extractfile("networking-mlnx-21.0.0/PKG-INFO")
        assert info is not None
        assert "Version: 21.0.0" in info.read().decode()
        sources = [
            archive.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in archive.getmembers()
            if m.name.endswith(".py") and "/tests/" not in m.name
        ]
    # What the images need for it beyond pip's own dependencies (pyzmq, pyroute2): the
    # release imports neither libvirt nor ethtool, so no distribution package is added.
    imported = {
        m.group(1)
        for text in sources
        for m in re.finditer(r"^\s*(?:import|from)\s+(\w+)", text, re.MULTILINE)
    }
    assert {"zmq", "pyroute2"} <= imported
    assert not {"libvirt", "ethtool"} & imported


def test_the_networking_mlnx_source_builds(tmp_path: Path) -> None:
    """pip builds the pinned sdist into a wheel, as kolla's plugin install does."""
    sdist = tmp_path / "networking-mlnx-21.0.0.tar.gz"
    with urllib.request.urlopen(MLNX, timeout=60) as response:
        sdist.write_bytes(response.read())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--wheel-dir",
            str(tmp_path),
            str(sdist),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list(tmp_path.glob("networking_mlnx-21.0.0-*.whl"))


def test_without_infiniband_no_networking_mlnx(site_render: SiteRender) -> None:
    _, render = site_render("ci-aio")
    for image in ("neutron-server", "nova-compute"):
        assert not any("mlnx" in s for s in render.images[image].sources)
    assert "neutron-mlnx-agent" not in render.site_images
    # The site's override applies to every environment.
    assert "site-plugins.txt" in render.images["neutron-server"].dockerfile


def test_kayobe_shell_regexes_become_kollas() -> None:
    assert kolla.grep_to_python(r"neutron-\(server\|metadata-agent\)") == (
        "neutron-(server|metadata-agent)"
    )


def test_with_pulp_the_images_install_from_the_pinned_snapshots(site_render: SiteRender) -> None:
    """example-site has a Pulp (pulp_url) and pins: kayobe's kolla/repos.yml hands kolla-build
    the snapshots of the mirrors that name a kolla repository, and kolla writes them into the
    Dockerfiles in place of Rocky's and Docker's own repositories."""
    config, render = site_render("example-site")
    assert config.conf_sections()["DEFAULT"]["repos_yaml"] == ["/kolla-build/repos.yml"]
    content = "http://10.1.0.5:24817/pulp/content"
    base = render.images["base"].dockerfile
    for repo in ("baseos", "appstream"):
        assert f"baseurl={content}/rocky-10-{repo}-20261201T0200/" in base
        assert f"echo '[{repo}]' >/etc/yum.repos.d/{repo}.repo" in base
    assert "RPM-GPG-KEY-Rocky-10" in base
    crb = [n for n, i in render.images.items() if f"{content}/rocky-10-crb-" in i.dockerfile]
    assert crb, "the images that add CRB add the pinned snapshot"
    # DOCA names no kolla repository: no image installs from it.
    assert not any("mellanox-doca" in i.dockerfile for i in render.images.values())


def test_without_pulp_the_images_keep_kollas_repositories(site_render: SiteRender) -> None:
    _, render = site_render("ci-aio")  # pulp_url is not set for the all-in-one
    assert not any("/pulp/content/" in i.dockerfile for i in render.images.values())
