"""Thai, English and Chinese search over the catalog, on SQLite (FTS5) and PostgreSQL."""

import pytest
from django.db import connection

from talat.catalog.models import ProductStatus
from talat.catalog.search.engine import search
from talat.catalog.services.products import set_status
from talat.registry.services import decide_enterprise
from tests.factories import officer, product, verified_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return verified_enterprise()


def names(results):
    return [p.name_th for p in results.products]


def test_thai_words_are_found_whatever_the_spacing(shop):
    product(shop, name_th="ทุเรียนอบแห้ง")
    product(shop, name_th="ผ้าไหมมัดหมี่")
    assert names(search("ทุเรียน อบแห้ง")) == ["ทุเรียนอบแห้ง"]
    assert names(search("ทุเรียนอบแห้ง")) == ["ทุเรียนอบแห้ง"]
    assert names(search("ผ้าไหม")) == ["ผ้าไหมมัดหมี่"]


def test_a_thai_prefix_finds_the_longer_word(shop):
    product(shop, name_th="ทุเรียนอบกรอบ")
    product(shop, name_th="มะม่วงอบแห้ง")
    assert names(search("ทุเรียนอบ")) == ["ทุเรียนอบกรอบ"]


def test_english_and_chinese_queries(shop):
    product(shop, name_th="ผ้าพันคอไหม", name_en="Thai silk scarf", name_zh="泰国丝绸围巾")
    product(shop, name_th="ทุเรียนอบแห้ง", name_en="Dried durian", name_zh="泰国榴莲干")
    assert names(search("silk scarf")) == ["ผ้าพันคอไหม"]
    assert names(search("泰国榴莲干")) == ["ทุเรียนอบแห้ง"]
    assert names(search("DURIAN")) == ["ทุเรียนอบแห้ง"]


def test_the_name_ranks_above_the_description(shop):
    product(shop, name_th="สบู่สมุนไพร", description_th="ทำจากขมิ้นและมะขาม")
    product(shop, name_th="ขมิ้นชันผง", description_th="สมุนไพรไทย")
    assert names(search("ขมิ้น"))[0] == "ขมิ้นชันผง"


def test_products_of_unverified_or_suspended_enterprises_never_appear(shop):
    product(shop, name_th="กาแฟดอยช้าง")
    from tests.factories import enterprise

    pending = enterprise()
    product(pending, name_th="กาแฟอาราบิก้า")
    suspended = verified_enterprise()
    product(suspended, name_th="กาแฟโรบัสต้า")
    decide_enterprise(enterprise=suspended, officer=officer(), status="suspended", reason="ตรวจพบสินค้าปลอม")
    assert names(search("กาแฟ")) == ["กาแฟดอยช้าง"]
    assert search("กาแฟ").count == 1
    assert names(search("")) == ["กาแฟดอยช้าง"]


def test_archived_products_leave_the_results(shop):
    item = product(shop, name_th="ชาอู่หลง")
    set_status(product=item, status=ProductStatus.ARCHIVED, by=shop.owner)
    assert search("ชา").count == 0


def test_facets_count_and_filter(shop):
    product(shop, name_th="ข้าวหอมมะลิ 1 กก.", price_satang=8_000, certifications=["organic"])
    product(shop, name_th="ข้าวไรซ์เบอร์รี่", price_satang=15_000, province_code="10")
    results = search("ข้าว")
    assert results.count == 2
    assert results.facets["price"]["0-100"] == 1
    assert results.facets["price"]["100-500"] == 1
    assert results.facets["certification"]["organic"] == 1
    assert results.facets["province"] == {"22": 1, "10": 1}
    assert names(search("ข้าว", certification="organic")) == ["ข้าวหอมมะลิ 1 กก."]
    assert names(search("ข้าว", price="100-500")) == ["ข้าวไรซ์เบอร์รี่"]
    # a facet's own counts ignore its own filter, so the shopper sees the alternatives
    assert search("ข้าว", province="10").facets["province"] == {"22": 1, "10": 1}


