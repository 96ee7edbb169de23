"""The tamper-evident audit log: an append-only RFC 9162 Merkle tree of entries, with signed
tree heads and inclusion and consistency proofs, in the manner of Certificate Transparency.

An entry's leaf is canonical JSON (sorted keys, no spaces, UTF-8) of
    {"v": 1, "index": n, "prev": hex(leaf hash of entry n-1, "" for the first), "at": ISO time,
     "kind": "...", "actor": pseudonym of the user or null, "refs": {...}, "hashes": {...}}
References and hashes only: a leaf never holds a personal value, and rows of businesses and
people appear only as keyed pseudonyms (see `pseudonym`). The log fails closed: the
entry is written in the caller's transaction, so if it cannot be written the action rolls back.

A tree head is signed with Ed25519 over
    b"talat-tree-head-v1" ‖ uint64 timestamp_ms ‖ uint64 tree_size ‖ root_hash (32 bytes)
(integers big-endian), so anyone with the public key can check it.
"""

import base64
import functools
import json
import struct
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from talat.core import merkle
from talat.core.crypto import blind_index
from talat.core.models import AuditEntry, AuditLogState, AuditNode, TreeHead, new_policy_version
from talat.core.sql import insert_rows

HEAD_CONTEXT = b"talat-tree-head-v1"


def pseudonym(kind: str, pk) -> str:
    """How a leaf names a row of a business or a person: a keyed hash, stable for the same row,
    so whoever holds Talat's index key (officers, auditors on site) can link entries to rows
    while the public log cannot be joined with public ids."""
    return f"{kind}:{blind_index(f'{kind}:{pk}', purpose='audit.subject')[:32]}"


