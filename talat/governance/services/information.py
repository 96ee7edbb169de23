"""Official Information Act B.E. 2540 requests: anyone asks an agency for information, without an
account; the agency answers or orders non-disclosure on a statutory ground (sections 14, 15, 24),
which the requester may appeal within 15 days (section 18). When the information concerns a
business, each affected enterprise is notified first and may object within 15 days (section 17).

Every change is written to the audit log in the same transaction, with references and hashes
only: never a requester's name, e-mail, tracking code or any personal value.
"""

import secrets
from dataclasses import dataclass

import geothai
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.accounts.models import User
from talat.core import audit
from talat.core.thai import display_date
from talat.governance.models import (
    EnterpriseNotice,
    InformationRequest,
    OiaGround,
    OiaStatus,
)
from talat.governance.services.requests import _clean_text, _notify
from talat.registry.models import (
    Affiliation,
    Agency,
    Enterprise,
    EnterpriseKind,
    VerificationStatus,
    localized_name,
)


@dataclass(frozen=True)
class StatisticRow:
    dimension: str
    code: str
    label: str
    count: int


def published_statistics() -> dict[str, list[StatisticRow]]:
    """The figures Talat already releases: verified enterprises by province and by kind."""
    verified = Enterprise.objects.filter(status=VerificationStatus.VERIFIED)
    provinces = [
        StatisticRow("province", row["province_code"], _province_name(row["province_code"]), row["n"])
        for row in verified.values("province_code").annotate(n=Count("pk")).order_by("province_code")
    ]
    kinds = [
        StatisticRow("kind", row["kind"], str(EnterpriseKind(row["kind"]).label), row["n"])
        for row in verified.values("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    return {"province": provinces, "kind": kinds}


def _province_name(code: str) -> str:
    try:
        return localized_name(geothai.province(code))
    except (KeyError, LookupError, ValueError):
        return code


def _status_link(site: str, item: InformationRequest) -> str:
    return f"{site}{reverse('governance:oia_status', args=[item.code])}"


def _audit_oia(kind: str, item: InformationRequest, actor, **refs) -> None:
    hashes = refs.pop("hashes", {})
    audit.append(
        f"governance.oia.{kind}",
        actor=actor,
        refs={"request": item.pk, "agency": item.agency.code, "status": item.status, **refs},
        hashes=hashes,
    )


@transaction.atomic
def file_information_request(
    *, requester_name: str, contact_email: str, information_wanted: str, agency, site: str = ""
) -> InformationRequest:
    """Anyone asks an agency for official information; no account needed."""
    errors: dict[str, list[str]] = {}
    name = (requester_name or "").strip()
    if not name:
        errors["requester_name"] = [_("กรุณาระบุชื่อผู้ขอ")]
    elif len(name) > 200:
        errors["requester_name"] = [_("ชื่อยาวเกิน 200 ตัวอักษร")]
    email = (contact_email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["contact_email"] = [_("กรุณาระบุอีเมลที่ถูกต้องเพื่อให้หน่วยงานตอบกลับ")]
    try:
        wanted = _clean_text(
            information_wanted,
            field_name="information_wanted",
            required_message=_("บอกหน่วยงานว่าคุณต้องการข้อมูลข่าวสารใด"),
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(agency, Agency):
        errors["agency"] = [_("เลือกหน่วยงานที่ถือข้อมูลข่าวสารนั้น")]
    if errors:
        raise ValidationError(errors)
    item = InformationRequest.objects.create(
        code=secrets.token_urlsafe(12),
        requester_name=name,
        contact_email=email,
        information_wanted=wanted,
        agency=agency,
    )
    _audit_oia("received", item, None)
    _notify(
        email,
        _("ตลาด: ได้รับคำขอข้อมูลข่าวสารของราชการแล้ว"),
        _("หน่วยงาน %(agency)s ได้รับคำขอของคุณแล้ว ติดตามสถานะได้ที่ %(link)s")
        % {"agency": agency.name_th, "link": _status_link(site, item)},
    )
    return item


def may_handle_information_request(officer: User, item: InformationRequest) -> bool:
    if officer.is_platform_admin:
        return True
    if not officer.is_agency_officer:
        return False
    return Affiliation.objects.filter(user=officer, agency_id=item.agency_id).exists()


def _locked_oia(item: InformationRequest, officer: User) -> InformationRequest:
    item = InformationRequest.objects.select_for_update().select_related("agency").get(pk=item.pk)
    if not may_handle_information_request(officer, item):
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่ของหน่วยงานที่ได้รับคำขอเท่านั้นที่ดำเนินการได้"))
    if item.status != OiaStatus.RECEIVED:
        raise ValidationError(_("คำขอนี้มีคำสั่งแล้ว"))
    return item


@transaction.atomic
def notify_enterprises(
    *, item: InformationRequest, officer: User, enterprises: list[Enterprise]
) -> list[EnterpriseNotice]:
    """Section 17: tells each enterprise the information may affect, which may object within 15 days."""
    item = _locked_oia(item, officer)
    if not enterprises:
        raise ValidationError({"enterprises": _("เลือกกิจการที่อาจได้รับผลกระทบอย่างน้อยหนึ่งแห่ง")})
    already = set(item.notices.values_list("enterprise_id", flat=True))
    fresh = [e for e in dict.fromkeys(enterprises) if e.pk not in already]
    if not fresh:
        raise ValidationError({"enterprises": _("แจ้งกิจการที่เลือกไปแล้ว")})
    notices = [
        EnterpriseNotice.objects.create(request=item, enterprise=e, notified_by=officer) for e in fresh
    ]
    item.concerns_business = True
    item.save(update_fields=["concerns_business"])
    _audit_oia("notified", item, officer, enterprises=[e.pk for e in fresh])
    for enterprise in fresh:
        _notify(
            enterprise.email,
            _("ตลาด: แจ้งตามมาตรา 17 พ.ร.บ.ข้อมูลข่าวสารของราชการ"),
            _(
                "มีผู้ขอข้อมูลข่าวสารจาก %(agency)s ซึ่งอาจกระทบประโยชน์ของ %(name)s "
                "คุณคัดค้านได้ภายใน 15 วัน ที่หน้า “หนังสือแจ้งตามมาตรา 17” ในระบบตลาด"
            )
            % {"agency": item.agency.name_th, "name": enterprise.name_th},
        )
    return notices


@transaction.atomic
def object_to_notice(*, notice: EnterpriseNotice, owner: User, objection: str) -> EnterpriseNotice:
    notice = (
        EnterpriseNotice.objects.select_for_update().select_related("enterprise", "request").get(pk=notice.pk)
    )
    if notice.enterprise.owner_id != owner.pk:
        raise PermissionDenied(_("คุณไม่ใช่เจ้าของกิจการนี้"))
    if notice.objected_at:
        raise ValidationError({"objection": _("คุณคัดค้านไปแล้ว")})
    if not notice.may_object:
        raise ValidationError({"objection": _("พ้นกำหนดคัดค้าน 15 วันแล้ว")})
    notice.objection = _clean_text(objection, field_name="objection", required_message=_("ระบุเหตุผลที่คัดค้าน"))
    notice.objected_at = timezone.now()
    notice.save(update_fields=["objection", "objected_at"])
    audit.append(
        "governance.oia.objected",
        actor=owner,
        refs={
            "request": notice.request_id,
            "enterprise": audit.pseudonym("enterprise", notice.enterprise_id),
        },
    )
    return notice


def disclosure_blockers(item: InformationRequest) -> list[str]:
    """Why section 17 does not yet let the agency disclose; empty when it may."""
    notices = list(item.notices.all())
    if not item.concerns_business and not notices:
        return []
    if not notices:
        return [_("ข้อมูลนี้เกี่ยวกับกิจการ: ต้องแจ้งกิจการที่อาจได้รับผลกระทบตามมาตรา 17 ก่อนเปิดเผย")]
    blockers = []
    now = timezone.now()
    waiting = [n for n in notices if not n.objected_at and now <= n.objection_until]
    if waiting:
        last = max(n.objection_until for n in waiting)
        blockers.append(
            _("รอให้พ้นกำหนดคัดค้าน 15 วันของกิจการที่ได้รับแจ้ง (ถึง %(date)s)") % {"date": display_date(last, "time")}
        )
    if any(n.objected_at for n in notices):
        blockers.append(
            _("มีกิจการคัดค้านการเปิดเผย: ระบบยังไม่รองรับคำสั่งไม่รับฟังคำคัดค้าน (มาตรา 17 วรรคสาม) จึงเปิดเผยผ่านระบบไม่ได้")
        )
    return blockers


@transaction.atomic
def answer_information_request(
    *, item: InformationRequest, officer: User, answer: str, concerns_business: bool = False, site: str = ""
) -> InformationRequest:
    """Discloses the information asked for. Information about a business waits for section 17."""
    item = _locked_oia(item, officer)
    answer = _clean_text(answer, field_name="answer", required_message=_("ใส่ข้อมูลข่าวสารที่เปิดเผย"))
    if concerns_business and not item.concerns_business:
        item.concerns_business = True
    blockers = disclosure_blockers(item)
    if blockers:
        raise ValidationError({"concerns_business": blockers})
    item.status = OiaStatus.ANSWERED
    item.answer = answer
    item.handled_by = officer
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "answer", "concerns_business", "handled_by", "closed_at"])
    _audit_oia("answered", item, officer, hashes={"answer_hmac": audit.commitment(answer)})
    _notify(
        item.contact_email,
        _("ตลาด: หน่วยงานตอบคำขอข้อมูลข่าวสารของคุณแล้ว"),
        _("ดูข้อมูลข่าวสารที่เปิดเผยได้ที่ %(link)s") % {"link": _status_link(site, item)},
    )
    return item


@transaction.atomic
def refuse_information_request(
    *, item: InformationRequest, officer: User, ground: str, reason: str, site: str = ""
) -> InformationRequest:
    """Orders non-disclosure on a statutory ground; the requester may appeal within 15 days."""
    item = _locked_oia(item, officer)
    errors: dict[str, list[str]] = {}
    if ground not in OiaGround.values:
        errors["ground"] = [_("เลือกเหตุตามกฎหมายที่ไม่เปิดเผยข้อมูล")]
    try:
        reason = _clean_text(
            reason, field_name="reason", required_message=_("อธิบายเหตุผลให้ผู้ขอเข้าใจ (มาตรา 15 วรรคสอง)")
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    item.status = OiaStatus.REFUSED
    item.refusal_ground = ground
    item.refusal_reason = reason
    item.handled_by = officer
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "refusal_ground", "refusal_reason", "handled_by", "closed_at"])
    _audit_oia("refused", item, officer, ground=ground)
    _notify(
        item.contact_email,
        _("ตลาด: คำสั่งเกี่ยวกับคำขอข้อมูลข่าวสารของคุณ"),
        _("หน่วยงานมีคำสั่งไม่เปิดเผยข้อมูล ดูเหตุผลและสิทธิอุทธรณ์ภายใน 15 วันได้ที่ %(link)s")
        % {"link": _status_link(site, item)},
    )
    return item


def information_request_queue(officer: User, *, closed: bool = False) -> QuerySet[InformationRequest]:
    rows = InformationRequest.objects.select_related("agency")
    if not officer.is_platform_admin:
        agency_ids = Affiliation.objects.filter(user=officer, agency__isnull=False).values("agency_id")
        rows = rows.filter(agency_id__in=agency_ids)
    if closed:
        return rows.exclude(status=OiaStatus.RECEIVED).order_by("-closed_at", "-pk")
    return rows.filter(status=OiaStatus.RECEIVED).order_by("received_at", "pk")


def notices_for_owner(owner: User) -> QuerySet[EnterpriseNotice]:
    return (
        EnterpriseNotice.objects.filter(enterprise__owner=owner)
        .select_related("enterprise", "request", "request__agency")
        .order_by("-notified_at", "-pk")
    )
