"""A cloud from clouds.yaml, as the OS_* variables Rally's --fromenv reads (never printed)."""

import os
from pathlib import Path

from sitectl.errors import SiteError


def credentials(cloud: str, clouds_yaml: Path | None = None) -> dict[str, str]:
    """OS_* variables for `cloud` (openstacksdk's lookup: OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
    ~/.config/openstack, /etc/openstack)."""
    try:
        from openstack import config as os_config
        from openstack import exceptions as os_exceptions
    except ImportError:
        raise SiteError("openstacksdk is not installed in sitectl's venv.") from None
    files = [str(clouds_yaml)] if clouds_yaml else None
    try:
        region = os_config.OpenStackConfig(config_files=files).get_one(cloud=cloud)
    except os_exceptions.ConfigException as e:
        raise SiteError(f"no usable cloud '{cloud}' in clouds.yaml: {e}") from None
    auth = region.config.get("auth", {})
    if not auth.get("auth_url"):
        raise SiteError(f"cloud '{cloud}' has no auth_url in clouds.yaml.")
    names = {
        "auth_url": "OS_AUTH_URL",
        "username": "OS_USERNAME",
        "password": "OS_PASSWORD",
        "project_name": "OS_PROJECT_NAME",
        "user_domain_name": "OS_USER_DOMAIN_NAME",
        "project_domain_name": "OS_PROJECT_DOMAIN_NAME",
        "user_domain_id": "OS_USER_DOMAIN_ID",
        "project_domain_id": "OS_PROJECT_DOMAIN_ID",
    }
    env = {var: str(auth[key]) for key, var in names.items() if auth.get(key)}
    env["OS_IDENTITY_API_VERSION"] = "3"
    if region.get_region_name():
        env["OS_REGION_NAME"] = region.get_region_name()
    interface = region.config.get("interface")
    if interface:
        env["OS_INTERFACE"] = interface
    verify = region.config.get("verify", True)
    if verify is False:
        env["OS_INSECURE"] = "True"
    if region.config.get("cacert"):
        env["OS_CACERT"] = str(region.config["cacert"])
    return env


def client_config_env(clouds_yaml: Path | None) -> dict[str, str]:
    """The environment for tools that find the cloud by name themselves (tempestconf)."""
    env = dict(os.environ)
    if clouds_yaml is not None:
        env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
    return env
