"""Bulk import and export of products: preview every row's errors, save only the good rows when the
owner confirms, and round-trip an export through another shop."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from talat.catalog.models import ImportJob, ImportState, Product, StockLevel, Variant
from talat.catalog.services import imports
from tests.factories import enterprise, product

pytestmark = pytest.mark.django_db

GOOD = {
    "category": "fruit", "province": "เชียงใหม่", "hs_code": "0813.40.90", "weight_g": "100", "stock": "5",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def shop(client):
    made = enterprise()
    client.force_login(made.owner)
    return made


def csv_upload(rows, *, columns=imports.COLUMNS, name="products.csv", bom=False) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8"))


def upload(client, file):
    return client.post(reverse("catalog:import_upload"), {"file": file}, follow=True)


def confirm(client, job, django_capture_on_commit_callbacks):
    """Confirms, lets the task run once the request's transaction commits, and returns the job page."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalog:import_confirm", args=[job.uid]))
    return client.get(reverse("catalog:import_preview", args=[job.uid]))


MIXED = [
    {**GOOD, "sku": "MANGO-100", "name_th": "มะม่วงอบแห้ง", "option_th": "100 กรัม", "price_thb": "129.50",
     "stock": "12", "cny_price": "30.05", "otop_stars": "4"},  # row 2
    {**GOOD, "sku": "MANGO-250", "name_th": "มะม่วงอบแห้ง", "option_th": "250 กรัม", "price_thb": "259",
     "stock": "0"},  # row 3: the same product
    {**GOOD, "sku": "DURIAN-1", "name_th": "ทุเรียนทอด", "price_thb": "99", "hs_code": "9999.99.99"},  # row 4
    {**GOOD, "sku": "BANANA-1", "name_th": "กล้วยตาก", "price_thb": "-10"},  # row 5
    {**GOOD, "sku": "RICE-1", "name_th": "ข้าวหอมมะลิ", "price_thb": "45", "category": "rice-x"},  # row 6
    {**GOOD, "sku": "MANGO-100", "name_th": "ลำไยอบแห้ง", "price_thb": "80"},  # row 7
    {**GOOD, "sku": "TAMARIND-1", "name_th": "มะขามหวาน", "price_thb": "10.505"},  # row 8
    {**GOOD, "sku": "PINE-1", "name_th": "สับปะรดกวน", "price_thb": "45", "stock": "3",
     "province": "Chiang Rai", "certifications": "fda, halal"},  # row 9
    {**GOOD, "sku": "OLD-1", "name_th": "กาแฟคั่ว", "price_thb": "200"},  # row 10: already in the shop
    {**GOOD, "sku": "LYCHEE-1", "name_th": "ลิ้นจี่อบแห้ง", "price_thb": "60"},  # row 11
    {**GOOD, "sku": "LYCHEE-2", "name_th": "ลิ้นจี่อบแห้ง", "price_thb": "90", "weight_g": "0"},  # row 12
]  # fmt: skip

MIXED_ERRORS = [
    {"row": 4, "column": "hs_code", "message": "ไม่พบพิกัด 9999.99.99 ในตารางพิกัดของตลาด"},
    {"row": 5, "column": "price_thb", "message": "ราคาต้องมากกว่าศูนย์"},
    {"row": 6, "column": "category", "message": "ไม่รู้จักรหัสหมวดสินค้านี้ (ดูรหัสที่ใช้ได้ในคำอธิบายคอลัมน์)"},
    {"row": 7, "column": "sku", "message": "SKU ซ้ำกับแถว 2 ในไฟล์นี้"},
    {"row": 8, "column": "price_thb", "message": "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"},
    {"row": 10, "column": "sku", "message": "SKU นี้มีอยู่แล้วในร้านของคุณ (การนำเข้าไม่แก้ไขสินค้าเดิม)"},
    {"row": 11, "column": "name_th", "message": "ไม่นำเข้า เพราะสินค้าเดียวกันมีข้อผิดพลาดในแถว 12"},
    {"row": 12, "column": "weight_g", "message": "น้ำหนักต้องมากกว่าศูนย์"},
]


