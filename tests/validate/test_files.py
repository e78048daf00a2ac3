"""The file rules (env-dependency, vault-password, yaml-syntax, inventory-syntax) on small
repositories built in a temporary directory: no kayobe runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.validate import check_files, files, validate
from sitectl.validate.finding import Finding
from tests.helpers import REPO

from .mini_env import vault_variable

PASSWORD = "test-password"


def make_repo(root: Path, environments: dict[str, dict[str, str]]) -> Path:
    """etc/kayobe (linked environments/) and environments with the given files."""
    (root / "etc" / "kayobe" / "inventory").mkdir(parents=True)
    (root / "etc" / "kayobe" / "globals.yml").write_text("---\nos_distribution: rocky\n")
    (root / "etc" / "kayobe" / "inventory" / "groups").write_text("[controllers]\n")
    (root / "environments").mkdir()
    (root / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    for name, contents in environments.items():
        for relative, text in contents.items():
            path = root / "environments" / name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (root / "environments" / name).mkdir(parents=True, exist_ok=True)
    return root


def findings(repo: Path, env: str, password: str | None = PASSWORD) -> list[Finding]:
    password_file = None
    if password is not None:
        password_file = repo / "password"
        password_file.write_text(password + "\n")
    return check_files(files.load(repo, env, password_file))


def test_a_clean_environment_has_no_file_findings(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"networks.yml": "---\na_net_cidr: 10.0.0.0/24\n"}})
    assert findings(repo, "site") == []


def test_yaml_syntax_names_file_and_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"networks.yml": "---\na: 1\nb: [1, 2\nc: 3\n"}})
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file) == ("yaml-syntax", "environments/site/networks.yml")
    assert finding.line == 4 and "not valid YAML" in finding.message


@pytest.mark.parametrize(
    ("content", "words", "line"),
    [
        ("---\na: 1\nb: 2\na: 3\n", "defines a twice (lines 2 and 4)", 4),
        ("---\n- a\n- b\n", "holds a list, not a mapping", 2),
        ("---\na: 1\n---\nb: 2\n", "holds 2 YAML documents", 4),
        ("---\na: !bogus 1\n", "not valid YAML", 2),
        ("---\nwhen: 2020-13-45\n", "cannot be read as YAML", None),
    ],
)
def test_yaml_syntax_problems(tmp_path: Path, content: str, words: str, line: int | None) -> None:
    repo = make_repo(tmp_path, {"site": {"inventory/group_vars/all/x": content}})
    [finding] = findings(repo, "site")
    assert finding.rule == "yaml-syntax" and words in finding.message, finding
    assert finding.line == line
    assert finding.file == "environments/site/inventory/group_vars/all/x"


def test_a_vaulted_file_with_an_impossible_date_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """sitectl.vault used to raise ValueError on it (PyYAML's date constructor)."""
    content = "---\nwhen: 2020-13-45\n" + vault_variable("s", "v", PASSWORD)
    repo = make_repo(tmp_path, {"site": {"a.yml": content}})
    assert [(f.rule, f.line) for f in findings(repo, "site")] == [("yaml-syntax", None)]


def test_yaml_syntax_accepts_ansible_tags(tmp_path: Path) -> None:
    secret = vault_variable("secret", "value", PASSWORD)
    repo = make_repo(tmp_path, {"site": {"a.yml": "---\n" + secret + "b: !unsafe '{{ x }}'\n"}})
    assert findings(repo, "site") == []


def test_yaml_syntax_reads_non_utf8(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {}})
    (repo / "environments" / "site" / "a.yml").write_bytes(b"---\na: 1\nb: \xff\n")
    [finding] = findings(repo, "site")
    assert "not UTF-8" in finding.message and finding.line == 3


def test_yaml_syntax_checks_vault_encrypted_files_after_decryption(tmp_path: Path) -> None:
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([("default", VaultSecret(PASSWORD.encode()))])
    encrypted = vault.encrypt("---\na: [1\n").decode()
    repo = make_repo(tmp_path, {"site": {"secrets.yml": encrypted}})
    [finding] = findings(repo, "site")
    assert finding.rule == "yaml-syntax" and "(after decryption)" in finding.message


