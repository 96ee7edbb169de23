"""/api/v1/governance/requests: a person's PDPA requests; /api/v1/oia: Official Information Act
requests, which anyone may file and follow by tracking code."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from talat.core.api import Page
from talat.governance import services
from talat.governance.models import DataSubjectRequest, InformationRequest, Purpose, RequestKind
from talat.registry.models import Agency

router = Router(tags=["requests"])
public_router = Router(tags=["requests"], auth=None)


class SubjectRequestIn(Schema):
    kind: RequestKind
    details: str = Field("", max_length=4000)
    objection_purpose: Purpose | None = Field(None, description="for an objection: the purpose objected to")


class SubjectRequestOut(Schema):
    id: int
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    is_overdue: bool
    refusal_reason: str


class InformationRequestIn(Schema):
    requester_name: str = Field(..., max_length=200)
    contact_email: str = Field(..., max_length=254)
    information_wanted: str = Field(..., max_length=4000)
    agency: str = Field(..., description="the agency's code, e.g. dip")


class InformationStatusOut(Schema):
    code: str
    agency: str
    status: str
    received_at: datetime
    closed_at: datetime | None
    answer: str
    refusal_ground: str
    refusal_reason: str
    appeal_until: datetime | None = Field(
        None, description="a refusal may be appealed until then (section 18)"
    )

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.code


@router.get("/governance/requests", response=list[SubjectRequestOut], summary="Your PDPA requests")
@paginate(Page)
def my_requests(request):
    return DataSubjectRequest.objects.filter(requester=request.user).order_by("-received_at", "-pk")


@router.post("/governance/requests", response={201: SubjectRequestOut}, summary="File a PDPA request")
def file_request(request, payload: SubjectRequestIn):
    item = services.file_data_subject_request(
        person=request.user,
        kind=payload.kind,
        details=payload.details,
        objection_purpose=payload.objection_purpose or "",
    )
    return 201, item


@public_router.post("/oia", response={201: InformationStatusOut}, summary="Request official information")
def file_information_request(request, payload: InformationRequestIn):
    agency = get_object_or_404(Agency, code=payload.agency)
    item = services.file_information_request(
        requester_name=payload.requester_name,
        contact_email=payload.contact_email,
        information_wanted=payload.information_wanted,
        agency=agency,
        site=request.build_absolute_uri("/").rstrip("/"),
    )
    return 201, item


@public_router.get("/oia/{code}", response=InformationStatusOut, summary="Status of an information request")
def information_status(request, code: str):
    return get_object_or_404(InformationRequest.objects.select_related("agency"), code=code)
