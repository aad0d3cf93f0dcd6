"""What every command shares: the config folder, verbosity and output mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from cli.logging_setup import secret_filter
from sync.config import LoadedConfig, client_path, config_dir, load_client

__all__ = ["AppContext", "pass_app"]


@dataclass
class AppContext:
    """Options of the ``suitepulse`` group, and the output mode of the running command."""

    config_dir: Path
    verbosity: int = 0
    json_output: bool = False

    def load(self, client: str) -> LoadedConfig:
        """Load a client's config and register its secrets with the log filter."""
        loaded = load_client(client_path(client, self.config_dir))
        suitecrm = loaded.config.suitecrm
        secret_filter.add(
            suitecrm.client_secret.get_secret_value(),
            suitecrm.password.get_secret_value() if suitecrm.password else None,
        )
        for account in loaded.config.sources.imap:
            secret_filter.add(*(secret.get_secret_value() for secret in
                                (account.password, account.oauth2_token) if secret))
        return loaded

    @classmethod
    def create(cls, config_dir_option: str | None, verbosity: int) -> AppContext:
        """The context for the given group options."""
        return cls(config_dir=config_dir(config_dir_option), verbosity=verbosity)


pass_app = click.make_pass_decorator(AppContext)
