"""Demo data for shipping: the domestic carrier's and Customs' agreements (the hub partner's comes
with the governance demo), and the demo shop's consent to the hub partner, so its orders abroad
can be booked on the first run."""

from datetime import date

from django.db import transaction

from talat.accounts.models import User
from talat.governance import services as governance
from talat.governance.models import Agreement, AgreementStatus, Purpose
from talat.logistics.services.shipments import RELEASED_FIELDS
from talat.registry.models import Agency, Enterprise, Partner

CARRIER_TITLE = "ข้อมูลพัสดุและผู้รับสำหรับไปรษณีย์ไทย (ขนส่งในประเทศ)"
CUSTOMS_TITLE = "ใบขนสินค้าขาออกของศูนย์อีอีซีสำหรับกรมศุลกากร"


@transaction.atomic
def load() -> dict:
    dip = Agency.objects.get(code="dip")
    drafter = User.objects.filter(affiliation__agency=dip).order_by("pk").first()
    approver = User.objects.filter(email="officer2@demo.talat.th").first()
    if drafter is None or approver is None:
        return {}
    specs = [
        {"title_th": CARRIER_TITLE, "title_en": "Parcel and consignee data for Thailand Post (domestic)",
         "recipient_partner": Partner.objects.get(code="thailandpost"), "purpose": Purpose.LOGISTICS,
         "legal_basis": "contract", "fields": RELEASED_FIELDS, "countries": ["TH"], "transfer_basis": "domestic",
         "consent_required": False, "retention_days": 180,
         "summary_th": "ไปรษณีย์ไทยได้รับชื่อ ที่อยู่ และโทรศัพท์ของผู้รับ รายการสินค้าในพัสดุ และที่อยู่รับพัสดุของร้าน "
                       "เพื่อส่งพัสดุถึงผู้ซื้อ ไม่ได้รับเลขประจำตัวผู้เสียภาษีหรือข้อมูลการขายของร้าน"},
        {"title_th": CUSTOMS_TITLE, "title_en": "Export declarations of the EEC hub for the Customs Department",
         "recipient_agency": Agency.objects.get(code="customs"), "purpose": Purpose.CUSTOMS_CLEARANCE,
         "legal_basis": "legal_obligation", "fields": ["logistics.Manifest.declaration"], "countries": ["TH"],
         "transfer_basis": "domestic", "consent_required": False, "retention_days": 1825,
         "summary_th": "กรมศุลกากรได้รับใบขนสินค้าขาออกของแต่ละเที่ยว (พิกัด ปริมาณ น้ำหนัก มูลค่า) ตามพระราชบัญญัติศุลกากร "
                       "ไม่ได้รับชื่อหรือที่อยู่ของผู้ซื้อ"},
    ]  # fmt: skip
    for spec in specs:
        if Agreement.objects.filter(title_th=spec["title_th"]).exists():
            continue
        draft = governance.draft_agreement(
            drafted_by=drafter, responsible_agency=dip, valid_from=date(2026, 1, 1), valid_until=date(2027, 12, 31),
            **spec,
        )  # fmt: skip
        governance.approve_agreement(agreement=draft, officer=approver)
    hub_deal = Agreement.objects.filter(
        recipient_partner__code="cainiao", purpose=Purpose.LOGISTICS, status=AgreementStatus.ACTIVE
    ).first()
    shop = Enterprise.objects.filter(owner__email="owner@demo.talat.th").first()
    if hub_deal and shop and not hub_deal.consents.filter(enterprise=shop).exists():
        governance.decide_consent(
            agreement=hub_deal, owner=shop, by=shop.owner, granted=True, text_version=hub_deal.text_version
        )
    return {"logistics_agreements": Agreement.objects.filter(purpose=Purpose.LOGISTICS).count()}