# kolla/globals.yml: kayobe templates it, then reads it as YAML.
TEMPLATED_GLOBALS = """\
---
{# kolla-ansible globals the site sets itself #}
{% if kolla_enable_ironic | bool %}
ironic_dnsmasq_serve_ipxe: true
{% else %}
ironic_dnsmasq_serve_ipxe: false
{% endif %}
openstack_logging_debug: {{ 'True' if site_debug | default(false) else 'False' }}
{% for service in ['nova', 'neutron'] %}
{{ service }}_logging_debug: "{{ site_debug | default(false) }}"
{% endfor %}
haproxy_extra_label: {% raw %}"{{ literal }}"{% endraw %}
"""


@pytest.mark.parametrize(
    ("broken", "words", "line"),
    [
        ("{% if x %}\na: [1, 2\n{% endif %}\nb: 3\n", "not valid YAML (as kayobe templates", 5),
        ("a: 1\n{% if x %}\nb: 2\n", "does not parse as Jinja", 3),
        ("a: 1\n{% if x %}\nb: 2\n{% endif %}\na: 3\n", "defines a twice", 6),
    ],
)
def test_yaml_syntax_reads_kolla_globals_as_kayobe_templates_them(
    tmp_path: Path, broken: str, words: str, line: int
) -> None:
    """Jinja blocks, expressions and raw blocks are no YAML errors, nor is a key set in both
    branches of an if; a file broken once templated is, on its own line."""
    repo = make_repo(tmp_path, {"site": {"kolla/globals.yml": TEMPLATED_GLOBALS}})
    assert findings(repo, "site") == []
    (repo / "environments/site/kolla/globals.yml").write_text("---\n" + broken)
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file) == ("yaml-syntax", "environments/site/kolla/globals.yml")
    assert words in finding.message and finding.line == line, finding


def test_yaml_syntax_templates_only_kolla_globals(tmp_path: Path) -> None:
    """kayobe reads its variables files as they are: Jinja blocks there are YAML errors."""
    repo = make_repo(tmp_path, {"site": {"kolla.yml": TEMPLATED_GLOBALS}})
    assert [(f.rule, f.line) for f in findings(repo, "site")] == [("yaml-syntax", 3)]


def test_env_dependency_unknown_and_cycle(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "site": {".kayobe-environment": "---\ndependencies:\n  - a\n  - nope\n"},
            "a": {".kayobe-environment": "---\ndependencies: [b]\n"},
            "b": {".kayobe-environment": "---\ndependencies: [a]\n"},
        },
    )
    [unknown] = findings(repo, "site")
    assert unknown.rule == "env-dependency" and "'nope'" in unknown.message
    assert (unknown.file, unknown.line) == ("environments/site/.kayobe-environment", 4)
    [cycle] = findings(repo, "a")
    assert "cycle" in cycle.message and cycle.file == "environments/b/.kayobe-environment"


def test_env_dependency_unreadable_file_elsewhere(tmp_path: Path) -> None:
    """A broken .kayobe-environment of another environment stops sitectl too: said so."""
    repo = make_repo(
        tmp_path,
        {"site": {"a.yml": "---\na: 1\n"}, "other": {".kayobe-environment": "dependencies: [\n"}},
    )
    [finding] = findings(repo, "site")
    assert finding.rule == "env-dependency" and "environment other" in finding.message
    assert finding.file == "environments/other/.kayobe-environment"


def test_vault_password_wrong_names_each_file(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "site": {
                "a.yml": "---\nplain: 1\n" + vault_variable("s1", "one", "other"),
                "b.yml": "---\n" + vault_variable("s2", "two", PASSWORD),
            }
        },
    )
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file, finding.key, finding.line) == (
        "vault-password",
        "environments/site/a.yml",
        "s1",
        3,
    )
    assert "does not decrypt" in finding.message
    assert (
        "though it decrypts other vault-encrypted values of this configuration (e.g. s2 in "
        "environments/site/b.yml)" in finding.message
    )


