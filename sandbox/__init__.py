"""A local server answering like SuiteCRM V8 (and Mailchimp, Matomo), with synthetic customers."""

from __future__ import annotations

from sandbox.app import create_app, sandbox_state
from sandbox.custom_fields import CustomFieldError, declare_custom_field
from sandbox.server import RunningSandbox, connection_info, running_sandbox
from sandbox.settings import FaultSettings, SandboxSettings

__all__ = [
    "CustomFieldError",
    "FaultSettings",
    "RunningSandbox",
    "SandboxSettings",
    "connection_info",
    "create_app",
    "declare_custom_field",
    "running_sandbox",
    "sandbox_state",
]
