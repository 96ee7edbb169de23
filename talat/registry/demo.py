"""The Thai demo data set: agencies, partners, one login per role and 30+ enterprises in 15+
provinces with valid IDs and addresses. Deterministic: the same seed gives the same data, and
loading twice changes nothing."""

import random

import geothai
from django.db import transaction
from stdnum.th import moa, pin

from talat.accounts.models import Role, User
from talat.registry import services
from talat.registry.models import Agency, Enterprise, EnterpriseKind, Partner, PartnerKind, VerificationStatus

DEMO_PASSWORD = "talat-demo-2569"

AGENCIES = [
    (
        "dip",
        "กรมส่งเสริมอุตสาหกรรม",
        "Department of Industrial Promotion",
        "工业促进厅",
        "กระทรวงอุตสาหกรรม",
        True,
    ),
    (
        "ditp",
        "กรมส่งเสริมการค้าระหว่างประเทศ",
        "Department of International Trade Promotion",
        "国际贸易促进厅",
        "กระทรวงพาณิชย์",
        True,
    ),
    ("customs", "กรมศุลกากร", "The Customs Department", "海关厅", "กระทรวงการคลัง", False),
    (
        "tat",
        "การท่องเที่ยวแห่งประเทศไทย",
        "Tourism Authority of Thailand",
        "泰国国家旅游局",
        "กระทรวงการท่องเที่ยวและกีฬา",
        False,
    ),
    (
        "eeco",
        "สำนักงานคณะกรรมการนโยบายเขตพัฒนาพิเศษภาคตะวันออก",
        "Eastern Economic Corridor Office",
        "东部经济走廊办公室",
        "สำนักนายกรัฐมนตรี",
        False,
    ),
    ("cdd", "กรมการพัฒนาชุมชน", "Community Development Department", "社区发展厅", "กระทรวงมหาดไทย", True),
    ("dbd", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development", "商业发展厅", "กระทรวงพาณิชย์", False),
    (
        "talat-dpo",
        "สำนักงานคุ้มครองข้อมูลส่วนบุคคลของตลาด",
        "Talat Data Protection Office",
        "Talat 数据保护办公室",
        "",
        False,
    ),
]
DATA_PROTECTION_OFFICES = {"talat-dpo"}  # fmt: skip

PARTNERS = [
    ("lazada", "ลาซาด้า", "Lazada", "来赞达", PartnerKind.MARKETPLACE, "TH"),
    ("tmall-global", "ทีมอลล์ โกลบอล", "Tmall Global", "天猫国际", PartnerKind.MARKETPLACE, "CN"),
    ("alibaba", "อาลีบาบา ดอทคอม", "Alibaba.com", "阿里巴巴国际站", PartnerKind.MARKETPLACE, "CN"),
    ("cainiao", "ไช่เหนียว", "Cainiao", "菜鸟", PartnerKind.LOGISTICS, "CN"),
    ("thailandpost", "ไปรษณีย์ไทย", "Thailand Post", "泰国邮政", PartnerKind.LOGISTICS, "TH"),
    ("ktb", "ธนาคารกรุงไทย", "Krungthai Bank", "泰京银行", PartnerKind.BANK, "TH"),
    ("kbank", "ธนาคารกสิกรไทย", "Kasikornbank", "开泰银行", PartnerKind.BANK, "TH"),
]

LOGINS = [
    ("admin@demo.talat.th", "ผู้ดูแล ตลาด", Role.PLATFORM_ADMIN, None),
    ("owner@demo.talat.th", "สมศรี ใจดี", Role.SME_OWNER, None),
    ("staff@demo.talat.th", "สมชาย ขยันยิ่ง", Role.SME_STAFF, None),
    ("officer@demo.talat.th", "วิภา ตรวจละเอียด", Role.AGENCY_OFFICER, ("agency", "dip")),
    ("partner@demo.talat.th", "Lazada Integration", Role.PARTNER_OPERATOR, ("partner", "lazada")),
]

# (province code, Thai name, English name, kind, categories): goods each province is known for.
ENTERPRISES = [
    ("50", "ผ้าฝ้ายทอมือบ้านต้นแก้ว", "Ban Ton Kaew Handwoven Cotton", EnterpriseKind.COMMUNITY, ["textiles"]),
    ("50", "กาแฟดอยช้าง", "Doi Chang Coffee", EnterpriseKind.COMPANY, ["coffee-tea"]),
    ("57", "ชาอู่หลงดอยแม่สลอง", "Doi Mae Salong Oolong", EnterpriseKind.PARTNERSHIP, ["coffee-tea"]),
    (
        "57",
        "ผ้าปักชาวเขาเชียงราย",
        "Chiang Rai Hill-tribe Embroidery",
        EnterpriseKind.OTOP,
        ["textiles", "handicrafts"],
    ),
    ("22", "ทุเรียนอบกรอบจันทบุรี", "Chanthaburi Crispy Durian", EnterpriseKind.COMPANY, ["fruit"]),
    ("22", "เสื่อกกจันทบูร", "Chanthaburi Reed Mats", EnterpriseKind.COMMUNITY, ["handicrafts"]),
    ("21", "มังคุดคัดเกรดระยอง", "Rayong Graded Mangosteen", EnterpriseKind.INDIVIDUAL, ["fruit"]),
    ("20", "อาหารทะเลแห้งบางแสน", "Bang Saen Dried Seafood", EnterpriseKind.PARTNERSHIP, ["seafood"]),
    ("24", "มะม่วงน้ำดอกไม้ฉะเชิงเทรา", "Chachoengsao Nam Dok Mai Mango", EnterpriseKind.COMMUNITY, ["fruit"]),
    ("32", "ผ้าไหมสุรินทร์", "Surin Silk", EnterpriseKind.OTOP, ["textiles"]),
    ("32", "ข้าวหอมมะลิทุ่งกุลา", "Thung Kula Hom Mali Rice", EnterpriseKind.COMMUNITY, ["rice"]),
    ("34", "ข้าวหอมมะลิอุบล", "Ubon Jasmine Rice", EnterpriseKind.COMPANY, ["rice"]),
    ("40", "ผ้าไหมมัดหมี่ชนบท", "Chonnabot Mudmee Silk", EnterpriseKind.COMMUNITY, ["textiles"]),
    ("40", "ไส้กรอกอีสานขอนแก่น", "Khon Kaen Isan Sausage", EnterpriseKind.INDIVIDUAL, ["food"]),
    ("41", "ผ้าครามสกลนคร", "Sakon Nakhon Indigo", EnterpriseKind.OTOP, ["textiles"]),
    ("30", "หมี่โคราช", "Korat Rice Noodles", EnterpriseKind.PARTNERSHIP, ["food"]),
    (
        "30",
        "เฟอร์นิเจอร์ไม้ด่านเกวียน",
        "Dan Kwian Woodcraft",
        EnterpriseKind.COMPANY,
        ["furniture", "handicrafts"],
    ),
    ("84", "ผลิตภัณฑ์มะพร้าวสมุย", "Samui Coconut Products", EnterpriseKind.COMPANY, ["food", "cosmetics"]),
    ("84", "ไข่เค็มไชยา", "Chaiya Salted Eggs", EnterpriseKind.COMMUNITY, ["food"]),
    ("90", "ปลาหวานสงขลา", "Songkhla Sweet Fish", EnterpriseKind.INDIVIDUAL, ["seafood"]),
    ("83", "บาติกภูเก็ต", "Phuket Batik", EnterpriseKind.OTOP, ["textiles"]),
    ("80", "ผ้ายกนครศรีธรรมราช", "Nakhon Si Thammarat Brocade", EnterpriseKind.COMMUNITY, ["textiles"]),
    ("86", "กาแฟโรบัสต้าชุมพร", "Chumphon Robusta", EnterpriseKind.PARTNERSHIP, ["coffee-tea"]),
    ("65", "กล้วยตากพิษณุโลก", "Phitsanulok Sun-dried Banana", EnterpriseKind.COMMUNITY, ["fruit", "food"]),
    ("64", "สังคโลกสุโขทัย", "Sukhothai Sangkhalok Ceramics", EnterpriseKind.OTOP, ["handicrafts"]),
    (
        "10",
        "เครื่องสำอางสมุนไพรกรุงเทพ",
        "Bangkok Herbal Cosmetics",
        EnterpriseKind.COMPANY,
        ["cosmetics", "herbal"],
    ),
    ("10", "น้ำพริกแม่ประนอม", "Mae Pranom Chilli Paste", EnterpriseKind.COMPANY, ["spices", "food"]),
    ("73", "ส้มโอนครชัยศรี", "Nakhon Chai Si Pomelo", EnterpriseKind.INDIVIDUAL, ["fruit"]),
    ("75", "น้ำตาลมะพร้าวอัมพวา", "Amphawa Coconut Sugar", EnterpriseKind.COMMUNITY, ["food", "spices"]),
    ("77", "สับปะรดหอมประจวบ", "Prachuap Fragrant Pineapple", EnterpriseKind.PARTNERSHIP, ["fruit"]),
    ("25", "สมุนไพรอภัยภูเบศร", "Abhaibhubejhr Herbs", EnterpriseKind.COMPANY, ["herbal"]),
    ("13", "เครื่องปั้นดินเผาเกาะเกร็ด", "Ko Kret Pottery", EnterpriseKind.OTOP, ["handicrafts"]),
    ("58", "กาแฟอาราบิก้าแม่ฮ่องสอน", "Mae Hong Son Arabica", EnterpriseKind.COMMUNITY, ["coffee-tea"]),
]


def juristic_id(rng: random.Random, kind: str) -> str:
    body = (
        "0"
        + "10"
        + ("5" if kind == EnterpriseKind.COMPANY else "3")
        + f"5{rng.randint(48, 67)}"
        + f"{rng.randint(0, 99999):05d}"
    )
    return body + moa.calc_check_digit(body)


def citizen_id(rng: random.Random) -> str:
    body = f"{rng.randint(1, 3)}{rng.randint(0, 10**11 - 1):011d}"
    return body + pin.calc_check_digit(body)


def _user(email: str, name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        extra = {"is_staff": True, "is_superuser": True} if role == Role.PLATFORM_ADMIN else {}
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role, **extra)
    return user


@transaction.atomic
def load(seed: int = 2569) -> dict:
    """Loads the demo set; returns counts of what exists afterwards."""
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not secret
    agencies = {}
    for code, th, en, zh, ministry, verifies in AGENCIES:
        agencies[code], _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name_th": th,
                "name_en": en,
                "name_zh": zh,
                "ministry_th": ministry,
                "verifies_enterprises": verifies,
                "handles_personal_data": code in DATA_PROTECTION_OFFICES,
            },
        )
    partners = {}
    for code, th, en, zh, kind, country in PARTNERS:
        partners[code], _ = Partner.objects.get_or_create(
            code=code,
            defaults={"name_th": th, "name_en": en, "name_zh": zh, "kind": kind, "country": country},
        )
    users = {}
    for email, name, role, place in LOGINS:
        person = _user(email, name, role)
        users.setdefault(role, person)  # the first login of each role acts in the demo below
        if place:
            kind, code = place
            target = {"agency": agencies, "partner": partners}[kind][code]
            services.affiliate(user=person, **{kind: target})

    officer = users[Role.AGENCY_OFFICER]
    for index, (province_code, name_th, name_en, kind, categories) in enumerate(ENTERPRISES):
        # Draw every random number whether or not the row exists, so the sequence never shifts.
        district = rng.choice(geothai.districts(province_code))
        subdistrict = rng.choice(geothai.subdistricts(district.code))
        if kind in (EnterpriseKind.COMPANY, EnterpriseKind.PARTNERSHIP):
            number = juristic_id(rng, kind)
        elif kind == EnterpriseKind.COMMUNITY:
            code = subdistrict.code
            number = f"4-{code[:2]}-{code[2:4]}-{code[4:6]}/1-{rng.randint(1, 9999):04d}"
        else:
            number = citizen_id(rng)
        tax_id = number if "-" not in number else juristic_id(rng, EnterpriseKind.PARTNERSHIP)
        phone = f"08{rng.randint(1, 9)}{rng.randint(0, 9999999):07d}"
        if Enterprise.objects.filter(name_th=name_th).exists():
            continue
        owner = (
            users[Role.SME_OWNER]
            if index == 0
            else _user(f"sme{index:02d}@demo.talat.th", f"เจ้าของ {name_th}", Role.SME_OWNER)
        )
        enterprise = services.register_enterprise(
            owner=owner,
            kind=kind,
            registration_number=number,
            name_th=name_th,
            name_en=name_en,
            tax_id=tax_id,
            branch="00000",
            # The demo shop and the companies charge VAT (their receipts are full tax invoices).
            vat_registered=index == 0 or kind == EnterpriseKind.COMPANY,
            address_line=f"{rng.randint(1, 299)} หมู่ {rng.randint(1, 12)}",
            province_code=province_code,
            district_code=district.code,
            subdistrict_code=subdistrict.code,
            postal_code=subdistrict.postal_codes[0],
            phone=phone,
            email=f"contact{index:02d}@demo.talat.th",
            category_codes=categories,
        )
        if index == 0:
            enterprise.staff.add(users[Role.SME_STAFF])
        # Most are verified; the last five wait in the officer's queue; one was turned down.
        if index < len(ENTERPRISES) - 6:
            services.decide_enterprise(
                enterprise=enterprise, officer=officer, status=VerificationStatus.VERIFIED
            )
        elif index == len(ENTERPRISES) - 6:
            services.decide_enterprise(
                enterprise=enterprise,
                officer=officer,
                status=VerificationStatus.REJECTED,
                reason="สำเนาหนังสือรับรองการจดทะเบียนไม่ชัดเจน กรุณายื่นใหม่พร้อมเอกสารฉบับล่าสุด",
            )
    return {
        "agencies": Agency.objects.count(),
        "partners": Partner.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "provinces": Enterprise.objects.values("province_code").distinct().count(),
    }
