"""Export declarations (ใบขนสินค้าขาออก) as Thai Customs' e-Export system takes them: plain data in,
plain data out. No models and no queries here: the hub keeps the declaration's state on its manifest,
and this module only builds, checks and renders the document, fast enough for a manifest of 100,000
parcels (`from_manifest` is one pass over the parcels; `validate` one pass over the merged lines).

    declaration = from_manifest(parcel_lines, reference="TL-M-000123", exporter=exporter, ...)
    problems = validate(declaration)          # [] or [Problem(field, message_th, code), ...]
    message = to_message(declaration)         # the payload released to Customs and sent

Units: money in integer minor units (`fob_satang` in baht satang, `fob_foreign_minor` in the minor
unit of `currency`, the currency of sale), weights in grams, quantities in whole units of a UN/ECE
Recommendation 20 unit code (use GRM rather than a fraction of KGM). Never a float.

The message (`to_message`) is a JSON rendering of the e-Export "Export Declaration" structure, whose
three parts Thai Customs names Export Declaration Control (the document: exporter, ports, transport,
destination, totals), Export Invoice Control (the commercial invoice: number, terms, currency) and
Export Invoice Detail (one item per tariff line). Keys are camelCase English renderings of those
fields; numbers are JSON integers in the units above; dates are ISO 8601:

    {
      "messageType": "EXPORT_DECLARATION", "messageVersion": "1",
      "declarationControl": {
        "referenceNumber", "documentType": "0" (normal export),
        "companyTaxNumber" (13 digits), "companyBranch" (5 digits),
        "companyThaiName", "companyEnglishName", "companyAddress",
        "releasePort", "loadingPort" (Thai Customs area codes, e.g. "2801"),
        "modeOfTransport" ("1" sea, "2" rail, "3" road, "4" air, "5" post),
        "vesselName" (vessel, flight or vehicle), "departureDate",
        "destinationCountry" (ISO 3166 alpha-2),
        "totalItems", "totalNetWeightGram", "totalGrossWeightGram", "totalFobSatang"
      },
      "invoiceControl": [{
        "invoiceNumber", "termOfTrade" (Incoterm, "FOB"), "currencyCode", "totalFobForeign",
        "totalFobSatang"
      }, ...]  (one per currency of sale),
      "invoiceDetail": [{
        "itemNumber", "invoiceNumber", "tariffCode" (8-digit AHTN), "statisticalCode" (3 digits),
        "descriptionThai", "descriptionEnglish", "quantity", "quantityUnitCode",
        "netWeightGram", "grossWeightGram", "fobSatang", "fobForeign", "currencyCode",
        "originCountry", "privilegeCode" ("" or e.g. "FORM_E"), "certificateNumber"
      }, ...]
    }

Port (area) codes and transport-mode codes are Thai Customs' own: PORTS lists the export loading
places Talat's hub uses, taken from Thai Customs' area-code table (รหัสสถานที่).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pycountry
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from stdnum.th import tin

from talat.catalog import tariff

# Thai Customs transport-mode codes (ลักษณะการขนส่ง).
SEA, RAIL, ROAD, AIR, POST = "1", "2", "3", "4", "5"
TRANSPORT_MODES = {
    SEA: gettext_lazy("ทางเรือ"),
    RAIL: gettext_lazy("ทางรถไฟ"),
    ROAD: gettext_lazy("ทางรถยนต์"),
    AIR: gettext_lazy("ทางอากาศยาน"),
    POST: gettext_lazy("ทางไปรษณีย์"),
}
# The hub's manifest transport (logistics.Transport) as a Customs transport mode.
MODE_OF = {"sea": SEA, "rail": RAIL, "truck": ROAD, "road": ROAD, "air": AIR, "post": POST}


@dataclass(frozen=True)
class Port:
    code: str
    name_th: str
    name_en: str
    modes: frozenset[str]


# Thai Customs area codes (รหัสสถานที่) of places goods are loaded for export, with the transport
# modes that leave from them. A subset: the EEC hub's routes by sea, air and road.
PORTS = {
    port.code: port
    for port in (
        Port("2801", "สำนักงานศุลกากรท่าเรือแหลมฉบัง", "Laem Chabang Port Customs Office", frozenset({SEA})),
        Port("2621", "ด่านศุลกากรมาบตาพุด", "Map Ta Phut Customs House", frozenset({SEA})),
        Port("2622", "สนามบินนานาชาติอู่ตะเภา", "U-Tapao International Airport", frozenset({AIR})),
        Port("1500", "สนามบินดอนเมือง", "Don Mueang Airport", frozenset({AIR})),
        Port("4801", "ด่านศุลกากรท่าอากาศยานเชียงใหม่", "Chiang Mai Airport Customs House", frozenset({AIR})),
        Port("2301", "ด่านศุลกากรอรัญประเทศ", "Aranyaprathet Customs House", frozenset({ROAD, RAIL})),
        Port("2401", "ด่านศุลกากรคลองใหญ่", "Khlong Yai Customs House", frozenset({ROAD, SEA})),
        Port("4201", "ด่านศุลกากรแม่สาย", "Mae Sai Customs House", frozenset({ROAD})),
        Port("4401", "ด่านศุลกากรเชียงของ", "Chiang Khong Customs House", frozenset({ROAD, SEA})),
        Port("4901", "ด่านศุลกากรแม่สอด", "Mae Sot Customs House", frozenset({ROAD})),
        Port("5801", "ด่านศุลกากรสะเดา", "Sadao Customs House", frozenset({ROAD})),
    )
}

# UN/ECE Recommendation 20 unit codes Talat's goods are declared in.
UNITS = {
    "C62": "หน่วย", "PCE": "ชิ้น", "H87": "ชิ้น", "SET": "ชุด", "PR": "คู่", "DZN": "โหล",
    "GRM": "กรัม", "KGM": "กิโลกรัม", "TNE": "ตัน", "MLT": "มิลลิลิตร", "LTR": "ลิตร",
    "MTR": "เมตร", "MTK": "ตารางเมตร", "MTQ": "ลูกบาศก์เมตร",
}  # fmt: skip

# Preferential-tariff claims (สิทธิพิเศษทางภาษีตามความตกลงการค้าเสรี): each needs a certificate of
# origin (or an origin declaration) whose number goes on the line.
FTA_PRIVILEGES = {
    "FORM_D": "ATIGA (อาเซียน)",
    "FORM_E": "ACFTA (อาเซียน-จีน)",
    "FORM_AK": "AKFTA (อาเซียน-เกาหลี)",
    "FORM_AJ": "AJCEP (อาเซียน-ญี่ปุ่น)",
    "FORM_AI": "AIFTA (อาเซียน-อินเดีย)",
    "FORM_AANZ": "AANZFTA (อาเซียน-ออสเตรเลีย-นิวซีแลนด์)",
    "FORM_AHK": "AHKFTA (อาเซียน-ฮ่องกง)",
    "RCEP": "RCEP",
    "JTEPA": "JTEPA (ไทย-ญี่ปุ่น)",
    "TAFTA": "TAFTA (ไทย-ออสเตรเลีย)",
    "TNZCEP": "TNZCEP (ไทย-นิวซีแลนด์)",
    "TCFTA": "TCFTA (ไทย-ชิลี)",
    "TPCEP": "TPCEP (ไทย-เปรู)",
}

DIGITS_5 = re.compile(r"[0-9]{5}")
DIGITS_3 = re.compile(r"[0-9]{3}")
HS_8 = re.compile(r"[0-9]{8}")


@dataclass(frozen=True, slots=True)
class Exporter:
    tax_id: str  # 13-digit tax identification number (เลขประจำตัวผู้เสียภาษีอากร)
    branch: str  # 5 digits, "00000" for the head office
    name_th: str
    name_en: str
    address: str


@dataclass(frozen=True, slots=True)
class DeclarationLine:
    line_no: int
    hs_code: str  # 8-digit AHTN tariff code, digits only
    statistical_suffix: str  # 3-digit statistical code (รหัสสถิติ)
    description_th: str
    description_en: str
    quantity: int  # whole units of `unit`
    unit: str  # UN/ECE Recommendation 20 code: "KGM", "PCE", "C62", ...
    net_weight_g: int
    gross_weight_g: int
    fob_satang: int  # FOB value in baht satang
    fob_foreign_minor: int  # FOB value in the minor unit of `currency`
    currency: str  # ISO 4217 currency of sale
    origin_country: str = "TH"
    fta_privilege: str = ""  # "" or a key of FTA_PRIVILEGES
    certificate_number: str = ""  # certificate of origin, required with a privilege


@dataclass(frozen=True, slots=True)
class Declaration:
    reference: str  # Talat's unique id for this declaration (one per consignment or manifest)
    exporter: Exporter
    destination_country: str  # ISO 3166 alpha-2
    port_of_loading: str  # Thai Customs area code, a key of PORTS
    transport_mode: str  # a key of TRANSPORT_MODES
    vessel_or_flight: str
    departure_date: date
    lines: tuple[DeclarationLine, ...]
    invoice_number: str
    incoterm: str = "FOB"

    @property
    def total_net_weight_g(self) -> int:
        return sum(line.net_weight_g for line in self.lines)

    @property
    def total_gross_weight_g(self) -> int:
        return sum(line.gross_weight_g for line in self.lines)

    @property
    def total_fob_satang(self) -> int:
        return sum(line.fob_satang for line in self.lines)

    @property
    def total_fob_foreign_minor(self) -> dict[str, int]:
        """FOB in each currency of sale: {"CNY": 123400, ...}."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.currency] = totals.get(line.currency, 0) + line.fob_foreign_minor
        return totals


