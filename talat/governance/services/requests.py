"""PDPA data-subject requests.

PDPA data-subject requests: a person asks for a copy of their personal data (section 30), its
correction (35), its erasure (33) or objects to its processing for a purpose (32). Talat has 30
days. An access export and an erasure are both built from the classification declared beside
every model field (talat.core.classification), through two small rule sets below:

- OWNERS says, for each model holding personal data, which rows belong to a person;
- ERASURE says, for each personal field, whether erasure blanks it or a law holds it, and why.

tests/governance/test_requests.py fails when a model gains a personal field that these rules do
not cover, so a new table cannot silently escape the export or the erasure.

Official Information Act requests are in information.py, which shares this module's helpers.

Every change is written to the audit log in the same transaction, with references and hashes
only: never a requester's name, e-mail, tracking code or any personal value.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talat.accounts.models import User
from talat.accounts.tasks import send_email
from talat.core import audit
from talat.core.classification import DataClass, classification_of, declared_fields, field_path
from talat.governance.models import (
    OPEN_STATUSES,
    PDPA_RESPONSE_DAYS,
    DataSubjectRequest,
    InformationRequest,
    OiaStatus,
    Purpose,
    RequestKind,
    RequestStatus,
)
from talat.registry.models import (
    Affiliation,
    Enterprise,
    VerificationStatus,
)

MAX_TEXT = 4000
ERASED_NAME = "ผู้ใช้ที่ลบแล้ว"  # a stored value, not interface text
EXPORT_FORMAT = "talat.personal-data-export"


def erased_email(kind: str, pk: int) -> str:
    """A placeholder unique per row; .invalid is reserved (RFC 2606), so nothing is ever routed."""
    return f"erased-{kind}-{pk}@erased.invalid"


# --- who owns which rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Owns:
    """A person's rows of one model are model.objects.filter(<lookup>=person.<attribute>).
    `context` names non-personal fields shown beside the personal ones so the rows make sense;
    `withheld` names personal fields listed without their value, with the reason."""

    lookup: str
    attribute: str = "pk"
    context: tuple[str, ...] = ()
    withheld: dict = field(default_factory=dict)

    def rows(self, model: type[Model], person: User) -> QuerySet:
        return model._default_manager.filter(**{self.lookup: getattr(person, self.attribute)}).order_by("pk")


EARLIER_EXPORT = gettext_lazy("สำเนาข้อมูลที่ส่งออกครั้งก่อน ดาวน์โหลดได้จากคำขอนั้น")
ONE_WAY_SECRET = gettext_lazy("เก็บในรูปที่ย้อนกลับไม่ได้ (เช่น ค่าแฮชของรหัสผ่าน) จึงไม่แสดงค่า")

OWNERS: dict[str, Owns] = {
    "accounts.User": Owns("pk", context=("role", "is_active")),
    "accounts.LoginFailure": Owns("email__iexact", "email", context=("at",)),
    "registry.Enterprise": Owns("owner", context=("name_th", "kind", "status")),
    "governance.Consent": Owns("person", context=("agreement", "granted", "at")),
    "governance.Disclosure": Owns("person", context=("at", "recipient_label", "purpose", "field_names")),
    "governance.DataSubjectRequest": Owns(
        "requester", context=("kind", "status", "received_at"), withheld={"export": EARLIER_EXPORT}
    ),
    "governance.InformationRequest": Owns(
        "contact_email__iexact", "email", context=("agency", "status", "received_at")
    ),
    "orders.Order": Owns(
        "buyer_email__iexact", "email", context=("channel", "channel_order_number", "status", "placed_at")
    ),
    "payments.BankTransaction": Owns(
        "payment__orders__buyer_email__iexact", "email", context=("transaction_id", "amount_minor", "paid_at")
    ),
    "invoicing.TaxDocument": Owns("buyer_email__iexact", "email", context=("title", "number", "issued_at")),
}


def personal_fields(model: type[Model]) -> list:
    return [
        f
        for f in declared_fields(model)
        if (classification := classification_of(f)) is not None and classification.personal
    ]


def models_with_personal_data() -> list[str]:
    """Labels of every Talat model with at least one field declared personal."""
    return sorted(
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("talat.") and personal_fields(model)
    )


def _withheld_reason(owns: Owns, model_field):
    if model_field.name in owns.withheld:
        return owns.withheld[model_field.name]
    if classification_of(model_field).data_class == DataClass.SECRET:
        return ONE_WAY_SECRET
    return None


def _plain(model_field, row):
    value = model_field.value_from_object(row)
    if model_field.many_to_many:
        return sorted(item.pk for item in value)
    return value


def _context_value(row, name: str):
    model_field = row._meta.get_field(name)
    if model_field.is_relation:
        related = getattr(row, name)
        return str(related) if related is not None else None
    if model_field.choices:
        return str(getattr(row, f"get_{name}_display")())
    return model_field.value_from_object(row)


def build_export(person: User) -> dict:
    """Every personal field of every row that belongs to `person`, decrypted, in the person's
    language; a machine-readable document (PDPA section 31)."""
    with translation.override(person.language or "th"):
        sections = []
        for label, owns in OWNERS.items():
            model = apps.get_model(label)
            fields = personal_fields(model)
            rows = []
            for row in owns.rows(model, person):
                entry = {"id": row.pk, "fields": {}, "withheld": {}, "context": {}}
                for model_field in fields:
                    reason = _withheld_reason(owns, model_field)
                    if reason is not None:
                        entry["withheld"][model_field.name] = str(reason)
                    else:
                        entry["fields"][model_field.name] = _plain(model_field, row)
                entry["context"] = {name: _context_value(row, name) for name in owns.context}
                rows.append(entry)
            sections.append(
                {
                    "model": label,
                    "label": str(model._meta.verbose_name),
                    "fields": {
                        f.name: {
                            "label": str(f.verbose_name),
                            "class": classification_of(f).data_class.value,
                        }
                        for f in fields
                    },
                    "context_labels": {
                        name: str(model._meta.get_field(name).verbose_name) for name in owns.context
                    },
                    "rows": rows,
                }
            )
        document = {
            "format": EXPORT_FORMAT,
            "version": 1,
            "generated_at": timezone.now(),
            "language": person.language or "th",
            "subject": {"id": person.pk, "full_name": person.full_name},
            "sections": sections,
            "not_covered": sorted(set(models_with_personal_data()) - set(OWNERS)),
        }
    # A JSON round trip turns dates, decimals and UUIDs into the text the download will carry.
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False))


def export_bytes(export: dict) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2, sort_keys=True).encode()


# --- what erasure does to each personal field ---------------------------------------------------


@dataclass(frozen=True)
class Erase:
    """Replace the value with replacement(row)."""

    replacement: Callable[[Model], object]


@dataclass(frozen=True)
class Hold:
    """Keep the value on a statutory ground, while `applies(row)` (always when None); once it no
    longer applies, `otherwise` erases it."""

    ground: object
    applies: Callable[[Model], bool] | None = None
    otherwise: Erase | None = None

    def holds(self, row) -> bool:
        return self.applies is None or self.applies(row) or self.otherwise is None


TAX_RECORDS = gettext_lazy(
    "ประมวลรัษฎากร มาตรา 87/3: ผู้ประกอบการต้องเก็บรายงานและเอกสารภาษีไว้ 5 ปี "
    "ข้อมูลกิจการที่เอกสารภาษีอ้างถึงจึงต้องเก็บไว้ตลอดระยะนั้น"
)
PROOF_OF_PROCESSING = gettext_lazy(
    "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33 (ข้อยกเว้นเพื่อการปฏิบัติตามกฎหมายและการใช้สิทธิเรียกร้อง): "
    "เป็นหลักฐานความยินยอม การเปิดเผยข้อมูล และการตอบคำขอใช้สิทธิ (มาตรา 19 และ 39) "
    "ซึ่งไม่ระบุตัวคุณอีกเมื่อบัญชีถูกทำให้เป็นนิรนามแล้ว"
)
TRAFFIC_DATA = gettext_lazy(
    "พ.ร.บ.ว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์ มาตรา 26: ผู้ให้บริการต้องเก็บข้อมูลจราจรทางคอมพิวเตอร์ไว้ไม่น้อยกว่า 90 วัน"
)
OPEN_INFORMATION_REQUEST = gettext_lazy(
    "พ.ร.บ.ข้อมูลข่าวสารของราชการ มาตรา 11 และ 18: ต้องใช้ติดต่อผู้ขอจนกว่าหน่วยงานจะมีคำสั่งและพ้นระยะเวลาอุทธรณ์"
)
ACCOUNTING_RECORDS = gettext_lazy(
    "พ.ร.บ.การบัญชี พ.ศ. 2543 มาตรา 14: ร้านต้องเก็บเอกสารประกอบการลงบัญชี (รวมคำสั่งซื้อที่ขายแล้ว) ไว้ไม่น้อยกว่า 5 ปี"
)
TRAFFIC_DATA_DAYS = 90


def _may_have_tax_documents(enterprise: Enterprise) -> bool:
    """An enterprise that was ever verified could trade, and so issue tax documents."""
    return enterprise.status in (VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED) or (
        enterprise.decisions.filter(status=VerificationStatus.VERIFIED).exists()
    )


def _recent_traffic(failure) -> bool:
    return failure.at > timezone.now() - timedelta(days=TRAFFIC_DATA_DAYS)


def _information_request_pending(item: InformationRequest) -> bool:
    if item.status == OiaStatus.RECEIVED:
        return True
    return item.appeal_until is not None and timezone.now() <= item.appeal_until


def _sold(order) -> bool:
    return order.status != "cancelled"


def _held_for_tax(replacement):
    return Hold(TAX_RECORDS, applies=_may_have_tax_documents, otherwise=Erase(replacement))


ERASURE: dict[str, dict[str, Erase | Hold]] = {
    "accounts.User": {
        "email": Erase(lambda user: erased_email("user", user.pk)),
        "full_name": Erase(lambda user: ERASED_NAME),
        "password": Erase(lambda user: make_password(None)),
        "last_login": Erase(lambda user: None),
        "language": Erase(lambda user: "th"),
        "date_joined": Hold(PROOF_OF_PROCESSING),
    },
    "accounts.LoginFailure": {
        "email": Hold(TRAFFIC_DATA, applies=_recent_traffic, otherwise=Erase(lambda row: "")),
        "ip_address": Hold(TRAFFIC_DATA, applies=_recent_traffic, otherwise=Erase(lambda row: None)),
    },
    "registry.Enterprise": {
        "registration_number": _held_for_tax(lambda e: f"ERASED-{e.uid.hex}"),
        "tax_id": _held_for_tax(lambda e: f"ERASED-{e.uid.hex}"),
        "address_line": _held_for_tax(lambda e: ""),
        "phone": Erase(lambda e: ""),
        "email": Erase(lambda e: f"erased-{e.uid.hex}@erased.invalid"),
    },
    "governance.Consent": {"person": Hold(PROOF_OF_PROCESSING)},
    "governance.Disclosure": {"person": Hold(PROOF_OF_PROCESSING)},
    "governance.DataSubjectRequest": {
        "requester": Hold(PROOF_OF_PROCESSING),
        "details": Hold(PROOF_OF_PROCESSING),
        "objection_purpose": Hold(PROOF_OF_PROCESSING),
        "resolution": Hold(PROOF_OF_PROCESSING),
        "refusal_reason": Hold(PROOF_OF_PROCESSING),
        "export": Erase(lambda item: None),
    },
    "governance.InformationRequest": {
        "requester_name": Hold(
            OPEN_INFORMATION_REQUEST,
            applies=_information_request_pending,
            otherwise=Erase(lambda item: ERASED_NAME),
        ),
        "contact_email": Hold(
            OPEN_INFORMATION_REQUEST,
            applies=_information_request_pending,
            otherwise=Erase(lambda item: erased_email("oia", item.pk)),
        ),
    },
    "orders.Order": {
        "buyer_name": Hold(ACCOUNTING_RECORDS, applies=_sold, otherwise=Erase(lambda order: ERASED_NAME)),
        "buyer_email": Hold(
            ACCOUNTING_RECORDS, applies=_sold, otherwise=Erase(lambda order: erased_email("order", order.pk))
        ),
        **{
            name: Hold(ACCOUNTING_RECORDS, applies=_sold, otherwise=Erase(lambda order: ""))
            for name in ("buyer_phone", "address_line", "subdistrict_code", "district_code", "postal_code")
        },
    },
    # The bank's record of money received and the tax documents issued are accounting and tax
    # records the law makes Talat and the shop keep.
    "payments.BankTransaction": {"payer_name": Hold(ACCOUNTING_RECORDS)},
    "invoicing.TaxDocument": {"buyer_email": Hold(TAX_RECORDS), "content": Hold(TAX_RECORDS)},
}


def _decision(rule: Erase | Hold, row) -> Erase | Hold:
    if isinstance(rule, Hold) and not rule.holds(row):
        return rule.otherwise
    return rule


@dataclass(frozen=True)
class PlanLine:
    """One personal field of one model: how many of the person's rows erasure blanks or keeps."""

    path: str
    model_label: str
    field_label: str
    rows: int
    held: bool
    ground: str