def test_vault_password_damaged_value_is_not_blamed_on_the_password(tmp_path: Path) -> None:
    lines = vault_variable("pulp_password", "pp", PASSWORD).splitlines()
    lines[2] = "  zz" + lines[2].strip()[2:]  # valid header, garbled body
    repo = make_repo(tmp_path, {"site": {"secrets.yml": "---\n" + "\n".join(lines) + "\n"}})
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file, finding.key, finding.line) == (
        "vault-password",
        "environments/site/secrets.yml",
        "pulp_password",
        2,
    )
    assert finding.message.startswith(
        "the encrypted value of pulp_password in environments/site/secrets.yml is damaged"
    )
    assert "the vault password is not the problem" in finding.message
    assert "The password is fine" in finding.hint and "encrypt_string --name pulp_password" in (
        finding.hint
    )


def test_vault_password_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"a.yml": "---\n" + vault_variable("s", "v", PASSWORD)}})
    [finding] = findings(repo, "site", password=None)
    assert finding.rule == "vault-password" and "no vault password was given" in finding.message
    assert ".vault-password" in finding.hint and "--vault-password-file" in finding.hint
    # The advice fits the repository: this one ignores no .vault-password, has no example.
    assert "does not git-ignore it" in finding.hint and "example" not in finding.hint
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("/.vault-password\n")
    (repo / "ci").mkdir()
    (repo / "ci" / "vault-password.example").write_text("example\n")
    [finding] = findings(repo, "site", password=None)
    assert "(git-ignored here, yours only)" in finding.hint
    assert "--vault-password-file ci/vault-password.example" in finding.hint


def test_vault_password_unreadable_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"a.yml": "---\n" + vault_variable("s", "v", PASSWORD)}})
    ctx = files.load(repo, "site", repo / "no-such-password-file")
    [finding] = check_files(ctx)
    assert finding.rule == "vault-password" and "cannot read" in finding.message


def test_inventory_syntax(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {"site": {"inventory/hosts": "[controllers]\nctl1\n\n[compute]\ncmp1 ansible_user\n"}},
    )
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file, finding.line) == (
        "inventory-syntax",
        "environments/site/inventory/hosts",
        5,
    )
    assert "key=value" in finding.message


def test_inventory_host_name_with_shell_characters(tmp_path: Path) -> None:
    hosts = "[controllers]\nctl1\nctl;rm\n\n[compute]\ncmp1\n'ctl$(x)' ansible_user=x\nctl;rm\n"
    repo = make_repo(tmp_path, {"site": {"inventory/hosts": hosts}})
    found = findings(repo, "site")
    assert [(f.rule, f.file, f.line) for f in found] == [
        ("inventory-host-name", "environments/site/inventory/hosts", 3),
        ("inventory-host-name", "environments/site/inventory/hosts", 7),
    ]
    assert "'ctl;rm' has ';'" in found[0].message
    assert "'ctl$(x)' has '$' '(' ')'" in found[1].message
    fine = "[controllers]\nctl-01.example.org\n10.0.0.5\nnode_1\nctl[01:02]\n"
    repo = make_repo(tmp_path / "fine", {"site": {"inventory/hosts": fine}})
    assert findings(repo, "site") == []


NOVA_CONF = "# nova.conf\n[DEFAULT\ncpu_allocation_ratio = 4.0\n"


def test_ini_syntax_names_the_site_file_and_its_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"kolla/config/nova.conf": NOVA_CONF}})
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.file, finding.line) == (
        "ini-syntax",
        "environments/site/kolla/config/nova.conf",
        2,
    )
    assert "Invalid section (must end with ]): '[DEFAULT'" in finding.message
    assert "`[section]`" in finding.hint


def test_ini_syntax_tolerates_jinja() -> None:
    """The repository's own overrides template sections, values and raw blocks."""
    from sitectl.validate.rules import ini_syntax

    for path in [
        *(REPO / "etc" / "kayobe" / "kolla" / "config").rglob("*.conf"),
        *(REPO / "environments").glob("*/kolla/config/**/*.conf"),
    ]:
        assert ini_syntax.ini_errors(ini_syntax.neutralise(path.read_text())) == [], path
    text = (
        "[DEFAULT]\n{% if x %}\nlist = a\n{% for i in y %}\n  {{ i }}\n{% endfor %}\n"
        "{% endif %}\n{{ extra_lines }}\n[{{ name }}]\nk = {{ v }}\n{% raw %}\n[pci]\n"
        "device_spec = {{ specs | to_json }}\n{% endraw %}\n{#\n  a comment\n#}\n[DEFAULT\n"
    )
    assert [line for line, _, _ in ini_syntax.ini_errors(ini_syntax.neutralise(text))] == [18]


