"""PHP-style bracket query parameters: parsing (``page[size]=5``) and SuiteCRM's unencoded links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["build_query", "parse_query"]

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def parse_query(query_string: str) -> dict[str, Any]:
    """Nested dict of a query string, in order of first appearance (later values win)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True):
        match = _KEY.match(key)
        if not match:
            result[key] = value
            continue
        path = [match.group(1), *_PART.findall(match.group(2))]
        node = result
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[path[-1]] = value
    return result


def _flatten(prefix: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        parts: list[str] = []
        for key, child in value.items():
            parts.extend(_flatten(f"{prefix}[{key}]", child))
        return parts
    return [f"{prefix}={value}"]


def build_query(params: dict[str, Any]) -> str:
    """``http_build_query`` then ``urldecode``, as SuiteCRM builds pagination links."""
    parts: list[str] = []
    for key, value in params.items():
        parts.extend(_flatten(key, value))
    return "&".join(parts)