def test_no_product_has_every_word_so_the_search_relaxes(shop):
    product(shop, name_th="มะม่วงอบแห้ง")
    results = search("มะม่วง ทุเรียน")
    assert results.relaxed and names(results) == ["มะม่วงอบแห้ง"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram matching is PostgreSQL's")
def test_a_misspelling_finds_the_product_on_postgresql(shop):
    product(shop, name_th="ทุเรียนอบแห้ง", name_en="Dried durian chips")
    product(shop, name_th="ทุเรียนสด", name_en="Fresh durian")
    product(shop, name_th="มะม่วงอบแห้ง", name_en="Dried mango")
    assert names(search("durain chips")) == ["ทุเรียนอบแห้ง"]
    corrected = search("dried duriam")  # the misspelt word is corrected, then every word must match
    assert corrected.relaxed and names(corrected) == ["ทุเรียนอบแห้ง"]
    assert sorted(names(search("duriam"))) == ["ทุเรียนสด", "ทุเรียนอบแห้ง"]
    assert search("zzqxv").count == 0


def test_the_last_word_is_completed_as_typed(shop):
    product(shop, name_th="ข้าวหอมมะลิ", name_en="Jasmine rice")
    product(shop, name_th="ข้าวเหนียว", name_en="Glutinous rice")
    assert names(search("ข้าวหอ")) == ["ข้าวหอมมะลิ"]
    assert names(search("jasm")) == ["ข้าวหอมมะลิ"]
    assert sorted(names(search("rice"))) == ["ข้าวหอมมะลิ", "ข้าวเหนียว"]
    assert not search("jasmine ric").relaxed  # only the last word is a prefix...
    assert search("jas rice").relaxed  # ...an earlier one must be a whole word
    assert search("j").count == 0  # and one letter stands for itself


def test_indexing_adds_the_words_to_the_vocabulary(shop):
    from talat.catalog.models import SearchWord

    product(shop, name_th="ผ้าไหมมัดหมี่", name_en="Mudmee silk")
    assert {"ผ้าไหม", "มัดหมี่", "mudmee", "silk"} <= set(SearchWord.objects.values_list("word", flat=True))


def test_pagination(shop):
    for n in range(25):
        product(shop, name_th=f"สบู่ก้อนกลิ่นที่ {n}")
    first, last = search("สบู่", page_size=10), search("สบู่", page=3, page_size=10)
    assert (first.count, first.pages, len(first.products)) == (25, 3, 10)
    assert len(last.products) == 5
    assert not {p.pk for p in first.products} & {p.pk for p in last.products}


def test_a_broad_query_ranks_a_bounded_set_and_says_there_are_more(shop, monkeypatch):
    from talat.catalog.search import engine

    monkeypatch.setattr(engine, "CANDIDATES", 3)
    for n in range(5):
        product(shop, name_th=f"ชาเขียวใบหม่อน {n}")
    results = search("ชาเขียว", page_size=2)
    assert (results.count, results.count_exact, results.pages, len(results.products)) == (3, False, 2, 2)
    assert sum(results.facets["category"].values()) == 3
    assert search("ชาเขียวใบหม่อน 4").count_exact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the daily bucket is PostgreSQL's")
def test_a_broad_query_ranks_one_bucket_a_day_and_pages_stay_stable(shop, monkeypatch):
    import datetime

    from talat.catalog.search import engine

    monkeypatch.setattr(engine, "CANDIDATES", 3)
    monkeypatch.setattr(engine, "BUCKETS", 2)
    for n in range(12):
        product(shop, name_th=f"ชาเขียวใบหม่อน {n}")
    day = datetime.date(2026, 11, 26)
    monkeypatch.setattr(engine.timezone, "localdate", lambda: day)
    first, again = search("ชาเขียว", page_size=2), search("ชาเขียว", page=2, page_size=2)
    shown = [p.pk for p in first.products + again.products]
    assert not first.count_exact and first.count == 3 and len(set(shown)) == 3
    assert {pk % 2 for pk in shown} == {day.toordinal() % 2}
    monkeypatch.setattr(engine.timezone, "localdate", lambda: day + datetime.timedelta(days=1))
    assert {p.pk % 2 for p in search("ชาเขียว").products} == {(day.toordinal() + 1) % 2}
    assert search("ชาเขียวใบหม่อน 11").count_exact  # a narrow query is not limited to a bucket


def test_a_last_letter_still_being_typed_does_not_narrow_the_search(shop):
    product(shop, name_th="ลำไยอบแห้ง")
    product(shop, name_th="ลำไยสด")
    assert sorted(names(search("ลำไยอ"))) == ["ลำไยสด", "ลำไยอบแห้ง"]
    assert names(search("ลำไยอบ")) == ["ลำไยอบแห้ง"]
