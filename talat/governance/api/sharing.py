"""/api/v1/governance: the data dictionary, agreements, your data passbook and your consent."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from talat.core.api import ApiError, Page
from talat.governance import selectors, services
from talat.governance.models import Agreement, AgreementStatus, Purpose
from talat.registry.models import Agency, Enterprise, Partner

router = Router(tags=["governance"])


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


@router.get("/governance/dictionary", response=list[DictionaryRowOut], summary="The data dictionary")
def dictionary(request):
    if not (request.user.is_agency_officer or request.user.is_platform_admin):
        raise ApiError(403, "forbidden", _("เฉพาะเจ้าหน้าที่"))
    return [
        {"model": r.model, "field": r.field, "data_class": r.data_class, "personal": r.personal,
         "agreements": list(r.agreements)}
        for r in selectors.data_dictionary()
    ]  # fmt: skip


@router.get("/governance/agreements", response=list[AgreementOut], summary="Agreements in force")
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


@router.get("/governance/passbook", response=list[DisclosureOut], summary="Every disclosure of your data")
@paginate(Page)
def passbook(request, query: Query[PassbookQuery]):
    owner = _owner(request, query.enterprise)
    rows = selectors.passbook(
        **({"enterprise": owner} if isinstance(owner, Enterprise) else {"person": owner})
    )
    if query.purpose:
        rows = rows.filter(purpose=query.purpose)
    return rows


@router.post(
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


class AgreementIn(Schema):
    title_th: str = Field(..., max_length=200)
    title_en: str = Field("", max_length=200)
    recipient_partner: str | None = Field(None, description="partner code, e.g. cainiao")
    recipient_agency: str | None = Field(None, description="agency code, when the recipient is an agency")
    responsible_agency: str = Field(..., description="code of the agency whose officer approves")
    purpose: Purpose
    legal_basis: str
    fields: list[str] = Field(..., description="field paths such as registry.Enterprise.name_th")
    countries: list[str]
    transfer_basis: str
    retention_days: int
    consent_required: bool = True
    valid_from: date
    valid_until: date
    summary_th: str = Field(..., max_length=2000)


class StatusIn(Schema):
    status: AgreementStatus
    reason: str = Field(..., max_length=2000)


def _code(model, code: str | None, field: str):
    if code is None:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ApiError(422, "invalid", {field: [_("ไม่รู้จักรหัส %(code)s") % {"code": code}]})
    return found


def _agreement(agreement_id: int) -> Agreement:
    item = Agreement.objects.filter(pk=agreement_id).first()
    if item is None:
        raise ApiError(404, "not_found", _("ไม่พบข้อตกลง"))
    return item


@router.post("/governance/agreements", response={201: AgreementOut}, summary="Draft an agreement (officers)")
def draft(request, payload: AgreementIn):
    data = payload.dict()
    data["recipient_partner"] = _code(Partner, payload.recipient_partner, "recipient_partner")
    data["recipient_agency"] = _code(Agency, payload.recipient_agency, "recipient_agency")
    data["responsible_agency"] = _code(Agency, payload.responsible_agency, "responsible_agency")
    return 201, services.draft_agreement(drafted_by=request.user, **data)


@router.post(
    "/governance/agreements/{agreement_id}/approve", response=AgreementOut, summary="Approve a draft"
)
def approve(request, agreement_id: int):
    return services.approve_agreement(agreement=_agreement(agreement_id), officer=request.user)


@router.post(
    "/governance/agreements/{agreement_id}/status",
    response=AgreementOut,
    summary="Suspend, reinstate or revoke",
)
def change_status(request, agreement_id: int, payload: StatusIn):
    return services.change_agreement_status(
        agreement=_agreement(agreement_id), officer=request.user, status=payload.status, reason=payload.reason
    )
