"""Mail sources: IMAP mailboxes and Mailchimp."""

from __future__ import annotations

from connectors.mail.settings import ImapAccountSettings, MailchimpSettings

__all__ = ["ImapAccountSettings", "MailchimpSettings"]
