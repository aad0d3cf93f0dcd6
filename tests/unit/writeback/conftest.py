"""Field specs for write-back tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sync.settings import FieldType, WritePolicy
from sync.writeback.fieldspec import FieldSpec

SpecFactory = Callable[..., FieldSpec]


@pytest.fixture
def make_spec() -> SpecFactory:
    """A FieldSpec with sensible defaults; keywords override them."""

    def make(field_type: FieldType = FieldType.VARCHAR, **overrides: Any) -> FieldSpec:
        values: dict[str, Any] = {
            "trait": "trait", "module": "Contacts", "name": "sp_trait_c", "type": field_type,
            "policy": WritePolicy.OVERWRITE, "label": "Trait",
        }
        values.update(overrides)
        return FieldSpec(**values)

    return make
