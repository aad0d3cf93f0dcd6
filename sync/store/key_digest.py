"""Identity keys as keyed hashes: the one place a key is turned into what the store keeps."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["digest"]


def digest(kind: str, normalised_value: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of an identity key of ``kind``, already normalised, under ``key``.

    The kind is part of the message, so the same text as an e-mail and as a Matomo user id
    gives two different digests.
    """
    message = f"{kind}\0{normalised_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
