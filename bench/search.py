"""How fast is product search? Indexing throughput, and query latency at 100,000 and 1,000,000 products.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/search.py [--quick] [--sizes 100000,1000000]

Runs in a throwaway test database (Django's test-database machinery, `test_talat_bench_search`)
on whatever TALAT_DATABASE_URL names. PostgreSQL runs every size (default 100,000 then
1,000,000: the catalogue grows from one size to the next; --quick: 20,000); SQLite runs 5,000
products only (its ranking costs a subquery per matching row).

The catalogue: products composed from a vocabulary of real Thai product words (ทุเรียนอบแห้ง,
ผ้าไหมมัดหมี่, ข้าวหอมมะลิ, ...) with their English and Chinese names, a modifier, a brand and a
pack size, spread over 2,000 verified enterprises (and 40 pending ones, whose products are indexed
but never found) with a skewed share each, in the 12 goods categories and the 77 provinces.
Products, variants and search entries are written with COPY (PostgreSQL) or `insert_rows`
(SQLite). The search entries' segmented `title`/`tokens` come from `words.joined`, run once per
distinct vocabulary phrase and composed: exact because every phrase boundary is a space or
punctuation, and checked: the entries of the 5,000 products that go through the real
`index_products` afterwards are compared with what the bulk load wrote (words, facet keys and the
vocabulary). The GIN index of the search entries is dropped for the bulk load and rebuilt after it;
then VACUUM ANALYZE.

Query latency is `engine.search(q, ...)` (one call returns the page of 20 products with their
variants), timed call by call for 7 query kinds, each cycling through 5 to 8 queries, with and
without facets: 50 calls a row, fewer when a row passes 30 s (only rows far over the target).
Baseline, on the same data in the same run: `Product.objects.filter(Q(name_th__icontains=term) |
Q(name_en__icontains=term) | Q(name_zh__icontains=term) | Q(description_th__icontains=term))[:20]`,
an ILIKE '%term%' scan. A second table splits search + facets by statement (vocabulary lookups,
the candidate statement, the page's products) and Python; the plan (EXPLAIN ANALYZE) of the
slowest statement of the slowest row is printed (--explain: of every row at the largest size).
Target (from the issue, for PostgreSQL): p95 under 50 ms at 1,000,000 products. Nothing here
asserts on time.
"""

import argparse
import functools
import gc
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.* lives at the repo root
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402
from _common import percentile, print_header, print_table, throwaway_database  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
QUICK_SIZE = 20_000
SQLITE_SIZE = 5_000  # SQLite ranks with a bm25 subquery per matching row: slow on broad queries
ENTERPRISES = 2_000  # verified
PENDING_ENTERPRISES = 40  # their products are indexed but must never be found
CHUNK = 10_000  # products generated and copied per step
LOAD_THREADS = 2  # PostgreSQL: chunks are generated and copied on this many connections at once
INDEX_SAMPLE = 5_000  # products re-indexed through the real index_products
INDEX_BATCH = 500
QUERIES_PER_KIND = 50  # timed searches per row (cycling through its queries), after one untimed call
ROW_BUDGET_S, FLOOR_QUERIES = 30, 5  # a slow row stops after ROW_BUDGET_S once it has FLOOR_QUERIES
BASELINE_BUDGET_S = 10  # the ILIKE scan takes seconds at a million rows: it stops after this long,
MIN_BASELINE = 5  # once it has this many
BOTH = f"all GIN indexes, built on {LOAD_THREADS} connections at once (wall clock)"
TARGET = "p95 < 50 ms at 1,000,000"
SEED = 2569
DATABASE = "test_talat_bench_search"

