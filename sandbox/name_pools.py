"""Pools of names, places and companies drawn once from Faker, then sampled quickly."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from faker import Faker

__all__ = ["NamePools", "ascii_slug"]

_LOCALES = {
    "en_US": "USA", "en_GB": "United Kingdom", "de_DE": "Germany", "fr_FR": "France",
    "es_ES": "Spain", "nl_NL": "Netherlands", "it_IT": "Italy", "pt_BR": "Brazil",
}
_POOL = 150


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (for e-mail addresses and domains)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in plain.lower() if c.isalnum())


def _ordered(faker: Faker) -> Faker:
    """``faker`` with its city lists in a fixed order: some locales (it_IT) build theirs from
    a set, whose order changes with Python's hash seed, so the same seed drew other cities
    in another process."""
    for provider in faker.get_providers():
        cities = getattr(provider, "cities", None)
        if isinstance(cities, list | tuple) and all(isinstance(c, str) for c in cities):
            provider.cities = sorted(cities)
    return faker


@dataclass
class NamePools:
    """Per-locale first names, last names, cities (with country) and companies."""

    locales: list[str]
    first_names: dict[str, list[str]]
    last_names: dict[str, list[str]]
    cities: dict[str, list[tuple[str, str, str]]]
    companies: list[tuple[str, str]]
    streets: dict[str, list[str]]

    @classmethod
    def build(cls, seed: int) -> NamePools:
        """Draw the pools; the same seed gives the same pools."""
        first: dict[str, list[str]] = {}
        last: dict[str, list[str]] = {}
        cities: dict[str, list[tuple[str, str, str]]] = {}
        streets: dict[str, list[str]] = {}
        companies: list[tuple[str, str]] = []
        for index, (locale, country) in enumerate(_LOCALES.items()):
            faker = _ordered(Faker(locale))
            faker.seed_instance(seed * 101 + index)
            first[locale] = [faker.first_name() for _ in range(_POOL)]
            last[locale] = [faker.last_name() for _ in range(_POOL)]
            cities[locale] = [(faker.city(), faker.postcode(), country) for _ in range(_POOL // 3)]
            streets[locale] = [faker.street_address() for _ in range(_POOL // 3)]
            companies.extend((faker.company(), locale) for _ in range(_POOL))
        return cls(list(_LOCALES), first, last, cities, companies, streets)

    def locale(self, rng: random.Random) -> str:
        """A locale, weighted towards en_US."""
        return rng.choices(self.locales, weights=[5, 2, 2, 1.5, 1, 1, 1, 1])[0]
