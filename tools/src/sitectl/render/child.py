"""The child of render/elsewhere.py: `python -m sitectl.render.child`, run by another
toolchain's Python. Reads render()'s arguments as JSON on stdin, renders, and answers on
stdout with JSON: {"path": ...} or {"error": {"message", "details", "exit_code"}}."""

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sitectl.errors import INTERRUPTED, SiteError, internal
from sitectl.render.elsewhere import PATHS


def _arguments(request: Mapping[str, Any]) -> dict[str, Any]:
    arguments = dict(request)
    for key in PATHS:
        if arguments.get(key) is not None:
            arguments[key] = Path(arguments[key])
    return arguments


def main() -> int:
    from sitectl.render.pipeline import render

    try:
        arguments = _arguments(json.loads(sys.stdin.read()))
        path = render(arguments.pop("repo"), arguments.pop("env"), **arguments)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as e:  # SiteError, or sitectl's own failure told as one paragraph
        error = (
            e if isinstance(e, SiteError) else internal(e, bool(os.environ.get("SITECTL_DEBUG")))
        )
        answer = {"message": error.message, "details": error.details, "exit_code": error.exit_code}
        print(json.dumps({"error": answer}))
        return error.exit_code
    print(json.dumps({"path": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
