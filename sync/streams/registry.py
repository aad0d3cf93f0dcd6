"""The streams of a client: its SuiteCRM modules, and interaction streams registered by the
mail and analytics connectors (the extension point: ``register_stream_factory``)."""

from __future__ import annotations

from collections.abc import Callable

from sync.config import ClientConfig
from sync.streams.contract import Stream
from sync.streams.mailchimp import mailchimp_streams
from sync.streams.source import RecordSource
from sync.streams.suitecrm import SuiteCRMStream

__all__ = ["StreamFactory", "build_streams", "record_modules", "register_stream_factory"]

StreamFactory = Callable[[ClientConfig], list[Stream]]
_FACTORIES: list[StreamFactory] = []


def register_stream_factory(factory: StreamFactory) -> StreamFactory:
    """Add a factory of streams (IMAP folders, Mailchimp activity, Matomo visits...).

    It is called with the client config and returns that client's streams of its kind
    (none when the client does not use the source). Usable as a decorator.
    """
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)
    return factory


def record_modules(config: ClientConfig) -> list[str]:
    """The SuiteCRM modules pulled: the configured ones, the customers' and the purchases'."""
    modules = list(config.sync.modules)
    for needed in (config.enrichment.customer_entity.value, config.enrichment.purchases.module):
        if needed not in modules:
            modules.append(needed)
    return modules


def build_streams(config: ClientConfig, source: RecordSource) -> list[Stream]:
    """Every stream of the client, SuiteCRM modules first."""
    streams: list[Stream] = [
        SuiteCRMStream(source, module, page_size=config.suitecrm.page_size,
                       fields=config.sync.fields.get(module))
        for module in record_modules(config)]
    for factory in _FACTORIES:
        streams.extend(factory(config))
    return streams


register_stream_factory(mailchimp_streams)  # until sources are an explicit mapping
