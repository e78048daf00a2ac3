"""Which variable a release note renames to which (release_notes.renames), on the wording of
real kayobe and kolla-ansible notes: the rehearsal gives the new name of a variable the new
release no longer reads when a note says it."""

from __future__ import annotations

from sitectl.release_notes import Note, renames

# Sentences of kolla-ansible's and kayobe's release notes (releasenotes/notes/*.yaml).
SAID = {
    "plain": (
        "The ``cinder_iscsi_helper`` variable has been renamed to ``cinder_target_helper``. "
        "Use of ``cinder_iscsi_helper`` is deprecated, and will be removed after Train."
    ),
    "in favour": "The ``enable_xtrabackup`` variable is deprecated in favour of "
    "``enable_mariabackup``.",
    "pairs": (
        "The remaining variables and artifacts were renamed for consistency: "
        "``ironic_inspector_kernel_cmdline_extras`` becomes ``ironic_kernel_cmdline_extras``, "
        "``ironic_inspector_pxe_filter`` becomes ``ironic_pxe_filter``, and "
        "``inspector.ipxe`` becomes ``ipa.ipxe``."
    ),
    "respectively": (
        "The variables ``deploy_containers_registry_attempt_login`` and "
        "``deploy_containers_docker_api_timeout`` have been renamed to "
        "``manage_containers_registry_attempt_login`` and "
        "``manage_containers_docker_api_timeout`` respectively."
    ),
    "split": "``haproxy_listen_tcp_extra`` becomes ``haproxy_frontend_tcp_extra`` and "
    "``haproxy_backend_tcp_extra``",
    "instead": "Removes the deprecated configuration variable ``external_net_name``. Users "
    "should use ``external_net_names`` instead.",
    "use alone": "The ``foo_backend`` option now needs a driver: use ``bar_driver`` for it.",
}


def _notes(section: str = "upgrade") -> list[Note]:
    return [
        Note("kolla-ansible", "23.0.0", section, text, f"releasenotes/notes/{name}.yaml")
        for name, text in SAID.items()
    ]


def test_one_old_name_to_one_new_name_is_a_rename() -> None:
    found = {old: new for old, (new, _) in renames(_notes()).items()}
    assert found == {
        "cinder_iscsi_helper": "cinder_target_helper",
        "enable_xtrabackup": "enable_mariabackup",
        "ironic_inspector_kernel_cmdline_extras": "ironic_kernel_cmdline_extras",
        "ironic_inspector_pxe_filter": "ironic_pxe_filter",
        "external_net_name": "external_net_names",
    }
    # Lists whose pairing is not said plainly, and a name split in two, are left out.
    _, note = renames(_notes())["cinder_iscsi_helper"]
    assert (note.project, note.version, note.file) == (
        "kolla-ansible",
        "23.0.0",
        "releasenotes/notes/plain.yaml",
    )


def test_only_upgrade_and_deprecation_notes_rename() -> None:
    assert renames(_notes("fixes")) == {}
    assert set(renames(_notes("deprecations"))) == set(renames(_notes()))
