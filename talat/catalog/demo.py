"""Demo products: two or three for each verified demo enterprise, named in Thai, English and
Chinese, with stock, so the storefront and search have real goods on the first run. Loading twice
changes nothing."""

from django.db import transaction

from talat.catalog.models import Product
from talat.catalog.services.products import create_product
from talat.registry.models import Enterprise, GoodsCategory, VerificationStatus

# category -> (name th, en, zh, HS code, price satang, CNY fen or None, grams, certifications, description th)
GOODS = {
    "fruit": [
        ("ทุเรียนหมอนทองอบกรอบ", "Crispy Monthong durian", "泰国金枕头榴莲干", "08134090", 35_000, 8_900, 100,
         ["fda", "gmp"], "ทุเรียนหมอนทองสุกพอดี อบแห้งแบบฟรีซดราย กรอบ หอม ไม่ใส่น้ำตาล"),
        ("มะม่วงน้ำดอกไม้อบแห้ง", "Dried Nam Dok Mai mango", "泰国芒果干", "08134090", 12_000, 2_900, 200,
         ["fda"], "มะม่วงน้ำดอกไม้สุกคัดพิเศษ อบแห้งหวานธรรมชาติ"),
        ("ลำไยอบแห้งสีทอง", "Golden dried longan", "泰国龙眼干", "08134010", 18_000, 4_200, 500,
         ["fda", "organic"], "ลำไยอีดออบแห้งเนื้อสีทอง หวานฉ่ำ"),
    ],
    "coffee-tea": [
        ("กาแฟอาราบิก้าคั่วกลาง", "Medium-roast Arabica coffee", "泰国阿拉比卡咖啡豆", "09012110", 32_000, 7_500, 250,
         ["organic"], "เมล็ดกาแฟอาราบิก้าจากดอยสูง คั่วกลาง กลิ่นผลไม้และช็อกโกแลต"),
        ("ชาอู่หลงก้านอ่อน", "Oolong tea", "泰国乌龙茶", "09023010", 28_000, 6_500, 100,
         [], "ชาอู่หลงเบอร์ 12 ปลูกบนดอยแม่สลอง หอมดอกไม้"),
    ],
    "textiles": [
        ("ผ้าไหมมัดหมี่ทอมือ", "Handwoven Mudmee silk", "泰国手工扎染丝绸", "50072090", 250_000, 59_000, 400,
         [], "ผ้าไหมมัดหมี่ลายโบราณ ย้อมสีธรรมชาติ ทอมือทั้งผืน ยาว 2 เมตร"),
        ("ผ้าพันคอไหมไทย", "Thai silk scarf", "泰国丝绸围巾", "50072090", 89_000, 21_000, 80,
         [], "ผ้าพันคอไหมแท้ ทอลายขิด เนื้อนุ่ม เหมาะเป็นของฝาก"),
        ("ผ้าฝ้ายย้อมครามทอมือ", "Handwoven indigo cotton", "泰国手工靛蓝棉布", "52085990", 65_000, 15_000, 300,
         ["organic"], "ผ้าฝ้ายทอมือย้อมครามธรรมชาติ สีไม่ตก"),
    ],
    "rice": [
        ("ข้าวหอมมะลิทุ่งกุลา 5 กก.", "Thung Kula Hom Mali rice 5 kg", "泰国茉莉香米 5公斤", "10063040", 29_000,
         6_900, 5_000, ["organic"], "ข้าวหอมมะลิ 105 ปลูกในทุ่งกุลาร้องไห้ หอม นุ่ม"),
        ("ข้าวกล้องหอมมะลิ 1 กก.", "Brown Hom Mali rice 1 kg", "泰国茉莉糙米 1公斤", "10062010", 9_500, 2_300, 1_000,
         ["organic"], "ข้าวกล้องหอมมะลิ อุดมด้วยใยอาหาร"),
    ],
    "handicrafts": [
        ("เสื่อกกทอลายจันทบูร", "Chanthaburi woven reed mat", "尖竹汶编织草席", "46012900", 45_000, None, 1_200,
         [], "เสื่อกกทอมือลายดั้งเดิม พับเก็บง่าย"),
        ("ตะกร้าไม้ไผ่สาน", "Woven bamboo basket", "泰国竹编篮", "46019290", 25_000, None, 400,
         [], "ตะกร้าไม้ไผ่สานมือ แข็งแรง ใช้ได้นาน"),
    ],
    "furniture": [
        ("เก้าอี้ไม้สักแกะสลัก", "Carved teak chair", "柚木雕花椅", "94016990", 480_000, None, 9_000,
         [], "เก้าอี้ไม้สักแกะสลักลายไทย งานช่างด่านเกวียน"),
    ],
    "cosmetics": [
        ("ครีมบำรุงผิวน้ำมันมะพร้าว", "Coconut oil skin cream", "椰子油护肤霜", "33049930", 19_000, 4_500, 120,
         ["fda"], "ครีมบำรุงผิวจากน้ำมันมะพร้าวสกัดเย็น"),
    ],
    "herbal": [
        ("น้ำมันหอมระเหยตะไคร้", "Lemongrass essential oil", "香茅精油", "33012910", 15_000, 3_500, 50,
         ["fda", "organic"], "น้ำมันหอมระเหยตะไคร้บริสุทธิ์ กลั่นจากตะไคร้ปลอดสาร"),
        ("ขมิ้นชันผง", "Turmeric powder", "姜黄粉", "09103000", 9_000, 2_100, 100,
         ["fda", "gmp"], "ขมิ้นชันบดละเอียด สมุนไพรไทย"),
    ],
    "food": [
        ("หมี่โคราชเส้นแห้ง", "Korat dried rice noodles", "呵叻米粉", "19021920", 6_000, 1_400, 500,
         ["fda"], "เส้นหมี่ข้าวเจ้าตากแดด สูตรดั้งเดิมโคราช"),
        ("น้ำตาลมะพร้าวแท้", "Pure coconut sugar", "纯椰子糖", "17019990", 8_500, 2_000, 500,
         ["fda"], "น้ำตาลมะพร้าวเคี่ยวจากน้ำตาลสดอัมพวา"),
    ],
    "spices": [
        ("พริกไทยดำบด", "Ground black pepper", "黑胡椒粉", "09041220", 7_500, 1_800, 100,
         ["fda", "halal"], "พริกไทยดำจันทบุรีบดสด หอมเผ็ด"),
        ("พริกแกงเขียวหวาน", "Green curry paste", "泰式绿咖喱酱", "21069099", 5_500, 1_300, 200,
         ["fda", "halal"], "พริกแกงเขียวหวานสูตรแม่ครัว ไม่ใส่สารกันบูด"),
    ],
    "seafood": [
        ("ปลาหวานสงขลา", "Songkhla sweet fish", "宋卡甜鱼干", "21069099", 15_000, 3_500, 200,
         ["fda", "halal"], "ปลาทูหวานตากแห้ง สูตรสงขลา"),
    ],
    "beverages": [
        ("น้ำสับปะรดหอมประจวบ", "Prachuap pineapple juice", "巴蜀菠萝汁", "20094900", 4_500, 1_100, 350,
         ["fda"], "น้ำสับปะรดแท้ 100% จากสับปะรดหอมประจวบ"),
    ],
}  # fmt: skip


