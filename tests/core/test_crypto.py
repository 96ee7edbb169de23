import base64
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from talat.core import crypto


def key(byte: int) -> str:
    return base64.urlsafe_b64encode(bytes([byte]) * 32).decode()


KEY_1, KEY_2, INDEX_KEY = key(1), key(2), key(9)
AAD = crypto.aad_for("registry_person", "phone", "7d3c0a52-0c7e-4d57-9d0e-2f5f1d4f3a10")


@pytest.fixture(autouse=True)
def keys(settings):
    settings.TALAT_FIELD_KEYS = f"1:{KEY_1}"
    settings.TALAT_INDEX_KEY = INDEX_KEY
    crypto.reset_key_ring()
    yield settings
    crypto.reset_key_ring()


def test_roundtrip_thai_text():
    token = crypto.encrypt("081-234-5678 สมชาย", aad=AAD)
    assert crypto.decrypt(token, aad=AAD) == "081-234-5678 สมชาย"


def test_token_is_versioned_text_with_fresh_nonce():
    first = crypto.encrypt("0812345678", aad=AAD)
    second = crypto.encrypt("0812345678", aad=AAD)
    assert re.fullmatch(r"v1:[A-Za-z0-9_-]+={0,2}", first)
    assert first != second  # a new random nonce each time
    assert crypto.token_version(first) == 1
    assert crypto.is_token(first)
    assert not crypto.is_token("0812345678")
    blob = base64.urlsafe_b64decode(first[3:])
    assert len(blob) == 12 + len(b"0812345678") + 16  # nonce, ciphertext, tag


def test_empty_plaintext_roundtrips():
    assert crypto.decrypt(crypto.encrypt("", aad=AAD), aad=AAD) == ""


@pytest.mark.parametrize(
    "other",
    [
        crypto.aad_for("registry_person", "phone", "00000000-0000-0000-0000-000000000000"),  # row
        crypto.aad_for("registry_person", "citizen_id", "7d3c0a52-0c7e-4d57-9d0e-2f5f1d4f3a10"),  # column
        crypto.aad_for("accounts_user", "phone", "7d3c0a52-0c7e-4d57-9d0e-2f5f1d4f3a10"),  # table
    ],
)
def test_token_bound_to_table_column_and_row(other):
    token = crypto.encrypt("0812345678", aad=AAD)
    with pytest.raises(crypto.DecryptionError, match="another row or column"):
        crypto.decrypt(token, aad=other)


def test_aad_is_unambiguous():
    assert crypto.aad_for("a", "b", "c") == b"talat|a\x00b\x00c"
    assert crypto.aad_for("a|b", "c", "d") != crypto.aad_for("a", "b|c", "d")
    with pytest.raises(ValueError):
        crypto.aad_for("a\x00b", "c", "d")


def test_tampering_fails():
    token = crypto.encrypt("0812345678", aad=AAD)
    blob = bytearray(base64.urlsafe_b64decode(token[3:]))
    for position in (0, 12, len(blob) - 1):  # nonce, ciphertext, tag
        altered = bytearray(blob)
        altered[position] ^= 1
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt("v1:" + base64.urlsafe_b64encode(bytes(altered)).decode(), aad=AAD)


@pytest.mark.parametrize(
    "token", ["0812345678", "v1:", "v1:AAAA", "v0:" + "A" * 40, "x1:" + "A" * 40, "v1:***"]
)
def test_malformed_tokens_fail(token):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, aad=AAD)


def test_unknown_key_version_fails(keys):
    token = crypto.encrypt("0812345678", aad=AAD)
    keys.TALAT_FIELD_KEYS = f"2:{KEY_2}"
    with pytest.raises(crypto.DecryptionError, match="version 1"):
        crypto.decrypt(token, aad=AAD)


def test_rotation_reencrypts_under_newest_key():
    old = crypto.encrypt("0812345678", aad=AAD)
    with override_settings(TALAT_FIELD_KEYS=f"1:{KEY_1},2:{KEY_2}"):
        crypto.reset_key_ring()
        assert crypto.KeyRing.from_settings().newest_version == 2
        assert crypto.decrypt(old, aad=AAD) == "0812345678"  # old versions still decrypt
        new = crypto.reencrypt_token(old, aad=AAD)
        assert crypto.token_version(new) == 2
        assert crypto.decrypt(new, aad=AAD) == "0812345678"
        assert crypto.reencrypt_token(new, aad=AAD) is None  # already newest
        assert crypto.token_version(crypto.encrypt("x", aad=AAD)) == 2
    with override_settings(TALAT_FIELD_KEYS=f"2:{KEY_2}"):  # version 1 retired
        crypto.reset_key_ring()
        assert crypto.decrypt(new, aad=AAD) == "0812345678"


