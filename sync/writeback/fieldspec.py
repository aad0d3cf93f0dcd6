"""What each mapped CRM field is: type, length, precision, options, label and help.

A ``FieldSpec`` joins one mapping entry of ``writeback.fields`` with the trait it writes
(``enrichment.TRAITS``): the mapping's own settings win, the trait fills in the rest. Formatting,
planning, the fields package and ``fields check`` all work from these specs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from enrichment.settings import EnrichmentSettings
from sync.config import ClientConfig
from sync.config_source import read_source
from sync.errors import ConfigError, ConfigProblem
from sync.settings import FieldMapping, FieldType, ListColumn, WritebackSettings, WritePolicy
from sync.writeback.threshold import Threshold, parse_threshold

if TYPE_CHECKING:
    from enrichment.traits import TraitSpec

__all__ = ["FieldSpec", "load_traits", "resolve_specs", "specs_for"]

# The SuiteCRM type a trait kind is written to by default, and the types it may be mapped to.
_DEFAULT_TYPE = {
    "enum": FieldType.ENUM,
    "text": FieldType.VARCHAR,
    "int": FieldType.INT,
    "float": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "bool": FieldType.BOOL,
}
_ALLOWED_TYPES = {
    "enum": {FieldType.ENUM, FieldType.VARCHAR, FieldType.TEXT},
    "text": {FieldType.VARCHAR, FieldType.TEXT},
    "int": {FieldType.INT, FieldType.DECIMAL, FieldType.FLOAT},
    "float": {FieldType.DECIMAL, FieldType.FLOAT},
    "date": {FieldType.DATE, FieldType.DATETIME},
    "datetime": {FieldType.DATETIME, FieldType.DATE},
    "bool": {FieldType.BOOL, FieldType.INT},
}
_DEFAULT_LEN = {
    FieldType.VARCHAR: 255,
    FieldType.ENUM: 100,
    FieldType.INT: 11,
    FieldType.DECIMAL: 18,
    FieldType.FLOAT: 18,
}
_DEFAULT_PRECISION = 2


@dataclass(frozen=True)
class FieldSpec:
    """One CRM field that a trait is written to, fully described."""

    trait: str
    module: str
    name: str
    type: FieldType
    policy: WritePolicy
    label: str
    help: str = ""
    len: int | None = None
    precision: int | None = None
    options: Mapping[str, str] | None = None
    min_change: Threshold | None = None
    list_column: ListColumn = ListColumn.HIDDEN

    @classmethod
    def bare(cls, name: str, field_type: FieldType = FieldType.TEXT, module: str = "") -> FieldSpec:
        """A field known only by name and type (not a mapped trait): for comparing values."""
        return cls(trait="", module=module, name=name, type=field_type,
                   policy=WritePolicy.OVERWRITE, label=name)

    @property
    def label_key(self) -> str:
        """The language-string key of the label, e.g. ``LBL_SP_CLV_C``."""
        return f"LBL_{self.name.upper()}"

    @property
    def options_list(self) -> str | None:
        """The dropdown list name of an enum field, e.g. ``sp_lifecycle_stage_list``."""
        if self.type is not FieldType.ENUM:
            return None
        return f"{self.name.removesuffix('_c')}_list"

    @property
    def qualified(self) -> str:
        """``Module.field``."""
        return f"{self.module}.{self.name}"


def load_traits(settings: EnrichmentSettings | None = None) -> Mapping[str, TraitSpec]:
    """The trait registry: ``trait_specs(settings)`` (the client's enum options) or
    ``TRAITS`` (imported here: enrichment loads numpy and pandas)."""
    from enrichment.traits import TRAITS, trait_specs

    return trait_specs(settings) if settings is not None else TRAITS


def resolve_specs(
    settings: WritebackSettings,
    *,
    traits: Mapping[str, TraitSpec] | None,
    customer_module: str | None = None,
    file: str = "<config>",
) -> list[FieldSpec]:
    """The field specs of every mapping, or a ``ConfigError`` listing every bad one.

    ``traits`` is the trait registry (``load_traits()``); None skips the trait checks and
    needs every mapping to give its ``type``. ``customer_module`` is the module whose record
    ids the traits are keyed by; mappings into other modules are refused.
    """
    specs: list[FieldSpec] = []
    problems: list[ConfigProblem] = []
    for trait, mapping in settings.fields.items():
        try:
            specs.append(_spec(trait, mapping, traits, customer_module))
        except ValueError as exc:
            problems.append(ConfigProblem(file, None, f"writeback.fields.{trait}", str(exc)))
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.qualified in seen:
            problems.append(ConfigProblem(
                file, None, f"writeback.fields.{spec.trait}",
                f"{spec.qualified} is already written by {seen[spec.qualified]}"))
        seen[spec.qualified] = spec.trait
    if problems:
        raise ConfigError(problems)
    return specs


def specs_for(config: ClientConfig, path: Path | None = None) -> list[FieldSpec]:
    """The specs of a client's mapping; problems point at the file (``path``) and line."""
    try:
        return resolve_specs(config.writeback, traits=load_traits(config.enrichment),
                             customer_module=config.enrichment.customer_entity.value,
                             file=path.name if path else f"{config.client}.yaml")
    except ConfigError as error:
        if path is None or not path.exists():
            raise
        source = read_source(path)
        raise ConfigError([
            ConfigProblem(p.file, source.line_of(("writeback", "fields", p.path.split(".")[2])),
                          p.path, p.message)
            for p in error.problems
        ]) from None


def _spec(
    trait: str,
    mapping: FieldMapping,
    traits: Mapping[str, TraitSpec] | None,
    customer_module: str | None,
) -> FieldSpec:
    if customer_module is not None and mapping.module != customer_module:
        raise ValueError(
            f"{mapping.field}: traits are computed per {customer_module} record, so they can "
            f"only be written to {customer_module} fields"
        )
    trait_spec = _trait_spec(trait, traits)
    kind = trait_spec.kind.value if trait_spec is not None else None
    field_type = mapping.type or (_DEFAULT_TYPE.get(kind) if kind else None)
    if field_type is None:
        raise ValueError(
            f"give the field's type (one of {', '.join(t.value for t in FieldType)})"
            if kind is None else f"trait kind {kind!r} has no SuiteCRM field type; give type"
        )
    if kind is not None and field_type not in _ALLOWED_TYPES.get(kind, {field_type}):
        allowed = ", ".join(sorted(t.value for t in _ALLOWED_TYPES[kind]))
        raise ValueError(f"a {kind} trait cannot be written to a {field_type} field "
                         f"(use one of: {allowed})")
    options = _options(mapping, trait_spec, field_type)
    precision = None
    if field_type in (FieldType.DECIMAL, FieldType.FLOAT):
        trait_precision = trait_spec.precision if trait_spec is not None else None
        precision = mapping.precision if mapping.precision is not None else (
            int(trait_precision) if trait_precision is not None else _DEFAULT_PRECISION)
    length = mapping.len or _DEFAULT_LEN.get(field_type)
    if precision is not None and length is not None and precision > length:
        raise ValueError(f"precision {precision} exceeds len {length}")
    description = trait_spec.description if trait_spec is not None else ""
    trait_label = trait_spec.label if trait_spec is not None else ""
    return FieldSpec(
        trait=trait,
        module=mapping.module,
        name=mapping.field_name,
        type=field_type,
        policy=mapping.policy,
        label=mapping.label or trait_label or _humanise(trait),
        help=(mapping.help if mapping.help is not None else description)[:255],
        len=length,
        precision=precision,
        options=options,
        min_change=_min_change(mapping, trait_spec, field_type),
        list_column=mapping.list_column,
    )


def _min_change(mapping: FieldMapping, trait_spec: TraitSpec | None,
                field_type: FieldType) -> Threshold | None:
    """The mapping's threshold, else the trait's; only number fields of float traits have one."""
    numeric = field_type in (FieldType.DECIMAL, FieldType.FLOAT) and (
        trait_spec is None or trait_spec.kind.value == "float")
    if mapping.min_change is not None:
        if not numeric:
            raise ValueError("min_change applies to number traits written to decimal or float "
                             "fields; enum, count, date and text fields are written on any "
                             "change")
        return parse_threshold(mapping.min_change)
    default = trait_spec.min_change if trait_spec is not None else None
    return parse_threshold(default) if numeric and default is not None else None


def _trait_spec(trait: str, traits: Mapping[str, TraitSpec] | None) -> TraitSpec | None:
    if traits is None:
        return None
    if trait not in traits:
        close = difflib.get_close_matches(trait, list(traits), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else (
            f" (known traits: {', '.join(sorted(traits))})")
        raise ValueError(f"unknown trait {trait!r}{hint}")
    return traits[trait]


def _options(
    mapping: FieldMapping, trait_spec: TraitSpec | None, field_type: FieldType
) -> dict[str, str] | None:
    if field_type is not FieldType.ENUM:
        return None
    trait_options = _as_options(trait_spec.options if trait_spec is not None else ())
    if mapping.options is None:
        if not trait_options:
            raise ValueError("an enum field needs options (keys and labels)")
        return trait_options
    missing = [key for key in trait_options or {} if key not in mapping.options]
    if missing:
        raise ValueError(
            "options lack values the trait takes: " + ", ".join(repr(k) for k in missing)
        )
    return dict(mapping.options)


def _as_options(options: Sequence[str]) -> dict[str, str] | None:
    if not options:
        return None
    return {key: _humanise(key) for key in options}


def _humanise(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
