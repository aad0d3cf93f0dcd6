"""What every command shares: the config folder, verbosity and output mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.markup import escape

from cli.logging_setup import secret_filter
from cli.output import err_console
from sync.config import LoadedConfig, client_path, config_dir, list_clients, load_client
from sync.errors import ConfigError, ConfigProblem
from sync.insecure_settings import insecure_settings, secret_files

__all__ = ["AppContext", "pass_app"]


@dataclass
class AppContext:
    """Options of the ``suitepulse`` group, and the output mode of the running command."""

    config_dir: Path
    verbosity: int = 0
    json_output: bool = False
    warned: set[Path] = field(default_factory=set)
    """Client files whose insecure settings this command has already warned about."""

    def load(self, client: str) -> LoadedConfig:
        """Load a client's config, register its secrets with the log filter, and warn on
        stderr (once per command) about its insecure settings."""
        loaded = load_client(client_path(client, self.config_dir))
        secret_filter.add(*loaded.secrets)
        self._warn_insecure(loaded)
        return loaded

    def load_all(self, names: list[str] | None = None
                 ) -> tuple[list[LoadedConfig], dict[str, list[ConfigProblem]]]:
        """Every client of ``names`` (default: every client file in the config folder) that
        loads, and the problems of each one that does not, by name."""
        loaded: list[LoadedConfig] = []
        problems: dict[str, list[ConfigProblem]] = {}
        for name in list_clients(self.config_dir) if names is None else names:
            try:
                loaded.append(self.load(name))
            except ConfigError as error:
                problems[name] = list(error.problems)
        return loaded, problems

    def _warn_insecure(self, loaded: LoadedConfig) -> None:
        key = loaded.path.resolve()
        if key in self.warned:
            return
        self.warned.add(key)
        for finding in insecure_settings(loaded.config, secret_files(loaded)):
            err_console.print(f"[yellow]insecure:[/] {escape(loaded.config.client)}: "
                              f"{escape(str(finding))}", highlight=False)

    @classmethod
    def create(cls, config_dir_option: str | None, verbosity: int) -> AppContext:
        """The context for the given group options."""
        return cls(config_dir=config_dir(config_dir_option), verbosity=verbosity)


pass_app = click.make_pass_decorator(AppContext)
