"""The plan as people read it (`sitectl images plan`): the reasons once, then one line per
image; every chain stays in the JSON."""

from __future__ import annotations

from sitectl.images.model import Plan, Reason, Selected

TAG = Reason("[DEFAULT] base_tag: 10 -> 10.1", ("etc/kayobe/kolla-images.yml",))
OVERRIDE = Reason("its template override", ("kolla-images/templates/neutron-server.j2",))


def plan() -> Plan:
    chain = ["neutron-base", "openstack-base", "base"]
    images = [
        Selected("base", [(["base"], [TAG])]),
        Selected("openstack-base", [(["openstack-base", "base"], [TAG])]),
        Selected("neutron-base", [(chain, [TAG])]),
        Selected(
            "neutron-server",
            [(["neutron-server"], [OVERRIDE]), (["neutron-server", *chain], [TAG])],
        ),
    ]
    return Plan("example-site", "main", "HEAD", ["etc/kayobe/kolla-images.yml"], [], images)


def test_the_reasons_lead_once_then_a_line_per_image() -> None:
    assert plan().text().splitlines() == [
        "Image build plan for example-site: main..HEAD",
        "4 images to build, because:",
        "  base: etc/kayobe/kolla-images.yml changed: [DEFAULT] base_tag: 10 -> 10.1",
        "  neutron-server: kolla-images/templates/neutron-server.j2 changed: its template override",
        "The images, parents first (each one's chains: --format json):",
        "  base (changed)",
        "  openstack-base (from base)",
        "  neutron-base (from base)",
        "  neutron-server (changed; from base)",
    ]


def test_the_json_keeps_every_chain() -> None:
    server = plan().to_json()["images"][3]
    assert server["why"] == [
        "neutron-server (kolla-images/templates/neutron-server.j2 changed: its template override)",
        "neutron-server <- neutron-base <- openstack-base <- base (etc/kayobe/kolla-images.yml "
        "changed: [DEFAULT] base_tag: 10 -> 10.1)",
    ]
