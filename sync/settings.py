"""Settings owned by sync: streams, state store, schedule and write-back mapping."""

from __future__ import annotations

import re
import zoneinfo
from enum import StrEnum

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

__all__ = [
    "AlertSettings",
    "FieldMapping",
    "FieldType",
    "ListColumn",
    "ScheduleSettings",
    "SmtpSettings",
    "StoreSettings",
    "SyncSettings",
    "TargetListPolicy",
    "WritePolicy",
    "WritebackSettings",
]

_MODULE_FIELD = re.compile(r"^(?P<module>[A-Za-z][A-Za-z0-9_]*)\.(?P<field>[A-Za-z][A-Za-z0-9_]*)$")


class SyncSettings(BaseModel):
    """Which SuiteCRM modules are pulled, and how incrementally."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    modules: list[str] = Field(
        default_factory=lambda: ["Accounts", "Contacts", "Opportunities"], min_length=1
    )
    lookback_seconds: int = Field(
        120, ge=0, le=86400, description="Overlap below the saved cursor (minute resolution)."
    )
    reconcile_every_hours: int = Field(
        24, ge=1, description="How often deleted records are looked for by an id-only listing."
    )
    max_deleted_share: float = Field(
        0.2, gt=0, le=1,
        description="A listing that would flag more than this share of a module's stored "
                    "records as deleted flags none and fails the sync (--force overrides).",
    )
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per module, fields stored in addition to those SuiteCRM data "
        "minimisation keeps (what the purchases, rule segments, identity keys and write-back "
        "need, id and date_modified); `config show` lists them with why.",
    )
    lock_ttl_seconds: int = Field(
        600, ge=30, le=86400,
        description="A run's lock on a SQLite store expires this long after its last heartbeat.",
    )
    lock_wait_seconds: float = Field(
        0, ge=0, le=86400,
        description="How long a run, push or undo waits for another run of the client to "
                    "finish before it exits 1 naming the holder.",
    )

    @field_validator("modules")
    @classmethod
    def _module_names(cls, modules: list[str]) -> list[str]:
        for module in modules:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", module):
                raise ValueError(f"{module!r} is not a SuiteCRM module name")
        if len(set(modules)) != len(modules):
            raise ValueError("a module is listed twice")
        return modules


class StoreSettings(BaseModel):
    """The state store: a SQLite file per client by default, or a PostgreSQL URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data dir>/<client>.sqlite3"
    )

    @field_validator("url")
    @classmethod
    def _known_database(cls, url: str | None) -> str | None:
        if url is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ValueError("not a valid database URL") from None
        if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("only sqlite:/// and postgresql:// stores are supported")
        return url


class ScheduleSettings(BaseModel):
    """When the scheduler runs this client: a crontab expression in a timezone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str = Field(description="Five crontab fields, e.g. '0 2 * * *' for 02:00 daily.")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {timezone!r} (use an IANA name)") from None
        return timezone

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, cron: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(cron, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a valid cron expression ({exc})") from None
        return cron


class WritePolicy(StrEnum):
    """How a mapped field is written."""

    OVERWRITE = "overwrite"
    FILL_EMPTY = "fill_empty"


class FieldType(StrEnum):
    """The SuiteCRM field types a trait can be written to."""

    VARCHAR = "varchar"
    TEXT = "text"
    ENUM = "enum"
    INT = "int"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    DATETIME = "datetimecombo"
    BOOL = "bool"


_OPTION_KEY = re.compile(r"^[^\^,]{1,100}$")


class ListColumn(StrEnum):
    """How the fields package puts a mapped field on the module's list view."""

    SHOWN = "shown"  # a default column, shown to every user
    HIDDEN = "hidden"  # an available column, which a user can add


