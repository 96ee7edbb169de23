"""นำเข้าและส่งออกสินค้าเป็นไฟล์ CSV หรือ XLSX (bulk import and export of a shop's products).

ไฟล์มีแถวหัวตาราง (แถวที่ 1) ใช้ชื่อคอลัมน์ตามนี้ หนึ่งแถวคือหนึ่ง SKU;
แถวที่ name_th เหมือนกันคือ SKU ของสินค้าเดียวกัน ข้อมูลระดับสินค้าอ่านจากแถวแรกของสินค้านั้น

    sku*            รหัสสินค้า ไม่มีช่องว่าง ห้ามซ้ำในไฟล์และห้ามซ้ำกับสินค้าที่มีอยู่ในร้าน
    name_th*        ชื่อสินค้าภาษาไทย;  name_en, name_zh  ชื่อภาษาอังกฤษ / จีน
    description_th, description_en, description_zh   รายละเอียด
    category*       รหัสหมวดสินค้า เช่น food, fruit, textiles (talat/registry/reference.py)
    brand           ตราสินค้า
    province*       รหัสจังหวัด 2 หลัก หรือชื่อจังหวัดภาษาไทย/อังกฤษ เช่น 50, เชียงใหม่, Chiang Mai
    otop_stars      ระดับดาว OTOP 1-5
    certifications  มาตรฐาน คั่นด้วยจุลภาค: fda, gmp, halal, organic
    hs_code*        พิกัดศุลกากร 8 หลัก เช่น 0813.40.90
    option_th, option_en, option_zh   ตัวเลือกของ SKU เช่น ขนาด 500 กรัม
    barcode         บาร์โค้ด EAN/GTIN
    price_thb*      ราคาบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 129.50;  cny_price  ราคาหยวน
    weight_g*       น้ำหนักกรัม;  length_mm, width_mm, height_mm  ขนาดมิลลิเมตร
    stock           จำนวนสต็อกเริ่มต้น (จำนวนเต็มไม่ติดลบ) รับเข้าที่คลังหลัก

(* = จำเป็น) การนำเข้าสร้างสินค้าใหม่เท่านั้น ไม่แก้ไขสินค้าเดิม: SKU ที่มีอยู่แล้วจะถูกรายงานเป็นข้อผิดพลาด
สินค้าที่มีแถวผิดแม้เพียงแถวเดียวจะไม่ถูกนำเข้าทั้งสินค้า เพื่อให้แก้ไฟล์แล้วนำเข้าใหม่ได้ครบ
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import geothai
import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from talat.catalog import tariff
from talat.catalog.forms import ProductForm, VariantForm
from talat.catalog.models import ImportJob, ImportState, Variant
from talat.catalog.services.products import create_product

logger = logging.getLogger(__name__)

COLUMNS = [
    "sku", "name_th", "name_en", "name_zh", "description_th", "description_en", "description_zh",
    "category", "brand", "province", "otop_stars", "certifications", "hs_code", "option_th", "option_en",
    "option_zh", "barcode", "price_thb", "cny_price", "weight_g", "length_mm", "width_mm", "height_mm",
    "stock",
]  # fmt: skip
REQUIRED = ["sku", "name_th", "category", "province", "hs_code", "price_thb", "weight_g"]
PRODUCT_TEXT = ["name_th", "name_en", "name_zh", "description_th", "description_en", "description_zh",
                "brand"]  # fmt: skip
VARIANT_TEXT = ["sku", "barcode", "option_th", "option_en", "option_zh", "weight_g", "length_mm", "width_mm",
                "height_mm"]  # fmt: skip
FORM_TO_COLUMN = {"province_code": "province", "price_satang": "price_thb", "cny_price_fen": "cny_price"}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_STOCK = 1_000_000
CHUNK_ROWS = 100  # rows saved per transaction; the progress bar moves after each chunk
FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet would run such a cell as a formula


def _messages():
    """Clearer words than Django's generic ones for the mistakes a spreadsheet makes most."""
    return {
        ("category", "invalid_choice"): _("ไม่รู้จักรหัสหมวดสินค้านี้ (ดูรหัสที่ใช้ได้ในคำอธิบายคอลัมน์)"),
        ("certifications", "invalid_choice"): _("มาตรฐานต้องเป็น fda, gmp, halal หรือ organic คั่นด้วยจุลภาค"),
        ("price_thb", "min_value"): _("ราคาต้องมากกว่าศูนย์"),
        ("cny_price", "min_value"): _("ราคาต้องไม่ติดลบ"),
    }


# Reading ------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 250.0 from a spreadsheet cell is 250
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]  # undo the escape our CSV export adds
    return text