def commitment(text: str) -> str:
    """A keyed hash of free text (a reason, an answer): provable later, not guessable now."""
    return blind_index(text, purpose="audit.text")


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class DatabaseNodes:
    """merkle.NodeReader over the AuditNode table: one plain SQL query per call (row values,
    which PostgreSQL and SQLite both support), since proofs are on the hot path."""

    def get_nodes(self, coords: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = list(dict.fromkeys(coords))
        if not wanted:
            return {}
        table = connection.ops.quote_name(AuditNode._meta.db_table)
        values = ", ".join(["(%s, %s)"] * len(wanted))
        sql = f"SELECT level, position, hash FROM {table} WHERE (level, position) IN (VALUES {values})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [number for coord in wanted for number in coord])
            return {(level, position): bytes(value) for level, position, value in cursor.fetchall()}


NODES = DatabaseNodes()


@dataclass(frozen=True)
class Event:
    kind: str
    refs: dict
    hashes: dict
    actor_id: int | None = None


def _state() -> AuditLogState:
    """The log's state row, locked until the transaction ends (created on first use). Plain SQL:
    every append passes here."""
    table = connection.ops.quote_name(AuditLogState._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT size, policy_version, last_leaf_hash FROM {table} WHERE id = 1{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            AuditLogState.objects.get_or_create(pk=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    size, version, last = row
    return AuditLogState(pk=1, size=size, policy_version=version, last_leaf_hash=bytes(last))


def _save_state(size: int, last_leaf_hash: bytes) -> None:
    table = connection.ops.quote_name(AuditLogState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET size = %s, last_leaf_hash = %s WHERE id = 1",  # noqa: S608
            [size, last_leaf_hash],
        )


class PolicyChanged(Exception):
    """An append expected a policy version that is no longer current."""


def policy_version() -> int:
    state = AuditLogState.objects.filter(pk=1).values_list("policy_version", flat=True).first()
    return state if state is not None else _state_unlocked().policy_version


def _state_unlocked() -> AuditLogState:
    return AuditLogState.objects.get_or_create(pk=1)[0]


def bump_policy_version() -> None:
    """Called in the transaction that changes an agreement or a consent."""
    _state_unlocked()
    AuditLogState.objects.filter(pk=1).update(policy_version=new_policy_version())


@transaction.atomic
def append_many(
    events: list[Event], *, at: datetime | None = None, policy_version: int | None = None
) -> list[AuditEntry]:
    """Appends the events in order, in one transaction, and returns their entries (unsaved
    instances carrying index, kind, at and leaf: the rows are written without the ORM). With
    `policy_version`, raises PolicyChanged (writing nothing) unless it is still current."""
    if not events:
        return []
    state = _state()
    if policy_version is not None and state.policy_version != policy_version:
        raise PolicyChanged
    at = at or timezone.now()  # read under the lock, so times never go backwards as indices grow
    size, previous = state.size, bytes(state.last_leaf_hash)
    entries, leaf_hashes = [], []
    for offset, event in enumerate(events):
        leaf = canonical(
            {
                "v": 1,
                "index": size + offset,
                "prev": previous.hex(),
                "at": at.isoformat(timespec="microseconds"),
                "kind": event.kind,
                "actor": pseudonym("user", event.actor_id) if event.actor_id is not None else None,
                "refs": event.refs,
                "hashes": event.hashes,
            }
        )
        previous = merkle.leaf_hash(leaf)
        leaf_hashes.append(previous)
        entries.append(AuditEntry(index=size + offset, kind=event.kind, at=at, leaf=leaf))
    nodes = merkle.nodes_for_append_many(size, leaf_hashes, NODES)
    insert_rows(
        AuditEntry, ("index", "kind", "at", "leaf"), [(e.index, e.kind, e.at, e.leaf) for e in entries]
    )
    insert_rows(AuditNode, ("level", "position", "hash"), nodes)
    _save_state(size + len(events), previous)
    return entries


_collecting = threading.local()


@contextmanager
def collected():
    """Inside the block, `append` queues its event (and returns None); at the block's end the
    queued events are appended together with `append_many`, in the caller's transaction. Used
    where several writes each log an entry, so the log's lock is taken once and held only from
    the end of the block to the commit."""
    if getattr(_collecting, "events", None) is not None:  # already collecting: one flush, outermost
        yield
        return
    _collecting.events = []
    try:
        yield
        events = _collecting.events
    finally:
        _collecting.events = None
    append_many(events)


def append(
    kind: str, *, actor=None, refs: dict | None = None, hashes: dict | None = None
) -> AuditEntry | None:
    actor_id = getattr(actor, "pk", actor)
    event = Event(kind, refs or {}, hashes or {}, actor_id)
    if getattr(_collecting, "events", None) is not None:
        _collecting.events.append(event)
        return None
    return append_many([event])[0]


def size() -> int:
    return AuditLogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0


# --- signed tree heads -------------------------------------------------------------------


@functools.cache
def _signing_key() -> Ed25519PrivateKey:
    raw = settings.TALAT_AUDIT_SIGNING_KEY
    if not raw:
        raise ImproperlyConfigured(
            "Set TALAT_AUDIT_SIGNING_KEY (or _FILE): the Ed25519 key that signs tree heads."
        )
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(raw))
    except ValueError as error:
        raise ImproperlyConfigured("TALAT_AUDIT_SIGNING_KEY must be 32 raw bytes in base64.") from error


def public_key_bytes() -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def head_message(size: int, root_hash: bytes, timestamp_ms: int) -> bytes:
    return HEAD_CONTEXT + struct.pack(">QQ", timestamp_ms, size) + root_hash


def verify_head_signature(head: TreeHead) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes(head.public_key)).verify(
            bytes(head.signature), head_message(head.size, bytes(head.root_hash), head.timestamp_ms)
        )
    except Exception:  # noqa: BLE001 - any failure means the signature does not hold
        return False
    return True


@transaction.atomic
def sign_tree_head() -> TreeHead:
    """Signs the log as it is now and publishes the head."""
    current = _state().size
    latest = TreeHead.objects.order_by("-size", "-timestamp_ms").first()
    if latest is not None and latest.size == current:
        return latest
    root = merkle.root_hash(current, NODES)
    timestamp_ms = int(timezone.now().timestamp() * 1000)
    signature = _signing_key().sign(head_message(current, root, timestamp_ms))
    return TreeHead.objects.create(
        size=current,
        root_hash=root,
        timestamp_ms=timestamp_ms,
        signature=signature,
        public_key=public_key_bytes(),
    )


HEAD_INTERVAL_MS = 10_000


def latest_tree_head() -> TreeHead:
    """The newest signed head. A new one is signed when entries were added since and the newest is
    older than HEAD_INTERVAL_MS, so public reads sign (and lock the log) at most that often."""
    latest = TreeHead.objects.order_by("-size", "-timestamp_ms").first()
    now_ms = int(timezone.now().timestamp() * 1000)
    if latest is None or (latest.size < size() and now_ms - latest.timestamp_ms >= HEAD_INTERVAL_MS):
        return sign_tree_head()
    return latest


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    return merkle.inclusion_proof(index, tree_size, NODES)


def consistency_proof(first: int, second: int) -> list[bytes]:
    return merkle.consistency_proof(first, second, NODES)


def entries(start: int, end: int):
    return AuditEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
