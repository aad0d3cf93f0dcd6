"""What a parsed record must look like, given the raw recorded resource it came from."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.suitecrm import Record
from tests.contract.recorded import fields_document

__all__ = ["assert_records_match", "raw_items"]

_TYPES: dict[str, type] = {
    "int": int, "decimal": Decimal, "currency": Decimal, "float": float, "bool": bool,
    "date": date, "datetime": datetime, "datetimecombo": datetime,
}


def _vardefs(module: str) -> dict[str, Any]:
    response = fields_document(module)
    if response.status_code != 200:
        return {}
    return dict(json.loads(response.content)["data"]["attributes"])


def raw_items(body: Any) -> list[dict[str, Any]]:
    """The resources of a recorded document's ``data``."""
    data = body["data"]
    return [data] if isinstance(data, dict) else list(data)


def _check_value(name: str, value: Any, raw: Any, vardef: dict[str, Any] | None) -> None:
    if raw == "" or raw is None:
        assert value is None, f"{name}: empty should be None, got {value!r}"
        return
    kind = _TYPES.get(vardef["type"]) if vardef else None
    if kind is None:
        expected = html.unescape(raw) if isinstance(raw, str) else raw
        assert value == expected, f"{name}: {value!r} != {expected!r}"
        return
    if isinstance(raw, bool):
        assert value is raw
        return
    assert isinstance(value, kind), f"{name}: {type(value).__name__}, want {kind.__name__}"
    if kind is datetime:
        assert value.tzinfo is UTC and value.strftime("%Y-%m-%dT%H:%M") == raw[:16], name
    elif kind is bool:
        assert value is (raw == "1"), name
    elif kind is date:
        assert value.isoformat() == raw, name
    else:
        assert kind(raw) == value, f"{name}: {value!r} from {raw!r}"


def assert_records_match(records: list[Record], body: Any, module: str) -> None:
    """Each record has the raw resource's id, the module asked for and converted values."""
    items = raw_items(body)
    assert [r.id for r in records] == [item["id"] for item in items]
    vardefs = _vardefs(module)
    for record, item in zip(records, items, strict=True):
        assert record.module == module
        for name, raw in item["attributes"].items():
            vardef = vardefs.get(name)
            if (vardef and vardef["type"] == "link") or raw == {}:
                assert name not in record.attributes, f"link field {name} kept"
                continue
            _check_value(name, record.attributes[name], raw, vardef)