# --- vocabulary ---------------------------------------------------------------------------------------
# (Thai, English, Chinese, typical price in baht) per goods category.
KINDS = {
    "fruit": [
        ("ทุเรียนอบแห้ง", "dried durian", "榴莲干", 350),
        ("ทุเรียนทอดกรอบ", "crispy fried durian", "炸榴莲片", 290),
        ("มะม่วงอบแห้ง", "dried mango", "芒果干", 120),
        ("มะม่วงกวน", "mango paste", "芒果糕", 80),
        ("ลำไยอบแห้ง", "dried longan", "龙眼干", 150),
        ("กล้วยตาก", "sun dried banana", "香蕉干", 60),
        ("มะขามหวาน", "sweet tamarind", "甜酸角", 90),
        ("ขนุนอบกรอบ", "crispy jackfruit", "菠萝蜜干", 110),
        ("มังคุดอบแห้ง", "dried mangosteen", "山竹干", 180),
    ],
    "food": [
        ("กล้วยฉาบ", "banana chips", "香蕉片", 50),
        ("ทองม้วน", "rolled coconut wafer", "椰子蛋卷", 70),
        ("ข้าวแต๋น", "crispy rice cake", "米饼", 60),
        ("หมูแผ่น", "crispy pork sheet", "猪肉脯", 120),
        ("น้ำพริกนรก", "roasted chili dip", "泰式辣椒酱", 65),
        ("แหนมเนือง", "nem nuong pork", "越式烤肉", 150),
    ],
    "rice": [
        ("ข้าวหอมมะลิ", "jasmine rice", "茉莉香米", 60),
        ("ข้าวกล้องหอมมะลิ", "brown jasmine rice", "糙米", 75),
        ("ข้าวไรซ์เบอร์รี่", "riceberry rice", "莓果米", 90),
        ("ข้าวเหนียว", "glutinous rice", "糯米", 55),
        ("ข้าวสังข์หยด", "sangyod rice", "桑约米", 95),
    ],
    "coffee-tea": [
        ("กาแฟคั่วบด", "ground roasted coffee", "烘焙咖啡粉", 280),
        ("เมล็ดกาแฟอาราบิก้า", "arabica coffee beans", "阿拉比卡咖啡豆", 420),
        ("ชาอู่หลง", "oolong tea", "乌龙茶", 250),
        ("ชาเขียว", "green tea", "绿茶", 150),
        ("ชาไทย", "thai tea", "泰式奶茶", 120),
        ("ชาดอกอัญชัน", "butterfly pea tea", "蝶豆花茶", 130),
    ],
    "spices": [
        ("น้ำพริกเผา", "chili paste", "辣椒酱", 75),
        ("พริกไทยดำ", "black pepper", "黑胡椒", 95),
        ("น้ำปลา", "fish sauce", "鱼露", 45),
        ("ผงกะหรี่", "curry powder", "咖喱粉", 60),
        ("เครื่องแกงเขียวหวาน", "green curry paste", "绿咖喱酱", 70),
        ("กะปิ", "shrimp paste", "虾酱", 80),
    ],
    "herbal": [
        ("สบู่สมุนไพร", "herbal soap", "草药香皂", 59),
        ("ยาหม่องสมุนไพร", "herbal balm", "青草膏", 45),
        ("ขมิ้นชันแคปซูล", "turmeric capsules", "姜黄胶囊", 250),
        ("ลูกประคบสมุนไพร", "herbal compress ball", "草药热敷球", 120),
        ("ยาดมสมุนไพร", "herbal inhaler", "草药鼻通", 35),
        ("ฟ้าทะลายโจร", "andrographis capsules", "穿心莲胶囊", 180),
    ],
    "cosmetics": [
        ("สบู่น้ำผึ้ง", "honey soap", "蜂蜜香皂", 69),
        ("เซรั่มน้ำนมข้าว", "rice milk serum", "米乳精华", 390),
        ("น้ำมันมะพร้าวสกัดเย็น", "cold pressed coconut oil", "冷压椰子油", 220),
        ("โลชั่นมะขาม", "tamarind lotion", "罗望子乳液", 150),
        ("สครับขมิ้น", "turmeric scrub", "姜黄磨砂膏", 120),
    ],
    "textiles": [
        ("ผ้าไหมมัดหมี่", "mudmee silk", "泰国扎经丝绸", 2500),
        ("ผ้าพันคอไหม", "silk scarf", "丝绸围巾", 890),
        ("ผ้าซิ่นไหม", "silk sarong", "丝绸筒裙", 1800),
        ("ผ้าขาวม้า", "pha khao ma cotton cloth", "泰式水布", 150),
        ("ผ้าฝ้ายทอมือ", "handwoven cotton", "手织棉布", 450),
        ("ผ้าครามย้อมธรรมชาติ", "natural indigo cloth", "天然靛蓝染布", 650),
    ],
    "handicrafts": [
        ("ตะกร้าสาน", "woven basket", "编织篮", 250),
        ("กระเป๋าผักตบชวา", "water hyacinth bag", "水葫芦包", 390),
        ("เครื่องปั้นดินเผา", "clay pottery", "陶器", 320),
        ("ร่มกระดาษสา", "mulberry paper umbrella", "桑皮纸伞", 450),
        ("เครื่องเงินสลัก", "engraved silverware", "雕花银器", 1900),
        ("กระติบข้าว", "sticky rice basket", "糯米饭篓", 120),
    ],
    "furniture": [
        ("โต๊ะไม้สัก", "teak table", "柚木桌", 8500),
        ("เก้าอี้หวาย", "rattan chair", "藤椅", 2900),
        ("โคมไฟไม้ไผ่", "bamboo lamp", "竹灯", 890),
        ("หมอนอิงผ้าขิด", "khit cushion", "泰式刺绣靠垫", 450),
        ("ชั้นวางไม้", "wooden shelf", "木架", 1500),
    ],
    "beverages": [
        ("น้ำมะพร้าว", "coconut water", "椰子水", 35),
        ("น้ำกระเจี๊ยบ", "roselle juice", "洛神花汁", 30),
        ("น้ำผึ้งดอกลำไย", "longan honey", "龙眼蜂蜜", 220),
        ("น้ำตาลมะพร้าว", "coconut sugar", "椰糖", 90),
        ("ไวน์มะเม่า", "mao berry wine", "酸浆果酒", 450),
    ],
    "seafood": [
        ("ปลาหมึกแห้ง", "dried squid", "鱿鱼干", 450),
        ("กุ้งแห้ง", "dried shrimp", "虾干", 390),
        ("ปลาเค็ม", "salted fish", "咸鱼", 180),
        ("น้ำพริกปลาทู", "mackerel chili dip", "鲭鱼辣椒酱", 85),
        ("ปลาสลิดแดดเดียว", "sun dried gourami", "干晒鱼", 250),
    ],
}
HS_CODES = {
    "fruit": "08134000", "food": "19059090", "rice": "10063099", "coffee-tea": "09012120",
    "spices": "21039013", "herbal": "33074910", "cosmetics": "33049990", "textiles": "50072090",
    "handicrafts": "46021990", "furniture": "94036090", "beverages": "22029990", "seafood": "03075900",
}  # fmt: skip
# (Thai, English, Chinese, grams, price factor): the single variant's option.
WEIGHTS = [
    ("100 กรัม", "100 g", "100克", 100, 1.0),
    ("250 กรัม", "250 g", "250克", 250, 2.2),
    ("500 กรัม", "500 g", "500克", 500, 4.0),
    ("1 กิโลกรัม", "1 kg", "1公斤", 1000, 7.0),
]
VOLUMES = [
    ("250 มล.", "250 ml", "250毫升", 280, 1.0),
    ("500 มล.", "500 ml", "500毫升", 540, 1.8),
    ("1 ลิตร", "1 litre", "1升", 1050, 3.2),
]
PIECES = [
    ("ขนาดเล็ก", "small", "小号", 300, 1.0),
    ("ขนาดกลาง", "medium", "中号", 800, 1.6),
    ("ขนาดใหญ่", "large", "大号", 2000, 2.5),
]
SIZES = {"beverages": VOLUMES, "textiles": PIECES, "handicrafts": PIECES, "furniture": PIECES}
MODIFIERS = [
    ("เกรดพรีเมียม", "premium grade", "优质"),
    ("ออร์แกนิก", "organic", "有机"),
    ("สูตรดั้งเดิม", "original recipe", "传统配方"),
    ("ทำมือ", "handmade", "手工"),
    ("เกรดส่งออก", "export grade", "出口级"),
    ("สินค้าโอทอป", "otop product", "一村一品"),
    ("ของฝาก", "souvenir", "伴手礼"),
    ("ชุดของขวัญ", "gift set", "礼盒装"),
    ("แพ็กประหยัด", "value pack", "超值装"),
]
BRANDS = [
    ("บ้านสวน", "Baan Suan"), ("สวนป้าแดง", "Pa Daeng Garden"), ("บ้านไร่ภูคำ", "Baan Rai Phu Kham"),
    ("ชาวนาไทย", "Chao Na Thai"), ("ดอยงาม", "Doi Ngam"), ("ทองดี", "Thong Dee"), ("ศรีสยาม", "Sri Siam"),
    ("ลำน้ำน่าน", "Lam Nam Nan"), ("บ้านไหม", "Baan Mai"), ("ผึ้งหลวง", "Phueng Luang"),
    ("แม่ศรีสมุนไพร", "Mae Sri Herbs"), ("ริมโขง", "Rim Khong"), ("ทะเลใต้", "Thale Tai"), ("ภูพาน", "Phu Phan"),
    ("นาคาหัตถศิลป์", "Naga Craft"), ("ไผ่งาม", "Phai Ngam"), ("รวงข้าว", "Ruang Khao"),
    ("มะลิทอง", "Mali Thong"), ("บ้านนาดี", "Baan Na Dee"), ("ฟ้าใส", "Fah Sai"), ("ใบเตย", "Bai Toey"),
    ("จันทร์หอม", "Chan Hom"), ("สายน้ำผึ้ง", "Sai Nam Phueng"), ("เรือนไทย", "Ruean Thai"),
    ("ช้างน้อย", "Chang Noi"), ("ดาวเหนือ", "Dao Nuea"), ("อิ่มสุข", "Im Suk"), ("ล้านนาโฮม", "Lanna Home"),
    ("อีสานแซ่บ", "Isan Zaap"), ("ปักษ์ใต้", "Pak Tai"), ("ทุ่งทอง", "Thung Thong"),
    ("สวนลุงชม", "Lung Chom Orchard"), ("ครัวยาย", "Krua Yai"), ("บุญมา", "Boonma"),
    ("เพชรบ้านนา", "Phet Baan Na"), ("ไหมงาม", "Mai Ngam Silk"), ("ศิลป์ถิ่น", "Sin Thin Craft"),
    ("ต้นกล้า", "Ton Kla"), ("แม่กิมลั้ง", "Mae Kim Lang"), ("สามพราน", "Sam Phran Farm"),
]  # fmt: skip
FEATURES = {
    "fruit": [
        ("หวานกรอบ อร่อย", "Sweet and crunchy", "香甜酥脆"),
        ("คัดผลสุกจากสวน", "Picked ripe", "精选成熟果实"),
    ],
    "food": [("กรอบอร่อย", "Crispy and tasty", "酥脆可口"), ("สูตรคุณยาย", "Grandmother's recipe", "外婆配方")],
    "rice": [
        ("หุงขึ้นหม้อ นุ่มหอม", "Soft and fragrant", "软糯香甜"),
        ("ข้าวใหม่ต้นฤดู", "New season crop", "当季新米"),
    ],
    "coffee-tea": [
        ("หอมกรุ่น", "Rich aroma", "香气浓郁"),
        ("ปลูกบนดอยสูง", "Grown in the highlands", "高山种植"),
    ],
    "spices": [("รสจัดจ้าน", "Bold flavour", "味道浓郁"), ("ไม่ใส่ผงชูรส", "No MSG", "不含味精")],
    "herbal": [("สมุนไพรไทยแท้", "Pure Thai herbs", "纯泰国草药"), ("ช่วยผ่อนคลาย", "Relaxing", "舒缓放松")],
    "cosmetics": [("อ่อนโยนต่อผิว", "Gentle on skin", "温和护肤"), ("ผิวชุ่มชื้น", "Moisturising", "保湿滋润")],
    "textiles": [
        ("ทอมือลายโบราณ", "Hand woven in a traditional pattern", "传统花纹手工编织"),
        ("สีย้อมธรรมชาติ", "Natural dyes", "天然染料"),
    ],
    "handicrafts": [
        ("งานฝีมือช่างพื้นบ้าน", "Made by local artisans", "当地工匠制作"),
        ("วัสดุธรรมชาติ", "Natural materials", "天然材料"),
    ],
    "furniture": [
        ("ไม้เนื้อแข็ง ทนทาน", "Durable hardwood", "坚固硬木"),
        ("ดีไซน์ร่วมสมัย", "Contemporary design", "现代设计"),
    ],
    "beverages": [("สดชื่น ดื่มง่าย", "Refreshing", "清爽可口"), ("ไม่ใส่น้ำตาล", "No added sugar", "无添加糖")],
    "seafood": [
        ("ตากแดดธรรมชาติ", "Naturally sun dried", "自然晒干"),
        ("สดจากทะเลอันดามัน", "Fresh from the Andaman Sea", "安达曼海新鲜捕捞"),
    ],
}
CLOSINGS = [
    ("เก็บในที่แห้งและเย็น", "Store in a cool dry place", "请存放于阴凉干燥处"),
    ("จัดส่งทั่วประเทศ", "Ships nationwide", "全国配送"),
    ("ผลิตโดยชุมชนท้องถิ่น", "Made by a local community", "由当地社区生产"),
    ("ไม่ใส่สารกันบูด", "No preservatives", "不含防腐剂"),
    ("ได้รับเครื่องหมายมาตรฐาน", "Certified quality", "质量认证"),
]
ENTERPRISE_KINDS = [
    ("community", "วิสาหกิจชุมชน", "Community Enterprise"),
    ("company", "บริษัท ", "Co Ltd"),
    ("partnership", "ห้างหุ้นส่วนจำกัด ", "Ltd Part"),
    ("otop", "กลุ่มผู้ผลิต", "Producers Group"),
]
CATEGORY_CODES = sorted(KINDS)
CERT_CHANCE = {"fda": 0.35, "gmp": 0.15, "halal": 0.1, "organic": 0.08}

