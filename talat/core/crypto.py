"""Field-level encryption for personal identifiers: AES-256-GCM under a versioned key ring, and a
keyed HMAC "blind index" for exact-match lookups.

Keys come from Django settings (which read them from the environment or a key file), never from
the database:

    TALAT_FIELD_KEYS  "1:<key>,2:<key>": versioned AES-256 keys; the highest version encrypts,
                      every listed version decrypts. Keep old versions until every token using
                      them has been re-encrypted (reencrypt_token).
    TALAT_INDEX_KEY   "<key>": the HMAC-SHA256 key for blind indexes. Changing it invalidates
                      every stored index, so it is not versioned.

Each key is 32 random bytes in URL-safe base64; generate_key() makes one.

A token is text, safe for a varchar/text column: "v<version>:" + urlsafe_b64(nonce ‖ ciphertext ‖ tag),
with a fresh random 96-bit nonce per encryption. The associated data (aad_for) binds a token to
its table, column and row, so a token copied into another row or column does not decrypt.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
AAD_PREFIX = b"talat|"

_B64 = r"[A-Za-z0-9_-]+={0,2}"
_KEY_RE = re.compile(rf"^{_B64}$")
_TOKEN_RE = re.compile(rf"^v([1-9][0-9]*):({_B64})$")
_GENERATE_HINT = (
    "make one with: python -c 'from talat.core.crypto import generate_key; print(generate_key())'"
)


class DecryptionError(Exception):
    """A token could not be decrypted: wrong associated data (another row or column), tampering,
    an unknown key version, or not a token at all. The message never contains key material."""


def generate_key() -> str:
    """A new random 32-byte key in URL-safe base64, for TALAT_FIELD_KEYS or TALAT_INDEX_KEY."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _decode_key(text: str) -> bytes | None:
    """The key's bytes, or None when it is not URL-safe base64 of exactly 32 bytes."""
    text = text.strip()
    if not _KEY_RE.match(text):
        return None
    try:
        bare = text.rstrip("=")
        raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEY_BYTES else None


class KeyRing:
    """Versioned AES-256-GCM keys {version: key} plus a separate HMAC key for blind indexes.
    Its repr shows versions only, never keys."""

    __slots__ = ("_aead", "index_key", "keys", "newest_version")

    def __init__(self, keys: Mapping[int, bytes], index_key: bytes):
        if not keys:
            raise ValueError("A key ring needs at least one field key.")
        for version, key in keys.items():
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ValueError(f"Key versions are positive integers, not {version!r}.")
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise ValueError(f"Field key version {version} must be {KEY_BYTES} bytes.")
        if not isinstance(index_key, bytes) or len(index_key) != KEY_BYTES:
            raise ValueError(f"The index key must be {KEY_BYTES} bytes.")
        if index_key in keys.values():
            raise ValueError("The index key must differ from every field key.")
        self.keys: dict[int, bytes] = dict(keys)
        self.index_key = index_key
        self.newest_version = max(self.keys)
        self._aead = {version: AESGCM(key) for version, key in self.keys.items()}

    def __repr__(self) -> str:
        return f"<KeyRing versions={sorted(self.keys)} newest={self.newest_version}>"

    @property
    def newest_key(self) -> bytes:
        return self.keys[self.newest_version]

    def aead(self, version: int) -> AESGCM:
        try:
            return self._aead[version]
        except KeyError:
            raise DecryptionError(f"No field key with version {version} in the key ring.") from None

    @classmethod
    def parse(cls, field_keys: str | None, index_key: str | None) -> "KeyRing":
        """A key ring from the two setting strings; ImproperlyConfigured, naming the setting and
        the version at fault (never the key), when either is missing or malformed."""
        if not isinstance(field_keys, str) or not field_keys.strip():
            raise ImproperlyConfigured(
                "TALAT_FIELD_KEYS is not set. Give one or more versioned field-encryption keys as "
                f'"1:<key>,2:<key>" (each 32 random bytes in URL-safe base64; {_GENERATE_HINT}).'
            )
        if not isinstance(index_key, str) or not index_key.strip():
            raise ImproperlyConfigured(
                "TALAT_INDEX_KEY is not set. Give the blind-index HMAC key (32 random bytes in "
                f"URL-safe base64, different from every field key; {_GENERATE_HINT})."
            )
        keys: dict[int, bytes] = {}
        for position, entry in enumerate(field_keys.split(","), start=1):
            version_text, colon, key_text = entry.strip().partition(":")
            version_text = version_text.strip()
            if not colon or not version_text.isdigit() or not version_text.isascii() or int(version_text) < 1:
                raise ImproperlyConfigured(
                    f"TALAT_FIELD_KEYS entry {position} is not <version>:<key> with a positive whole "
                    'version number, e.g. "1:<key>,2:<key>".'
                )
            version = int(version_text)
            if version in keys:
                raise ImproperlyConfigured(f"TALAT_FIELD_KEYS lists key version {version} twice.")
            key = _decode_key(key_text)
            if key is None:
                raise ImproperlyConfigured(
                    f"TALAT_FIELD_KEYS version {version}: the key must be exactly {KEY_BYTES} bytes "
                    f"in URL-safe base64 ({_GENERATE_HINT})."
                )
            keys[version] = key
        index = _decode_key(index_key)
        if index is None:
            raise ImproperlyConfigured(
                f"TALAT_INDEX_KEY must be exactly {KEY_BYTES} bytes in URL-safe base64 ({_GENERATE_HINT})."
            )
        if index in keys.values():
            raise ImproperlyConfigured("TALAT_INDEX_KEY must differ from every key in TALAT_FIELD_KEYS.")
        return cls(keys, index)

    @classmethod
    def from_settings(cls) -> "KeyRing":
        """The key ring for settings.TALAT_FIELD_KEYS and settings.TALAT_INDEX_KEY, parsed once per
        distinct pair of values (so override_settings in tests takes effect by itself)."""
        field_keys = getattr(settings, "TALAT_FIELD_KEYS", None)
        index_key = getattr(settings, "TALAT_INDEX_KEY", None)
        if not isinstance(field_keys, str | None) or not isinstance(index_key, str | None):
            raise ImproperlyConfigured("TALAT_FIELD_KEYS and TALAT_INDEX_KEY must be strings.")
        return _cached_ring(field_keys, index_key)