def test_reencrypt_checks_the_binding():
    old = crypto.encrypt("0812345678", aad=AAD)
    with override_settings(TALAT_FIELD_KEYS=f"1:{KEY_1},2:{KEY_2}"), pytest.raises(crypto.DecryptionError):
        crypto.reencrypt_token(old, aad=crypto.aad_for("t", "c", "r"))


def test_newest_is_highest_version_not_last_listed(keys):
    keys.TALAT_FIELD_KEYS = f"2:{KEY_2},1:{KEY_1}"
    assert crypto.KeyRing.from_settings().newest_version == 2


def test_blind_index_is_deterministic_and_separated_by_purpose_and_key(keys):
    first = crypto.blind_index("0812345678", purpose="person.phone")
    assert first == crypto.blind_index("0812345678", purpose="person.phone")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != crypto.blind_index("0812345678", purpose="person.citizen_id")
    assert first != crypto.blind_index("0812345679", purpose="person.phone")
    keys.TALAT_INDEX_KEY = key(10)
    assert first != crypto.blind_index("0812345678", purpose="person.phone")


def test_blind_index_purpose_must_be_nul_free_and_non_empty():
    with pytest.raises(ValueError):
        crypto.blind_index("b", purpose="a\x00")
    with pytest.raises(ValueError):
        crypto.blind_index("b", purpose="")


def test_key_ring_is_cached_and_reset(keys):
    ring = crypto.KeyRing.from_settings()
    assert crypto.KeyRing.from_settings() is ring
    crypto.reset_key_ring()
    assert crypto.KeyRing.from_settings() is not ring


def test_key_ring_repr_hides_keys():
    ring = crypto.KeyRing.from_settings()
    assert repr(ring) == "<KeyRing versions=[1] newest=1>"
    assert KEY_1 not in repr(ring)


def test_generate_key_makes_usable_keys(keys):
    generated = crypto.generate_key()
    assert len(base64.urlsafe_b64decode(generated)) == 32
    assert generated != crypto.generate_key()
    keys.TALAT_FIELD_KEYS = f"1:{generated}"
    keys.TALAT_INDEX_KEY = crypto.generate_key()
    assert crypto.decrypt(crypto.encrypt("x", aad=AAD), aad=AAD) == "x"


def test_keys_without_padding_are_accepted(keys):
    keys.TALAT_FIELD_KEYS = f" 1:{KEY_1.rstrip('=')} , 2:{KEY_2} "
    assert crypto.KeyRing.from_settings().newest_version == 2


@pytest.mark.parametrize(
    ("field_keys", "index_key", "message"),
    [
        (None, INDEX_KEY, "TALAT_FIELD_KEYS is not set"),
        ("", INDEX_KEY, "TALAT_FIELD_KEYS is not set"),
        (f"1:{KEY_1}", None, "TALAT_INDEX_KEY is not set"),
        (f"1:{KEY_1}", "  ", "TALAT_INDEX_KEY is not set"),
        (KEY_1, INDEX_KEY, "entry 1 is not <version>:<key>"),
        (f"1:{KEY_1},x:{KEY_2}", INDEX_KEY, "entry 2 is not <version>:<key>"),
        (f"0:{KEY_1}", INDEX_KEY, "entry 1 is not <version>:<key>"),
        (f"1:{KEY_1},1:{KEY_2}", INDEX_KEY, "version 1 twice"),
        (
            "1:" + base64.urlsafe_b64encode(b"short").decode(),
            INDEX_KEY,
            "version 1: the key must be exactly 32",
        ),
        ("1:not base64!", INDEX_KEY, "version 1: the key must be exactly 32"),
        (f"1:{KEY_1}", base64.urlsafe_b64encode(bytes(16)).decode(), "TALAT_INDEX_KEY must be exactly 32"),
        (f"1:{KEY_1}", KEY_1, "TALAT_INDEX_KEY must differ"),
    ],
)
def test_bad_configuration_explains_itself(keys, field_keys, index_key, message):
    keys.TALAT_FIELD_KEYS = field_keys
    keys.TALAT_INDEX_KEY = index_key
    crypto.reset_key_ring()
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as caught:
        crypto.encrypt("x", aad=AAD)
    assert KEY_1 not in str(caught.value) and KEY_1.rstrip("=") not in str(caught.value)


def test_missing_settings_raise(keys):
    del keys.TALAT_FIELD_KEYS
    with pytest.raises(ImproperlyConfigured, match="TALAT_FIELD_KEYS is not set.*generate_key"):
        crypto.KeyRing.from_settings()
