"""The client configuration: one YAML file per client, validated by one pydantic schema.

``load_client`` reads a file, interpolates ``${VAR}`` references, validates it and returns
the config with its warnings, or raises ``ConfigError`` with one line per problem
(``acme.yaml:14 suitecrm.base_url: not a valid URL``).
"""

from __future__ import annotations

import difflib
import os
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin
from urllib.parse import quote

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from connectors.analytics.settings import MatomoSettings
from connectors.mail.settings import ImapAccountSettings, MailchimpSettings
from connectors.suitecrm.settings import SuiteCRMSettings
from enrichment.settings import EnrichmentSettings
from sync.config_source import ConfigSource, FieldPath, format_path, read_source
from sync.config_template import PLACEHOLDER
from sync.errors import ConfigError, ConfigProblem
from sync.identity_settings import IdentitySettings
from sync.privacy_settings import PrivacySettings
from sync.settings import (
    AlertSettings,
    ScheduleSettings,
    StoreSettings,
    SyncSettings,
    WritebackSettings,
)

__all__ = [
    "ClientConfig",
    "LoadedConfig",
    "SourcesSettings",
    "client_path",
    "config_dir",
    "config_secrets",
    "data_dir",
    "list_clients",
    "load_client",
    "store_url",
]

CONFIG_DIR_ENV = "SUITEPULSE_CONFIG_DIR"
DATA_DIR_ENV = "SUITEPULSE_DATA_DIR"
_CLIENT_NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class SourcesSettings(BaseModel):
    """Mail and web analytics sources besides SuiteCRM."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    imap: list[ImapAccountSettings] = Field(default_factory=list)
    mailchimp: MailchimpSettings | None = None
    matomo: MatomoSettings | None = None


class ClientConfig(BaseModel):
    """Everything SuitePulse knows about one client. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client: str = Field(pattern=_CLIENT_NAME, description="The client's name, as the file's.")
    suitecrm: SuiteCRMSettings
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    enrichment: EnrichmentSettings = Field(default_factory=EnrichmentSettings)
    writeback: WritebackSettings = Field(default_factory=WritebackSettings)
    schedule: ScheduleSettings | None = None
    store: StoreSettings = Field(default_factory=StoreSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config, the file it came from, and warnings worth showing."""

    config: ClientConfig
    path: Path
    warnings: list[ConfigProblem] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        """Every secret value of the config (see ``config_secrets``)."""
        return config_secrets(self.config)


def config_dir(explicit: str | Path | None = None) -> Path:
    """The client folder: ``--config-dir``, else ``$SUITEPULSE_CONFIG_DIR``, else config/clients."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(CONFIG_DIR_ENV) or Path("config") / "clients")


def data_dir() -> Path:
    """Where default SQLite stores live: ``$SUITEPULSE_DATA_DIR`` or the user data folder."""
    return Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir("suitepulse"))


def client_path(client: str, directory: Path) -> Path:
    """The file of ``client``: a path to a YAML file, or a name looked up in ``directory``."""
    candidate = Path(client)
    if candidate.suffix in {".yaml", ".yml"}:
        return candidate
    for suffix in (".yaml", ".yml"):
        path = directory / f"{client}{suffix}"
        if path.is_file():
            return path
    known = list_clients(directory)
    close = difflib.get_close_matches(client, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else (
        f"known clients: {', '.join(known)}" if known else
        f"create one with: suitepulse init {client}")
    raise ConfigError.single(str(directory / f"{client}.yaml"), "no such client file", hint=hint)


def list_clients(directory: Path) -> list[str]:
    """Names of the client files in ``directory``."""
    if not directory.is_dir():
        return []
    return sorted({p.stem for p in directory.iterdir()
                   if p.suffix in {".yaml", ".yml"} and p.is_file()})


def store_url(config: ClientConfig) -> str:
    """The state store URL: the configured one, or a SQLite file in the data folder."""
    if config.store.url:
        return config.store.url
    return f"sqlite:///{data_dir() / (config.client + '.sqlite3')}"


def load_client(path: Path) -> LoadedConfig:
    """Read, interpolate and validate one client file."""
    source = read_source(path)
    problems = list(source.problems)
    try:
        config = ClientConfig.model_validate(source.data)
    except ValidationError as exc:
        flagged = {problem.path for problem in problems}
        problems += [p for p in _problems(source, exc) if p.path not in flagged]
        raise ConfigError(problems) from None
    if config.client != path.stem:
        problems.append(source.problem(
            ("client",), f"{config.client!r} does not match the file name {path.name!r}; "
                         "each client's file is named after it"))
    if problems:
        raise ConfigError(problems)
    return LoadedConfig(config=config, path=path, warnings=_literal_secrets(source, config))


def _secret_fields(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, SecretStr]]:
    """Every ``SecretStr`` in a config, in whatever section, with its field path."""
    if isinstance(value, SecretStr):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_fields(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _secret_fields(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _secret_fields(item, (*path, key))


def config_secrets(config: ClientConfig) -> list[str]:
    """Every secret value of ``config``: each ``SecretStr`` field of any section (SuiteCRM,
    IMAP, Mailchimp, Matomo, SMTP, webhook...) and the store URL's password. These must
    never appear in a log line."""
    values = [secret.get_secret_value() for _, secret in _secret_fields(config)]
    if config.store.url:
        from sqlalchemy.engine import make_url

        password = make_url(config.store.url).password
        if password:
            values.append(str(password))
            values.append(quote(str(password), safe=""))
    return [value for value in dict.fromkeys(values) if value]


def _literal_secrets(source: ConfigSource, config: BaseModel) -> list[ConfigProblem]:
    found: list[ConfigProblem] = []
    for path, value in _secret_fields(config):
        if value.get_secret_value() == PLACEHOLDER:
            found.append(source.problem(
                path, f"still the {PLACEHOLDER!r} placeholder from init; set the real value"))
        elif value.get_secret_value() and path not in source.interpolated:
            found.append(source.problem(
                path, "secret written literally in the file; use ${VAR} and an environment "
                      "variable or .env entry"))
    return found


def _problems(source: ConfigSource, exc: ValidationError) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        path = _data_path(source.data, error["loc"])
        problems.append(ConfigProblem(
            source.file, source.line_of(path), format_path(path), _message(error, path)))
    return problems


def _data_path(data: Any, loc: tuple[int | str, ...]) -> FieldPath:
    """Keep the parts of a pydantic location that are in the data (drop union tags)."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if _has(current, part):
            current = current[part]
            path.append(part)
        elif index == len(loc) - 1 and isinstance(part, str) and not _is_tag(part):
            path.append(part)
    return tuple(path)


def _has(container: Any, part: int | str) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _is_tag(part: str) -> bool:
    return "[" in part or part in {"str", "int", "float", "bool", "list", "dict", "none"}


def _message(error: Any, path: FieldPath) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1) if allowed else []
        text = "unknown key"
        if close:
            text += f" (did you mean {close[0]!r}?)"
        elif allowed:
            text += f" (allowed: {', '.join(allowed)})"
        return text
    if kind.startswith("url_"):
        return f"not a valid URL ({error['msg'].removeprefix('Input should be a valid URL, ')})"
    message = str(error["msg"]).removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _allowed_keys(path: FieldPath) -> list[str]:
    model: Any = ClientConfig
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            model = _model_in(model)
            if model is None:
                return []
        info = model.model_fields.get(part)
        if info is None:
            return []
        model = info.annotation
    found = model if isinstance(model, type) and issubclass(model, BaseModel) else _model_in(model)
    return sorted(found.model_fields) if found is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list, dict):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
