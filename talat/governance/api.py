"""/api/v1/audit: the audit log, readable by anyone in the manner of Certificate Transparency.
/api/v1/governance: the data dictionary, agreements, your data passbook and your consent."""

import base64
from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from talat.core import audit, merkle
from talat.core.api import ApiError, Page
from talat.governance import selectors, services
from talat.governance.models import Agreement, AgreementStatus, Purpose
from talat.registry.models import Enterprise

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


# --- governance data for people and partners ----------------------------------------------

data_router = Router(tags=["governance"])


class DictionaryRowOut(Schema):
    model: str
    field: str
    data_class: str
    personal: bool
    agreements: list[str]


class DisclosureOut(Schema):
    at: datetime
    recipient: str = Field(alias="recipient_label")
    purpose: str
    agreement_id: int
    agreement: str
    fields: list[str] = Field(alias="field_names")
    payload_sha256: str
    audit_index: int

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement.title_th


class PassbookQuery(Schema):
    enterprise: int | None = Field(None, description="one of your enterprises; default: your personal data")
    purpose: Purpose | None = None


class AgreementOut(Schema):
    id: int
    title_th: str
    title_en: str
    recipient: str
    purpose: str
    legal_basis: str
    fields: list[str]
    countries: list[str]
    transfer_basis: str
    retention_days: int
    consent_required: bool
    valid_from: date
    valid_until: date
    status: str
    text_version: int
    consent_text_th: str

    @staticmethod
    def resolve_recipient(obj):
        return str(obj.recipient)

    @staticmethod
    def resolve_consent_text_th(obj):
        return services.consent_text(obj)


class ConsentIn(Schema):
    enterprise: int | None = Field(
        None, description="decide for one of your enterprises; default: for yourself"
    )
    granted: bool
    text_version: int = Field(..., description="the version of the consent text you were shown")


class ConsentOut(Schema):
    agreement_id: int
    granted: bool
    text_version: int
    text_sha256: str
    at: datetime


@data_router.get("/governance/dictionary", response=list[DictionaryRowOut], summary="The data dictionary")
def dictionary(request):
    if not (request.user.is_agency_officer or request.user.is_platform_admin):
        raise ApiError(403, "forbidden", _("เฉพาะเจ้าหน้าที่"))
    return [
        {"model": r.model, "field": r.field, "data_class": r.data_class, "personal": r.personal,
         "agreements": list(r.agreements)}
        for r in selectors.data_dictionary()
    ]  # fmt: skip


@data_router.get("/governance/agreements", response=list[AgreementOut], summary="Agreements in force")
@paginate(Page)
def agreements(request):
    return (
        Agreement.objects.exclude(status=AgreementStatus.DRAFT)
        .select_related("recipient_partner", "recipient_agency")
        .order_by("pk")
    )


def _owner(request, enterprise_id: int | None):
    if enterprise_id is None:
        return request.user
    found = Enterprise.objects.filter(pk=enterprise_id, owner=request.user).first()
    if found is None:
        raise ApiError(404, "not_found", _("ไม่พบกิจการนี้ในบัญชีของคุณ"))
    return found


@data_router.get(
    "/governance/passbook", response=list[DisclosureOut], summary="Every disclosure of your data"
)
@paginate(Page)
def passbook(request, query: Query[PassbookQuery]):
    owner = _owner(request, query.enterprise)
    rows = selectors.passbook(
        **({"enterprise": owner} if isinstance(owner, Enterprise) else {"person": owner})
    )
    if query.purpose:
        rows = rows.filter(purpose=query.purpose)
    return rows


@data_router.post(
    "/governance/agreements/{agreement_id}/consent",
    response={201: ConsentOut},
    summary="Grant or withdraw consent",
)
def consent(request, agreement_id: int, payload: ConsentIn):
    item = Agreement.objects.filter(pk=agreement_id).first()
    if item is None:
        raise ApiError(404, "not_found", _("ไม่พบข้อตกลง"))
    decided = services.decide_consent(
        agreement=item,
        owner=_owner(request, payload.enterprise),
        by=request.user,
        granted=payload.granted,
        text_version=payload.text_version,
    )
    return 201, decided
