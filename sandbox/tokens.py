"""OAuth2 clients, users and tokens, with league/oauth2-server's rules as SuiteCRM wires them.

Access tokens are signed JWTs; refresh tokens are opaque and single use. A refresh revokes the
previous access token at once. Each client allows exactly one grant (refresh always works).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["OAuthClient", "OAuthFailure", "TokenIssuer", "User"]

_DENIED = "The resource owner or authorization server denied the request."


class OAuthFailure(Exception):
    """An OAuth error: status, error code, description and hint."""

    def __init__(self, status: int, error: str, description: str, hint: str | None = None):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.hint = hint


@dataclass(frozen=True)
class OAuthClient:
    """One oauth2clients row: the secret is kept as unsalted SHA-256 hex, like SuiteCRM."""

    client_id: str
    secret_sha256: str
    allowed_grant_type: str
    assigned_user_id: str = "1"


@dataclass(frozen=True)
class User:
    """An API user."""

    id: str
    user_name: str
    password: str
    full_name: str


@dataclass
class _Access:
    client_id: str
    user_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class _Refresh:
    client_id: str
    user_id: str
    access_id: str
    expires_at: float
    revoked: bool = False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues, checks, rotates and revokes tokens (in memory, per server)."""

    def __init__(self, clients: list[OAuthClient], users: list[User],
                 lifetime_s: int = 3600) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.users = {u.user_name: u for u in users}
        self.lifetime_s = lifetime_s
        self._key = secrets.token_bytes(32)
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._lock = threading.Lock()

    # -- token endpoint -------------------------------------------------------------------

    def grant(self, params: dict[str, Any], *, ttl_s: float | None = None) -> dict[str, Any]:
        """Answer a token request; raises OAuthFailure like the real endpoint."""
        grant_type = str(params.get("grant_type") or "")
        if grant_type not in {"client_credentials", "password", "refresh_token"}:
            raise OAuthFailure(
                400, "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                "Check that all required parameters have been provided")
        client_id = str(params.get("client_id") or "")
        if not client_id:
            raise OAuthFailure(400, "invalid_request",
                               "The request is missing a required parameter, includes an invalid "
                               "parameter value, includes a parameter more than once, or is "
                               "otherwise malformed.", "Check the `client_id` parameter")
        client = self.clients.get(client_id)
        if client is None:
            message = f"OAuth2Clients module with id {client_id} is not found"
            raise OAuthFailure(500, "unknown_error", message)
        secret = str(params.get("client_secret") or "")
        digest = hashlib.sha256(secret.encode()).hexdigest()
        allowed = grant_type == "refresh_token" or grant_type == client.allowed_grant_type
        if not allowed or not hmac.compare_digest(digest, client.secret_sha256):
            raise OAuthFailure(401, "invalid_client", "Client authentication failed")
        scope = str(params.get("scope") or "").strip()
        if scope:
            raise OAuthFailure(400, "invalid_scope",
                               "The requested scope is invalid, unknown, or malformed",
                               f"Check the `{scope.split()[0]}` scope")
        if grant_type == "client_credentials":
            return self._issue(client, client.assigned_user_id, with_refresh=False, ttl_s=ttl_s)
        if grant_type == "password":
            return self._issue(client, self._check_user(params).id, with_refresh=True,
                               ttl_s=ttl_s)
        return self._rotate(client, str(params.get("refresh_token") or ""), ttl_s)

    def _check_user(self, params: dict[str, Any]) -> User:
        username = str(params.get("username") or "")
        password = str(params.get("password") or "")
        if not username or not password:
            field = "username" if not username else "password"
            raise OAuthFailure(400, "invalid_request",
                               "The request is missing a required parameter, includes an invalid "
                               "parameter value, includes a parameter more than once, or is "
                               "otherwise malformed.", f"Check the `{field}` parameter")
        user = self.users.get(username)
        if user is None:
            message = f"No user found with this username: {username}"
            raise OAuthFailure(500, "unknown_error", message)
        if not hmac.compare_digest(user.password, password):
            # SuiteCRM really echoes the password here (FACTS.md section 2).
            message = f"The password is invalid: {password}"
            raise OAuthFailure(500, "unknown_error", message)
        return user

    def _rotate(self, client: OAuthClient, token: str, ttl_s: float | None) -> dict[str, Any]:
        invalid = "The refresh token is invalid."
        with self._lock:
            refresh = self._refresh.get(token)
            if refresh is None:
                raise OAuthFailure(401, "invalid_request", invalid,
                                   "Cannot decrypt the refresh token")
            if refresh.client_id != client.client_id:
                raise OAuthFailure(401, "invalid_request", invalid, "Token is not linked to client")
            if refresh.expires_at < time.time():
                raise OAuthFailure(401, "invalid_request", invalid, "Token has expired")
            if refresh.revoked:
                raise OAuthFailure(401, "invalid_request", invalid, "Token has been revoked")
            refresh.revoked = True
            old = self._access.get(refresh.access_id)
            if old is not None:
                old.revoked = True
        return self._issue(client, refresh.user_id, with_refresh=True, ttl_s=ttl_s)

    def _issue(self, client: OAuthClient, user_id: str, *, with_refresh: bool,
               ttl_s: float | None) -> dict[str, Any]:
        now = time.time()
        jti = uuid.uuid4().hex + uuid.uuid4().hex[:16]
        valid_for = min(self.lifetime_s, ttl_s) if ttl_s else self.lifetime_s
        header = {"typ": "JWT", "alg": "RS256", "jti": jti}
        payload = {"aud": client.client_id, "jti": jti, "iat": now, "nbf": now,
                   "exp": now + valid_for,
                   "sub": "" if not with_refresh else user_id, "scopes": []}
        signing_input = (_b64(json.dumps(header).encode()) + "."
                         + _b64(json.dumps(payload).encode()))
        signature = hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
        body: dict[str, Any] = {"token_type": "Bearer", "expires_in": self.lifetime_s,
                                "access_token": f"{signing_input}.{_b64(signature)}"}
        with self._lock:
            self._access[jti] = _Access(client.client_id, user_id, now + valid_for)
            if with_refresh:
                refresh = "def50200" + secrets.token_hex(160)
                self._refresh[refresh] = _Refresh(client.client_id, user_id, jti,
                                                  now + 30 * 86400)
                body["refresh_token"] = refresh
        return body

    # -- resource server ------------------------------------------------------------------

    def _token_id(self, authorization: str | None) -> str:
        if not authorization:
            raise OAuthFailure(401, "access_denied", _DENIED, 'Missing "Authorization" header')
        token = authorization[7:] if authorization.startswith("Bearer ") else authorization
        token = token.strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise OAuthFailure(401, "access_denied", _DENIED, "The JWT string must have two dots")
        try:
            header = json.loads(_unb64(parts[0]))
            payload = json.loads(_unb64(parts[1]))
        except (ValueError, UnicodeDecodeError) as error:
            raise OAuthFailure(401, "access_denied", _DENIED,
                               "Error while decoding from JSON") from error
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise OAuthFailure(401, "access_denied", _DENIED, "Error while decoding from JSON")
        expected = hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            signature_ok = hmac.compare_digest(expected, _unb64(parts[2]))
        except ValueError:
            signature_ok = False
        if not signature_ok or float(payload.get("exp", 0)) < time.time():
            raise OAuthFailure(401, "access_denied", _DENIED, "Access token could not be verified")
        return str(payload.get("jti", ""))

    def authenticate(self, authorization: str | None) -> tuple[str, str]:
        """(token id, user id) for a valid Authorization header; raises OAuthFailure."""
        jti = self._token_id(authorization)
        with self._lock:
            access = self._access.get(jti)
            if access is None or access.revoked or access.expires_at < time.time():
                raise OAuthFailure(401, "access_denied", _DENIED, "Access token has been revoked")
            return jti, access.user_id

    def revoke(self, token_id: str) -> None:
        """Log out: the access token stops working."""
        with self._lock:
            access = self._access.get(token_id)
            if access is not None:
                access.revoked = True

    def user_by_id(self, user_id: str) -> User | None:
        """The user with this id."""
        return next((u for u in self.users.values() if u.id == user_id), None)
