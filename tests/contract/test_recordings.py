"""Contract tests: the client against every exchange recorded from SuiteCRM 7.14.6.

For each recording a respx router answers with the recorded response; the client is driven
to make the recorded request (method, path, query and body must match, apart from the
documented deviations in cases.py), and the answer must parse into the right typed result
or error class.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.errors import ConnectorError
from connectors.suitecrm import SuiteCRMClient, SuiteCRMSettings
from tests.contract.cases import CASES, SAME, Case
from tests.contract.recorded import (
    SITE,
    Recording,
    Replay,
    load,
    recording_names,
    request_body,
)

NAMES = recording_names()
PASSWORD = "not-the-password"  # what auth_07 echoes: it must come back redacted
SECRET = "s3cret-client-value"


def _settings(rec: Recording, case: Case) -> SuiteCRMSettings:
    token_body = rec.body if rec.path.endswith("access_token") and isinstance(rec.body, dict) \
        else {}
    client_id = token_body.get("client_id") or (
        "1799b9d0-defe-4410-80b8-6b03f681cc03" if case.grant.value == "password"
        else "10c94ee0-623a-0c4d-b9aa-6b03f65b345c")
    return SuiteCRMSettings(
        base_url=SITE, api_layout=case.layout, grant_type=case.grant, client_id=client_id,
        client_secret=SecretStr(SECRET), username=case.username,
        password=SecretStr(PASSWORD), page_size=100,
        http={"max_retries": 0},
    )


def _as_data(body: Any) -> Any:
    """A body the recorder kept as text (not sent as JSON) compared as data where it parses."""
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def test_every_recording_has_a_case() -> None:
    assert len(NAMES) == 146  # every exchange recorded from the real server ships here
    assert sorted(CASES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_recording(name: str) -> None:
    rec, case = load(name), CASES[name]
    replay = Replay(rec, prefix=case.prefix)
    client = SuiteCRMClient(_settings(rec, case), transport=replay.transport,
                            async_transport=replay.async_transport, sleep=lambda _s: None)
    result: Any = None
    with client:
        if case.error is not None:
            with pytest.raises(case.error) as caught:
                case.drive(client, rec)
            error = caught.value
            assert isinstance(error, ConnectorError)
            assert error.system == "suitecrm" and error.status is not None
            if case.detail is not None:
                assert case.detail in (error.detail or ""), error.detail
            assert PASSWORD not in str(error) and SECRET not in str(error)
        else:
            result = case.drive(client, rec)
            assert case.check is not None
            case.check(result, rec)

    # The client made the recorded request (or the documented deviation of it).
    assert len(replay.hits) == case.hits, [str(r.url) for r in replay.hits]
    for request in replay.hits:
        assert request.method == (case.method or rec.method)
        assert request.url.path == rec.path
        expected_query = case.query if case.query is not None else rec.query
        assert sorted(request.url.params.multi_items()) == sorted(expected_query)
        expected_body = _as_data(rec.body) if case.body is SAME else case.body
        assert request_body(request) == expected_body
    if case.layout.value != "auto":
        assert replay.probes == [], "requests to unexpected URLs"
    if case.deviates_silently():
        pytest.fail("a deviation without a reason")