# Query kinds: each row cycles through its queries.
PLAIN_QUERIES = {
    "Thai, one word": ("ทุเรียน", "มะม่วง", "กาแฟ", "ผ้าไหม", "สบู่", "ลำไย", "ตะกร้า", "น้ำปลา"),
    "Thai, two words": (
        "ทุเรียน อบแห้ง", "มะม่วง กวน", "ผ้าไหม มัดหมี่", "สบู่ สมุนไพร", "ข้าว หอมมะลิ", "ชา เขียว", "โต๊ะ ไม้สัก",
    ),
    "Thai, prefix as typed": ("ทุเรียนอบ", "มะม่วงกว", "ผ้าไหมมัด", "กาแฟคั่ว", "สบู่สมุน", "ข้าวหอ", "ลำไยอ"),
    "English": (
        "silk scarf", "dried durian", "jasmine rice", "herbal soap", "coffee beans", "dried mango",
        "teak table",
    ),
    "Chinese": ("泰国榴莲干", "茉莉香米", "丝绸围巾", "草药香皂", "芒果干", "龙眼干", "乌龙茶"),
    "misspelt (Thai and English)": (
        "ทุเรียนอบแหง", "มะมวงอบแห้ง", "ผ้าใหม", "duriam", "cofee beens", "silck scraf", "jasmin rize",
    ),
}  # fmt: skip
FILTERED_QUERIES = [
    ("ทุเรียน", {"category": "fruit", "price": "100-500"}),
    ("ผ้าไหม", {"category": "textiles", "province": "32"}),
    ("กาแฟ", {"category": "coffee-tea", "certification": "organic"}),
    ("สบู่", {"price": "0-100", "province": "50"}),
    ("ข้าว", {"category": "rice", "province": "45"}),
]
QUERY_KINDS = [(label, [(q, {}) for q in queries]) for label, queries in PLAIN_QUERIES.items()]
QUERY_KINDS.append(("Thai word + category/price/province filters", FILTERED_QUERIES))


