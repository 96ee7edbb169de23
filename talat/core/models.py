"""Base models shared by every app, and the tables of the tamper-evident audit log."""

import secrets

from django.db import models

from talat.core.classification import internal, public


class TimeStampedModel(models.Model):
    created_at = internal(models.DateTimeField(auto_now_add=True, editable=False))
    updated_at = internal(models.DateTimeField(auto_now=True, editable=False))

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One leaf of the audit log's Merkle tree. `leaf` holds the exact bytes that were hashed
    (canonical JSON with references and hashes, never personal values); `kind` and `at` are
    copies for querying that the verifier checks against the leaf."""

    index = public(models.BigIntegerField(unique=True))
    kind = public(models.CharField(max_length=48, db_index=True))
    at = public(models.DateTimeField())
    leaf = public(models.BinaryField())

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return f"#{self.index} {self.kind}"


class AuditNode(models.Model):
    """The hash of a complete subtree of the audit tree: level 0 are leaf hashes."""

    level = public(models.PositiveSmallIntegerField())
    position = public(models.BigIntegerField())
    hash = public(models.BinaryField(max_length=32))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "position"], name="governance_auditnode_unique")
        ]

    def __str__(self):
        return f"({self.level}, {self.position})"


def new_policy_version() -> int:
    return secrets.randbits(62)


class AuditLogState(models.Model):
    """A single row: the log's size. Appends lock it, so indices have no gaps or duplicates.
    `policy_version` changes (to a new random value) with every change of a data-sharing
    agreement or a consent, so a border that cached them can tell, under this same lock, whether
    what it cached still holds."""

    size = public(models.BigIntegerField(default=0))
    policy_version = internal(models.BigIntegerField(default=new_policy_version))
    last_leaf_hash = public(models.BinaryField(max_length=32, default=b""))

    def __str__(self):
        return f"audit log of {self.size} entries"


class TreeHead(models.Model):
    """A signed tree head: Talat's signature over (size, root hash, timestamp)."""

    size = public(models.BigIntegerField())
    root_hash = public(models.BinaryField(max_length=32))
    timestamp_ms = public(models.BigIntegerField())
    signature = public(models.BinaryField(max_length=64))
    public_key = public(models.BinaryField(max_length=32))

    class Meta:
        ordering = ["-size", "-timestamp_ms"]

    def __str__(self):
        return f"tree head {self.size}"
