"""A connection that cannot be made names its cause, is retried once, and says how often."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from connectors.errors import RetriableError, UnreachableError
from connectors.http import error_for_transport, retrying
from connectors.settings import HttpSettings

REQUEST = httpx.Request("GET", "https://crm.example.org/Api/V8/module/Contacts?token=s3cret")


def _wrapped(cause: BaseException, kind: type[httpx.TransportError] = httpx.ConnectError,
             ) -> httpx.TransportError:
    error = kind(str(cause), request=REQUEST)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(("cause", "reason"), [
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    (socket.gaierror(-2, "Name or service not known"), "DNS lookup failed"),
    (ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate"),
     "TLS certificate not trusted"),
    (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
     "TLS handshake failed"),
])
def test_an_unreachable_server_names_the_cause(cause: BaseException, reason: str) -> None:
    error = error_for_transport(_wrapped(cause), system="suitecrm")
    assert isinstance(error, UnreachableError)
    assert error.reason == reason
    assert "retried" not in str(error)
    assert "s3cret" not in str(error)


def test_a_timeout_is_retriable_but_not_unreachable() -> None:
    error = error_for_transport(httpx.ReadTimeout("timed out", request=REQUEST),
                                system="suitecrm")
    assert type(error) is RetriableError and error.reason.startswith("timed out")
    assert error.delivered


def _attempts(error: RetriableError, max_retries: int) -> tuple[int, RetriableError]:
    calls = 0

    def attempt() -> None:
        nonlocal calls
        calls += 1
        raise error

    policy = retrying(HttpSettings(max_retries=max_retries), sleep=lambda _s: None)
    with pytest.raises(RetriableError) as caught:
        policy(attempt)
    return calls, caught.value


def test_a_refused_connection_is_tried_twice_and_says_so() -> None:
    refused = error_for_transport(_wrapped(ConnectionRefusedError(111, "Connection refused")),
                                  system="suitecrm")
    calls, raised = _attempts(refused, max_retries=5)
    assert calls == 2
    assert "connection refused (2 attempts)" in str(raised)


def test_other_passing_failures_keep_every_retry_and_count_them() -> None:
    slow = error_for_transport(httpx.ConnectTimeout("timed out", request=REQUEST),
                               system="suitecrm")
    calls, raised = _attempts(slow, max_retries=3)
    assert calls == 4
    assert "(4 attempts)" in str(raised)