@functools.cache
def seg(phrase):
    """words.joined of one vocabulary phrase, computed once; its words join VOCABULARY."""
    from talat.catalog.search.words import joined

    segmented = joined(phrase)
    VOCABULARY.update(segmented.split())
    return segmented


VOCABULARY = set()  # every word of every search entry written so far (all come from seg)
LOADED_WORDS = set()  # those already in catalog_searchword


def segs(*phrases):
    return " ".join(s for s in map(seg, phrases) if s)


@dataclass
class Shop:
    id: int
    province: object
    categories: list
    brands: list
    name_th: str
    name_en: str


@dataclass
class World:
    shops: list
    cum_weights: list
    categories: dict  # code -> GoodsCategory
    provinces: list


def ms(ns):
    return f"{ns / 1e6:,.1f} ms"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- the catalogue -------------------------------------------------------------------------------------


def build_world(rng):
    import geothai

    from talat.accounts.models import Role, User
    from talat.registry.models import Enterprise, GoodsCategory, registration_index, tax_index
    from tests.factories import juristic_id

    categories = {c.code: c for c in GoodsCategory.objects.all()}
    assert set(categories) == set(KINDS), sorted(categories)
    provinces = geothai.provinces()
    owner = User.objects.create_user(
        "bench-search-owner@example.th", None, full_name="ทดสอบ", role=Role.SME_OWNER
    )
    shops = []
    for n in range(ENTERPRISES + PENDING_ENTERPRISES):
        province = rng.choice(provinces)
        district = rng.choice(geothai.districts(province.code))
        subdistrict = rng.choice(geothai.subdistricts(district.code))
        kind, prefix_th, suffix_en = rng.choice(ENTERPRISE_KINDS)
        brand_th, brand_en = rng.choice(BRANDS)
        number = juristic_id(n)
        shops.append(
            Enterprise(
                kind=kind,
                registration_number=number,
                registration_index=registration_index(kind, number),
                tax_id=number,
                tax_index=tax_index(number),
                name_th=f"{prefix_th}{brand_th} {district.name_th}",
                name_en=f"{brand_en} {district.name_en} {suffix_en}",
                address_line=f"{rng.randint(1, 299)} หมู่ {rng.randint(1, 12)}",
                province_code=province.code,
                district_code=district.code,
                subdistrict_code=subdistrict.code,
                postal_code=subdistrict.postal_codes[0],
                phone=f"08{rng.randint(10_000_000, 99_999_999)}",
                email=f"shop{n}@example.th",
                status="verified" if n < ENTERPRISES else "pending",
                owner=owner,
            )
        )
    Enterprise.objects.bulk_create(shops, batch_size=500)
    codes = sorted(categories)
    world = []
    for shop in Enterprise.objects.order_by("pk"):
        own = rng.sample(codes, rng.choice((1, 1, 2)))
        world.append(Shop(shop.pk, shop.province, own, rng.sample(BRANDS, 2), shop.name_th, shop.name_en))
    rng.shuffle(world)
    # A skewed share: a few shops list many products, most list a few hundred at a million.
    weights = [1 / (rank + 10) ** 0.7 for rank in range(len(world))]
    cum, total = [], 0.0
    for weight in weights:
        total += weight
        cum.append(total)
    return World(world, cum, categories, provinces)


