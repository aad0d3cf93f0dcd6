"""``running_sandbox``: the sandbox served by uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from connectors.suitecrm.settings import SuiteCRMSettings
from sandbox.app import create_app, sandbox_state
from sandbox.custom_fields import declare_custom_field
from sandbox.faults import quiet_dropped_connections
from sandbox.settings import FaultSettings, SandboxSettings

__all__ = ["RunningSandbox", "connection_info", "free_port", "running_sandbox"]


@dataclass
class RunningSandbox:
    """A sandbox that is up: its URL, credentials and live fault settings."""

    base_url: str
    settings: SandboxSettings
    app: Starlette

    @property
    def faults(self) -> FaultSettings:
        """The live fault settings; assign attributes to change them."""
        return self.settings.faults

    @property
    def client_id(self) -> str:
        """The client_credentials OAuth2 client."""
        return self.settings.client_id

    @property
    def client_secret(self) -> str:
        """Secret of the client_credentials client."""
        return self.settings.client_secret.get_secret_value()

    @property
    def password_client_id(self) -> str:
        """The password-grant OAuth2 client."""
        return self.settings.password_client_id

    @property
    def password_client_secret(self) -> str:
        """Secret of the password-grant client."""
        return self.settings.password_client_secret.get_secret_value()

    @property
    def username(self) -> str:
        """The API user (admin) for the password grant."""
        return self.settings.username

    @property
    def password(self) -> str:
        """The API user's password."""
        return self.settings.password.get_secret_value()

    def suitecrm_settings(self, **overrides: Any) -> SuiteCRMSettings:
        """Connector settings for this sandbox (client_credentials unless overridden)."""
        values: dict[str, Any] = {
            "base_url": self.base_url,
            "api_layout": "8.x" if self.settings.layout == "8" else "7.x",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if overrides.get("grant_type") in {"password"}:
            values.update(client_id=self.password_client_id,
                          client_secret=self.password_client_secret,
                          username=self.username, password=self.password)
        values.update(overrides)
        return SuiteCRMSettings.model_validate(values)

    def add_custom_field(self, module: str, name: str, type_: str, **options: Any) -> None:
        """Declare a custom ``_c`` field (see ``sandbox.custom_fields``)."""
        declare_custom_field(sandbox_state(self.app), module, name, type_, **options)


def connection_info(settings: SandboxSettings, base_url: str) -> dict[str, Any]:
    """What a user needs to connect: URLs and the sandbox's (synthetic) credentials."""
    return {
        "base_url": base_url,
        "api_layout": "8.x" if settings.layout == "8" else "7.x",
        "token_url": f"{base_url}{'/legacy' if settings.layout == '8' else ''}/Api/access_token",
        "client_credentials": {"client_id": settings.client_id,
                               "client_secret": settings.client_secret.get_secret_value()},
        "password_grant": {"client_id": settings.password_client_id,
                           "client_secret": settings.password_client_secret.get_secret_value(),
                           "username": settings.username,
                           "password": settings.password.get_secret_value()},
        "mailchimp": {"base_url": f"{base_url}/mailchimp/3.0",
                      "api_key": settings.mailchimp_api_key.get_secret_value(),
                      "audience_id": settings.mailchimp_list_id},
        "matomo": {"base_url": f"{base_url}/matomo", "site_id": settings.matomo_site_id,
                   "token_auth": settings.matomo_token.get_secret_value()},
    }


def free_port(host: str) -> int:
    """A port that is free on ``host`` now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_sandbox(customers: int = 500, seed: int = 1, port: int = 0,
                    faults: FaultSettings | None = None, db_path: Path | None = None, *,
                    layout: str = "7", anchor: date | None = None,
                    host: str = "127.0.0.1") -> Iterator[RunningSandbox]:
    """Serve a sandbox on ``host`` (an ephemeral port by default) until the block ends."""
    settings = SandboxSettings.model_validate({
        "customers": customers, "seed": seed, "db_path": db_path, "layout": layout,
        "anchor": anchor, "faults": faults or FaultSettings(),
    })
    app = create_app(settings)
    quiet_dropped_connections()
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the sandbox did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield RunningSandbox(f"http://{host}:{port}", settings, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sandbox_state(app).store.close()
