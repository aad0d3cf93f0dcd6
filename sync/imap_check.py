"""What ``suitepulse check`` says of each IMAP account: does it log in, which folders it reads."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from connectors.errors import ConnectorError
from connectors.mail.imap import ImapMailbox
from sync.config import ClientConfig

__all__ = ["FolderCount", "ImapCheck", "check_imap"]


@dataclass(frozen=True)
class FolderCount:
    """A folder SuitePulse reads and how many messages it holds now."""

    name: str
    messages: int


@dataclass(frozen=True)
class ImapCheck:
    """One account: logged in and listed its folders, or the error that stopped it."""

    account: str
    host: str
    folders: list[FolderCount] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Logged in, and every folder to read exists."""
        return self.error is None

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON output (no addresses, no secrets)."""
        return {"account": self.account, "host": self.host, "ok": self.ok,
                "error": self.error,
                "folders": [{"name": f.name, "messages": f.messages} for f in self.folders]}


def check_imap(config: ClientConfig, *, ssl_context: ssl.SSLContext | None = None
               ) -> list[ImapCheck]:
    """Log in to every IMAP account of the client and count the messages of its folders."""
    checks = []
    for account in config.sources.imap:
        where = f"{account.host}:{account.port}"
        try:
            with ImapMailbox(account, ssl_context=ssl_context) as mailbox:
                names = mailbox.reading_folders()
                listed = {folder.name for folder in mailbox.folders()}
                missing = [name for name in names if name not in listed]
                counts = [FolderCount(name, mailbox.message_count(name))
                          for name in names if name in listed]
        except ConnectorError as error:
            checks.append(ImapCheck(account.name, where, error=str(error)))
            continue
        checks.append(ImapCheck(account.name, where, counts, error=(
            f"no such folder: {', '.join(missing)}" if missing else None)))
    return checks
