"""The repository's linters, one check each, run as the lint job runs them.

yaml      yamllint --strict over every YAML file (.yamllint)
ansible   ansible-lint --offline over ansible/ (.ansible-lint)
python    ruff check and ruff format --check over tools/, tests/, ansible/ and the site's filters
imports   import-linter's contracts (tools/pyproject.toml): command line > features > core,
          and no feature imports another's internals
pipeline  every GitLab pipeline file against GitLab's own schema (check-jsonschema)
"""

from sitectl.lint.checks import CHECKS, Check, Result, run_checks

__all__ = ["CHECKS", "Check", "Result", "run_checks"]
