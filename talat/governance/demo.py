"""Demo data-sharing agreements, consent and disclosures, so the consent page and the data
passbook show real entries on the first run. Loading twice changes nothing."""

from datetime import date

from django.db import transaction

from talat.accounts.models import User
from talat.governance import border, services
from talat.governance.models import Agreement, AgreementStatus, Disclosure, Purpose
from talat.registry.models import Affiliation, Agency, Enterprise, Partner

AGREEMENTS = [
    {
        "title_th": "ข้อมูลร้านค้าสำหรับการขายบนลาซาด้า",
        "title_en": "Shop data for selling on Lazada",
        "partner": "lazada",
        "purpose": Purpose.ORDER_FULFILMENT,
        "legal_basis": "consent",
        "fields": [
            f"registry.Enterprise.{f}" for f in ("name_th", "name_en", "province_code", "phone", "email")
        ],
        "countries": ["TH"],
        "transfer_basis": "domestic",
        "retention_days": 365,
        "summary_th": "ลาซาด้าใช้ข้อมูลนี้เพื่อแสดงร้านของคุณและติดต่อคุณเรื่องคำสั่งซื้อ",
    },
    {
        "title_th": "ข้อมูลผู้ส่งสินค้าสำหรับไช่เหนียว (ขนส่งข้ามพรมแดน)",
        "title_en": "Shipper data for Cainiao cross-border logistics",
        "partner": "cainiao",
        "purpose": Purpose.LOGISTICS,
        "legal_basis": "consent",
        # The shop's pickup address, the buyer's delivery address and the parcel's goods: what a
        # cross-border booking sends (talat.logistics.services.shipments), nothing of the shop's records.
        "fields": [
            *(
                f"registry.Enterprise.{f}"
                for f in (
                    "name_th",
                    "name_en",
                    "phone",
                    "address_line",
                    "subdistrict_code",
                    "district_code",
                    "province_code",
                    "postal_code",
                )
            ),
            *(
                f"orders.Order.{f}"
                for f in (
                    "buyer_name",
                    "buyer_phone",
                    "address_line",
                    "subdistrict_code",
                    "district_code",
                    "province_code",
                    "postal_code",
                    "buyer_country",
                    "channel_order_number",
                    "currency",
                )
            ),
            *(f"orders.OrderLine.{f}" for f in ("sku", "name", "quantity", "unit_price_minor")),
            "catalog.Variant.sku",
            "catalog.Variant.weight_g",
        ],  # fmt: skip
        "countries": ["TH", "CN"],
        "transfer_basis": "s28_consent",
        "retention_days": 180,
        "summary_th": "ไช่เหนียวใช้ข้อมูลผู้ส่งเพื่อรับและส่งพัสดุของคุณไปยังผู้ซื้อในจีนผ่านศูนย์ EEC",
    },
]


@transaction.atomic
def load() -> dict:
    dip = Agency.objects.get(code="dip")
    drafter = Affiliation.objects.filter(agency=dip).select_related("user").first().user
    approver, _created = User.objects.get_or_create(
        email="officer2@demo.talat.th",
        defaults={"full_name": "ประเสริฐ อนุมัติดี", "role": "agency_officer"},
    )
    if _created:
        approver.set_password("talat-demo-2569")
        approver.save()
        Affiliation.objects.create(user=approver, agency=dip)
    made = []
    for spec in AGREEMENTS:
        existing = Agreement.objects.filter(title_th=spec["title_th"]).first()
        if existing:
            made.append(existing)
            continue
        data = {k: v for k, v in spec.items() if k != "partner"}
        agreement = services.draft_agreement(
            drafted_by=drafter,
            recipient_partner=Partner.objects.get(code=spec["partner"]),
            responsible_agency=dip,
            consent_required=True,
            valid_from=date(2026, 1, 1),
            valid_until=date(2027, 12, 31),
            **data,
        )
        made.append(services.approve_agreement(agreement=agreement, officer=approver))
    lazada_deal = made[0]
    shop = Enterprise.objects.filter(owner__email="owner@demo.talat.th").first()
    if (
        lazada_deal.status == AgreementStatus.ACTIVE
        and not Disclosure.objects.filter(enterprise=shop).exists()
    ):
        services.decide_consent(
            agreement=lazada_deal,
            owner=shop,
            by=shop.owner,
            granted=True,
            text_version=lazada_deal.text_version,
        )
        payload = {
            name: getattr(shop, name)
            for name in ("name_th", "name_en", "province_code", "phone", "email", "tax_id")
        }
        for _time in range(3):
            border.release(payload, source=Enterprise, recipient=lazada_deal.recipient_partner,
                           purpose=lazada_deal.purpose, subject=shop)  # fmt: skip
    return {"agreements": Agreement.objects.count(), "disclosures": Disclosure.objects.count()}
