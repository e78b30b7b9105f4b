"""Field encryption (AES-256-GCM with a key ring) and HMAC blind indexes."""

from __future__ import annotations

import base64

import hypothesis
import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from gonghui.lib import crypto
from gonghui.lib.crypto import CryptoConfigError, KeyRing, blind_index, decrypt, encrypt, is_encrypted

PROPERTY = hypothesis.settings(max_examples=200, deadline=None, database=None)


def fixed_key(seed: int, size: int = 32) -> str:
    # Fixed, not random: parametrize ids must be the same in every pytest-xdist worker.
    return base64.urlsafe_b64encode(bytes((seed + i) % 256 for i in range(size))).decode()


K1, K2 = fixed_key(1), fixed_key(101)
RING_1 = KeyRing.parse(f"1:{K1}")
RING_2_1 = KeyRing.parse(f"2:{K2},1:{K1}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token.split(":", 2)[2])


@PROPERTY
@given(st.text())
def test_it_round_trips_any_text(text: str) -> None:
    token = encrypt(text, ring=RING_1)
    assert is_encrypted(token) and token.startswith("g1:1:")
    assert decrypt(token, ring=RING_1) == text


@PROPERTY
@given(st.text("0123456789X", min_size=11, max_size=18))
def test_it_never_stores_the_plaintext(text: str) -> None:
    token = encrypt(text, ring=RING_1)
    assert text not in token
    assert text.encode() not in _raw(token)


def test_it_uses_a_fresh_nonce_every_time() -> None:
    tokens = {encrypt("13800138000", ring=RING_1) for _ in range(50)}
    assert len(tokens) == 50
    assert len({_raw(t)[:12] for t in tokens}) == 50


def test_it_reads_old_values_after_a_new_key_is_put_first() -> None:
    old = encrypt("11010519491231002X", ring=RING_1)
    assert decrypt(old, ring=RING_2_1) == "11010519491231002X"
    new = encrypt("11010519491231002X", ring=RING_2_1)
    assert new.startswith("g1:2:")
    assert decrypt(new, ring=RING_2_1) == "11010519491231002X"
    with pytest.raises(CryptoConfigError, match="no key with id '2'"):
        decrypt(new, ring=RING_1)  # the old ring can't read what the new key wrote


def test_it_parses_the_key_ring() -> None:
    assert RING_2_1.current_id == "2"
    assert set(RING_2_1.keys) == {"1", "2"}
    assert KeyRing.parse(f" 7:{K1.rstrip('=')} , ").current_id == "7"  # padding may be left off


@pytest.mark.parametrize("text", ["", " , ", f"{K1}", f"a-b:{K1}", "1:" + fixed_key(7, size=16)],
                         ids=["empty", "commas", "no id", "bad id", "AES-128 key"])
def test_it_refuses_a_malformed_key_ring(text: str) -> None:
    with pytest.raises(CryptoConfigError):
        KeyRing.parse(text)


@pytest.mark.parametrize("position", [0, 5, 12, 20, -1])
def test_it_detects_a_tampered_ciphertext(position: int) -> None:
    token = encrypt("13800138000", ring=RING_1)
    raw = bytearray(_raw(token))
    raw[position] ^= 0x01
    with pytest.raises(InvalidTag):
        decrypt("g1:1:" + _b64(bytes(raw)), ring=RING_1)


def test_it_detects_a_ciphertext_moved_to_another_key() -> None:
    token = encrypt("13800138000", ring=RING_2_1)
    with pytest.raises(InvalidTag):
        decrypt(token.replace("g1:2:", "g1:1:", 1), ring=RING_2_1)


def test_it_refuses_what_is_not_its_ciphertext() -> None:
    token = encrypt("13800138000", ring=RING_1)
    with pytest.raises(CryptoConfigError, match="not an encrypted value"):
        decrypt("g2" + token[2:], ring=RING_1)
    with pytest.raises(CryptoConfigError, match="no key with id '9'"):
        decrypt(token.replace("g1:1:", "g1:9:", 1), ring=RING_1)
    with pytest.raises(ValueError):
        decrypt("13800138000", ring=RING_1)
    assert not is_encrypted("13800138000")


def test_it_uses_the_configured_key_ring_by_default(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEY = f"2:{K2},1:{K1}"
    token = encrypt("13800138000")
    assert token.startswith("g1:2:")
    assert decrypt(token, ring=RING_2_1) == "13800138000"
    assert decrypt(encrypt("x", ring=RING_1)) == "x"
    assert crypto._ring(settings.FIELD_ENCRYPTION_KEY) is crypto._settings_ring()  # parsed once


@PROPERTY
@given(st.text(max_size=30))
def test_it_keeps_the_blind_index_stable(value: str) -> None:
    first = blind_index("phone", value, key="hash-key")
    assert first == blind_index("phone", value, key="hash-key")
    assert len(first) == 64 and int(first, 16) >= 0


@PROPERTY
@given(st.text(max_size=30))
def test_it_separates_blind_indexes_by_purpose_and_key(value: str) -> None:
    phone = blind_index("phone", value, key="hash-key")
    assert phone != blind_index("id_number", value, key="hash-key")
    assert phone != blind_index("phone", value, key="other-hash-key")
    assert phone != blind_index("phone", value + "0", key="hash-key")


def test_it_uses_the_configured_hash_key_by_default(settings: Settings) -> None:
    settings.FIELD_HASH_KEY = "hash-key"
    assert blind_index("phone", "13800138000") == blind_index("phone", "13800138000", key="hash-key")
    settings.FIELD_HASH_KEY = "rotated-by-mistake"
    assert blind_index("phone", "13800138000") != blind_index("phone", "13800138000", key="hash-key")