def _csv_lines(file):
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _("ไฟล์ CSV ต้องบันทึกเป็น UTF-8 (ใน Excel เลือก CSV UTF-8)")
        raise ValidationError(message, code="encoding") from error
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as error:
        raise ValidationError(_("อ่านไฟล์ CSV ไม่ได้: รูปแบบไฟล์ไม่ถูกต้อง"), code="file") from error


def _xlsx_lines(file):
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise ValidationError(_("อ่านไฟล์ XLSX ไม่ได้: ไฟล์เสียหรือไม่ใช่ไฟล์ Excel"), code="file") from error
    try:
        yield from enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        book.close()


def read_rows(file, filename: str) -> list[dict]:
    """The data rows of a .csv or .xlsx file as {"row": spreadsheet row number, column: text}."""
    kind = Path(filename).suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise ValidationError(_("รองรับเฉพาะไฟล์ .csv หรือ .xlsx"), code="file_type")
    file.seek(0)
    index, rows = None, []
    for number, values in _csv_lines(file) if kind == ".csv" else _xlsx_lines(file):
        cells = [_text(value) for value in values]
        if not any(cells):
            continue
        if index is None:
            header = [cell.lower() for cell in cells]
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                message = _("ไฟล์ไม่มีคอลัมน์ที่จำเป็น: %(columns)s (แถวแรกต้องเป็นหัวตาราง)")
                raise ValidationError(message % {"columns": ", ".join(missing)}, code="columns")
            index = {column: header.index(column) for column in COLUMNS if column in header}
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationError(
                _("ไฟล์หนึ่งนำเข้าได้ไม่เกิน %(n)s แถว กรุณาแบ่งเป็นหลายไฟล์") % {"n": f"{MAX_ROWS:,}"}, code="rows"
            )
        row = {column: cells[i] if i < len(cells) else "" for column, i in index.items()}
        rows.append({"row": number, **dict.fromkeys(COLUMNS, ""), **row})
    if not rows:
        raise ValidationError(_("ไฟล์ไม่มีข้อมูลสินค้า"), code="empty")
    return rows


# Checking -----------------------------------------------------------------------------------------


@dataclass
class _Product:
    rows: list[int]
    product: dict
    variants: list[dict] = field(default_factory=list)
    stock: dict = field(default_factory=dict)


def _provinces() -> dict[str, str]:
    found = {}
    for province in geothai.provinces():
        for key in (province.code, province.name_th, province.name_en.lower()):
            found[key] = province.code
    return found


def _province(text: str, provinces: dict) -> str:
    key = text.removeprefix("จังหวัด").strip().lower()
    if text and key not in provinces:
        raise ValidationError(_("ไม่รู้จักจังหวัดนี้: ใช้รหัส 2 หลักหรือชื่อจังหวัด เช่น 50 หรือ เชียงใหม่"))
    return provinces.get(key, "")


def _minor_units(text: str) -> int | None:
    """'129.50' baht (or yuan) → 12950 satang (fen), exactly."""
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")  # 1,290.50 as a spreadsheet shows it
    try:
        amount = Decimal(text).scaleb(2)
    except ArithmeticError:  # not a number, or beyond what Decimal holds
        amount = None
    if amount is None or not amount.is_finite() or amount.adjusted() > 15:
        raise ValidationError(_("ต้องเป็นตัวเลข เช่น 129.50"))
    if amount != amount.to_integral_value():
        raise ValidationError(_("ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"))
    return int(amount)


def _stock(text: str) -> int:
    if not re.fullmatch(r"\d{0,7}", text) or int(text or 0) > MAX_STOCK:
        raise ValidationError(_("สต็อกต้องเป็นจำนวนเต็มไม่ติดลบ ไม่เกิน %(n)s") % {"n": f"{MAX_STOCK:,}"})
    return int(text or 0)


def _parse(row: dict, parsers: dict, errors: dict) -> dict:
    """{column: parsed value} for the columns that need converting; failures go to errors[column]."""
    parsed = {}
    for column, parse in parsers.items():
        try:
            parsed[column] = parse(row[column])
        except ValidationError as error:
            errors[column] = " ".join(error.messages)
    return parsed


def _form_errors(form, errors: dict) -> None:
    """Adds the form's errors to errors[column], unless the column already has one."""
    words = _messages()
    for name, problems in form.errors.as_data().items():
        column = FORM_TO_COLUMN.get(name, "" if name == "__all__" else name)
        messages = [words.get((column, p.code)) or " ".join(p.messages) for p in problems]
        errors.setdefault(column, " ".join(messages))


