"""/api/v1/governance/requests: a person's PDPA requests; /api/v1/oia: Official Information Act
requests, which anyone may file and follow by tracking code."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from talat.core.api import ApiError, Page
from talat.core.http import site_url
from talat.governance import services
from talat.governance.models import DataSubjectRequest, InformationRequest, OiaGround, Purpose, RequestKind
from talat.registry.models import Agency, Enterprise

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
        site=site_url(request),
    )
    return 201, item


@public_router.get("/oia/{code}", response=InformationStatusOut, summary="Status of an information request")
def information_status(request, code: str):
    return get_object_or_404(InformationRequest.objects.select_related("agency"), code=code)


# --- officers ---------------------------------------------------------------------------------


class ResolutionIn(Schema):
    resolution: str = Field(
        "", max_length=4000, description="what was done (rectification, objection outcome)"
    )


class ReasonIn(Schema):
    reason: str = Field(..., max_length=4000)


class AnswerIn(Schema):
    answer: str = Field(..., max_length=20000)
    concerns_business: bool = False


class RefusalIn(Schema):
    ground: OiaGround
    reason: str = Field(..., max_length=4000)


class NoticesIn(Schema):
    enterprises: list[int] = Field(
        ..., min_length=1, description="ids of the enterprises the information concerns"
    )


class QueueQuery(Schema):
    closed: bool = False


def _subject_request(request, request_id: int) -> DataSubjectRequest:
    if not services.may_handle_subject_requests(request.user):
        raise ApiError(403, "forbidden", _("เฉพาะเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลหรือผู้ดูแลแพลตฟอร์ม"))
    return get_object_or_404(DataSubjectRequest, pk=request_id)


@router.get("/governance/requests/queue", response=list[SubjectRequestOut], summary="PDPA queue (DPO)")
@paginate(Page)
def subject_queue(request, query: Query[QueueQuery]):
    if not services.may_handle_subject_requests(request.user):
        raise ApiError(403, "forbidden", _("เฉพาะเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลหรือผู้ดูแลแพลตฟอร์ม"))
    return services.subject_request_queue(closed=query.closed)


@router.post("/governance/requests/{request_id}/start", response=SubjectRequestOut, summary="Start work")
def start(request, request_id: int):
    return services.start_data_subject_request(
        item=_subject_request(request, request_id), officer=request.user
    )


@router.post("/governance/requests/{request_id}/complete", response=SubjectRequestOut, summary="Complete")
def complete(request, request_id: int, payload: ResolutionIn):
    item = _subject_request(request, request_id)
    return services.complete_data_subject_request(
        item=item, officer=request.user, resolution=payload.resolution
    )


@router.post(
    "/governance/requests/{request_id}/refuse", response=SubjectRequestOut, summary="Refuse with a reason"
)
def refuse(request, request_id: int, payload: ReasonIn):
    item = _subject_request(request, request_id)
    return services.refuse_data_subject_request(item=item, officer=request.user, reason=payload.reason)


def _information_request(request, request_id: int) -> InformationRequest:
    item = get_object_or_404(InformationRequest.objects.select_related("agency"), pk=request_id)
    if not services.may_handle_information_request(request.user, item):
        raise ApiError(403, "forbidden", _("คำขอนี้เป็นของหน่วยงานอื่น"))
    return item


@router.get("/oia/queue", response=list[InformationStatusOut], summary="Information requests to your agency")
@paginate(Page)
def information_queue(request, query: Query[QueueQuery]):
    if not (request.user.is_agency_officer or request.user.is_platform_admin):
        raise ApiError(403, "forbidden", _("เฉพาะเจ้าหน้าที่หน่วยงาน"))
    return services.information_request_queue(request.user, closed=query.closed)


@router.post("/oia/requests/{request_id}/notices", response={201: dict}, summary="Section 17 notices")
def notify(request, request_id: int, payload: NoticesIn):
    item = _information_request(request, request_id)
    found = list(Enterprise.objects.filter(pk__in=payload.enterprises))
    notices = services.notify_enterprises(item=item, officer=request.user, enterprises=found)
    return 201, {"notified": len(notices)}


@router.post(
    "/oia/requests/{request_id}/answer", response=InformationStatusOut, summary="Disclose the information"
)
def answer(request, request_id: int, payload: AnswerIn):
    item = _information_request(request, request_id)
    return services.answer_information_request(
        item=item,
        officer=request.user,
        answer=payload.answer,
        concerns_business=payload.concerns_business,
        site=site_url(request),
    )


@router.post("/oia/requests/{request_id}/refuse", response=InformationStatusOut, summary="Refuse on a ground")
def refuse_information(request, request_id: int, payload: RefusalIn):
    item = _information_request(request, request_id)
    return services.refuse_information_request(
        item=item,
        officer=request.user,
        ground=payload.ground,
        reason=payload.reason,
        site=site_url(request),
    )
