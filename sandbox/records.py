"""Turn stored rows into V8 resources: attributes in vardef order, computed fields, links."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sandbox.schema import ModuleDef, field_is_stored
from sandbox.storage import Store
from sandbox.values import encode_html, format_value, value_kind

__all__ = ["RecordRenderer"]

_USER_NAME_FIELDS = {
    "created_by_name": "created_by",
    "modified_by_name": "modified_user_id",
    "assigned_user_name": "assigned_user_id",
}

#: Flags of the primary e-mail address: "0" when a record has none.
_EMAIL_FLAGS = frozenset({"email_opt_out", "invalid_email"})


class RecordRenderer:
    """Renders rows of one store; ``user_names`` maps user ids to full names."""

    def __init__(self, store: Store, user_names: Callable[[str], str]) -> None:
        self.store = store
        self.user_names = user_names

    def attribute_names(self, module: ModuleDef, fields: Sequence[str] | None) -> list[str]:
        """The attributes a response carries: every field but ``id``, in vardef order."""
        wanted = set(fields) if fields is not None else None
        return [n for n in module.fields if n != "id" and (wanted is None or n in wanted)]

    def columns_needed(self, module: ModuleDef, names: Sequence[str]) -> list[str]:
        """Stored columns needed to render ``names``."""
        needed = {"id"}
        for name in names:
            meta = module.fields[name]
            if field_is_stored(name, meta):
                needed.add(name)
            elif name in _USER_NAME_FIELDS:
                needed.add(_USER_NAME_FIELDS[name])
            elif module.person and name in {"name", "full_name"}:
                needed.update({"first_name", "last_name"})
        return [c for c in module.stored_fields if c in needed]

    def display_names(self, module: ModuleDef, ids: Sequence[str]) -> dict[str, str]:
        """The ``name`` shown for records (a person's full name)."""
        if module.person:
            rows = self.store.fetch_many(module, ids, columns=["first_name", "last_name"])
            return {r["id"]: _full_name(r) for r in rows}
        rows = self.store.fetch_many(module, ids, columns=["name"])
        return {r["id"]: str(r["name"] or "") for r in rows}

    def _relate_values(self, module: ModuleDef, names: Sequence[str],
                       ids: Sequence[str]) -> dict[str, dict[str, str]]:
        values: dict[str, dict[str, str]] = {}
        by_link: dict[str, dict[str, str]] = {}
        for name in names:
            if name not in module.relate_fields:
                continue
            link, part = module.relate_fields[name]
            related = module.link_module(link)
            relationship = module.fields.get(link, {}).get("relationship")
            if related is None or relationship is None:
                continue
            if link not in by_link:
                by_link[link] = self.store.first_related(relationship, module.name, ids, related)
            first = by_link[link]
            if part == "id":
                values[name] = first
            else:
                target = self.store.schema.modules[related]
                shown = self.display_names(target, sorted(set(first.values())))
                values[name] = {own: shown.get(other, "") for own, other in first.items()}
        return values

    def attributes(self, module: ModuleDef, rows: Sequence[dict[str, Any]],
                   fields: Sequence[str] | None) -> list[dict[str, Any]]:
        """The ``attributes`` object of each row."""
        names = self.attribute_names(module, fields)
        relate = self._relate_values(module, names, [r["id"] for r in rows])
        cells = [(name, self._cell(module, name, relate)) for name in names]
        return [{name: cell(row) for name, cell in cells} for row in rows]

    def _cell(self, module: ModuleDef, name: str,
              relate: dict[str, dict[str, str]]) -> Callable[[dict[str, Any]], Any]:
        """How one attribute is computed from a row (chosen once per response)."""
        meta = module.fields[name]
        if field_is_stored(name, meta):
            if name in _EMAIL_FLAGS:
                return lambda row: "0" if row.get(name) is None else format_value(row[name], meta)
            if value_kind(meta) == "text":
                return lambda row: "" if row.get(name) is None else encode_html(str(row[name]))
            return lambda row: format_value(row.get(name), meta)
        if name in relate:
            values = relate[name]
            return lambda row: encode_html(values.get(row["id"], ""))
        if name in _USER_NAME_FIELDS:
            source = _USER_NAME_FIELDS[name]
            return lambda row: encode_html(self.user_names(str(row.get(source) or "")))
        if module.person and name in {"name", "full_name"}:
            return lambda row: encode_html(_full_name(row))
        constant: Any = ({} if name in module.object_links else "") if meta.get(
            "type") == "link" else ""
        return lambda row: {} if constant == {} else constant

    def relationships(self, module: ModuleDef, base: str) -> dict[str, Any]:
        """The relationships block; ``base`` is the request path up to the record id."""
        return {related: {"links": {"related": f"{base}/relationships/{link}"}}
                for related, link in module.relationships.items()}

    def resources(self, module: ModuleDef, rows: Sequence[dict[str, Any]],
                  fields: Sequence[str] | None, base: str) -> list[dict[str, Any]]:
        """Full resources; ``base`` is the path the record ids are appended to.

        Empty attributes (``fields[X]=id``) are ``[]``: PHP encodes the empty array so.
        """
        return [
            {"type": module.object_name, "id": row["id"], "attributes": attributes or [],
             "relationships": self.relationships(module, f"{base}/{row['id']}")}
            for row, attributes in zip(rows, self.attributes(module, rows, fields), strict=True)
        ]


def _full_name(row: dict[str, Any]) -> str:
    return " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p).strip()