@pytest.fixture
def mixed_job(client, shop):
    product(shop, name_th="กาแฟคั่วเดิม", sku="OLD-1")
    page = upload(client, csv_upload(MIXED))
    return page, ImportJob.objects.get(enterprise=shop)


def test_the_preview_lists_every_rows_errors_and_writes_no_product(mixed_job, shop):
    page, job = mixed_job
    assert page.redirect_chain[-1][0] == reverse("catalog:import_preview", args=[job.uid])
    assert job.state == ImportState.PREVIEW
    assert (job.total_rows, job.valid_rows) == (11, 3)
    assert job.errors == MIXED_ERRORS
    text = page.content.decode()
    assert "นำเข้า 3 รายการที่ถูกต้อง" in text
    for error in MIXED_ERRORS:
        assert error["message"] in text
    assert "MANGO-250" in text and "PINE-1" in text  # the rows that will be created
    assert list(Product.objects.filter(enterprise=shop).values_list("name_th", flat=True)) == ["กาแฟคั่วเดิม"]


def test_confirming_saves_only_the_good_rows_with_exact_prices_and_stock(
    client, shop, mixed_job, django_capture_on_commit_callbacks
):
    _page, job = mixed_job
    page = confirm(client, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.state, job.processed_rows, job.created_products) == (ImportState.DONE, 3, 2)
    text = page.content.decode()
    assert "นำเข้าเสร็จแล้ว" in text and reverse("catalog:products") in text
    assert "hx-trigger" not in text  # polling stopped
    names = set(Product.objects.filter(enterprise=shop).values_list("name_th", flat=True))
    assert names == {"กาแฟคั่วเดิม", "มะม่วงอบแห้ง", "สับปะรดกวน"}
    saved = {v.sku: v for v in Variant.objects.filter(enterprise=shop).select_related("product")}
    assert set(saved) == {"OLD-1", "MANGO-100", "MANGO-250", "PINE-1"}
    mango = saved["MANGO-100"]
    assert (mango.price_satang, mango.cny_price_fen, mango.available) == (12950, 3005, 12)
    assert mango.option_th == "100 กรัม"
    assert mango.product == saved["MANGO-250"].product
    assert (mango.product.province_code, mango.product.otop_stars) == ("50", 4)
    assert mango.product.hs_code == "08134090"
    assert (saved["MANGO-250"].price_satang, saved["MANGO-250"].available) == (25900, 0)
    assert StockLevel.objects.get(variant=mango, location__code="main").on_hand == 12
    pineapple = saved["PINE-1"].product
    assert (pineapple.province_code, pineapple.certifications) == ("57", ["fda", "halal"])

    again = client.post(reverse("catalog:import_confirm", args=[job.uid]), follow=True)
    assert "นำเข้าไฟล์นี้ไม่ได้ เพราะยืนยันหรือยกเลิกไปแล้ว" in again.content.decode()
    imports.run_import(job.pk)  # a second run of the task does nothing
    assert Variant.objects.filter(enterprise=shop).count() == 4


