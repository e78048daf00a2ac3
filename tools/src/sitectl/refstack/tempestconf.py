"""tempest.conf: python-tempestconf's discovery, then the site's overrides on top."""

import configparser
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.refstack.cloud import client_config_env


def discover(
    cloud: str, out: Path, clouds_yaml: Path | None, extra_args: Sequence[str] = ()
) -> None:
    """Run `discover-tempest-config --os-cloud CLOUD --out OUT` (its log stays out of sight:
    it prints requests, and its output file holds the admin password)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix(".log")
    command = [str(Path(sys.executable).parent / "discover-tempest-config")]
    command += ["--os-cloud", cloud, "--out", str(out), *extra_args]
    result = subprocess.run(
        command,
        cwd=out.parent,
        env=client_config_env(clouds_yaml),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    log.write_text(result.stdout + result.stderr)
    if result.returncode != 0 or not out.exists():
        lines = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if "ERROR" in line or "Error" in line or "rror:" in line
        ]
        raise SiteError(
            f"discover-tempest-config failed for cloud '{cloud}' (exit {result.returncode}); "
            f"its log is {log}.",
            details=lines[-8:],
        )
    out.chmod(0o600)


def apply_overrides(conf: Path, overrides: Sequence[Path]) -> list[str]:
    """Set every option of each overrides file (INI, like tempest.conf) in `conf`; the
    `section.option` names set, in order."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(conf)
    applied = []
    for path in overrides:
        extra = configparser.RawConfigParser()
        extra.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            if not extra.read(path):
                raise SiteError(f"tempest overrides file {path} does not exist.")
        except configparser.Error as e:
            raise SiteError(f"{path} is not an INI file like tempest.conf: {e}") from None
        for section in extra.sections():
            if not parser.has_section(section) and section != "DEFAULT":
                parser.add_section(section)
            for option, value in extra.items(section, raw=True):
                if option in extra.defaults() and section != "DEFAULT":
                    continue
                parser.set(section, option, value)
                applied.append(f"{section}.{option}")
        for option, value in extra.defaults().items():
            parser.set("DEFAULT", option, value)
            applied.append(f"DEFAULT.{option}")
    with conf.open("w") as f:
        parser.write(f)
    conf.chmod(0o600)
    return applied
