"""connectors.http: status mapping, redaction, Retry-After and the retry policy."""

from __future__ import annotations

import email.utils
import time

import pytest

from connectors.errors import AuthError, FatalAPIError, RetriableError
from connectors.http import (
    Problem,
    StatusRules,
    error_for_status,
    parse_retry_after,
    redact_text,
    redact_url,
    retrying,
)
from connectors.settings import HttpSettings


@pytest.mark.parametrize(("status", "kind"), [
    (429, RetriableError), (502, RetriableError), (503, RetriableError), (504, RetriableError),
    (401, AuthError), (400, FatalAPIError), (403, FatalAPIError), (404, FatalAPIError),
    (500, FatalAPIError),
])
def test_statuses_map_to_error_classes(status: int, kind: type) -> None:
    error = error_for_status(system="x", status=status, url="https://h/p", module="M",
                             record_id="1")
    assert type(error) is kind
    assert (error.module, error.record_id, error.status) == ("M", "1", status)
    assert "[M 1]" in str(error)


def test_token_requests_refused_for_good_are_auth_errors() -> None:
    assert isinstance(error_for_status(system="x", status=500, url="u", auth_request=True),
                      AuthError)
    assert isinstance(error_for_status(system="x", status=503, url="u", auth_request=True),
                      RetriableError)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 < (parse_retry_after(later) or 0) <= 120
    error = error_for_status(system="x", status=429, url="u", retry_after="3")
    assert isinstance(error, RetriableError) and error.retry_after == 3.0


def test_redaction_of_urls_and_texts() -> None:
    url = redact_url("https://user:pw@crm.example.com/x?password=hunter2&page[size]=5")
    assert "hunter2" not in url and "user" not in url and "page[size]=5" in url
    text = redact_text("secret s3cr3t and Authorization: Bearer abc.def.ghi", ["s3cr3t", None])
    assert "s3cr3t" not in text and "abc.def" not in text


def _policy(max_retries: int = 3) -> HttpSettings:
    return HttpSettings(max_retries=max_retries, backoff_initial=0.1, backoff_max=2)


def test_retriable_errors_are_retried_with_retry_after_as_the_least_delay() -> None:
    attempts: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise RetriableError("busy", system="x", retry_after=1.5)
        return "ok"

    assert retrying(_policy(), sleep=slept.append)(flaky) == "ok"
    assert len(attempts) == 3 and all(1.5 <= delay <= 2 for delay in slept)


@pytest.mark.parametrize("error", [
    FatalAPIError("refused", system="x", status=400), AuthError("no", system="x", status=401),
])
def test_other_errors_are_not_retried(error: Exception) -> None:
    attempts: list[int] = []

    def failing() -> None:
        attempts.append(1)
        raise error

    with pytest.raises(type(error)):
        retrying(_policy(), sleep=lambda _s: None)(failing)
    assert attempts == [1]


def test_retries_stop_after_max_retries() -> None:
    attempts: list[int] = []

    def failing() -> None:
        attempts.append(1)
        raise RetriableError("busy", system="x")

    with pytest.raises(RetriableError):
        retrying(_policy(max_retries=2), sleep=lambda _s: None)(failing)
    assert len(attempts) == 3


MAILCHIMP_LIKE = StatusRules(bare_403_throttles=True, retry_server_errors=True,
                             problem_auth=True)


@pytest.mark.parametrize(("status", "empty", "problem", "kind"), [
    (403, True, None, RetriableError), (403, False, None, FatalAPIError),
    (403, False, Problem("Forbidden", "No access."), AuthError),
    (401, False, Problem("API Key Invalid", "Bad key."), AuthError),
    (500, False, None, RetriableError), (404, False, Problem("Not Found", "x"), FatalAPIError),
])
def test_status_rules_widen_the_mapping_for_one_system(
        status: int, empty: bool, problem: Problem | None, kind: type) -> None:
    error = error_for_status(system="mailchimp", status=status, url="u", rules=MAILCHIMP_LIKE,
                             empty_body=empty, problem=problem)
    assert type(error) is kind
    if problem is not None:
        assert error.detail == f"{problem.title}: {problem.detail}"


def test_without_rules_a_bare_403_and_a_500_stay_fatal() -> None:
    for status in (403, 500):
        error = error_for_status(system="suitecrm", status=status, url="u", empty_body=True,
                                 problem=Problem("t", "d"))
        assert type(error) is FatalAPIError