def _person_rows(person: User, *, lock: bool = False) -> list[tuple[str, type[Model], list]]:
    found = []
    for label, owns in OWNERS.items():
        model = apps.get_model(label)
        rows = owns.rows(model, person)
        if lock:
            rows = rows.select_for_update()
        found.append((label, model, list(rows)))
    return found


def _plan(found) -> list[PlanLine]:
    counts: dict[tuple, int] = {}
    for label, model, rows in found:
        rules = ERASURE.get(label, {})
        for model_field in personal_fields(model):
            rule = rules.get(model_field.name)
            for row in rows:
                decision = _decision(rule, row) if rule is not None else None
                held = not isinstance(decision, Erase)
                ground = str(decision.ground) if isinstance(decision, Hold) else _("ยังไม่มีกฎการลบ: เก็บไว้ก่อน")
                key = (
                    field_path(model_field),
                    str(model._meta.verbose_name),
                    str(model_field.verbose_name),
                    held,
                    ground if held else "",
                )
                counts[key] = counts.get(key, 0) + 1
    return [
        PlanLine(
            path=path, model_label=model_label, field_label=field_label, rows=n, held=held, ground=ground
        )
        for (path, model_label, field_label, held, ground), n in counts.items()
    ]


def erasure_plan(person: User) -> list[PlanLine]:
    """What completing an erasure request would blank, and what it would keep and why."""
    return _plan(_person_rows(person))


