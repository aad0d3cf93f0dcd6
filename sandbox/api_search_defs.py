"""GET /V8/search-defs/module/{moduleName}: a module's search layouts, as SuiteCRM 7.10+ sends.

The shape is SuiteCRM's (``Api/V8/Service/ListViewSearchService``): ``{"data": {"type":
"SearchDefs", "attributes": {"module", "templateMeta", "basic", "advanced", "fields"}}}``, each
layout a list of entries with ``name`` and a translated ``label``. The content is the sandbox's
own: the stock name and filter fields, then every custom ``_c`` field of the module in both
layouts, because the sandbox's custom fields stand for an installed fields package, which adds
them there.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from sandbox.responses import ApiError, v8_response
from sandbox.state import RequestContext

__all__ = ["search_defs"]

_TEMPLATE_META = {"maxColumns": "3", "maxColumnsBasic": "4",
                  "widths": {"label": "10", "field": "30"}}
_BASIC = [{"name": "search_name", "label": "Name", "type": "name"},
          {"name": "current_user_only", "label": "My Items", "type": "bool"},
          {"name": "favorites_only", "label": "My Favorites", "type": "bool"}]
_ADVANCED = [{"name": "name", "label": "Name", "default": True, "width": "10%"},
             {"name": "assigned_user_id", "label": "Assigned to", "type": "enum",
              "default": True, "width": "10%"}]


async def search_defs(ctx: RequestContext) -> Response:
    """The module's basic and advanced search, its custom fields included."""
    module = ctx.state.schema.modules.get(ctx.path_params["moduleName"])
    if module is None:
        raise ApiError("[SuiteCRM] [Not Allowed] The API user does not have access to this module.",
                       in_params=False)
    custom = [_entry(name, meta) for name, meta in module.fields.items()
              if meta.get("source") == "custom_fields"]
    return v8_response({"data": {"type": "SearchDefs", "attributes": {
        "module": ctx.path_params["moduleName"],
        "templateMeta": _TEMPLATE_META,
        "basic": [*_BASIC, *custom],
        "advanced": [*_ADVANCED, *custom],
        "fields": {},
    }}})


def _entry(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "type": meta.get("type"), "label": name, "default": True,
            "width": "10%"}