def test_the_progress_fragment_polls_while_the_import_waits(client, shop, mixed_job):
    _page, job = mixed_job
    imports.start_import(job, shop.owner)  # on_commit never fires here: the job stays queued
    fragment = client.get(reverse("catalog:import_progress", args=[job.uid])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'max="3" value="0"' in fragment
    assert "บันทึกแล้ว 0 จาก 3 แถว" in fragment


def test_an_unexpected_failure_says_how_much_was_saved(client, shop, mixed_job, monkeypatch):
    _page, job = mixed_job
    real, calls = imports.create_product, []

    def breaks_on_second(**kwargs):
        calls.append(kwargs["product"]["name_th"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "create_product", breaks_on_second)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    imports.start_import(job, shop.owner)
    imports.run_import(job.pk)
    job.refresh_from_db()
    assert (job.state, job.created_products, job.processed_rows) == (ImportState.FAILED, 1, 2)
    assert "บันทึกสินค้าแล้ว 1 รายการ" in job.failure
    assert Product.objects.filter(enterprise=shop, name_th="มะม่วงอบแห้ง").exists()
    assert not Product.objects.filter(enterprise=shop, name_th="สับปะรดกวน").exists()
    page = client.get(reverse("catalog:import_preview", args=[job.uid])).content.decode()
    assert job.failure in page


def test_cancelling_writes_nothing_and_the_job_cannot_be_confirmed_later(client, shop, mixed_job):
    _page, job = mixed_job
    page = client.post(reverse("catalog:import_cancel", args=[job.uid]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("catalog:import_upload")
    assert "ยกเลิกการนำเข้าไฟล์ products.csv แล้ว" in page.content.decode()
    client.post(reverse("catalog:import_confirm", args=[job.uid]))
    job.refresh_from_db()
    assert job.state == ImportState.CANCELLED
    page = client.get(reverse("catalog:import_preview", args=[job.uid])).content.decode()
    assert "ยกเลิกการนำเข้าไฟล์นี้แล้ว" in page and "นำเข้า 3 รายการที่ถูกต้อง" not in page
    assert Product.objects.filter(enterprise=shop).count() == 1


def test_another_seller_cannot_see_confirm_or_cancel_the_job(client, mixed_job):
    _page, job = mixed_job
    client.force_login(enterprise().owner)
    assert client.get(reverse("catalog:import_preview", args=[job.uid])).status_code == 404
    assert client.get(reverse("catalog:import_progress", args=[job.uid])).status_code == 404
    assert client.post(reverse("catalog:import_confirm", args=[job.uid])).status_code == 404
    assert client.post(reverse("catalog:import_cancel", args=[job.uid])).status_code == 404
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEW


def test_an_xlsx_export_imports_into_another_shop(client, shop, django_capture_on_commit_callbacks):
    rows = [
        {**GOOD, "sku": "SILK-S", "name_th": "ผ้าไหมมัดหมี่", "name_en": "=1+1", "name_zh": "泰丝",
         "description_th": "ทอมือ\nสีธรรมชาติ", "category": "textiles", "province": "32",
         "hs_code": "5007.20.90", "option_th": "ผืนเล็ก", "barcode": "8850999320014", "price_thb": "1290.00",
         "cny_price": "288.5",
         "weight_g": "300", "length_mm": "2000", "width_mm": "1000", "height_mm": "5", "stock": "7",
         "certifications": "organic"},
        {**GOOD, "sku": "SILK-L", "name_th": "ผ้าไหมมัดหมี่", "option_th": "ผืนใหญ่", "price_thb": "2590.25",
         "weight_g": "600", "stock": "2"},
    ]  # fmt: skip
    upload(client, csv_upload(rows))
    confirm(client, ImportJob.objects.get(enterprise=shop), django_capture_on_commit_callbacks)
    exported = client.get(reverse("catalog:export", args=["xlsx"]))
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert [cell.value for cell in sheet[1]] == imports.COLUMNS
    assert sheet.cell(row=2, column=3).data_type == "s"  # "=1+1" stays text, not a formula

    other = enterprise()
    client.force_login(other.owner)
    page = upload(client, SimpleUploadedFile("export.xlsx", exported.content))
    job = ImportJob.objects.get(enterprise=other)
    assert (job.total_rows, job.valid_rows, job.errors) == (2, 2, [])
    assert "นำเข้า 2 รายการที่ถูกต้อง" in page.content.decode()
    confirm(client, job, django_capture_on_commit_callbacks)

    fields = [
        "sku", "product__name_th", "product__name_en", "product__name_zh", "product__description_th",
        "product__category__code", "product__province_code", "product__hs_code", "product__certifications",
        "option_th", "barcode", "price_satang", "cny_price_fen", "weight_g", "length_mm", "available",
    ]  # fmt: skip
    copied = list(Variant.objects.filter(enterprise=other).order_by("sku").values_list(*fields))
    assert copied == list(Variant.objects.filter(enterprise=shop).order_by("sku").values_list(*fields))
    assert copied[1][:3] == ("SILK-S", "ผ้าไหมมัดหมี่", "=1+1")
    assert copied[1][-6:] == ("8850999320014", 129000, 28850, 300, 2000, 7)
    assert copied[0][-5:-3] == (259025, None)


def test_a_csv_export_keeps_thai_through_the_bom(client, shop, django_capture_on_commit_callbacks):
    product(shop, name_th="น้ำพริกหนุ่ม", sku="NAMPRIK-1", price_satang=8_900, stock=4, brand="แม่ศรี")
    exported = client.get(reverse("catalog:export", args=["csv"]))
    assert exported.content.startswith(b"\xef\xbb\xbf")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(imports.COLUMNS)
    assert lines[1].startswith("NAMPRIK-1,น้ำพริกหนุ่ม,") and ",แม่ศรี,22," in lines[1] and ",89.00," in lines[1]

    other = enterprise()
    client.force_login(other.owner)
    upload(client, SimpleUploadedFile("products.csv", exported.content))
    confirm(client, ImportJob.objects.get(enterprise=other), django_capture_on_commit_callbacks)
    copied = Variant.objects.select_related("product").get(enterprise=other)
    assert (copied.sku, copied.product.name_th, copied.product.brand) == ("NAMPRIK-1", "น้ำพริกหนุ่ม", "แม่ศรี")
    assert (copied.price_satang, copied.available) == (8_900, 4)


def test_the_upload_page_offers_the_template_and_the_column_guide(client, shop):
    page = client.get(reverse("catalog:import_upload")).content.decode()
    assert 'accept=".csv,.xlsx"' in page
    assert reverse("catalog:export", args=["xlsx"]) in page
    assert "<code>price_thb</code>" in page and "ไม่แก้ไขสินค้าที่มีอยู่แล้ว" in page


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("products.txt", b"sku,name_th\n"), "รองรับเฉพาะไฟล์ .csv หรือ .xlsx"),
        (
            SimpleUploadedFile("products.csv", "sku,name_th,price_thb\nA-1,ข้าว,10\n".encode()),
            "ไฟล์ไม่มีคอลัมน์ที่จำเป็น: category, province, hs_code, weight_g",
        ),
        (SimpleUploadedFile("products.csv", "\ufeff".encode()), "ไฟล์ไม่มีข้อมูลสินค้า"),
        (SimpleUploadedFile("products.xlsx", b"not a workbook"), "อ่านไฟล์ XLSX ไม่ได้"),
        (SimpleUploadedFile("products.csv", "ข้าว".encode("tis-620")), "ไฟล์ CSV ต้องบันทึกเป็น UTF-8"),
        (SimpleUploadedFile("big.csv", b"x" * (5 * 1024 * 1024 + 1)), "ไฟล์ต้องมีขนาดไม่เกิน 5 MB"),
        (
            csv_upload([{**GOOD, "sku": f"S-{n}", "name_th": "ข้าว", "price_thb": "1"} for n in range(5001)]),
            "ไฟล์หนึ่งนำเข้าได้ไม่เกิน 5,000 แถว",
        ),
    ],
    ids=["type", "columns", "empty", "broken-xlsx", "not-utf8", "too-big", "too-many-rows"],
)
def test_files_that_cannot_be_imported_are_refused_and_nothing_is_stored(client, shop, file, message):
    page = upload(client, file)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not ImportJob.objects.exists()