def _check_product(row: dict, provinces: dict, errors: dict) -> dict | None:
    parsed = _parse(row, {"province": lambda text: _province(text, provinces)}, errors)
    hs_code = tariff.normalise(row["hs_code"])  # "0813.40.90" → "08134090"
    if hs_code.isdigit() and len(hs_code) == 7:
        hs_code = "0" + hs_code  # a spreadsheet dropped the leading zero of chapters 01-09
    data = {key: row[key] for key in PRODUCT_TEXT} | {
        "category": row["category"].lower(),
        "province_code": parsed.get("province", ""),
        "otop_stars": row["otop_stars"],
        "certifications": [c.strip().lower() for c in row["certifications"].split(",") if c.strip()],
        "hs_code": hs_code,
    }
    form = ProductForm(data=data)
    if form.is_valid() and not errors:
        return form.cleaned_data
    _form_errors(form, errors)
    return None


def _check_variant(row: dict, errors: dict) -> tuple[dict, int] | None:
    parsed = _parse(row, {"price_thb": _minor_units, "cny_price": _minor_units, "stock": _stock}, errors)
    data = {key: row[key] for key in VARIANT_TEXT}
    data |= {"price_satang": parsed.get("price_thb"), "cny_price_fen": parsed.get("cny_price")}
    form = VariantForm(data=data)
    if form.is_valid() and not errors:
        return form.cleaned_data, parsed["stock"]
    _form_errors(form, errors)
    return None


def validate(enterprise, rows: list[dict]) -> tuple[list[dict], list[_Product]]:
    """Every row's errors as {row, column, message}, and the products that can be created. A product
    with any bad row is left out whole, and its other rows say why."""
    provinces, errors, products = _provinces(), [], []
    skus = [row["sku"] for row in rows]
    taken = set(Variant.objects.filter(enterprise=enterprise, sku__in=skus).values_list("sku", flat=True))
    first_seen: dict[str, int] = {}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["name_th"] or f"\0{row['row']}", []).append(row)  # no name: a product alone
    for group in groups.values():
        problems = {}  # row number → {column: message}
        product = _check_product(group[0], provinces, problems.setdefault(group[0]["row"], {}))
        candidate = _Product(rows=[row["row"] for row in group], product=product)
        for row in group:
            found = problems.setdefault(row["row"], {})
            checked = _check_variant(row, found)
            sku = row["sku"]
            if sku in first_seen:
                found.setdefault("sku", _("SKU ซ้ำกับแถว %(row)s ในไฟล์นี้") % {"row": first_seen[sku]})
            elif sku in taken:
                found.setdefault("sku", _("SKU นี้มีอยู่แล้วในร้านของคุณ (การนำเข้าไม่แก้ไขสินค้าเดิม)"))
            if sku:
                first_seen.setdefault(sku, row["row"])
            if checked and not found:
                candidate.variants.append(checked[0])
                candidate.stock[checked[0]["sku"]] = checked[1]
        bad = sorted(number for number, found in problems.items() if found)
        if not bad:
            products.append(candidate)
            continue
        for number in candidate.rows:
            for column, message in problems[number].items():
                errors.append({"row": number, "column": column, "message": message})
            if not problems[number]:
                message = _("ไม่นำเข้า เพราะสินค้าเดียวกันมีข้อผิดพลาดในแถว %(rows)s") % {
                    "rows": ", ".join(map(str, bad))
                }
                errors.append({"row": number, "column": "name_th", "message": message})
    errors.sort(key=lambda error: error["row"])
    return errors, products


def _stored_rows(job: ImportJob) -> list[dict]:
    with job.upload.open("rb") as file:
        return read_rows(file, job.filename)


def check(job: ImportJob, rows: list[dict] | None = None) -> ImportJob:
    """Validates every row of the stored upload and records the outcome; no product is written."""
    rows = _stored_rows(job) if rows is None else rows
    errors, products = validate(job.enterprise, rows)
    job.errors, job.total_rows, job.state = errors, len(rows), ImportState.PREVIEW
    job.valid_rows = sum(len(product.rows) for product in products)
    # One write after the reads: no transaction stays open while thousands of rows are checked.
    job.save(update_fields=["errors", "total_rows", "valid_rows", "state", "updated_at"] if job.pk else None)
    return job


