"""Printing results on stdout as JSON or YAML."""

import json
import sys
from typing import Any

import yaml

FORMATS = ("json", "yaml")


def emit(data: Any, fmt: str) -> None:
    if fmt == "yaml":
        yaml.safe_dump(data, sys.stdout, sort_keys=True, default_flow_style=False, width=100)
    else:
        json.dump(data, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