def test_ini_syntax_checks_encrypted_overrides_without_showing_them(tmp_path: Path) -> None:
    from ansible.parsing.vault import VaultLib, VaultSecret

    secret = "[ldap]\npassword = hunter2-secret\n[identity\n"
    vaulted = VaultLib([("default", VaultSecret(PASSWORD.encode()))]).encrypt(secret).decode()
    repo = make_repo(tmp_path, {"site": {"kolla/config/keystone/domains/keystone.x.conf": vaulted}})
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.line) == ("ini-syntax", 3)
    assert "vault-encrypted" in finding.message
    assert "hunter2" not in finding.message + finding.hint and "identity" not in finding.message
    # Without the password the vault-password rule reports the file, not this one.
    assert [f.rule for f in findings(repo, "site", password=None)] == ["vault-password"]


def test_ini_syntax_follows_kayobes_rules(tmp_path: Path) -> None:
    """Only what kayobe merges as INI: not YAML, not its templated exceptions (fluentd), not
    what the site's own rules copy."""
    copy = "---\nkolla_openstack_custom_config_rules_extra:\n"
    copy += "  - {glob: 'nova/custom.conf', strategy: copy, priority: 100}\n"
    broken = "[DEFAULT\n"
    repo = make_repo(
        tmp_path,
        {
            "site": {
                "kolla.yml": copy,
                "kolla/config/nova/custom.conf": broken,
                "kolla/config/fluentd/input/x.conf": broken,
                "kolla/config/neutron/ml2_conf.ini": broken,
                "kolla/config/glance.yml": "a: [b\n",
            }
        },
    )
    assert [f.file for f in findings(repo, "site")] == [
        "environments/site/kolla/config/neutron/ml2_conf.ini"
    ]


def test_groups_of_earlier_inventories_count(tmp_path: Path) -> None:
    """[controllers:vars] is valid: etc/kayobe/inventory/groups declared the group."""
    repo = make_repo(tmp_path, {"site": {"inventory/hosts": "[controllers:vars]\na=1\n"}})
    assert findings(repo, "site") == []


def test_file_findings_stop_kayobe(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {"a.yml": "---\na: [\n"}})

    def no_kayobe(*args: object) -> object:
        raise AssertionError("kayobe must not run")

    report = validate(repo, "site", None, dumper=no_kayobe)
    assert [f.rule for f in report.findings] == ["yaml-syntax"]
    assert any("kayobe was not run" in note for note in report.notes)
    assert {r.rule.ID for r in report.results if r.skipped} >= {"kayobe-load", "net-invalid"}


def test_sealed_validation_reads_no_password(tmp_path: Path) -> None:
    """validate --sealed: kayobe's dump comes from the dumper (a sealed copy); nothing is
    decrypted here, and a missing password is no finding."""
    repo = make_repo(tmp_path, {"site": {"a.yml": "---\n" + vault_variable("s", "v", PASSWORD)}})
    given: list[object] = []

    def sealed_dump(*args: object) -> object:
        given.append(args)
        return {}

    report = validate(repo, "site", dumper=sealed_dump, sealed=True)
    assert report.findings == [] and len(given) == 1
    assert any("nothing was decrypted" in note for note in report.notes)
    [skipped] = [r for r in report.results if r.rule.ID == "vault-password"]
    assert skipped.skipped and "--sealed" in skipped.skipped