def create_job(*, enterprise, by, upload) -> ImportJob:
    """Stores an uploaded file and checks it. A file that cannot be read is refused and not stored."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("ไฟล์ต้องมีขนาดไม่เกิน 5 MB"), code="file_size")
    rows = read_rows(upload, upload.name)
    upload.seek(0)
    job = ImportJob(enterprise=enterprise, by=by, filename=Path(upload.name).name[-200:])
    job.upload.save(f"{job.uid}{Path(upload.name).suffix.lower()}", upload, save=False)
    return check(job, rows)


def preview_rows(job: ImportJob, limit: int = 10) -> list[dict]:
    """The first rows that confirming would create."""
    bad = {error["row"] for error in job.errors}
    return [row for row in _stored_rows(job) if row["row"] not in bad][:limit]


# Saving -------------------------------------------------------------------------------------------


def _locked(job_id: int) -> ImportJob:
    return ImportJob.objects.select_for_update().get(pk=job_id)


def start_import(job: ImportJob, by) -> ImportJob:
    """The owner confirmed the preview: the valid rows are saved by a background task."""
    from talat.catalog.tasks import run_import_task  # the task module imports this one

    with transaction.atomic():
        job = _locked(job.pk)
        if job.state != ImportState.PREVIEW:
            raise ValidationError(_("นำเข้าไฟล์นี้ไม่ได้ เพราะยืนยันหรือยกเลิกไปแล้ว"), code="state")
        if not job.valid_rows:
            raise ValidationError(_("ไม่มีแถวที่ถูกต้องให้นำเข้า"), code="no_rows")
        job.state, job.by = ImportState.QUEUED, by
        job.save(update_fields=["state", "by", "updated_at"])
        transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
    return job


def _chunks(products: list[_Product]):
    chunk = []
    for product in products:
        chunk.append(product)
        if sum(len(p.rows) for p in chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_import(job_id: int) -> None:
    """Saves the rows that are still valid, a chunk per transaction. Runs a queued job once."""
    with transaction.atomic():
        job = _locked(job_id)
        if job.state != ImportState.QUEUED:
            return
        job.state = ImportState.RUNNING
        job.save(update_fields=["state", "updated_at"])
    try:
        job.errors, products = validate(job.enterprise, _stored_rows(job))  # the shop may have changed
        job.valid_rows = sum(len(product.rows) for product in products)
        job.save(update_fields=["errors", "valid_rows", "updated_at"])
        for chunk in _chunks(products):
            with transaction.atomic():
                created = 0
                for item in chunk:
                    try:
                        create_product(enterprise=job.enterprise, by=job.by, product=item.product,
                                       variants=item.variants, stock_by_sku=item.stock)  # fmt: skip
                        created += 1
                    except ValidationError as error:  # a SKU taken since the check
                        message = " ".join(error.messages)
                        job.errors.append({"row": item.rows[0], "column": "sku", "message": message})
                job.processed_rows += sum(len(item.rows) for item in chunk)
                job.created_products += created
                job.save(update_fields=["processed_rows", "created_products", "errors", "updated_at"])
        job.state = ImportState.DONE
        job.save(update_fields=["state", "updated_at"])
    except Exception as error:
        logger.exception("import %s failed", job.pk)
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else error.__class__.__name__
        job.refresh_from_db()
        job.state = ImportState.FAILED
        job.failure = _(
            "การนำเข้าหยุดกลางคันเพราะเกิดข้อผิดพลาด (%(error)s) บันทึกสินค้าแล้ว %(n)s รายการ ส่วนที่เหลือยังไม่ได้บันทึก"
        ) % {"error": reason, "n": job.created_products}
        job.save(update_fields=["state", "failure", "updated_at"])


def cancel(job: ImportJob) -> ImportJob:
    with transaction.atomic():
        job = _locked(job.pk)
        if job.state != ImportState.PREVIEW:
            raise ValidationError(_("ยกเลิกได้เฉพาะไฟล์ที่ยังไม่ได้ยืนยันการนำเข้า"), code="state")
        job.state = ImportState.CANCELLED
        job.save(update_fields=["state", "updated_at"])
    return job


# Export -------------------------------------------------------------------------------------------


def _money(minor: int | None):
    return "" if minor is None else Decimal(minor).scaleb(-2)


def export_rows(enterprise) -> list[list]:
    """Every SKU of the shop in the import layout (COLUMNS), so an export can be edited and imported."""
    rows = []
    variants = Variant.objects.filter(enterprise=enterprise).select_related("product__category")
    for v in variants.order_by("product__created_at", "product_id", "id"):
        p = v.product
        rows.append([
            v.sku, p.name_th, p.name_en, p.name_zh, p.description_th, p.description_en, p.description_zh,
            p.category.code, p.brand, p.province_code, p.otop_stars or "", ",".join(p.certifications),
            p.hs_code, v.option_th, v.option_en, v.option_zh, v.barcode, _money(v.price_satang),
            _money(v.cny_price_fen), v.weight_g, v.length_mm or "", v.width_mm or "", v.height_mm or "",
            v.available,
        ])  # fmt: skip
    return rows


def write_csv(rows: list[list]) -> bytes:
    """UTF-8 with a BOM, so Excel shows Thai; text that a spreadsheet would run as a formula is escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("products")
    sheet.append(COLUMNS)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
