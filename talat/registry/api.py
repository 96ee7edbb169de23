"""/api/v1/enterprises: read the registry and register an enterprise."""

from datetime import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from talat.accounts.models import Role, Scope, User
from talat.core.api import ApiError, Page, require_scope
from talat.registry import selectors, services
from talat.registry.models import Enterprise, EnterpriseKind, VerificationStatus

router = Router(tags=["registry"])


class EnterpriseOut(Schema):
    """What anyone allowed to read the registry sees: public facts only."""

    id: int
    kind: EnterpriseKind
    name_th: str
    name_en: str
    province_code: str
    province_th: str
    province_en: str
    category_codes: list[str]
    status: VerificationStatus


class EnterpriseDetail(EnterpriseOut):
    """Also seen by the enterprise's own people and by agency officers."""

    registration_number: str
    tax_id: str
    branch: str
    address_line: str
    subdistrict_code: str
    district_code: str
    postal_code: str
    phone: str
    email: str
    status_reason: str
    created_at: datetime


class EnterpriseIn(Schema):
    kind: EnterpriseKind
    registration_number: str = Field(max_length=32)
    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    tax_id: str = Field(max_length=17)
    branch: str = Field("00000", max_length=5)
    address_line: str = Field(min_length=1, max_length=300)
    province_code: str = Field(max_length=2)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    postal_code: str = Field(max_length=5)
    phone: str = Field(max_length=20)
    email: str = Field(max_length=254)
    category_codes: list[str] = Field(min_length=1)
    owner_email: str | None = Field(
        None, description="Partners only: the Talat account (an SME owner) the enterprise is registered for."
    )


class EnterpriseFilters(Schema):
    province: str | None = Field(None, max_length=2, description="DOPA province code, e.g. 50")
    kind: EnterpriseKind | None = None
    category: str | None = None
    status: VerificationStatus | None = None
    q: str | None = Field(None, max_length=100, description="part of the Thai or English name")


def _sees_details(user: User, enterprise: Enterprise) -> bool:
    if user.is_agency_officer or user.is_platform_admin:
        return True
    return enterprise.owner_id == user.pk or enterprise.staff.filter(pk=user.pk).exists()


@router.get("/enterprises", response=list[EnterpriseOut], summary="List enterprises")
@paginate(Page)
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    require_scope(request, Scope.ENTERPRISES_READ)
    rows = selectors.enterprises_visible_to(request.user)
    if filters.province:
        rows = rows.filter(province_code=filters.province)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.category:
        rows = rows.filter(categories__code=filters.category)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.q:
        rows = rows.filter(Q(name_th__icontains=filters.q) | Q(name_en__icontains=filters.q))
    return rows


@router.get(
    "/enterprises/{enterprise_id}",
    response=EnterpriseDetail | EnterpriseOut,
    summary="One enterprise (details for its own people and officers)",
)
def get_enterprise(request, enterprise_id: int):
    require_scope(request, Scope.ENTERPRISES_READ)
    enterprise = get_object_or_404(selectors.enterprises_visible_to(request.user), pk=enterprise_id)
    schema = EnterpriseDetail if _sees_details(request.user, enterprise) else EnterpriseOut
    return schema.from_orm(enterprise).dict()


@router.post("/enterprises", response={201: EnterpriseDetail}, summary="Register an enterprise")
def register_enterprise(request, payload: EnterpriseIn):
    require_scope(request, Scope.ENTERPRISES_WRITE)
    fields = payload.dict(exclude={"owner_email"})
    registered_by = None
    if getattr(request, "api_key", None) is not None:
        owner = User.objects.filter(email__iexact=payload.owner_email or "", role=Role.SME_OWNER).first()
        if owner is None:
            raise ApiError(422, "invalid", {"owner_email": [_("ไม่พบบัญชีเจ้าของกิจการที่ใช้อีเมลนี้")]})
        registered_by = request.user
    else:
        owner = request.user
    enterprise = services.register_enterprise(owner=owner, registered_by=registered_by, **fields)
    return 201, enterprise