@dataclass(frozen=True, slots=True)
class Problem:
    field: str  # "exporter.tax_id", "lines[3].hs_code", ...
    message_th: str  # what is wrong, in the active language (Thai msgids)
    code: str = ""  # a stable code for programs: "tax_id", "hs_unknown", ...


# Validation.


@functools.cache
def _currency_known(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{3}", code)) and pycountry.currencies.get(alpha_3=code) is not None


@functools.cache
def _country_known(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2}", code)) and pycountry.countries.get(alpha_2=code) is not None


@functools.cache
def _tax_id_valid(value: str) -> bool:
    return len(value) == 13 and value.isascii() and value.isdigit() and tin.is_valid(value)


def _positive_int(value) -> bool:
    return type(value) is int and value > 0


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate(declaration: Declaration) -> list[Problem]:
    """Every problem Customs would reject the declaration for, in document order; [] when it may be
    submitted. Messages are Thai (through gettext), one per problem."""
    problems: list[Problem] = []
    add = problems.append
    exporter = declaration.exporter
    if not _tax_id_valid(exporter.tax_id or ""):
        add(Problem("exporter.tax_id",
                    _("เลขประจำตัวผู้เสียภาษีอากรของผู้ส่งออกไม่ถูกต้อง (ต้องเป็นตัวเลข 13 หลักและเลขตรวจสอบถูกต้อง)"),
                    "tax_id"))  # fmt: skip
    if not DIGITS_5.fullmatch(exporter.branch or ""):
        add(Problem("exporter.branch", _("เลขที่สาขาต้องเป็นตัวเลข 5 หลัก (สำนักงานใหญ่ใช้ 00000)"), "branch"))
    if not _text(exporter.name_th):
        add(Problem("exporter.name_th", _("กรุณาระบุชื่อผู้ส่งออกภาษาไทย"), "required"))
    if not _text(exporter.name_en):
        add(Problem("exporter.name_en", _("กรุณาระบุชื่อผู้ส่งออกภาษาอังกฤษ"), "required"))
    if not _text(exporter.address):
        add(Problem("exporter.address", _("กรุณาระบุที่อยู่ผู้ส่งออก"), "required"))
    if not _text(declaration.reference):
        add(Problem("reference", _("ใบขนสินค้าต้องมีเลขอ้างอิง"), "required"))
    if not _text(declaration.invoice_number):
        add(Problem("invoice_number", _("กรุณาระบุเลขที่บัญชีราคาสินค้า (อินวอยซ์)"), "required"))
    if declaration.destination_country == "TH" or not _country_known(declaration.destination_country or ""):
        add(Problem("destination_country",
                    _("ประเทศปลายทางต้องเป็นรหัสประเทศ ISO 3166 สองตัวอักษรของประเทศอื่นที่ไม่ใช่ไทย เช่น CN"),
                    "country"))  # fmt: skip
    if declaration.transport_mode not in TRANSPORT_MODES:
        add(Problem("transport_mode",
                    _("ลักษณะการขนส่งไม่ถูกต้อง (1 ทางเรือ, 2 ทางรถไฟ, 3 ทางรถยนต์, 4 ทางอากาศยาน, 5 ทางไปรษณีย์)"),
                    "transport_mode"))  # fmt: skip
    port = PORTS.get(declaration.port_of_loading)
    if port is None:
        add(Problem("port_of_loading",
                    _("ไม่รู้จักรหัสท่าหรือที่บรรทุก %(code)s") % {"code": declaration.port_of_loading},
                    "port"))  # fmt: skip
    elif declaration.transport_mode in TRANSPORT_MODES and declaration.transport_mode not in port.modes:
        add(Problem("port_of_loading",
                    _("%(port)s ไม่รับการส่งออก%(mode)s")
                    % {"port": port.name_th, "mode": TRANSPORT_MODES[declaration.transport_mode]},
                    "port_mode"))  # fmt: skip
    if not _text(declaration.vessel_or_flight):
        add(Problem("vessel_or_flight", _("กรุณาระบุชื่อเรือ เที่ยวบิน หรือทะเบียนรถ"), "required"))
    if not isinstance(declaration.departure_date, date):
        add(Problem("departure_date", _("กรุณาระบุวันที่ส่งออก"), "required"))
    if declaration.incoterm != "FOB":
        add(Problem("incoterm", _("ใบขนสินค้าขาออกสำแดงราคาแบบ FOB เท่านั้น"), "incoterm"))
    if not declaration.lines:
        add(Problem("lines", _("ใบขนสินค้าต้องมีรายการสินค้าอย่างน้อยหนึ่งรายการ"), "required"))
    known_codes = tariff.lines()
    seen_numbers = set()
    for index, line in enumerate(declaration.lines):
        _check_line(line, f"lines[{index}]", known_codes, add)
        if line.line_no in seen_numbers:
            add(Problem(f"lines[{index}].line_no", _("ลำดับรายการซ้ำกัน"), "line_no"))
        seen_numbers.add(line.line_no)
    return problems


def _check_line(line: DeclarationLine, where: str, known_codes: Mapping, add) -> None:
    if not HS_8.fullmatch(line.hs_code or ""):
        add(Problem(f"{where}.hs_code", _("พิกัดศุลกากรต้องเป็นตัวเลข 8 หลัก เช่น 0810.60.00"), "hs_format"))
    elif line.hs_code not in known_codes:
        code = line.hs_code
        add(Problem(f"{where}.hs_code",
                    _("ไม่พบพิกัด %(code)s ในตารางพิกัดของตลาด") % {"code": f"{code[:4]}.{code[4:6]}.{code[6:]}"},
                    "hs_unknown"))  # fmt: skip
    if not DIGITS_3.fullmatch(line.statistical_suffix or ""):
        add(Problem(f"{where}.statistical_suffix", _("รหัสสถิติต้องเป็นตัวเลข 3 หลัก"), "statistical_suffix"))
    if not _text(line.description_th):
        add(Problem(f"{where}.description_th", _("กรุณาระบุชื่อสินค้าภาษาไทย"), "required"))
    if not _text(line.description_en):
        add(Problem(f"{where}.description_en", _("กรุณาระบุชื่อสินค้าภาษาอังกฤษ"), "required"))
    if not _positive_int(line.quantity):
        add(Problem(f"{where}.quantity", _("ปริมาณต้องเป็นจำนวนเต็มที่มากกว่าศูนย์"), "quantity"))
    if line.unit not in UNITS:
        add(Problem(f"{where}.unit",
                    _("หน่วยของปริมาณต้องเป็นรหัส UN/ECE เช่น KGM, PCE, C62 (ได้รับ %(unit)s)") % {"unit": line.unit},
                    "unit"))  # fmt: skip
    net_ok, gross_ok = _positive_int(line.net_weight_g), _positive_int(line.gross_weight_g)
    if not net_ok:
        add(Problem(f"{where}.net_weight_g", _("น้ำหนักสุทธิต้องเป็นจำนวนกรัมที่มากกว่าศูนย์"), "weight"))
    if not gross_ok:
        add(Problem(f"{where}.gross_weight_g", _("น้ำหนักรวมต้องเป็นจำนวนกรัมที่มากกว่าศูนย์"), "weight"))
    if net_ok and gross_ok and line.gross_weight_g < line.net_weight_g:
        add(Problem(f"{where}.gross_weight_g", _("น้ำหนักรวมต้องไม่น้อยกว่าน้ำหนักสุทธิ"), "gross_below_net"))
    if not _positive_int(line.fob_satang):
        add(Problem(f"{where}.fob_satang", _("ราคา FOB เป็นเงินบาทต้องมากกว่าศูนย์"), "fob"))
    if not _positive_int(line.fob_foreign_minor):
        add(Problem(f"{where}.fob_foreign_minor", _("ราคา FOB ในสกุลเงินที่ขายต้องมากกว่าศูนย์"), "fob"))
    if not _currency_known(line.currency or ""):
        add(Problem(f"{where}.currency",
                    _("สกุลเงินต้องเป็นรหัส ISO 4217 เช่น THB, CNY (ได้รับ %(currency)s)")
                    % {"currency": line.currency},
                    "currency"))  # fmt: skip
    if not _country_known(line.origin_country or ""):
        add(Problem(f"{where}.origin_country", _("ประเทศถิ่นกำเนิดต้องเป็นรหัสประเทศ ISO 3166 สองตัวอักษร"),
                    "country"))  # fmt: skip
    if line.fta_privilege:
        if line.fta_privilege not in FTA_PRIVILEGES:
            add(Problem(f"{where}.fta_privilege",
                        _("ไม่รู้จักสิทธิพิเศษทางภาษี %(code)s") % {"code": line.fta_privilege},
                        "fta_unknown"))  # fmt: skip
        if not _text(line.certificate_number):
            add(Problem(f"{where}.certificate_number",
                        _("การขอใช้สิทธิพิเศษทางภาษีต้องระบุเลขที่หนังสือรับรองถิ่นกำเนิดสินค้า"),
                        "certificate_required"))  # fmt: skip
    elif line.certificate_number:
        add(Problem(f"{where}.fta_privilege",
                    _("ระบุเลขที่หนังสือรับรองถิ่นกำเนิดสินค้าแล้ว แต่ไม่ได้เลือกสิทธิพิเศษทางภาษี"),
                    "fta_missing"))  # fmt: skip


# Building one declaration from a manifest's parcel lines.

_LINE_FIELDS = ("hs_code", "statistical_suffix", "description_th", "description_en", "quantity", "unit",
                "net_weight_g", "gross_weight_g", "fob_satang", "fob_foreign_minor", "currency")  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _hs(raw: str) -> str:
    return tariff.normalise(raw)


def from_manifest(
    parcel_lines: Iterable[Mapping | DeclarationLine],
    *,
    reference: str,
    exporter: Exporter,
    destination_country: str,
    port_of_loading: str,
    transport_mode: str,
    vessel_or_flight: str,
    departure_date: date,
    invoice_number: str,
    incoterm: str = "FOB",
) -> Declaration:
    """ONE declaration for many parcel lines (a consignment or a consolidated manifest), in one pass.

    Each item is a DeclarationLine (its line_no is ignored) or a plain mapping with the same keys:
    hs_code (dots and spaces allowed), statistical_suffix, description_th, description_en, quantity,
    unit, net_weight_g, gross_weight_g, fob_satang, fob_foreign_minor, currency, and optionally
    origin_country ("TH"), fta_privilege ("") and certificate_number (""). Lines that agree on
    (hs_code, statistical_suffix, description_th, description_en, unit, currency, origin_country,
    fta_privilege, certificate_number) become one declaration line with quantity, weights and values
    summed; merged lines keep the order in which each first appeared and are numbered from 1. (The
    certificate number is part of the key because a preferential claim names one certificate.)
    Values are summed as given: `validate` reports a float or a negative amount afterwards.
    """
    merged: dict[tuple, list] = {}
    for item in parcel_lines:
        if isinstance(item, DeclarationLine):
            key = (_hs(item.hs_code), item.statistical_suffix, item.description_th, item.description_en,
                   item.unit, item.currency, item.origin_country, item.fta_privilege,
                   item.certificate_number)  # fmt: skip
            amounts = (item.quantity, item.net_weight_g, item.gross_weight_g, item.fob_satang,
                       item.fob_foreign_minor)  # fmt: skip
        else:
            key = (_hs(item["hs_code"]), item["statistical_suffix"], item["description_th"],
                   item["description_en"], item["unit"], item["currency"], item.get("origin_country", "TH"),
                   item.get("fta_privilege", ""), item.get("certificate_number", ""))  # fmt: skip
            amounts = (item["quantity"], item["net_weight_g"], item["gross_weight_g"], item["fob_satang"],
                       item["fob_foreign_minor"])  # fmt: skip
        total = merged.get(key)
        if total is None:
            merged[key] = list(amounts)
        else:
            total[0] += amounts[0]
            total[1] += amounts[1]
            total[2] += amounts[2]
            total[3] += amounts[3]
            total[4] += amounts[4]
    lines = []
    for number, (key, amounts) in enumerate(merged.items(), start=1):
        hs, suffix, th, en, unit, currency, origin, privilege, certificate = key
        quantity, net, gross, satang, foreign = amounts
        lines.append(
            DeclarationLine(
                number,
                hs,
                suffix,
                th,
                en,
                quantity,
                unit,
                net,
                gross,
                satang,
                foreign,
                currency,
                origin,
                privilege,
                certificate,
            )  # fmt: skip
        )
    return Declaration(
        reference=reference, exporter=exporter, destination_country=destination_country,
        port_of_loading=port_of_loading, transport_mode=transport_mode, vessel_or_flight=vessel_or_flight,
        departure_date=departure_date, lines=tuple(lines), invoice_number=invoice_number, incoterm=incoterm,
    )  # fmt: skip


# The message sent to Customs.


def to_message(declaration: Declaration) -> dict:
    """The e-Export declaration message for `declaration` (see the module docstring): plain JSON types,
    integers for every amount. Released through the border before it is sent."""
    exporter = declaration.exporter
    invoices: dict[str, dict] = {}
    details = []
    total_net = total_gross = total_satang = 0
    for item_number, line in enumerate(declaration.lines, start=1):
        total_net += line.net_weight_g
        total_gross += line.gross_weight_g
        total_satang += line.fob_satang
        invoice = invoices.get(line.currency)
        if invoice is None:
            invoice = invoices[line.currency] = {
                "invoiceNumber": _invoice_number(declaration.invoice_number, line.currency, len(invoices)),
                "termOfTrade": declaration.incoterm,
                "currencyCode": line.currency,
                "totalFobForeign": 0,
                "totalFobSatang": 0,
            }
        invoice["totalFobForeign"] += line.fob_foreign_minor
        invoice["totalFobSatang"] += line.fob_satang
        details.append({
            "itemNumber": item_number,
            "invoiceNumber": invoice["invoiceNumber"],
            "tariffCode": line.hs_code,
            "statisticalCode": line.statistical_suffix,
            "descriptionThai": line.description_th,
            "descriptionEnglish": line.description_en,
            "quantity": line.quantity,
            "quantityUnitCode": line.unit,
            "netWeightGram": line.net_weight_g,
            "grossWeightGram": line.gross_weight_g,
            "fobSatang": line.fob_satang,
            "fobForeign": line.fob_foreign_minor,
            "currencyCode": line.currency,
            "originCountry": line.origin_country,
            "privilegeCode": line.fta_privilege,
            "certificateNumber": line.certificate_number,
        })  # fmt: skip
    departure = declaration.departure_date
    return {
        "messageType": "EXPORT_DECLARATION",
        "messageVersion": "1",
        "declarationControl": {
            "referenceNumber": declaration.reference,
            "documentType": "0",
            "companyTaxNumber": exporter.tax_id,
            "companyBranch": exporter.branch,
            "companyThaiName": exporter.name_th,
            "companyEnglishName": exporter.name_en,
            "companyAddress": exporter.address,
            "releasePort": declaration.port_of_loading,
            "loadingPort": declaration.port_of_loading,
            "modeOfTransport": declaration.transport_mode,
            "vesselName": declaration.vessel_or_flight,
            "departureDate": departure.isoformat() if isinstance(departure, date) else str(departure),
            "destinationCountry": declaration.destination_country,
            "totalItems": len(details),
            "totalNetWeightGram": total_net,
            "totalGrossWeightGram": total_gross,
            "totalFobSatang": total_satang,
        },
        "invoiceControl": list(invoices.values()),
        "invoiceDetail": details,
    }


def _invoice_number(base: str, currency: str, index: int) -> str:
    """The first currency keeps the invoice number; a sale in a second currency is a second invoice."""
    return base if index == 0 else f"{base}-{currency}"


def port_name(code: str) -> str:
    """The port's name for people: Thai unless English is active."""
    port = PORTS.get(code)
    if port is None:
        return code
    return port.name_en if (get_language() or "th").startswith("en") else port.name_th
