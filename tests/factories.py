"""Builders of valid test data: real check digits, real addresses."""

import itertools

from stdnum.th import moa, pin

from talat.accounts.models import Role, User
from talat.registry import services
from talat.registry.models import Agency

PASSWORD = "correct-horse-battery-2569"
_serial = itertools.count(1)


def juristic_id(n: int | None = None) -> str:
    body = f"0105560{(n if n is not None else next(_serial)):05d}"
    return body + moa.calc_check_digit(body)


def citizen_id(n: int | None = None) -> str:
    body = f"1100{(n if n is not None else next(_serial)):08d}"
    return body + pin.calc_check_digit(body)


def user(role=Role.SME_OWNER, email=None, **extra) -> User:
    email = email or f"{role}-{next(_serial)}@example.th"
    return User.objects.create_user(email, PASSWORD, full_name=f"ทดสอบ {role}", role=role, **extra)


def officer(agency_code="dip", verifies=True, personal_data=False) -> User:
    agency, _ = Agency.objects.get_or_create(
        code=agency_code,
        defaults={"name_th": "กรมส่งเสริมอุตสาหกรรม", "name_en": "Department of Industrial Promotion",
                  "verifies_enterprises": verifies, "handles_personal_data": personal_data},
    )  # fmt: skip
    person = user(Role.AGENCY_OFFICER)
    services.affiliate(user=person, agency=agency)
    return person


# A real address: ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200
ADDRESS = {
    "address_line": "12 ถนนราชวิถี",
    "province_code": "50",
    "district_code": "5001",
    "subdistrict_code": "500101",
    "postal_code": "50200",
}


def enterprise_fields(**overrides) -> dict:
    number = juristic_id()
    fields = {
        "kind": "company",
        "registration_number": number,
        "name_th": "บริษัท ทดสอบ จำกัด",
        "name_en": "Test Co., Ltd.",
        "tax_id": number,
        "branch": "00000",
        "phone": "081 234 5678",
        "email": "shop@example.th",
        "category_codes": ["textiles"],
        **ADDRESS,
    }
    fields.update(overrides)
    return fields


def enterprise(owner=None, **overrides):
    return services.register_enterprise(owner=owner or user(), **enterprise_fields(**overrides))


def partner(code="cainiao", name_en="Cainiao", name_th="ไช่เหนียว", country="CN"):
    from talat.registry.models import Partner

    found, _created = Partner.objects.get_or_create(
        code=code, defaults={"name_en": name_en, "name_th": name_th, "kind": "logistics", "country": country}
    )
    return found


def agreement(
    *, recipient=None, purpose="logistics", fields=None, consent_required=True, approve=True, **extra
):
    """An agreement drafted by one officer and, unless approve=False, approved by another."""
    from datetime import date

    from talat.governance import services as governance

    drafter = officer()
    data = {
        "title_th": "ส่งข้อมูลผู้รับสินค้าให้ไช่เหนียว",
        "recipient_partner": recipient or partner(),
        "responsible_agency": drafter.affiliation.agency,
        "purpose": purpose,
        "legal_basis": "consent" if consent_required else "contract",
        "fields": fields or ["registry.Enterprise.name_th", "registry.Enterprise.province_code"],
        "countries": ["TH", "CN"],
        "transfer_basis": "s28_consent",
        "retention_days": 90,
        "consent_required": consent_required,
        "valid_from": date(2020, 1, 1),
        "valid_until": date(2099, 12, 31),
        "summary_th": "เพื่อจัดส่งสินค้าข้ามพรมแดน",
    }
    data.update(extra)
    made = governance.draft_agreement(drafted_by=drafter, **data)
    if approve:
        checker = officer()
        made = governance.approve_agreement(agreement=made, officer=checker)
    return made


def verified_enterprise(owner=None, **overrides):
    from talat.registry.services import decide_enterprise

    shop = enterprise(owner, **overrides)
    return decide_enterprise(enterprise=shop, officer=officer(), status="verified")


def vat_registered_shop(name_th="วิสาหกิจชุมชนทุเรียนจันท์"):
    """A verified shop registered for VAT (its receipts are full tax invoices)."""
    shop = verified_enterprise(name_th=name_th)
    shop.vat_registered = True
    shop.save()
    return shop


def product(shop=None, *, name_th="ทุเรียนอบแห้ง", stock=10, price_satang=25_000, sku=None, **fields):
    """A product with one SKU and its opening stock, through the catalog service."""
    from talat.catalog.services.products import create_product
    from talat.registry.models import GoodsCategory

    shop = shop or verified_enterprise()
    data = {
        "name_th": name_th, "name_en": "", "name_zh": "", "description_th": "", "description_en": "",
        "description_zh": "", "category": GoodsCategory.objects.get(code="fruit"), "brand": "",
        "province_code": "22", "otop_stars": None, "certifications": [], "hs_code": "08134090",
    }  # fmt: skip
    data.update(fields)
    sku = sku or f"SKU-{next(_serial)}"
    variant = {"sku": sku, "barcode": "", "price_satang": price_satang, "weight_g": 250}
    return create_product(enterprise=shop, by=shop.owner, product=data, variants=[variant],
                          stock_by_sku={sku: stock})  # fmt: skip


# A buyer and a real delivery address (ต.ตลาด อ.เมืองจันทบุรี จ.จันทบุรี 22000), as the checkout form takes them.
CHECKOUT = {
    "buyer_name": "สมชาย ใจดี",
    "buyer_email": "somchai@example.th",
    "buyer_phone": "081 234 5678",
    "buyer_country": "TH",
    "address_line": "99/1 หมู่ 3 ถนนท่าแฉลบ",
    "province_code": "22",
    "district_code": "2201",
    "subdistrict_code": "220101",
    "postal_code": "22000",
    "shipping_method": "standard",
}


def reference_data():
    """What the migrations load and a transactional test's flush empties: goods categories and the
    customs import rules."""
    import importlib

    from django.apps import apps

    from talat.registry.reference import ensure_goods_categories

    ensure_goods_categories()
    importlib.import_module("talat.customs.migrations.0002_load_rules").load(apps, None)
