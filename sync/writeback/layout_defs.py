"""The layout entries the fields package adds for a mapped field, as Studio writes them.

Studio builds a new list-view column or search field from the field's definition with
``ListLayoutMetaDataParser::createViewDefsByFieldDefs``: the definition trimmed to a few keys
(``type``, ``studio``, ``label`` from ``vname`` ...), ``width`` 10%, ``default`` true for a
shown column and false for an available one, ``sortable`` false for text; a search field also
gets its ``name`` and ``default`` true (``SearchViewMetaDataParser``). An enum custom field
carries ``studio: visible`` (``TemplateEnum::get_field_def``), and its search field is drawn
as a multi-select dropdown (``include/SugarFields/Fields/Enum/SearchView.tpl``, size 6).
"""

from __future__ import annotations

from sync.settings import FieldType, ListColumn
from sync.writeback.fieldspec import FieldSpec

__all__ = ["list_column", "panel_field", "search_field"]

_WIDTH = "10%"


def panel_field(spec: FieldSpec) -> dict[str, object]:
    """The field's entry in the detail view's SuitePulse panel."""
    return {"name": spec.name, "label": spec.label_key}


def list_column(spec: FieldSpec) -> dict[str, object]:
    """The field's list-view column: shown by default or available, per ``list_column``."""
    column = _trimmed(spec)
    column["width"] = _WIDTH
    column["default"] = spec.list_column is ListColumn.SHOWN
    if spec.type is FieldType.TEXT:
        column["sortable"] = False  # sorting a text column fails in some databases
    return column


def search_field(spec: FieldSpec) -> dict[str, object]:
    """The field's entry in the basic and advanced search (quick filter and filter)."""
    return {**_trimmed(spec), "width": _WIDTH, "default": True, "name": spec.name}


def _trimmed(spec: FieldSpec) -> dict[str, object]:
    entry: dict[str, object] = {"type": spec.type.value, "label": spec.label_key}
    if spec.type is FieldType.ENUM:
        entry["studio"] = "visible"
    return entry