@transaction.atomic
def load() -> dict:
    categories = {c.code: c for c in GoodsCategory.objects.all()}
    shops = (
        Enterprise.objects.filter(status=VerificationStatus.VERIFIED)
        .prefetch_related("categories")
        .order_by("pk")
    )
    serial = 0
    for index, shop in enumerate(shops):
        if Product.objects.filter(enterprise=shop).exists():
            continue
        codes = [c.code for c in shop.categories.all() if c.code in GOODS] or ["food"]
        goods = [(code, spec) for code in codes for spec in GOODS[code]][:3]
        for code, (th, en, zh, hs, price, cny, grams, certs, description) in goods:
            serial += 1
            sku = f"{shop.uid.hex[:6].upper()}-{serial:03d}"
            create_product(
                enterprise=shop,
                by=shop.owner,
                product={
                    "name_th": th, "name_en": en, "name_zh": zh, "description_th": description,
                    "description_en": "", "description_zh": "", "category": categories[code],
                    "brand": shop.name_en or shop.name_th, "province_code": shop.province_code,
                    "otop_stars": 4 if shop.kind == "otop" else None, "certifications": certs, "hs_code": hs,
                },
                variants=[{"sku": sku, "barcode": "", "price_satang": price, "cny_price_fen": cny, "weight_g": grams}],
                stock_by_sku={sku: 20 + (index * 7) % 40},
            )  # fmt: skip
    return {"products": Product.objects.count()}
