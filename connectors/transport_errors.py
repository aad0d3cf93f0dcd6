"""What a failed connection says about its cause: refused, DNS, TLS, certificate, timeout.

httpx wraps the socket's and the ssl module's errors in ``ConnectError``; the cause is read
from that chain of exceptions (and, where it is only in the text, from its message), so the
error a user sees names it and says what to check.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

__all__ = ["Cause", "cause_of"]


@dataclass(frozen=True)
class Cause:
    """Why a request failed below HTTP; ``unreachable`` causes are not worth many retries."""

    reason: str
    hint: str
    unreachable: bool


_REFUSED = Cause("connection refused",
                 "nothing listens at that host and port: check the base URL and that the "
                 "server is running", unreachable=True)
_DNS = Cause("DNS lookup failed", "the host name does not resolve: check the base URL",
             unreachable=True)
_CERTIFICATE = Cause("TLS certificate not trusted",
                     "the server's certificate does not verify (self-signed, expired or for "
                     "another name): install its CA in the system's trust store",
                     unreachable=True)
_TLS = Cause("TLS handshake failed",
             "the server does not speak TLS on that port, or no common TLS version: check "
             "http:// or https:// and the port in the base URL", unreachable=True)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def cause_of(exc: httpx.TransportError) -> Cause:
    """The cause of a transport failure."""
    for error in _chain(exc):
        if isinstance(error, ssl.SSLCertVerificationError):
            return _CERTIFICATE
        if isinstance(error, ssl.SSLError):
            return _TLS
        if isinstance(error, ConnectionRefusedError):
            return _REFUSED
        if isinstance(error, socket.gaierror):
            return _DNS
    text = str(exc).lower()
    if "certificate" in text:
        return _CERTIFICATE
    if "ssl" in text or "tls" in text:
        return _TLS
    if "refused" in text:
        return _REFUSED
    if "name or service not known" in text or "name resolution" in text or \
            "nodename nor servname" in text:
        return _DNS
    if isinstance(exc, httpx.ConnectTimeout):
        return Cause("connect timed out", "the host did not answer: check the base URL, the "
                     "network and any firewall", unreachable=False)
    if isinstance(exc, httpx.TimeoutException):
        return Cause(f"timed out ({type(exc).__name__})",
                     "the server is slow to answer; raise http.read_timeout if it stays so",
                     unreachable=False)
    return Cause(f"connection failed ({type(exc).__name__})",
                 "check that the server is reachable", unreachable=False)
