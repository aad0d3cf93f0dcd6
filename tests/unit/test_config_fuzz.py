"""Arbitrary YAML documents: the loader returns a config or raises ConfigError, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.config import ClientConfig, load_client
from sync.errors import ConfigError

KEYS = ["client", "suitecrm", "base_url", "client_id", "client_secret", "sync", "modules",
        "schedule", "cron", "timezone", "writeback", "fields", "store", "url", "page_size",
        "http", "sources", "imap", "enrichment", "purchases", "x"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["acme", "https://crm.example.com", "${X}", "${",
                                           "0 2 * * *", "Contacts.a_c", "$$", "${Y:-d}"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children,
                        max_size=5),
    ),
    max_leaves=25,
)
FIXTURE_OK = [HealthCheck.function_scoped_fixture]
raw_texts = st.text(alphabet=st.sampled_from(list("ab:- \n[]{}'\"&*!|>#%@`$,?")), max_size=80)


def _check(path: Path) -> None:
    try:
        loaded = load_client(path)
    except ConfigError as error:
        assert error.problems
        assert all(problem.file == path.name for problem in error.problems)
    else:
        assert isinstance(loaded.config, ClientConfig)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_OK)
@given(document=documents)
def test_arbitrary_documents(document: Any, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    _check(path)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_OK)
@given(text=raw_texts)
def test_arbitrary_text(text: str, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    _check(path)
