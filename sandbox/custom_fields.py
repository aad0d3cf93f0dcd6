"""Declare custom ``_c`` fields at run time, as installing a fields package would."""

from __future__ import annotations

import re
from typing import Any

from sandbox.schema import CUSTOM_FIELD_TYPES
from sandbox.state import SandboxState

__all__ = ["CustomFieldError", "declare_custom_field"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*_c$")


class CustomFieldError(ValueError):
    """A custom field declaration that cannot be installed."""


def declare_custom_field(state: SandboxState, module: str, name: str, type_: str, *,
                         length: int | None = None, precision: int | None = None,
                         default: str | None = None, comments: str = "") -> dict[str, Any]:
    """Add a custom field to a module; returns its metadata as meta/fields will list it."""
    if module not in state.schema.modules:
        raise CustomFieldError(f"module {module!r} does not exist")
    if not _NAME.match(name):
        raise CustomFieldError(f"{name!r}: a custom field name is lower-case and ends with _c")
    if type_ not in CUSTOM_FIELD_TYPES:
        raise CustomFieldError(
            f"{type_!r}: not a field type; use one of {', '.join(sorted(CUSTOM_FIELD_TYPES))}")
    meta: dict[str, Any] = {"required": False, "source": "custom_fields", "type": type_,
                            "default": default, "comments": comments}
    if length is not None:
        meta["len"] = str(length)
    elif type_ in {"varchar", "enum", "multienum", "url", "phone"}:
        meta["len"] = "255" if type_ != "enum" else 100
    elif type_ == "int":
        meta["len"] = "11"
    if precision is not None:
        meta["precision"] = str(precision)
    meta["dbType"] = CUSTOM_FIELD_TYPES[type_]
    state.store.add_custom_field(module, name, meta)
    return meta
