"""`sitectl validate`: catch broken site configuration before kayobe meets real hosts.

Modules:
  rules/     one module per rule (id, description, example of bad input, check());
  files      what the file rules read before kayobe runs (layering, vault password, files);
  templated  files kayobe templates (kolla/globals.yml, kolla/config) read as they become;
  kolla_config  which strategy kayobe applies to each kolla/config file (copy, template, INI);
  (the Site the site rules read, kayobe's resolved configuration as hosts, groups, networks
  and interfaces, is sitectl.site: the host checks read it too)
  locate     which file (and line) defines a key in the layered configuration;
  runner     one environment: file rules, one kayobe dump, site rules;
  unread, settings, role_params, unread_allowlist
             the variables nothing reads (rule variable-unread; the diff's problems too);
  report     text, JSON and JUnit XML output.
"""

from sitectl.validate.finding import Finding
from sitectl.validate.runner import EnvironmentReport, check_files, check_site, validate
from sitectl.validate.unread import problems as unread_variables

__all__ = [
    "EnvironmentReport",
    "Finding",
    "check_files",
    "check_site",
    "unread_variables",
    "validate",
]