def _erase(person: User) -> list[PlanLine]:
    found = _person_rows(person, lock=True)
    plan = _plan(found)  # before any change: rows matched by e-mail must still match
    for label, model, rows in found:
        rules = ERASURE.get(label, {})
        for row in rows:
            changed = []
            for model_field in personal_fields(model):
                rule = rules.get(model_field.name)
                decision = _decision(rule, row) if rule is not None else None
                if isinstance(decision, Erase):
                    setattr(row, model_field.attname, decision.replacement(row))
                    changed.append(model_field.name)
            if isinstance(row, User):
                row.is_active = False
                changed.append("is_active")
            if changed:
                row.save(update_fields=changed)
    return plan


# --- PDPA data-subject requests -----------------------------------------------------------------


def may_handle_subject_requests(user: User) -> bool:
    """People's requests about their personal data are handled by Talat's data protection office
    (an agency flagged for it) or a platform administrator, not by every agency officer."""
    if user.is_platform_admin:
        return True
    return (
        user.is_agency_officer
        and Affiliation.objects.filter(user=user, agency__handles_personal_data=True).exists()
    )


def _require_officer(user: User) -> None:
    if not may_handle_subject_requests(user):
        raise PermissionDenied(_("เฉพาะเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลหรือผู้ดูแลแพลตฟอร์มเท่านั้นที่ดำเนินการคำขอได้"))