def test_the_sealed_dump_names_the_repository_not_its_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kayobe runs on a sealed copy that is gone once the dump returns: the site rules must
    read (and findings and errors name) the operator's files."""
    from sitectl.verbs import validate as verb

    repo = make_repo(tmp_path, {"site": {"a.yml": "---\n" + vault_variable("s", "v", PASSWORD)}})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    copies: list[Path] = []

    def dump(copy: Path, environment: str | None, password_file: Path | None) -> object:
        assert "sealed-" in (copy / "environments/site/a.yml").read_text()
        copies.append(copy)
        if len(copies) > 1:
            raise SiteError(f"kayobe failed on {copy}/etc/kayobe/x.yml", [f"at {copy}/y"])
        return {"h1": {"kayobe_config_path": f"{copy}/etc/kayobe", "paths": [f"{copy}/z"]}}

    monkeypatch.setattr(verb.runner, "default_dumper", dump)
    assert verb.sealed_dumper(repo, "site", None) == {
        "h1": {"kayobe_config_path": f"{repo}/etc/kayobe", "paths": [f"{repo}/z"]}
    }
    with pytest.raises(SiteError) as failed:
        verb.sealed_dumper(repo, "site", None)
    assert (failed.value.message, failed.value.details) == (
        f"kayobe failed on {repo}/etc/kayobe/x.yml",
        (f"at {repo}/y",),
    )
    assert not any(copy.exists() for copy in copies)


def test_unknown_environment_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"site": {}})
    with pytest.raises(SiteError, match="unknown environment 'nope'"):
        validate(repo, "nope")


# --- grafana-dashboard-invalid --------------------------------------------------------------

DASHBOARDS = "kolla/config/grafana/dashboards/site"
VARIABLE = {"list": [{"name": "ds", "type": "datasource", "query": "prometheus"}]}


def _dashboard(uid: str, datasource: object, templating: object = None) -> str:
    import json

    panel = {"type": "stat", "datasource": datasource, "targets": [{"refId": "A"}]}
    row = {"type": "row", "panels": [panel]}  # panels inside rows are checked too
    return json.dumps({"uid": uid, "title": uid, "panels": [row], "templating": templating or {}})


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("{not json", None, "is not JSON"),
        ('{"title": "x"}', None, "is not a Grafana dashboard"),
        (_dashboard("a", "Prom"), "panels[0].panels[0].datasource", "names data source 'Prom'"),
        (_dashboard("a", {"uid": "P1809F7CD0C75ACF3"}), None, "without fixed uids"),
        (_dashboard("a", "${other}", VARIABLE), None, "uses $other, which is no data source"),
    ],
)
def test_a_bad_dashboard_is_named_with_what_is_wrong(
    tmp_path: Path, text: str, key: str | None, message: str
) -> None:
    repo = make_repo(tmp_path, {"site": {f"{DASHBOARDS}/bad.json": text}})
    [finding] = [f for f in findings(repo, "site") if f.rule == "grafana-dashboard-invalid"]
    assert finding.file == f"environments/site/{DASHBOARDS}/bad.json"
    assert message in finding.message
    if key:
        assert finding.key == key
    assert finding.hint


def test_good_dashboards_pass_and_a_repeated_uid_does_not(tmp_path: Path) -> None:
    good = {
        f"{DASHBOARDS}/named.json": _dashboard("named", "Prometheus"),
        f"{DASHBOARDS}/variable.json": _dashboard("variable", {"uid": "${ds}"}, VARIABLE),
        f"{DASHBOARDS}/default.json": _dashboard("default", None),
    }
    repo = make_repo(tmp_path, {"site": good})
    assert [f for f in findings(repo, "site") if f.rule == "grafana-dashboard-invalid"] == []
    (repo / "environments/site" / DASHBOARDS / "z-copy.json").write_text(
        _dashboard("named", "Prometheus")
    )
    [finding] = [f for f in findings(repo, "site") if f.rule == "grafana-dashboard-invalid"]
    assert finding.key == "uid" and "named.json" in finding.message


# A dashboard as sites keep them: wrapped in {% raw %} (kayobe templates it), Grafana's own
# {{...}} inside; expressions kayobe fills in outside it.
RAW_DASHBOARD = """\
{% raw %}
{
  "uid": "raw", "title": "Raw",
  "panels": [{"type": "timeseries", "datasource": "Prometheus",
              "targets": [{"expr": "up", "legendFormat": "{{instance}}"}]}]
}
{% endraw %}
"""
TEMPLATED_DASHBOARD = """\
{
  "uid": "{{ site_name }}-templated", "title": "Templated \\"{{ site_name }}\\"",
  "refresh": {{ dashboard_refresh | to_json }},
{% if site_tags %}
  "tags": {{ site_tags | to_json }},
{% endif %}
  "panels": [{"type": "stat", "datasource": "{{ site_datasource }}",
              "targets": [{"legendFormat": "{% raw %}{{job}}{% endraw %}"}]}]
}
"""
COPY_DASHBOARDS = (
    "---\nkolla_openstack_custom_config_rules_extra:\n"
    "  - {glob: 'grafana/dashboards/**', strategy: copy, priority: 500}\n"
)