PRODUCT_COLUMNS = (
    "id", "created_at", "updated_at", "uid", "enterprise_id", "name_th", "name_en", "name_zh",
    "description_th", "description_en", "description_zh", "category_id", "brand", "province_code",
    "otop_stars", "certifications", "hs_code", "status",
)  # fmt: skip
VARIANT_COLUMNS = (
    "id", "enterprise_id", "product_id", "sku", "barcode", "option_th", "option_en", "option_zh",
    "price_satang", "cny_price_fen", "weight_g", "length_mm", "width_mm", "height_mm", "available",
    "reserved",
)  # fmt: skip
ENTRY_COLUMNS = (
    "product_id", "enterprise_id", "title", "tokens", "active", "category_id", "province_code",
    "min_price_satang", "certifications", "facets",
)  # fmt: skip


def generate(first_id, count, rng, world, now):
    """Rows for products first_id .. first_id + count - 1, one variant each, and their search entries."""
    from talat.catalog.search.engine import facet_keys

    products, variants, entries = [], [], []
    shops, cum = world.shops, world.cum_weights
    for pid in range(first_id, first_id + count):
        shop = rng.choices(shops, cum_weights=cum)[0]
        code = rng.choice(shop.categories) if rng.random() < 0.9 else rng.choice(CATEGORY_CODES)
        category = world.categories[code]
        kind_th, kind_en, kind_zh, baht = rng.choice(KINDS[code])
        mod_th, mod_en, mod_zh = rng.choice(MODIFIERS) if rng.random() < 0.6 else ("", "", "")
        brand_th, brand_en = rng.choice(shop.brands)
        province = shop.province if rng.random() < 0.85 else rng.choice(world.provinces)
        option_th, option_en, option_zh, grams, factor = rng.choice(SIZES.get(code, WEIGHTS))
        feature = rng.choice(FEATURES[code])
        closing = rng.choice(CLOSINGS)
        zh_name = ("泰国" if rng.random() < 0.4 else "") + mod_zh + kind_zh

        name_th = " ".join(p for p in (kind_th, mod_th, brand_th) if p)
        name_en = " ".join(p for p in (brand_en, mod_en, kind_en) if p)
        produced_th = f"ผลิตที่จังหวัด{province.name_th}"
        from_en = f"{kind_en.capitalize()} from {province.name_en} Thailand."
        description_th = f"{kind_th} {feature[0]} {produced_th} {closing[0]}"
        description_en = f"{from_en} {feature[1]}. {closing[1]}."
        description_zh = f"{kind_zh}，{feature[2]}，产自泰国，{closing[2]}。"
        options = f"{option_th} {option_en} {option_zh}"

        certs = sorted(c for c, chance in CERT_CHANCE.items() if rng.random() < chance)
        price = max(1_00, round(baht * factor * rng.lognormvariate(0, 0.35)) * 100)
        status = "active" if rng.random() < 0.97 else rng.choice(("draft", "archived"))

        title = segs(kind_th, mod_th, brand_th, brand_en, mod_en, kind_en, zh_name)
        rest = " ".join(
            s
            for s in (
                segs(kind_th, feature[0], produced_th, closing[0]),
                segs(from_en, feature[1] + ".", closing[1] + "."),
                segs(kind_zh, feature[2], "产自泰国", closing[2]),
                seg(brand_th),
                segs(category.name_th, category.name_en, category.name_zh),
                segs(province.name_th, province.name_en),
                segs(shop.name_th, shop.name_en),
                seg(options),
            )
            if s
        )
        products.append(
            (pid, now, now, uuid.UUID(int=rng.getrandbits(128), version=4), shop.id, name_th, name_en,
             zh_name, description_th, description_en, description_zh, category.pk, brand_th, province.code,
             rng.choice((None, None, 3, 4, 5)), certs, HS_CODES[code], status)
        )  # fmt: skip
        variants.append(
            (pid, shop.id, pid, f"SKU-{pid:07d}", "", option_th, option_en, option_zh, price, None, grams,
             None, None, None, rng.randint(0, 500), 0)
        )  # fmt: skip
        entries.append(
            (pid, shop.id, title, f"{title} {rest}".strip(), status == "active", category.pk, province.code,
             price, " ".join(certs), facet_keys(code, province.code, price, certs))
        )  # fmt: skip
    return products, variants, entries


def write(connection, model, columns, rows):
    from talat.core.sql import insert_rows

    fields = [model._meta.get_field(c) for c in columns]
    if connection.vendor != "postgresql":  # insert_rows leaves UUIDs to the driver, which sqlite3 refuses
        uuid_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "UUIDField"]
        rows = [tuple(v.hex if i in uuid_at else v for i, v in enumerate(row)) for row in rows]
        insert_rows(model, columns, rows)
        return
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    connection.ensure_connection()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)


