"""Where results and messages go: results to stdout, everything else to stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

__all__ = ["emit_json", "err_console", "out_console"]

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def emit_json(document: Any) -> None:
    """Write one JSON document to stdout."""
    json.dump(document, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
