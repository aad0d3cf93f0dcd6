"""Where the V8 API lives on a site, chosen by config or detected once.

SuiteCRM 7 answers at ``/Api/...`` (the installer's rewrite rules), SuiteCRM 8 serves the
7.x code under ``/legacy/Api/...``, and a site without rewrite rules answers at
``/Api/index.php/...``. Auto-detection tries these in that order with the token request and
keeps the first that answers like the OAuth2 server.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from connectors.suitecrm.settings import ApiLayout

__all__ = ["ApiRoot", "candidate_prefixes"]

_PREFIXES: dict[ApiLayout, tuple[str, ...]] = {
    ApiLayout.V7: ("/Api",),
    ApiLayout.V8: ("/legacy/Api",),
    ApiLayout.AUTO: ("/Api", "/legacy/Api", "/Api/index.php", "/legacy/Api/index.php"),
}


def candidate_prefixes(layout: ApiLayout) -> tuple[str, ...]:
    """The API prefixes to try for ``layout``, most likely first."""
    return _PREFIXES[layout]


@dataclass
class ApiRoot:
    """The site URL and, once known, the API prefix below it (shared by auth and client)."""

    site: str
    layout: ApiLayout
    prefix: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.site = self.site.rstrip("/")
        candidates = candidate_prefixes(self.layout)
        if len(candidates) == 1:
            self.prefix = candidates[0]

    @property
    def candidates(self) -> tuple[str, ...]:
        """Prefixes still to try: the known one, or all of the layout's."""
        return (self.prefix,) if self.prefix is not None else candidate_prefixes(self.layout)

    def url(self, path: str, prefix: str | None = None) -> str:
        """Absolute URL of ``path`` (e.g. ``V8/module/Contacts``) below the API prefix."""
        chosen = prefix if prefix is not None else self.prefix
        if chosen is None:
            raise RuntimeError("the API prefix is not known yet; authenticate first")
        return f"{self.site}{chosen}/{path.lstrip('/')}"

    def found(self, prefix: str) -> None:
        """Remember the prefix that answered."""
        with self._lock:
            self.prefix = prefix