def test_dashboards_are_read_as_kayobe_templates_them(tmp_path: Path) -> None:
    good = {f"{DASHBOARDS}/raw.json": RAW_DASHBOARD, f"{DASHBOARDS}/t.json": TEMPLATED_DASHBOARD}
    repo = make_repo(tmp_path, {"site": good})
    assert findings(repo, "site") == []
    broken = RAW_DASHBOARD.replace('"timeseries",', '"timeseries"')
    (repo / "environments/site" / DASHBOARDS / "raw.json").write_text(broken)
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.line) == ("grafana-dashboard-invalid", 4)
    assert "is not JSON once kayobe templates it" in finding.message
    (repo / "environments/site" / DASHBOARDS / "raw.json").write_text("{% raw %}\n{}\n")
    [finding] = findings(repo, "site")
    assert (finding.line, finding.hint.count("{% raw %}")) == (1, 1)
    assert "does not parse as Jinja" in finding.message


def test_a_copied_dashboard_keeps_its_jinja(tmp_path: Path) -> None:
    """A site rule that copies dashboards: Grafana gets {% raw %} as it is written."""
    dashboards = {f"{DASHBOARDS}/raw.json": RAW_DASHBOARD}
    repo = make_repo(tmp_path, {"site": {"kolla.yml": COPY_DASHBOARDS, **dashboards}})
    [finding] = findings(repo, "site")
    assert (finding.rule, finding.line) == ("grafana-dashboard-invalid", 1)
    assert "as kayobe copies it" in finding.message and "copy rule" in finding.hint


def test_the_monitoring_mixins_dashboards_are_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    found = findings(repo, "monitoring", password=None)
    assert [f for f in found if f.rule == "grafana-dashboard-invalid"] == []
    assert list((repo / "environments/monitoring" / DASHBOARDS).glob("*.json"))


def test_symlink_outside_names_each_link_of_the_environment(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"site": {"nova.conf": "[DEFAULT]\n"}, "other": {}})
    secret = tmp_path / "shadow"
    secret.write_text("root:not-for-the-configuration\n")
    site = repo / "environments" / "site"
    (site / "kolla" / "config" / "nova").mkdir(parents=True)
    (site / "kolla" / "config" / "nova" / "vendordata.json").symlink_to(secret)
    (site / "kolla" / "config" / "nova.conf").symlink_to(site / "nova.conf")  # inside: fine
    (repo / "etc" / "kayobe" / "up.yml").symlink_to(Path("..", "..", "..", "shadow"))
    (repo / "environments" / "other" / "elsewhere.yml").symlink_to("/nonexistent/x")
    found = [f for f in findings(repo, "site") if f.rule == "symlink-outside"]
    assert [(f.file, f.message) for f in found] == [
        (
            "environments/site/kolla/config/nova/vendordata.json",
            f"is a symbolic link to {secret}, outside the repository",
        ),
        (
            "etc/kayobe/up.yml",
            f"is a symbolic link to ../../../shadow, outside the repository (it leads to {secret})",
        ),
    ]
    assert all("replace the link" in f.hint for f in found)
    others = [f for f in findings(repo, "other") if f.rule == "symlink-outside"]
    assert [f.file for f in others] == [
        "environments/other/elsewhere.yml",
        "etc/kayobe/up.yml",
    ]


def test_a_link_outside_stops_kayobe(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"site": {}})
    (repo / "environments" / "site" / "networks.yml").symlink_to("/etc/passwd")

    def no_kayobe(*args: object) -> object:
        raise AssertionError("kayobe must not run")

    report = validate(repo, "site", None, dumper=no_kayobe)
    assert "symlink-outside" in {f.rule for f in report.findings}
    assert any("kayobe was not run" in note for note in report.notes)