def search_index_statements(connection):
    """CREATE / DROP INDEX statements of the search entries' GIN indexes, as the migrations made them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_searchentry'"
            " AND indexdef LIKE '%%USING gin%%' ORDER BY indexname"
        )
        found = cursor.fetchall()
    assert found, "no GIN index on catalog_searchentry"
    return [definition for _name, definition in found], [f"DROP INDEX {name}" for name, _d in found]


def in_threads(fn, items, workers):
    """Calls fn(item) for every item on `workers` threads, each with its own database connection
    (closed at the end); returns the per-thread lists of results. One worker: the calling thread."""
    from django.db import connection

    if workers == 1:
        return [[fn(item) for item in items]]
    pending = list(reversed(items))
    lock = threading.Lock()
    results, errors = [[] for _ in range(workers)], []

    def work(mine):
        try:
            while True:
                with lock:
                    if not pending or errors:
                        return
                    item = pending.pop()
                mine.append(fn(item))
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(results[n],)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def grow(connection, world, have, want):
    """Adds products have+1 .. want with COPY (two threads on PostgreSQL), rebuilding the search
    entries' GIN indexes; returns {step: seconds} (per-step thread time summed over threads)."""
    from django.db import connection as thread_connection
    from django.utils import timezone

    from talat.catalog.models import Product, SearchEntry, SearchWord, Variant

    for model, columns in (
        (Product, PRODUCT_COLUMNS),
        (Variant, VARIANT_COLUMNS),
        (SearchEntry, ENTRY_COLUMNS),
    ):
        assert set(columns) == {f.attname for f in model._meta.concrete_fields}, model  # every column, once
    postgres = connection.vendor == "postgresql"
    workers = LOAD_THREADS if postgres else 1
    create, drop = search_index_statements(connection) if postgres else ([], [])
    if postgres:
        with connection.cursor() as cursor:
            for statement in drop:
                cursor.execute(statement)
    now = timezone.now()
    seg("ทุเรียน 榴莲")  # loads the dictionaries once, before the threads share them

    def load(first):
        spent = {}
        start = time.perf_counter()
        rows = generate(first, min(CHUNK, want + 1 - first), random.Random(f"{SEED}-{first}"), world, now)
        spent["generate rows, compose segmentations (Python)"] = time.perf_counter() - start
        for model, columns, chunk in zip(
            (Product, Variant, SearchEntry),
            (PRODUCT_COLUMNS, VARIANT_COLUMNS, ENTRY_COLUMNS),
            rows,
            strict=True,
        ):
            start = time.perf_counter()
            write(thread_connection, model, columns, chunk)
            spent[f"{'COPY' if postgres else 'insert_rows'} {model._meta.db_table}"] = (
                time.perf_counter() - start
            )
        return spent

    started = time.perf_counter()
    timings = {"load": 0.0}
    for per_thread in in_threads(load, list(range(have + 1, want + 1, CHUNK)), workers):
        for spent in per_thread:
            for step, seconds in spent.items():
                timings[step] = timings.get(step, 0.0) + seconds
    start = time.perf_counter()
    new_words = sorted(VOCABULARY - LOADED_WORDS)
    write(connection, SearchWord, ("word",), [(w,) for w in new_words])
    LOADED_WORDS.update(new_words)
    timings[f"{'COPY' if postgres else 'insert_rows'} catalog_searchword ({len(new_words):,} new words)"] = (
        time.perf_counter() - start
    )
    timings["load"] = time.perf_counter() - started
    if not postgres:
        return timings, {}
    with connection.cursor() as cursor:
        for table in ("catalog_product", "catalog_variant"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [want])

    def build(statement):
        with thread_connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            start = time.perf_counter()
            cursor.execute(statement)
            partial = " WHERE " in statement  # one of the per-bucket indexes: summed as one row
            name = (
                f"{len(create) - 1} partial GIN indexes (thread-s)"
                if partial
                else f"GIN index {statement.split()[2]}"
            )
            return name, time.perf_counter() - start

    started = time.perf_counter()
    builds = {}
    for per_thread in in_threads(build, create, LOAD_THREADS):
        for name, seconds in per_thread:
            builds[name] = builds.get(name, 0.0) + seconds
    builds[BOTH] = time.perf_counter() - started
    return timings, builds


def vacuum_analyze(connection):
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "VACUUM (ANALYZE) catalog_product, catalog_variant, catalog_searchentry, registry_enterprise"
            )
        else:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


# --- indexing through the real path ---------------------------------------------------------------------


def index_sample(size, rng):
    """index_products on INDEX_SAMPLE random products in batches of INDEX_BATCH, and entry_for alone.
    Returns (rows for the table, how many re-indexed entries equal the bulk-loaded ones, sample size)."""
    from talat.catalog.models import Product, SearchEntry, SearchWord
    from talat.catalog.search import engine

    words_before = SearchWord.objects.count()
    sample = rng.sample(range(1, size + 1), min(INDEX_SAMPLE, size))
    entries = SearchEntry.objects.filter(pk__in=sample).values_list("pk", "title", "tokens", "facets")
    loaded = {pk: rest for pk, *rest in entries}
    engine.index_products(rng.sample(range(1, size + 1), 50))  # warm-up: loads the dictionaries
    batches = [sample[i : i + INDEX_BATCH] for i in range(0, len(sample), INDEX_BATCH)]
    index_times, entry_times = [], []
    for batch in batches:
        gc.collect()
        start = time.perf_counter_ns()
        written = engine.index_products(batch)
        index_times.append(time.perf_counter_ns() - start)
        assert written == len(batch), (written, len(batch))
        products = list(
            Product.objects.filter(pk__in=batch)
            .select_related("enterprise", "category")
            .prefetch_related("variants")
        )
        gc.collect()
        start = time.perf_counter_ns()
        for product in products:
            engine.entry_for(product)
        entry_times.append(time.perf_counter_ns() - start)
    after = {pk: rest for pk, *rest in entries.all()}
    same = sum(1 for pk in sample if loaded.get(pk) == after.get(pk))
    words = (words_before, SearchWord.objects.count())
    if same != len(sample):
        for pk in sample:
            if loaded.get(pk) != after.get(pk):
                print(f"MISMATCH product {pk}:\n  bulk:  {loaded.get(pk)}\n  index: {after.get(pk)}")
                break
    rows = []
    for label, times in (
        (f"index_products (ORM read, PyThaiNLP/jieba, upsert), batches of {INDEX_BATCH}", index_times),
        ("  component: engine.entry_for alone (segmentation; products already loaded)", entry_times),
    ):
        rates = [len(b) / (t / 1e9) for b, t in zip(batches, times, strict=True)]
        rows.append(
            (label, f"{len(sample):,} of {size:,}", f"{statistics.median(rates):,.0f}/s",
             f"{min(rates):,.0f} – {max(rates):,.0f}/s", f"{sum(times) / 1e9:,.1f} s", "")
        )  # fmt: skip
    return rows, same, len(sample), words


# --- queries ---------------------------------------------------------------------------------------------


def classify(sql):
    """Which part of a search() call a statement is, from its SQL."""
    if sql.startswith(("SET LOCAL", "RESET")) or "FROM catalog_searchentry e" in sql:
        return "candidates"
    if "catalog_searchword" in sql:  # completing the last word, correcting misspelt ones
        return "vocabulary"
    return "load products"  # the page's products, their variants and images


