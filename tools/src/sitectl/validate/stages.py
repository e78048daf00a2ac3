"""When a rule runs (see sitectl.validate.rules)."""

FILES = "files"  # on the configuration files, before kayobe runs
LOAD = "load"  # kayobe loading the configuration
SITE = "site"  # on kayobe's resolved configuration
