"""The target lists of a client's ``writeback.target_lists``, each with its segment resolved.

A list holds records of the customers' module (``enrichment.customer_entity``); a key that
names no segment of this client is reported with the file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sync.config import ClientConfig
from sync.config_source import read_source
from sync.errors import ConfigError, ConfigProblem
from sync.writeback.fieldspec import load_traits, specs_for
from sync.writeback.membership import LIST_LINKS
from sync.writeback.segment_selector import SegmentSelector, parse_selector

__all__ = ["TargetListSpec", "check_writeback", "target_list_specs"]


@dataclass(frozen=True)
class TargetListSpec:
    """One target list: its name in SuiteCRM, the segment it holds, the members' module."""

    name: str
    segment: SegmentSelector
    module: str


def target_list_specs(config: ClientConfig, path: Path | None = None) -> list[TargetListSpec]:
    """The client's target lists; problems point at the file (``path``) and line."""
    lists = config.writeback.target_lists
    if not lists:
        return []
    module = config.enrichment.customer_entity.value
    file = path.name if path else f"{config.client}.yaml"
    source = read_source(path) if path is not None and path.exists() else None
    traits = load_traits(config.enrichment)
    specs: list[TargetListSpec] = []
    problems: list[ConfigProblem] = []
    for key, name in lists.items():
        try:
            if module not in LIST_LINKS:
                raise ValueError(f"a target list holds Contacts, Accounts or Leads, not the "
                                 f"customers' module {module}")
            specs.append(TargetListSpec(name, parse_selector(key, traits), module))
        except ValueError as error:
            line = source.line_of(("writeback", "target_lists", key)) if source else None
            problems.append(ConfigProblem(file, line, f"writeback.target_lists.{key}",
                                          str(error)))
    if problems:
        raise ConfigError(problems)
    return specs


def check_writeback(config: ClientConfig, path: Path | None = None) -> None:
    """The checks push runs on the mapping and the target lists: one ``ConfigError`` with
    every problem of both."""
    problems: list[ConfigProblem] = []
    for check in (specs_for, target_list_specs):
        try:
            check(config, path)
        except ConfigError as error:
            problems += error.problems
    if problems:
        raise ConfigError(problems)
