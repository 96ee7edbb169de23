"""Demo marketplace set-up. `load` (with the other demo data) brings listing agreements with
Lazada, Tmall Global and Alibaba.com into force; `connect` (run by `manage.py demo` once the
sandboxes answer) connects the demo owner's shop through each sandbox's authorization page and
publishes its products, so orders start arriving from the sandboxes on the first run."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from django.conf import settings
from django.db import transaction

import talat.ledger
from talat.accounts.models import User
from talat.catalog.models import Product, ProductStatus
from talat.channels import services
from talat.channels.models import Listing, ListingState
from talat.governance import services as governance
from talat.governance.models import Agreement, Purpose
from talat.ledger import rates
from talat.ledger.models import ExchangeRate
from talat.registry.models import Agency, Enterprise, Partner

LISTING_FIELDS = [
    *(f"catalog.Product.{name}" for name in (
        "name_th", "name_en", "name_zh", "description_th", "description_en", "description_zh", "category",
        "brand", "hs_code", "province_code", "certifications", "otop_stars")),
    *(f"catalog.Variant.{name}" for name in (
        "sku", "barcode", "option_th", "option_en", "option_zh", "price_satang", "cny_price_fen", "weight_g",
        "length_mm", "width_mm", "height_mm", "available")),
    "catalog.ProductImage.image",
]  # fmt: skip
PARTNERS = {
    "lazada": (["TH"], "domestic"),
    "tmall-global": (["TH", "CN"], "s28_contract"),
    "alibaba": (["TH", "CN"], "s28_contract"),
}
DEMO_SHOP_OWNER = "owner@demo.talat.th"
DEMO_CHANNELS = ("lazada", "tmall-global")


def _sample_exchange_rates() -> None:
    """Marketplace orders in yuan are posted to the ledger in baht: the demo uses the sample
    rates file (production imports the Bank of Thailand's own)."""
    if not ExchangeRate.objects.exists():
        sample = Path(talat.ledger.__file__).parent / "data" / "bot_exchange_rates_sample.csv"
        rates.import_rates(sample.read_bytes(), sample.name)


@transaction.atomic
def load() -> dict:
    _sample_exchange_rates()
    dip = Agency.objects.get(code="dip")
    officers = list(User.objects.filter(affiliation__agency=dip).order_by("pk")[:2])
    if len(officers) < 2:
        return {"listing_agreements": 0}
    drafter, approver = officers
    for code, (countries, transfer_basis) in PARTNERS.items():
        partner = Partner.objects.get(code=code)
        title = f"ข้อมูลสินค้าสำหรับลงขายบน {partner.name_th}"
        if Agreement.objects.filter(title_th=title).exists():
            continue
        draft = governance.draft_agreement(
            drafted_by=drafter, title_th=title, title_en=f"Product data for listing on {partner.name_en}",
            recipient_partner=partner, responsible_agency=dip, purpose=Purpose.LISTING,
            legal_basis="contract",
            fields=LISTING_FIELDS, countries=countries, transfer_basis=transfer_basis, retention_days=730,
            consent_required=False, valid_from=date(2026, 1, 1), valid_until=date(2027, 12, 31),
            summary_th=f"{partner.name_th} ได้รับเฉพาะข้อมูลสินค้าที่ร้านเลือกลงขาย (ชื่อ รายละเอียด ราคา จำนวน รูป) "
            "เพื่อแสดงและขายสินค้า ไม่ได้รับข้อมูลภาษี ที่อยู่ หรือเบอร์โทรของร้าน",
        )  # fmt: skip
        governance.approve_agreement(agreement=draft, officer=approver)
    return {"listing_agreements": Agreement.objects.filter(purpose=Purpose.LISTING).count()}


def _code_from(authorize_url: str) -> str:
    """What a seller's browser does on the partner's authorization page: consent, and get the code."""
    answer = httpx.get(authorize_url, timeout=5)
    return parse_qs(urlsplit(answer.headers.get("Location", "")).query).get("code", [""])[0]


def connect(site_url: str) -> list[str]:
    """Connects the demo shop to the sandboxes and queues its products for listing."""
    shop = Enterprise.objects.filter(owner__email=DEMO_SHOP_OWNER).first()
    if shop is None:
        return []
    products = list(Product.objects.filter(enterprise=shop, status=ProductStatus.ACTIVE))
    connected = []
    for code in DEMO_CHANNELS:
        partner = Partner.objects.get(code=code)
        redirect_uri = f"{site_url}/seller/channels/callback/{code}/"
        url = services.authorize_url(partner=partner, redirect_uri=redirect_uri, state="demo")
        account = services.connect_account(enterprise=shop, partner=partner, code=_code_from(url))
        # A sandbox starts empty every run: what was listed there last time is listed again.
        Listing.objects.filter(account=account).update(state=ListingState.DRAFT, partner_item_id="")
        services.publish(account=account, products=products)
        connected.append(f"{partner.name_en}: {settings.TALAT_CHANNELS[code]['api']}")
    return connected