COMPONENTS = ("vocabulary", "candidates", "load products")


class Recorder:
    """Times every statement of the current search() call (an execute wrapper)."""

    def __init__(self):
        self.current = None

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.current is not None:
                self.current.append((classify(sql), time.perf_counter_ns() - start, sql, params))


@dataclass
class Row:
    samples: list
    hits: list
    paths: Counter
    statements: list  # per call: [(component, ns, sql, params)]
    capped: int = 0  # calls whose count was capped (Results.count_exact False)


def time_search(connection, recorder, queries, with_facets, count):
    from talat.catalog.search import engine

    engine.search(queries[0][0], with_facets=with_facets, **queries[0][1])  # untimed
    row = Row([], [], Counter(), [])
    began = time.perf_counter()
    with connection.execute_wrapper(recorder):
        for n in range(count):
            q, filters = queries[n % len(queries)]
            recorder.current = []
            start = time.perf_counter_ns()
            results = engine.search(q, with_facets=with_facets, **filters)
            row.samples.append(time.perf_counter_ns() - start)
            statements, recorder.current = recorder.current, None
            row.statements.append(statements)
            row.hits.append(results.count)
            row.capped += not getattr(results, "count_exact", True)
            if any("<->" in sql for _c, _t, sql, _p in statements):
                row.paths["corrected"] += 1
            elif results.relaxed:
                row.paths["any word"] += 1
            else:
                row.paths["all words"] += 1
            if n + 1 >= FLOOR_QUERIES and time.perf_counter() - began > ROW_BUDGET_S:
                break
    return row


def time_baseline(queries):
    from django.db.models import Q

    from talat.catalog.models import Product

    def run(term):
        return list(
            Product.objects.filter(
                Q(name_th__icontains=term)
                | Q(name_en__icontains=term)
                | Q(name_zh__icontains=term)
                | Q(description_th__icontains=term)
            )[:20]
        )

    run(queries[0][0])  # untimed
    samples, hits = [], []
    began = time.perf_counter()
    for n in range(QUERIES_PER_KIND):
        start = time.perf_counter_ns()
        found = run(queries[n % len(queries)][0])
        samples.append(time.perf_counter_ns() - start)
        hits.append(len(found))
        if n + 1 >= MIN_BASELINE and time.perf_counter() - began > BASELINE_BUDGET_S:
            break
    return Row(samples, hits, Counter(), [])


def hits_text(row):
    text = f"{statistics.median(row.hits):,.0f}"
    return text + (f" ({row.capped * 100 // len(row.hits)}% capped)" if row.capped else "")


def path_text(paths):
    total = sum(paths.values())
    return ", ".join(f"{name} {n * 100 // total}%" for name, n in paths.most_common()) if total else ""