class FieldMapping(BaseModel):
    """Where one trait is written: ``Module.field_c``, with a write policy.

    ``type``, ``len``, ``precision``, ``options``, ``label`` and ``help`` describe the SuiteCRM
    field (for the fields package and for formatting); where left out they come from the trait.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="Module.field, e.g. Contacts.sp_lifecycle_stage_c")
    policy: WritePolicy = WritePolicy.OVERWRITE
    type: FieldType | None = Field(None, description="SuiteCRM field type; default: the trait's.")
    len: int | None = Field(None, ge=1, le=255, description="Length (varchar, enum) or digits.")
    precision: int | None = Field(None, ge=0, le=30, description="Decimals (decimal, float).")
    options: dict[str, str] | None = Field(
        None, description="Dropdown keys and labels (enum); a list means label = key."
    )
    label: str | None = Field(None, min_length=1, max_length=80, description="Field label.")
    help: str | None = Field(None, max_length=255, description="Help text shown in SuiteCRM.")
    min_change: str | float | None = Field(
        None, description="Least change worth a write (number traits): 0.02 or \"2%\"; "
        "default: the trait's."
    )
    list_column: ListColumn = Field(
        ListColumn.HIDDEN, description="List view column: shown by default, or hidden "
        "(available to add)."
    )

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return {"field": value} if isinstance(value, str) else value

    @field_validator("options", mode="before")
    @classmethod
    def _options_list(cls, options: object) -> object:
        if isinstance(options, list):
            return {str(key): str(key) for key in options}
        return options

    @field_validator("options")
    @classmethod
    def _option_keys(cls, options: dict[str, str] | None) -> dict[str, str] | None:
        if options is not None:
            if not options:
                raise ValueError("give at least one option")
            bad = [key for key in options if not _OPTION_KEY.match(key)]
            if bad:
                raise ValueError(
                    f"option keys must be 1-100 characters without '^' or ',': {bad[0]!r}"
                )
        return options

    @model_validator(mode="after")
    def _settings_fit_type(self) -> FieldMapping:
        if self.options is not None and self.type not in (None, FieldType.ENUM):
            raise ValueError(f"options only apply to enum fields, not {self.type}")
        if self.precision is not None and self.type not in (
            None, FieldType.DECIMAL, FieldType.FLOAT
        ):
            raise ValueError(f"precision only applies to decimal and float fields, not {self.type}")
        if (self.len is not None and self.precision is not None
                and self.precision > self.len):
            raise ValueError("precision cannot exceed len")
        return self

    @field_validator("field")
    @classmethod
    def _module_dot_field(cls, field: str) -> str:
        if not _MODULE_FIELD.match(field):
            raise ValueError(f"{field!r} is not of the form Module.field_name")
        return field

    @property
    def module(self) -> str:
        """The SuiteCRM module written to."""
        return self.field.split(".", 1)[0]

    @property
    def field_name(self) -> str:
        """The field written to."""
        return self.field.split(".", 1)[1]

    @property
    def is_custom(self) -> bool:
        """Whether the field is a custom (``_c``) field."""
        return self.field_name.endswith("_c")


class TargetListPolicy(StrEnum):
    """Who owns a target list's members: SuitePulse adds and removes only its own
    (``keep_manual``), or the list is made equal to the segment (``mirror``)."""

    KEEP_MANUAL = "keep_manual"
    MIRROR = "mirror"


#: The longest name a SuiteCRM target list holds (ProspectLists ``name`` is varchar(50)).
TARGET_LIST_NAME_LEN = 50


class WritebackSettings(BaseModel):
    """The mapping of traits onto CRM fields, and the rules for writing them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_core_fields: bool = Field(False, description="Allow writing to non-_c fields.")
    preserve_date_modified: bool = Field(
        False, description="Send the record's date_modified back so our writes keep it."
    )
    read_page_size: int = Field(
        500, ge=1, le=5000, description="Records per request when reading current CRM values."
    )
    fields: dict[str, FieldMapping] = Field(default_factory=dict)
    target_lists: dict[str, str] = Field(
        default_factory=dict,
        description="Segment (RFM segment, rule segment, lifecycle stage, or a band such as "
                    "'churn_risk >= 0.7') -> the name of the SuiteCRM target list kept equal "
                    "to it.")
    target_list_policy: TargetListPolicy = Field(
        TargetListPolicy.KEEP_MANUAL,
        description="keep_manual: members added by a person stay; mirror: the list is the "
                    "segment exactly.")

    @field_validator("target_lists")
    @classmethod
    def _list_names(cls, lists: dict[str, str]) -> dict[str, str]:
        for segment, name in lists.items():
            if not name.strip():
                raise ValueError(f"{segment}: the target list needs a name")
            if len(name) > TARGET_LIST_NAME_LEN:
                raise ValueError(f"{segment}: {name!r} is longer than the "
                                 f"{TARGET_LIST_NAME_LEN} characters a SuiteCRM target list "
                                 f"name holds")
        names = list(lists.values())
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"each segment needs its own target list; named twice: "
                             f"{', '.join(twice)}")
        return lists

    @property
    def writes_anything(self) -> bool:
        """Whether a push has something to keep: a mapped field or a target list."""
        return bool(self.fields or self.target_lists)

    @model_validator(mode="after")
    def _core_fields_need_permission(self) -> WritebackSettings:
        if not self.allow_core_fields:
            core = [f"{trait} -> {m.field}" for trait, m in self.fields.items() if not m.is_custom]
            if core:
                raise ValueError(
                    "mapping to core (non-_c) fields is refused unless allow_core_fields is "
                    "true: " + ", ".join(core)
                )
        return self


class SmtpSettings(BaseModel):
    """An SMTP server that sends alert e-mails."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1)
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = Field(True, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(False, description="Connect with TLS from the start (port 465).")
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(min_length=3, description="The From address.")
    recipients: list[str] = Field(min_length=1)
    timeout: float = Field(30.0, gt=0, le=300)


class AlertSettings(BaseModel):
    """When and where alerts go: failed runs, too many rejected records, no recent success."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: SecretStr | None = Field(
        None, description="POSTed a JSON alert; treated as a secret (it often holds a token)."
    )
    smtp: SmtpSettings | None = None
    rejected_share: float = Field(
        0.05, ge=0, le=1, description="Alert when more than this share of records is rejected."
    )
    stale_after_hours: float | None = Field(
        None, gt=0, description="Alert when no run succeeded for this long (None: never)."
    )

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None:
            from pydantic import TypeAdapter, ValidationError

            try:
                TypeAdapter(AnyHttpUrl).validate_python(url.get_secret_value())
            except ValidationError:
                raise ValueError("not a valid http(s) URL") from None
        return url
