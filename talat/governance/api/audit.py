"""/api/v1/audit: the audit log, readable by anyone in the manner of Certificate Transparency."""

import base64

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from talat.core import audit, merkle
from talat.core.api import ApiError

router = Router(tags=["audit"], auth=None)
MAX_ENTRIES = 1000


class TreeHeadOut(Schema):
    size: int
    root_hash: str = Field(description="hex SHA-256 RFC 9162 root of the first `size` entries")
    timestamp: int = Field(description="milliseconds since the Unix epoch")
    signature: str = Field(description="hex Ed25519 signature")
    public_key: str = Field(description="hex raw Ed25519 public key")
    signed_message: str = Field(
        description="b'talat-tree-head-v1' || uint64 timestamp || uint64 size || root_hash, big-endian"
    )


class EntryOut(Schema):
    index: int
    leaf: str = Field(description="base64 of the exact bytes hashed as the leaf: SHA-256(0x00 || leaf)")


class EntriesOut(Schema):
    entries: list[EntryOut]


class EntriesQuery(Schema):
    start: int = Field(0, ge=0)
    end: int = Field(
        ..., ge=0, description="inclusive, as in RFC 6962 get-entries; at most 1,000 entries a call"
    )


class InclusionQuery(Schema):
    index: int = Field(..., ge=0)
    size: int = Field(..., ge=1)


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyQuery(Schema):
    first: int = Field(..., ge=1)
    second: int = Field(..., ge=1)


class ConsistencyOut(Schema):
    first: int
    second: int
    audit_path: list[str]


def _head_out(head) -> dict:
    return {
        "size": head.size,
        "root_hash": bytes(head.root_hash).hex(),
        "timestamp": head.timestamp_ms,
        "signature": bytes(head.signature).hex(),
        "public_key": bytes(head.public_key).hex(),
        "signed_message": audit.head_message(head.size, bytes(head.root_hash), head.timestamp_ms).hex(),
    }


@router.get("/audit/tree-head", response=TreeHeadOut, summary="The latest signed tree head")
def tree_head(request):
    return _head_out(audit.latest_tree_head())


@router.get("/audit/entries", response=EntriesOut, summary="Entries start..end (inclusive)")
def entries(request, query: Query[EntriesQuery]):
    if query.end < query.start:
        raise ApiError(422, "invalid_range", _("end ต้องไม่น้อยกว่า start"))
    end = min(query.end, query.start + MAX_ENTRIES - 1)
    rows = audit.entries(query.start, end + 1).values_list("index", "leaf")
    return {"entries": [{"index": i, "leaf": base64.b64encode(bytes(leaf)).decode()} for i, leaf in rows]}


def _check_size(size: int) -> None:
    if size > audit.size():
        raise ApiError(422, "invalid_size", _("บันทึกมีเพียง %(size)s รายการ") % {"size": audit.size()})


@router.get("/audit/proof/inclusion", response=InclusionOut, summary="Inclusion proof of an entry in a tree")
def inclusion(request, query: Query[InclusionQuery]):
    _check_size(query.size)
    if query.index >= query.size:
        raise ApiError(422, "invalid_index", _("index ต้องน้อยกว่า size"))
    leaf = audit.entries(query.index, query.index + 1).values_list("leaf", flat=True).first()
    path = audit.inclusion_proof(query.index, query.size)
    return {
        "index": query.index,
        "size": query.size,
        "leaf_hash": merkle.leaf_hash(bytes(leaf)).hex(),
        "audit_path": [h.hex() for h in path],
    }


@router.get(
    "/audit/proof/consistency", response=ConsistencyOut, summary="Consistency proof between two tree sizes"
)
def consistency(request, query: Query[ConsistencyQuery]):
    _check_size(query.second)
    if query.first > query.second:
        raise ApiError(422, "invalid_range", _("first ต้องไม่มากกว่า second"))
    path = audit.consistency_proof(query.first, query.second)
    return {"first": query.first, "second": query.second, "audit_path": [h.hex() for h in path]}