@functools.lru_cache(maxsize=4)
def _cached_ring(field_keys: str | None, index_key: str | None) -> KeyRing:
    return KeyRing.parse(field_keys, index_key)


def reset_key_ring() -> None:
    """Forget the parsed key ring(s); the next use reads the settings again."""
    _cached_ring.cache_clear()


def _ring(ring: KeyRing | None) -> KeyRing:
    return ring if ring is not None else KeyRing.from_settings()


def aad_for(table: str, column: str, row: str) -> bytes:
    """Associated data binding a token to one cell: b"talat|" + table NUL column NUL row."""
    parts = (table, column, row)
    if any(not isinstance(part, str) or "\x00" in part for part in parts):
        raise ValueError("Table, column and row must be strings without NUL characters.")
    return AAD_PREFIX + b"\x00".join(part.encode("utf-8") for part in parts)


def is_token(value: object) -> bool:
    """Whether value has the shape of a token (it may still fail to decrypt)."""
    return isinstance(value, str) and _TOKEN_RE.match(value) is not None


def _parse(token: str) -> tuple[int, bytes]:
    found = _TOKEN_RE.match(token) if isinstance(token, str) else None
    if found is None:
        raise DecryptionError("Not an encrypted token (expected v<version>:<base64>).")
    try:
        blob = base64.urlsafe_b64decode(found.group(2))
    except (binascii.Error, ValueError):
        raise DecryptionError("The token's base64 is damaged.") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The token is too short to hold a nonce and a tag.")
    return int(found.group(1)), blob


def token_version(token: str) -> int:
    """The key version a token was encrypted under."""
    return _parse(token)[0]


def encrypt(plaintext: str, *, aad: bytes, ring: KeyRing | None = None) -> str:
    """Encrypt under the newest key with a fresh random nonce; returns "v<version>:<base64>"."""
    if not isinstance(plaintext, str):
        raise TypeError("encrypt() takes text; convert the value to str first.")
    ring = _ring(ring)
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.aead(ring.newest_version).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"v{ring.newest_version}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, aad: bytes, ring: KeyRing | None = None) -> str:
    """The plaintext of a token; DecryptionError when the associated data differs from the one it
    was encrypted with, the token was altered, or its key version is not in the ring."""
    version, blob = _parse(token)
    aead = _ring(ring).aead(version)
    try:
        plain = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(
            f"Token (key version {version}) does not decrypt: it belongs to another row or column, "
            "or was altered."
        ) from None
    return plain.decode("utf-8")


def reencrypt_token(token: str, *, aad: bytes, ring: KeyRing | None = None) -> str | None:
    """The same plaintext under the newest key (new nonce), or None when the token already uses
    the newest key. Raises DecryptionError like decrypt()."""
    ring = _ring(ring)
    if token_version(token) == ring.newest_version:
        return None
    return encrypt(decrypt(token, aad=aad, ring=ring), aad=aad, ring=ring)


def blind_index(value: str, *, purpose: str, ring: KeyRing | None = None) -> str:
    """Hex HMAC-SHA256 under the index key over purpose NUL value. Deterministic, so a column of
    these supports exact-match lookups; the purpose keeps indexes of different fields apart.
    Normalise value first (the same way when storing and when searching)."""
    if not isinstance(value, str) or not isinstance(purpose, str):
        raise TypeError("blind_index() takes text for both value and purpose.")
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be non-empty and contain no NUL character.")
    message = purpose.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(_ring(ring).index_key, message, hashlib.sha256).hexdigest()
