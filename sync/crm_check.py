"""What a client's config needs from its SuiteCRM, and whether the instance has it.

Used by ``suitepulse check``: connect, authenticate, list the modules and fields that
``sync.modules``, ``enrichment.purchases`` and ``writeback.fields`` name, report what is
missing. With ``sources.mailchimp``, also list the account's audiences (and data centre):
a configured audience the account lacks is missing too; with ``sources.matomo``, whether each
site's visits log answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from connectors.analytics.matomo import MatomoClient
from connectors.errors import ConnectorError, FatalAPIError
from connectors.mail.mailchimp import Audience, MailchimpClient
from connectors.suitecrm import SuiteCRMClient
from sync.config import ClientConfig

__all__ = ["CheckReport", "MailchimpAccount", "Requirement", "check_client",
           "matomo_requirements", "requirements"]


@dataclass(frozen=True)
class Requirement:
    """One module (``field`` None) or field the config needs, and the config key that does."""

    module: str
    field: str | None
    needed_by: str
    found: bool = False
    hint: str | None = None
    """What to do when it is missing, where the check knows."""

    @property
    def name(self) -> str:
        """``Module`` or ``Module.field``."""
        return self.module if self.field is None else f"{self.module}.{self.field}"


@dataclass(frozen=True)
class MailchimpAccount:
    """The Mailchimp account as ``check`` shows it: data centre and audiences."""

    datacenter: str | None
    audiences: list[Audience]


@dataclass
class CheckReport:
    """The result of checking one client against its SuiteCRM."""

    client: str
    base_url: str
    api_prefix: str | None
    acting_user_id: str | None
    requirements: list[Requirement] = field(default_factory=list)
    mailchimp: MailchimpAccount | None = None

    @property
    def missing(self) -> list[Requirement]:
        """What the config needs and the instance lacks."""
        return [r for r in self.requirements if not r.found]

    @property
    def ok(self) -> bool:
        """Whether nothing is missing."""
        return not self.missing


def requirements(config: ClientConfig) -> list[Requirement]:
    """The modules and fields ``config`` uses, in config order, each once."""
    wanted: dict[tuple[str, str | None], str] = {}

    def need(module: str, name: str | None, by: str) -> None:
        wanted.setdefault((module, None), by)
        if name:
            wanted.setdefault((module, name), by)

    for module in config.sync.modules:
        need(module, None, "sync.modules")
    purchases = config.enrichment.purchases
    need(config.enrichment.customer_entity.value, None, "enrichment.customer_entity")
    for key in ("amount_field", "date_field", "status_field", "currency_field",
                "customer_field"):
        need(purchases.module, getattr(purchases, key), f"enrichment.purchases.{key}")
    for trait, mapping in config.writeback.fields.items():
        need(mapping.module, mapping.field_name, f"writeback.fields.{trait}")
    return [Requirement(module, name, by) for (module, name), by in wanted.items()]


def check_client(
    config: ClientConfig, *, transport: httpx.BaseTransport | None = None,
    mailchimp_transport: httpx.BaseTransport | None = None,
    matomo_transport: httpx.BaseTransport | None = None,
) -> CheckReport:
    """Authenticate against the client's SuiteCRM and look up everything the config needs;
    with ``sources.mailchimp`` its audiences, with ``sources.matomo`` that Matomo's visits log
    answers for each site."""
    report = _check_suitecrm(config, transport)
    settings = config.sources.mailchimp
    if settings is not None:
        with MailchimpClient(settings, transport=mailchimp_transport) as client:
            report.mailchimp = MailchimpAccount(client.datacenter, client.audiences())
        present = {audience.id for audience in report.mailchimp.audiences}
        report.requirements += [
            Requirement("Mailchimp", audience, "sources.mailchimp", audience in present)
            for audience in settings.audiences]
    report.requirements += matomo_requirements(config, transport=matomo_transport)
    return report


def _check_suitecrm(config: ClientConfig, transport: httpx.BaseTransport | None) -> CheckReport:
    with SuiteCRMClient(config.suitecrm, transport=transport) as client:
        client.authenticate()
        modules = set(client.modules())
        fields: dict[str, set[str]] = {}
        checked = []
        for requirement in requirements(config):
            module = requirement.module
            if requirement.field is None:
                found = module in modules
            else:
                if module not in fields:
                    try:
                        fields[module] = set(client.fields(module)) if module in modules else set()
                    except FatalAPIError:
                        fields[module] = set()
                found = requirement.field in fields[module]
            checked.append(Requirement(module, requirement.field, requirement.needed_by, found))
        user = client.current_user()
    return CheckReport(config.client, str(config.suitecrm.base_url), client.api_prefix,
                       user.id, checked)


def matomo_requirements(config: ClientConfig, *,
                        transport: httpx.BaseTransport | None = None) -> list[Requirement]:
    """Whether Matomo's visits log answers for each configured site (Live, filter_limit=1)."""
    settings = config.sources.matomo
    if settings is None:
        return []
    found = []
    with MatomoClient(settings, transport=transport) as client:
        for site in settings.sites:
            try:
                client.check_visits_log(site)
            except ConnectorError as error:
                advice = error.hint or error.detail
                found.append(Requirement("Matomo", f"site {site} visits log", "sources.matomo",
                                         False, error.reason + (f"; {advice}" if advice else "")))
            else:
                found.append(Requirement("Matomo", f"site {site} visits log", "sources.matomo",
                                         True))
    return found
