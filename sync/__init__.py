"""Moves records from the outside systems into the state store, and traits back to the CRM."""

from __future__ import annotations

from sync.config import ClientConfig, LoadedConfig, load_client
from sync.errors import ConfigError, ConfigProblem, StateError

__all__ = ["ClientConfig", "ConfigError", "ConfigProblem", "LoadedConfig", "StateError",
           "load_client"]
