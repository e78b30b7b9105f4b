"""Field encryption (AES-256-GCM with a key id, so keys can rotate) and HMAC blind indexes.

Ciphertext format: ``g1:<key id>:<urlsafe base64 of nonce ‖ ciphertext ‖ tag>``. The key id lets
old rows be read after a new key is put first in the key ring (a command that rewrites old rows
under the new key is still to be written; until then old keys must stay in the ring).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "g1"


class CryptoConfigError(Exception):
    """The key ring is malformed or lacks the key a ciphertext names."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        current = None
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id.isalnum():
                raise CryptoConfigError("FIELD_ENCRYPTION_KEY must look like 'id:base64key[,id:base64key…]'")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if len(raw) != 32:
                raise CryptoConfigError(f"Encryption key {key_id!r} must be 32 bytes (AES-256)")
            keys[key_id] = raw
            current = current or key_id
        if current is None:
            raise CryptoConfigError("FIELD_ENCRYPTION_KEY is empty")
        return cls(current_id=current, keys=keys)


@lru_cache(maxsize=8)
def _ring(text: str) -> KeyRing:
    return KeyRing.parse(text)


def _settings_ring() -> KeyRing:
    from django.conf import settings

    return _ring(settings.FIELD_ENCRYPTION_KEY)


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    # Built once per key: constructing AESGCM costs more than decrypting a phone number with it.
    return AESGCM(key)


def encrypt(plaintext: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or _settings_ring()
    nonce = os.urandom(12)
    sealed = _cipher(ring.keys[ring.current_id]).encrypt(nonce, plaintext.encode(), PREFIX.encode())
    return f"{PREFIX}:{ring.current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def encryptor(*, ring: KeyRing | None = None) -> Callable[[str], str]:
    """``encrypt`` with the key ring read once: for encrypting a column of many values (the roster
    import), where looking the ring up in the settings was a third of the cost of each value."""
    ring = ring or _settings_ring()
    seal = _cipher(ring.keys[ring.current_id]).encrypt
    head, aad, urandom, b64 = f"{PREFIX}:{ring.current_id}:", PREFIX.encode(), os.urandom, base64.urlsafe_b64encode

    def encrypt_one(plaintext: str) -> str:
        nonce = urandom(12)
        return head + b64(nonce + seal(nonce, plaintext.encode(), aad)).decode()

    return encrypt_one


def decrypt(token: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or _settings_ring()
    prefix, key_id, payload = token.split(":", 2)
    if prefix != PREFIX:
        raise CryptoConfigError("not an encrypted value")
    if key_id not in ring.keys:
        raise CryptoConfigError(f"no key with id {key_id!r} in FIELD_ENCRYPTION_KEY")
    raw = base64.urlsafe_b64decode(payload)
    return _cipher(ring.keys[key_id]).decrypt(raw[:12], raw[12:], PREFIX.encode()).decode()


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def blind_indexer(purpose: str, *, key: str | None = None) -> Callable[[str], str]:
    """``blind_index`` for one purpose with the key read once, for many values (the roster check)."""
    if key is None:
        from django.conf import settings

        key = settings.FIELD_HASH_KEY
    raw, prefix, digest = key.encode(), f"{purpose}\x1f", hmac.digest

    def index(normalized: str) -> str:
        return digest(raw, (prefix + normalized).encode(), "sha256").hex()

    return index


def blind_index(purpose: str, normalized: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of a normalized value, separated by purpose so equal values of different kinds
    (a phone and an ID) never share an index value."""
    if key is None:
        from django.conf import settings

        key = settings.FIELD_HASH_KEY
    digest = hmac.new(key.encode(), f"{purpose}\x1f{normalized}".encode(), hashlib.sha256)
    return digest.hexdigest()