def _clean_text(value, *, field_name: str, required_message: str | None = None) -> str:
    text = (value or "").strip()
    if required_message and not text:
        raise ValidationError({field_name: required_message})
    if len(text) > MAX_TEXT:
        raise ValidationError({field_name: _("ยาวเกิน %(limit)s ตัวอักษร") % {"limit": f"{MAX_TEXT:,}"}})
    return text


def _notify(to: str, subject: str, body: str) -> None:
    if to and not to.endswith(".invalid"):
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[to]))


def _audit_request(kind: str, item: DataSubjectRequest, actor: User, **extra) -> None:
    hashes = extra.pop("hashes", {})
    audit.append(
        f"governance.request.{kind}",
        actor=actor,
        refs={"request": item.pk, "kind": item.kind, "status": item.status, **extra},
        hashes=hashes,
    )


@transaction.atomic
def file_data_subject_request(
    *, person: User, kind: str, details: str = "", objection_purpose: str = ""
) -> DataSubjectRequest:
    """A person asks Talat to act on their own personal data."""
    if not (person.is_authenticated and person.is_active):
        raise PermissionDenied(_("กรุณาเข้าสู่ระบบก่อนยื่นคำขอ"))
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("เลือกประเภทคำขอ")]
    try:
        details = _clean_text(
            details,
            field_name="details",
            required_message=_("บอกเราว่าข้อมูลใดไม่ถูกต้อง และควรแก้เป็นอย่างไร")
            if kind == RequestKind.RECTIFICATION
            else None,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if kind == RequestKind.OBJECTION:
        if objection_purpose not in Purpose.values:
            errors["objection_purpose"] = [_("เลือกวัตถุประสงค์ที่คุณคัดค้าน")]
    else:
        objection_purpose = ""
    if (
        not errors
        and DataSubjectRequest.objects.filter(requester=person, kind=kind, status__in=OPEN_STATUSES).exists()
    ):
        errors["kind"] = [_("คุณมีคำขอประเภทนี้ที่ยังดำเนินการอยู่ กรุณารอผลก่อนยื่นใหม่")]
    if errors:
        raise ValidationError(errors)
    item = DataSubjectRequest.objects.create(
        requester=person, kind=kind, details=details, objection_purpose=objection_purpose
    )
    _audit_request("received", item, person)
    return item


def _locked_for_officer(item: DataSubjectRequest, officer: User) -> DataSubjectRequest:
    _require_officer(officer)
    item = DataSubjectRequest.objects.select_for_update().get(pk=item.pk)
    if item.requester_id == officer.pk:
        raise PermissionDenied(_("คุณดำเนินการกับคำขอของตนเองไม่ได้"))
    return item


@transaction.atomic
def start_data_subject_request(*, item: DataSubjectRequest, officer: User) -> DataSubjectRequest:
    item = _locked_for_officer(item, officer)
    if item.status != RequestStatus.RECEIVED:
        raise ValidationError(_("คำขอนี้เริ่มดำเนินการหรือปิดไปแล้ว"))
    item.status = RequestStatus.IN_PROGRESS
    item.handled_by = officer
    item.started_at = timezone.now()
    item.save(update_fields=["status", "handled_by", "started_at"])
    _audit_request("started", item, officer)
    return item


def _closing_message(item: DataSubjectRequest, person: User) -> tuple[str, str]:
    with translation.override(person.language or "th"):
        subject = _("ตลาด: ผลคำขอใช้สิทธิเกี่ยวกับข้อมูลส่วนบุคคลของคุณ")
        lines = [
            _("คำขอเลขที่ %(number)s (%(kind)s): %(status)s")
            % {"number": item.pk, "kind": item.get_kind_display(), "status": item.get_status_display()},
        ]
        if item.status == RequestStatus.REFUSED:
            lines.append(_("เหตุผล: %(reason)s") % {"reason": item.refusal_reason})
            lines.append(_("หากไม่เห็นด้วย คุณร้องเรียนต่อคณะกรรมการผู้เชี่ยวชาญตามกฎหมายคุ้มครองข้อมูลส่วนบุคคลได้"))
        if item.resolution:
            lines.append(item.resolution)
        if item.erasure_report:
            lines.append(_("ข้อมูลที่ลบหรือทำให้ไม่ระบุตัวแล้ว:"))
            lines += [
                f"- {line['model_label']}: {line['field_label']}" for line in item.erasure_report["erased"]
            ]
            if item.erasure_report["held"]:
                lines.append(_("ข้อมูลที่ต้องเก็บไว้ตามกฎหมาย และเหตุผล:"))
                lines += [
                    f"- {line['model_label']}: {line['field_label']} — {line['ground']}"
                    for line in item.erasure_report["held"]
                ]
        elif item.kind == RequestKind.ACCESS and item.status == RequestStatus.COMPLETED:
            lines.append(_("ดาวน์โหลดสำเนาข้อมูลของคุณ (JSON และ PDF) ได้จากหน้าคำขอในระบบตลาด"))
    return subject, "\n\n".join(lines)


@transaction.atomic
def complete_data_subject_request(
    *, item: DataSubjectRequest, officer: User, resolution: str = ""
) -> DataSubjectRequest:
    """Carries out the request: an access request gets its export, an erasure request erases
    (all of it or, on any failure, nothing), rectification and objection record what was done."""
    item = _locked_for_officer(item, officer)
    if item.status != RequestStatus.IN_PROGRESS:
        raise ValidationError(_("ต้องเริ่มดำเนินการคำขอก่อนจึงจะปิดได้"))
    needs_note = {
        RequestKind.RECTIFICATION: _("บันทึกการแก้ไขที่ทำแล้ว"),
        RequestKind.OBJECTION: _("บันทึกผลการพิจารณาคำคัดค้านและสิ่งที่ทำแล้ว"),
    }
    resolution = _clean_text(resolution, field_name="resolution", required_message=needs_note.get(item.kind))
    person = User.objects.select_for_update().get(pk=item.requester_id)
    address = person.email  # captured before an erasure replaces it, to send the response
    extra: dict = {}
    if item.kind == RequestKind.ACCESS:
        item.export = build_export(person)
        item.export_sha256 = hashlib.sha256(export_bytes(item.export)).hexdigest()
        extra["hashes"] = {"export_sha256": item.export_sha256}
    elif item.kind == RequestKind.ERASURE:
        with translation.override(person.language or "th"):
            plan = _erase(person)
        item.erasure_report = {
            "erased": [asdict(line) for line in plan if not line.held],
            "held": [asdict(line) for line in plan if line.held],
        }
        extra["erased"] = sorted({line.path for line in plan if not line.held})
        extra["held"] = sorted({line.path for line in plan if line.held})
    item.status = RequestStatus.COMPLETED
    item.resolution = resolution
    item.closed_at = timezone.now()
    item.handled_by = officer
    item.save()
    _audit_request("completed", item, officer, **extra)
    _notify(address, *_closing_message(item, person))
    return item


@transaction.atomic
def refuse_data_subject_request(
    *, item: DataSubjectRequest, officer: User, reason: str
) -> DataSubjectRequest:
    item = _locked_for_officer(item, officer)
    if item.status not in OPEN_STATUSES:
        raise ValidationError(_("คำขอนี้ปิดไปแล้ว"))
    reason = _clean_text(reason, field_name="reason", required_message=_("ระบุเหตุผลที่ปฏิเสธ ผู้ยื่นคำขอจะเห็นเหตุผลนี้"))
    item.status = RequestStatus.REFUSED
    item.refusal_reason = reason
    item.closed_at = timezone.now()
    item.handled_by = officer
    item.save(update_fields=["status", "refusal_reason", "closed_at", "handled_by"])
    _audit_request("refused", item, officer)
    _notify(item.requester.email, *_closing_message(item, item.requester))
    return item


def subject_request_queue(*, closed: bool = False) -> QuerySet[DataSubjectRequest]:
    """Open requests, the one due first on top; or closed ones, the latest first."""
    rows = DataSubjectRequest.objects.select_related("requester", "handled_by")
    if closed:
        return rows.exclude(status__in=OPEN_STATUSES).order_by("-closed_at", "-pk")
    return rows.filter(status__in=OPEN_STATUSES).order_by("received_at", "pk")


def overdue_count() -> int:
    limit = timezone.now() - timedelta(days=PDPA_RESPONSE_DAYS)
    return DataSubjectRequest.objects.filter(status__in=OPEN_STATUSES, received_at__lt=limit).count()
