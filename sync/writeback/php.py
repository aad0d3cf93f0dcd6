"""PHP source for plain data: literals and ``$name = ...;`` assignments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["php_assign", "php_literal"]

_INDENT = "    "


def php_literal(value: Any, depth: int = 0) -> str:
    """``value`` (None, bool, int, float, str, list, dict) as a PHP literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, Mapping):
        items = [f"{php_literal(str(k))} => {php_literal(v, depth + 1)}" for k, v in value.items()]
        return _array(items, depth)
    if isinstance(value, Sequence):
        return _array([php_literal(item, depth + 1) for item in value], depth)
    raise TypeError(f"no PHP literal for {type(value).__name__}")


def php_assign(target: str, value: Any) -> str:
    """One statement ``<target> = <literal>;`` (target e.g. ``$manifest`` or ``$a['k']``)."""
    return f"{target} = {php_literal(value)};\n"


def _array(items: list[str], depth: int) -> str:
    if not items:
        return "[]"
    inner = _INDENT * (depth + 1)
    return "[\n" + "".join(f"{inner}{item},\n" for item in items) + _INDENT * depth + "]"
