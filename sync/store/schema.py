"""The store's tables as they are at the newest schema version (see ``migrations``)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from sync.store.types import UTCDateTime

__all__ = [
    "ALERTS_SENT",
    "CURSORS",
    "ERASURES",
    "IDENTITIES",
    "INTERACTIONS",
    "LOCKS",
    "METADATA",
    "MODULE_FIELDS",
    "RECORDS",
    "RUNS",
    "SCHEMA_VERSION",
    "TARGET_LISTS",
    "TICKS",
    "TRAITS",
    "TRAIT_HISTORY",
    "VALUE_MODELS",
    "WRITES",
]

METADATA = MetaData()
_ID = 64  # SuiteCRM ids are 36-character UUIDs; other sources' ids fit too

SCHEMA_VERSION = Table(
    "schema_version", METADATA,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

RECORDS = Table(
    "records", METADATA,
    Column("module", String(100), primary_key=True),
    Column("id", String(_ID), primary_key=True),
    Column("attributes", Text, nullable=False),  # canonical JSON
    Column("content_hash", String(64), nullable=False),
    Column("date_modified", UTCDateTime),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("deleted_at", UTCDateTime),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("listed_at", UTCDateTime),  # last id-only listing that still showed it (v2)
    Column("changed_at", UTCDateTime),  # when its content last changed in the store (v3)
)
Index("ix_records_module_deleted", RECORDS.c.module, RECORDS.c.deleted)

CURSORS = Table(
    "cursors", METADATA,
    Column("stream", String(200), primary_key=True),
    Column("value", Text),  # a cursor as encoded by sync.streams.cursor
    Column("updated_at", UTCDateTime, nullable=False),
    Column("reconciled_at", UTCDateTime),
)

MODULE_FIELDS = Table(
    "module_fields", METADATA,
    Column("module", String(100), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("type", String(50), nullable=False),
)

IDENTITIES = Table(
    "identities", METADATA,
    Column("kind", String(30), primary_key=True),  # email, matomo_user_id
    Column("value", String(320), primary_key=True),
    Column("module", String(100), primary_key=True),
    Column("record_id", String(_ID), primary_key=True),
)
Index("ix_identities_record", IDENTITIES.c.module, IDENTITIES.c.record_id)

INTERACTIONS = Table(
    "interactions", METADATA,
    Column("stream", String(200), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("channel", String(20), nullable=False),  # email, campaign, web
    Column("kind", String(50), nullable=False),
    Column("key_kind", String(30)),  # email, matomo_user_id, mailchimp_email
    Column("key_value", String(320)),
    Column("content_hash", String(64), nullable=False),
    Column("person_module", String(100)),
    Column("person_id", String(_ID)),
    Column("match", String(12), nullable=False, default="pending"),
    Column("amount", Float),  # revenue of a web goal or order (v4)
    Column("currency", String(3)),  # of that amount, where the source says (v4)
    Column("detail", Text),  # canonical JSON of what a stream keeps besides (v4)
)
Index("ix_interactions_match", INTERACTIONS.c.match)

TRAITS = Table(
    "traits", METADATA,
    Column("customer_id", String(_ID), primary_key=True),
    Column("trait", String(100), primary_key=True),
    Column("value", Text),
    Column("computed_at", UTCDateTime, nullable=False),
)

TRAIT_HISTORY = Table(
    "trait_history", METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(_ID), nullable=False),
    Column("trait", String(100), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("changed_at", UTCDateTime, nullable=False),
)
Index("ix_trait_history_customer", TRAIT_HISTORY.c.customer_id, TRAIT_HISTORY.c.trait)

WRITES = Table(
    "writes", METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(36), nullable=False),
    Column("module", String(100), nullable=False),
    Column("record_id", String(_ID), nullable=False),
    Column("field", String(200), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("written_at", UTCDateTime, nullable=False),
    # pending (intent committed, answer not yet known), written, refused, dropped (v4)
    Column("state", String(12), nullable=False, server_default="written"),
)
Index("ix_writes_run", WRITES.c.run_id)
Index("ix_writes_state", WRITES.c.state)

RUNS = Table(
    "runs", METADATA,
    Column("id", String(36), primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(20), nullable=False),  # running, ok, rejected, failed, interrupted
    Column("full", Boolean, nullable=False, default=False),
    Column("trigger", String(20), nullable=False, default="cli"),
    Column("counts", Text, nullable=False, default="{}"),  # JSON: stream -> counts
    Column("errors", Text, nullable=False, default="[]"),  # JSON list of messages
)
Index("ix_runs_started", RUNS.c.started_at)

LOCKS = Table(
    "locks", METADATA,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

TICKS = Table(
    "ticks", METADATA,
    Column("job", String(200), primary_key=True),
    Column("scheduled_at", UTCDateTime, primary_key=True),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
)

ALERTS_SENT = Table(
    "alerts_sent", METADATA,
    Column("kind", String(50), primary_key=True),
    Column("sent_at", UTCDateTime, nullable=False),
)

VALUE_MODELS = Table(
    "value_models", METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("fitted_at", UTCDateTime, nullable=False),
    Column("report", Text, nullable=False),  # JSON: enrichment's ValueModelReport.as_dict()
)

ERASURES = Table(
    "erasures", METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("module", String(100), nullable=False),
    Column("record_id", String(_ID), nullable=False),  # the only thing named: no key, no name
    Column("erased_at", UTCDateTime, nullable=False),
    Column("trigger", String(20), nullable=False),  # forget, deleted_in_crm
    Column("counts", Text, nullable=False),  # JSON: table -> rows erased; crm_fields_cleared
)

TARGET_LISTS = Table(
    "target_lists", METADATA,
    Column("name", String(50), primary_key=True),  # the list's name in SuiteCRM
    Column("crm_id", String(_ID), nullable=False),  # chosen before the list is created
    Column("module", String(100), nullable=False),  # whose records it holds
    Column("segment", String(200), nullable=False),  # the writeback.target_lists key
    Column("created_at", UTCDateTime),  # None until the CRM confirmed the list
)