def explain(connection, row, label):
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement this row ran."""
    from django.db import transaction

    from talat.catalog.search.engine import PLANNER_SETTINGS

    timed = [s for call in row.statements for s in call if not s[2].startswith(("SET LOCAL", "RESET"))]
    _component, _ns, sql, params = max(timed, key=lambda s: s[1])
    with transaction.atomic(), connection.cursor() as cursor:
        if _component == "candidates":  # under the planner settings the engine runs it with
            cursor.execute("; ".join(f"SET LOCAL {name} = {value}" for name, value in PLANNER_SETTINGS))
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest statement of '{label}' ({_component}):")
    print("  " + shorten(sql, 1000))
    print("  params: " + shorten(str(params), 300))
    for line in plan:
        print("    " + shorten(line, 300))


def shorten(text, limit):
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def queries_at(connection, size, explain_all):
    recorder = Recorder()
    rows, breakdown, measured, seen = [], [], [], set()
    for label, queries in QUERY_KINDS:
        example = "', '".join(q for q, _f in queries[:2])
        for with_facets in (False, True):
            row = time_search(connection, recorder, queries, with_facets, QUERIES_PER_KIND)
            name = f"search: {label} ('{example}', …)" if not with_facets else "  … with facets"
            measured.append((label + (" + facets" if with_facets else ""), row))
            rows.append(
                (name, f"{size:,}", len(row.samples), ms(statistics.median(row.samples)),
                 ms(percentile(row.samples, 0.95)), hits_text(row), path_text(row.paths), TARGET)
            )  # fmt: skip
            if with_facets:
                per = {c: [] for c in COMPONENTS}
                other = []
                for call, total in zip(row.statements, row.samples, strict=True):
                    spent = dict.fromkeys(COMPONENTS, 0)
                    for component, ns, _sql, _params in call:
                        spent[component] += ns
                    for c in COMPONENTS:
                        per[c].append(spent[c])
                    other.append(total - sum(spent.values()))
                counts = Counter(c for call in row.statements for c, *_ in call)
                calls = len(row.statements)
                seen.update(counts)
                parts = {c: f"{ms(statistics.median(per[c]))} ×{counts[c] / calls:.1f}" for c in COMPONENTS}
                breakdown.append(
                    (label, parts, ms(statistics.median(other)), ms(statistics.median(row.samples)))
                )
        base = time_baseline(queries)
        rows.append(
            ("  baseline: Product ILIKE '%term%' on 4 columns, [:20]", f"{size:,}", len(base.samples),
             ms(statistics.median(base.samples)), ms(percentile(base.samples, 0.95)),
             f"{statistics.median(base.hits):,.0f}", "", "")
        )  # fmt: skip
    print_table(
        f"Query latency at {size:,} products (engine.search, page of 20 with variants; "
        f"{QUERIES_PER_KIND} timed calls per row cycling through its queries after one untimed call, "
        f"fewer when a row passes {ROW_BUDGET_S} s (at least {FLOOR_QUERIES}); baseline: stops after "
        f"{BASELINE_BUDGET_S} s once it has {MIN_BASELINE}; "
        "hits = matching products, path = how the query matched)",
        ("measurement", "products", "timed", "median", "p95", "hits (median)", "path", "target"),
        rows,
    )
    shown = [c for c in COMPONENTS if c in seen]
    print_table(
        f"Where the time of search + facets goes at {size:,} products (median ms per call of each statement "
        "kind, × statements per call; 'Python' = the rest of the call)",
        ("query kind", *shown, "Python", "total"),
        [(label, *(parts[c] for c in shown), other, total) for label, parts, other, total in breakdown],
    )
    if connection.vendor == "postgresql":
        if explain_all:
            for label, row in measured:
                explain(connection, row, label)
        else:
            label, row = max(measured, key=lambda item: percentile(item[1].samples, 0.95))
            explain(connection, row, label)


# --- main ------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", help="comma-separated product counts (default 100000,1000000)")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_SIZE:,} products")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statement of every row"
    )
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE} at the end")
    parser.add_argument(
        "--queries-only", action="store_true", help="time the queries only, on a database kept by --keep"
    )
    args = parser.parse_args()
    sizes = [QUICK_SIZE] if args.quick else DEFAULT_SIZES
    if args.sizes:
        sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    django.setup()
    from django.db import connection
    from django.test.utils import teardown_databases

    if connection.vendor != "postgresql":
        print(
            f"SQLite: only {SQLITE_SIZE:,} products (its bm25 ranking runs a subquery per matching row, "
            "seconds per broad query already at that size); the sizes of the target need PostgreSQL."
        )
        sizes = [SQLITE_SIZE]
    if args.queries_only:
        connection.settings_dict["NAME"] = DATABASE
        connection.close()
        print_header("catalog search: query latency (kept database)", connection, QUERIES_PER_KIND)
        from talat.catalog.models import Product

        queries_at(connection, Product.objects.count(), args.explain)
        return
    old_config = throwaway_database(DATABASE)
    try:
        run(connection, sizes, args.explain)
    finally:
        if not args.keep:
            teardown_databases(old_config, verbosity=0)
    print(f"\npeak RSS of this process: {peak_rss_mb():,.0f} MB")


def run(connection, sizes, explain_all):
    began = time.perf_counter()
    print_header("catalog search: indexing and query latency", connection, QUERIES_PER_KIND)
    rng = random.Random(SEED)
    world = build_world(rng)
    print(
        f"setup: {ENTERPRISES:,} verified + {PENDING_ENTERPRISES} pending enterprises, "
        f"{len(world.categories)} categories, {len(world.provinces)} provinces, in "
        f"{time.perf_counter() - began:.1f} s; sizes {', '.join(f'{s:,}' for s in sizes)}"
    )
    have = 0
    for size in sizes:
        if size <= have:
            continue
        timings, builds = grow(connection, world, have, size)
        added = size - have
        index_rows, same, sampled, (words_before, words_after) = index_sample(size, rng)
        vacuum_s = vacuum_analyze(connection)
        sizes_text = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                size_sql = "SELECT pg_database_size(current_database()), pg_total_relation_size(%s)"
                cursor.execute(size_sql, ["catalog_searchentry"])
                database_bytes, entry_bytes = cursor.fetchone()
            sizes_text = (
                f"; database {database_bytes / 2**20:,.0f} MB, "
                f"search entries with their indexes {entry_bytes / 2**20:,.0f} MB"
            )
        load_s = timings.pop("load")
        total = load_s + builds.get(BOTH, 0.0) + vacuum_s
        threads = LOAD_THREADS if connection.vendor == "postgresql" else 1
        vacuum_name = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        how = "COPY" if connection.vendor == "postgresql" else "insert_rows"
        load = f"bulk load: generate, {how} products + variants + search entries ({threads} thread(s))"
        rows = [(load, f"{have:,} → {size:,}", f"{added / load_s:,.0f}/s", "", f"{load_s:,.1f} s")]
        rows += [
            (f"  component: {step}", f"{added:,}", "", "", f"{sec:,.1f} thread-s")
            for step, sec in timings.items()
        ]
        rows += [(f"  rebuild {name}", f"{size:,}", "", "", f"{sec:,.1f} s") for name, sec in builds.items()]
        rows.append(
            (f"  {vacuum_name} (after the index_products sample)", f"{size:,}", "", "", f"{vacuum_s:,.1f} s")
        )
        rows.append(
            (
                f"  bulk path in all (load + index builds + {vacuum_name})",
                f"{added:,} added",
                f"{added / total:,.0f}/s",
                "",
                f"{total:,.1f} s",
            )
        )
        rows = [r + ("1 run",) for r in rows]
        rows += [r[:5] + (f"{-(-sampled // INDEX_BATCH)} batches",) for r in index_rows]
        print_table(
            f"Indexing at {size:,} products{sizes_text}",
            ("measurement", "products", "rate (median)", "batch rates (min – max)", "time", "runs"),
            rows,
        )
        dropped = "; the search entries' GIN indexes were dropped for the load" if builds else ""
        print(
            f"segmentation: {seg.cache_info().currsize:,} distinct vocabulary phrases segmented once each "
            f"(words.joined) and composed{dropped}"
        )
        check = "ok" if same == sampled else "MISMATCH"
        print(f"check: {same:,} of {sampled:,} re-indexed entries equal the bulk-loaded ones ({check})")
        check = "ok" if words_before == words_after else "MISMATCH"
        print(
            f"check: the vocabulary has {words_before:,} words, {words_after:,} after index_products added "
            f"the sample's words ({check})"
        )
        print(f"load average before the queries: {os.getloadavg()[0]:.2f}")
        queries_at(connection, size, explain_all and size == sizes[-1])
        print(f"\npeak RSS so far: {peak_rss_mb():,.0f} MB; elapsed {time.perf_counter() - began:,.0f} s")
        have = size
        if same != sampled or words_before != words_after:
            raise SystemExit("the bulk-loaded search entries or words differ from index_products")


if __name__ == "__main__":
    main()
