"""Preferential certificates of origin for Thai exports: Form E (ASEAN–China, ACFTA), Form D
(ASEAN, ATIGA) and the RCEP certificate, decided from a product's bill of materials.

    for a in assess(product):
        print(a.form_name, a.eligible, a.criterion, a.rvc_percent, a.reason)
    application_data(product, "form_e")   # the data for the issuing authority, JSON-serialisable

A good qualifies under an agreement when

- it is wholly obtained or produced in Thailand ("WO"): every material except retail packaging is
  wholly obtained in Thailand, or, with no bill of materials, the exporter declares it so;
- (ACFTA and RCEP) it is produced in Thailand exclusively from materials originating in the
  agreement's parties ("PE");
- its regional value content is at least 40 % of the FOB price ("RVC40"), where materials
  originating in any party of the agreement count as regional (cumulation): ASEAN and China for
  Form E, ASEAN for Form D, the fifteen RCEP parties for RCEP. ACFTA uses the indirect formula
  (FOB − VNM) / FOB; ATIGA and RCEP also allow the direct one
  (VOM + direct labour + direct overhead + profit + other costs) / FOB, and the better of the two
  counts;
- or every non-originating material (retail packaging aside) has undergone the change of tariff
  classification the rule asks for ("CC" chapter, "CTH" heading, "CTSH" subheading).

Which of these an agreement offers for a product is the rule in data/origin_rules.csv: the row
with the longest HS prefix of the product's code, else the agreement's general row (empty
prefix). Sources and simplifications are in data/ORIGIN.md.

Money is integer satang; percentages are basis points (4000 = 40.00 %) computed with integer
arithmetic, rounded down for a value content (never overstated) and up for a non-originating
share, so the two always add up to 100 %. Material values are per unit of the finished product
and, for imported materials, their CIF value.
"""

import csv
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import geothai
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from talat.catalog import tariff

RULES_FILE = Path(__file__).resolve().parent / "data" / "origin_rules.csv"

EXPORTING_PARTY = "TH"
THRESHOLD_BP = 4000  # RVC40: at least 40 % of FOB
FULL_BP = 10_000

ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})
RCEP_PARTIES = ASEAN | {"CN", "JP", "KR", "AU", "NZ"}

BUILD_DOWN = "build_down"  # indirect: (FOB − VNM) / FOB
BUILD_UP = "build_up"  # direct: (VOM + labour + overhead + profit + other) / FOB

CTC_DIGITS = {"CC": 2, "CTH": 4, "CTSH": 6}
CRITERIA = ("WO", "RVC40", *CTC_DIGITS)


@dataclass(frozen=True)
class Agreement:
    code: str
    form_name: str
    parties: frozenset[str]
    formulas: tuple[str, ...]
    produced_from_originating: bool  # "PE" is a criterion of its own

    @property
    def region(self) -> str:
        """Where originating materials may come from, as a person reads it."""
        return {
            "form_e": _("อาเซียนและจีน"),
            "form_d": _("อาเซียน"),
            "rcep": _("ประเทศภาคี RCEP"),
        }[self.code]


AGREEMENTS = {
    "form_e": Agreement("form_e", "Form E", ASEAN | {"CN"}, (BUILD_DOWN,), True),
    "form_d": Agreement("form_d", "Form D", ASEAN, (BUILD_DOWN, BUILD_UP), False),
    "rcep": Agreement("rcep", "RCEP", RCEP_PARTIES, (BUILD_DOWN, BUILD_UP), True),
}


@dataclass(frozen=True)
class Rule:
    agreement: str
    hs_prefix: str  # "" for the agreement's general rule
    alternatives: tuple[str, ...]  # any one suffices: "WO", "RVC40", "CC", "CTH", "CTSH"
    verified: bool  # False: a stand-in until the product-specific rule is recorded
    note: str
    source: str

    @property
    def text(self) -> str:
        return " / ".join(self.alternatives)


@functools.cache
def rules() -> dict[str, tuple[Rule, ...]]:
    """The rules of data/origin_rules.csv by agreement, longest prefix first. Read once per
    process; a row naming an unknown agreement or criterion is an error in the file."""
    found: dict[str, list[Rule]] = {code: [] for code in AGREEMENTS}
    with RULES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alternatives = tuple(part.strip() for part in row["rule"].split("|"))
            unknown = [part for part in alternatives if part not in CRITERIA]
            prefix_ok = row["hs_prefix"] == "" or row["hs_prefix"].isdigit()
            if row["agreement"] not in found or unknown or not prefix_ok:
                raise ValueError(f"origin_rules.csv: bad row {row}")
            found[row["agreement"]].append(
                Rule(row["agreement"], row["hs_prefix"], alternatives, row["verified"] == "yes", row["note"],
                     row["source"])
            )  # fmt: skip
    return {code: tuple(sorted(rows, key=lambda r: -len(r.hs_prefix))) for code, rows in found.items()}


def rule_for(agreement: str, hs_code: str) -> Rule:
    """The rule for a product code under an agreement: the longest matching prefix, else the
    general rule."""
    code = tariff.normalise(hs_code)
    for rule in rules()[agreement]:
        if code.startswith(rule.hs_prefix):
            return rule
    raise LookupError(f"no general origin rule for {agreement}")


@dataclass
class Assessment:
    agreement: str
    form_name: str
    eligible: bool
    criterion: str | None  # "WO", "PE", "RVC40", "CC", "CTH", "CTSH"; None when not eligible
    rvc_bp: int | None  # the best value content the agreement's formulas allow; None without costing
    steps: list[str] = field(default_factory=list)  # the calculation, in the active language
    reason: str = ""  # why not eligible, in the active language
    rule: str = ""  # the alternatives that applied, e.g. "RVC40 / CTH"
    rule_verified: bool = True
    rvc_build_down_bp: int | None = None
    rvc_build_up_bp: int | None = None
    non_originating_bp: int | None = None  # non-originating materials as a share of FOB (rounded up)

    @property
    def rvc_percent(self) -> Decimal | None:
        return None if self.rvc_bp is None else percent(self.rvc_bp)


def percent(bp: int) -> Decimal:
    """Basis points as a percentage with two decimals: 4567 -> Decimal("45.67")."""
    return (Decimal(bp) / 100).quantize(Decimal("0.01"))


def _pct(bp: int) -> str:
    return f"{percent(bp)}%"


def _baht(satang: int) -> str:
    whole, part = divmod(satang, 100)
    return f"฿{whole:,}.{part:02d}"


def _hs(code: str) -> str:
    """A 6- or 8-digit code as the tariff prints it: 5004.00 / 0813.40.90."""
    return f"{code[:4]}.{code[4:6]}" + (f".{code[6:]}" if len(code) > 6 else "")


def _costing(product):
    try:
        return product.origin_costing
    except ObjectDoesNotExist:
        return None


def assess(product, *, agreements=tuple(AGREEMENTS)) -> list[Assessment]:
    """Whether `product` qualifies for each agreement's certificate, with the calculation."""
    unknown = [code for code in agreements if code not in AGREEMENTS]
    if unknown:
        raise ValueError(f"unknown agreement(s): {', '.join(unknown)}")
    materials = list(product.materials.all())
    costing = _costing(product)
    return [_assess(product, AGREEMENTS[code], materials, costing) for code in agreements]


def _country(material) -> str:
    return (material.origin_country or "").strip().upper()


def _material_hs(material) -> str:
    return tariff.normalise(material.hs_code)


def _originating(material, agreement: Agreement) -> bool:
    return _country(material) in agreement.parties


def _assess(product, agreement: Agreement, materials, costing) -> Assessment:
    rule = rule_for(agreement.code, product.hs_code)
    result = Assessment(
        agreement=agreement.code,
        form_name=agreement.form_name,
        eligible=False,
        criterion=None,
        rvc_bp=None,
        rule=rule.text,
        rule_verified=rule.verified,
    )
    steps, reasons = result.steps, []
    steps.append(
        _("กฎถิ่นกำเนิดของ %(form)s สำหรับพิกัด %(hs)s: %(rule)s")
        % {"form": agreement.form_name, "hs": _hs(tariff.normalise(product.hs_code)), "rule": rule.text}
    )
    if not rule.verified:
        steps.append(_("กฎนี้เป็นกฎทั่วไปที่ใช้แทนชั่วคราว โปรดตรวจกฎเฉพาะสินค้า (PSR) ของพิกัดนี้ก่อนยื่นขอ"))

    # Materials other than retail packaging decide WO, PE and a change of tariff classification.
    core = [m for m in materials if not m.packaging]

    # 1. Wholly obtained or produced in Thailand.
    declared = bool(costing and costing.wholly_obtained)
    not_wo = [m for m in core if not (m.wholly_obtained and _country(m) == EXPORTING_PARTY)]
    wholly_obtained = (bool(core) or declared) and not not_wo
    if wholly_obtained and core:
        steps.append(_("ได้มาทั้งหมดในประเทศไทย (WO): วัตถุดิบทุกรายการได้มาทั้งหมดในไทย"))
    elif wholly_obtained:
        steps.append(_("ได้มาทั้งหมดในประเทศไทย (WO) ตามที่ผู้ส่งออกแจ้ง"))
    elif not_wo:
        steps.append(
            _("ไม่ใช่สินค้าที่ได้มาทั้งหมดในไทย (WO) เพราะ: %(names)s")
            % {"names": ", ".join(m.name_th for m in not_wo)}
        )
    else:
        steps.append(_("ไม่มีรายการวัตถุดิบและไม่ได้แจ้งว่าสินค้าได้มาทั้งหมดในไทย"))

    # 2. Produced exclusively from originating materials.
    non_originating = [m for m in materials if not _originating(m, agreement)]
    produced_from_originating = (
        agreement.produced_from_originating and bool(core) and all(_originating(m, agreement) for m in core)
    )
    if produced_from_originating and not wholly_obtained:
        steps.append(_("ผลิตจากวัตถุดิบที่มีถิ่นกำเนิดใน%(region)sทั้งหมด (PE)") % {"region": agreement.region})

    # 3. Regional value content.
    allows_rvc = "RVC40" in rule.alternatives
    rvc_reasons: list[str] = []
    rvc_ok = _value_content(result, agreement, materials, non_originating, costing, rvc_reasons)
    if allows_rvc:
        reasons.extend(rvc_reasons)

    # 4. Change of tariff classification, for each level the rule offers.
    ctc_ok = {
        level: _tariff_change(result, level, product.hs_code, [m for m in non_originating if not m.packaging],
                              reasons)
        for level in rule.alternatives
        if level in CTC_DIGITS
    }  # fmt: skip

    if wholly_obtained:
        result.criterion = "WO"
    elif produced_from_originating:
        result.criterion = "PE"
    elif allows_rvc and rvc_ok:
        result.criterion = "RVC40"
    else:
        result.criterion = next((level for level, ok in ctc_ok.items() if ok), None)

    result.eligible = result.criterion is not None
    if result.eligible:
        steps.append(
            _("มีสิทธิ์ใช้ %(form)s ตามเกณฑ์ %(criterion)s")
            % {"form": agreement.form_name, "criterion": result.criterion}
        )
    else:
        if not allows_rvc:
            reasons.append(_("กฎของพิกัดนี้ไม่รับเกณฑ์สัดส่วนมูลค่าในภูมิภาค (RVC)"))
        if rule.alternatives == ("WO",):
            reasons.append(_("สินค้าพิกัดนี้ต้องได้มาทั้งหมดในประเทศไทย (WO)"))
        result.reason = " ".join(dict.fromkeys(reasons)) or _("ไม่ผ่านเกณฑ์ถิ่นกำเนิดข้อใดเลย")
        steps.append(_("ไม่มีสิทธิ์ใช้ %(form)s") % {"form": agreement.form_name})
    return result


def _value_content(result, agreement, materials, non_originating, costing, reasons) -> bool:
    """Fills the RVC figures and steps; True when the best allowed formula reaches 40 %."""
    steps = result.steps
    if costing is None:
        steps.append(_("ไม่มีข้อมูลต้นทุน จึงคำนวณสัดส่วนมูลค่าในภูมิภาค (RVC) ไม่ได้"))
        reasons.append(_("ยังไม่ได้กรอกข้อมูลต้นทุน (ราคา FOB ค่าแรง ค่าโสหุ้ย กำไร) จึงคำนวณสัดส่วนมูลค่าในภูมิภาคไม่ได้"))
        return False
    fob = costing.fob_satang
    vnm = sum(m.value_satang for m in non_originating)
    vom = sum(m.value_satang for m in materials) - vnm
    steps.append(_("ราคา FOB ต่อหน่วย %(fob)s") % {"fob": _baht(fob)})
    for material in materials:
        steps.append(
            _("%(name)s (%(country)s) %(value)s: %(status)s")
            % {
                "name": material.name_th,
                "country": _country(material) or _("ไม่ทราบถิ่นกำเนิด"),
                "value": _baht(material.value_satang),
                "status": _("มีถิ่นกำเนิดใน%(region)s") % {"region": agreement.region}
                if _originating(material, agreement)
                else _("ไม่มีถิ่นกำเนิดใน%(region)s") % {"region": agreement.region},
            }
        )
    steps.append(
        _("วัตถุดิบที่มีถิ่นกำเนิด (VOM) %(vom)s, วัตถุดิบที่ไม่มีถิ่นกำเนิด (VNM) %(vnm)s")
        % {"vom": _baht(vom), "vnm": _baht(vnm)}
    )
    if vom + vnm > fob:
        steps.append(_("มูลค่าวัตถุดิบรวมสูงกว่าราคา FOB"))
        reasons.append(_("มูลค่าวัตถุดิบรวม %(total)s สูงกว่าราคา FOB %(fob)s โปรดตรวจข้อมูลต้นทุน")
                       % {"total": _baht(vom + vnm), "fob": _baht(fob)})  # fmt: skip
        return False

    # Rounded down for the content and up for the non-originating share, so they add up to 100 %.
    build_down = (fob - vnm) * FULL_BP // fob
    result.non_originating_bp = FULL_BP - build_down
    result.rvc_build_down_bp = build_down
    steps.append(
        _("RVC แบบทางอ้อม (FOB − VNM) ÷ FOB = (%(fob)s − %(vnm)s) ÷ %(fob)s = %(rvc)s")
        % {"fob": _baht(fob), "vnm": _baht(vnm), "rvc": _pct(build_down)}
    )
    candidates = [build_down]
    if BUILD_UP in agreement.formulas:
        own = (
            costing.direct_labour_satang
            + costing.overhead_satang
            + costing.profit_satang
            + costing.other_satang
        )
        numerator = vom + own
        steps.append(
            _(
                "RVC แบบทางตรง (VOM + ค่าแรงงานทางตรง + ค่าโสหุ้ย + กำไร + ค่าใช้จ่ายอื่น) ÷ FOB"
                " = (%(vom)s + %(labour)s + %(overhead)s + %(profit)s + %(other)s) ÷ %(fob)s = %(rvc)s"
            )
            % {
                "vom": _baht(vom),
                "labour": _baht(costing.direct_labour_satang),
                "overhead": _baht(costing.overhead_satang),
                "profit": _baht(costing.profit_satang),
                "other": _baht(costing.other_satang),
                "fob": _baht(fob),
                "rvc": _pct(numerator * FULL_BP // fob),
            }
        )
        if numerator > fob:
            steps.append(_("ต้นทุนรวมสูงกว่าราคา FOB จึงไม่ใช้ผลแบบทางตรง โปรดตรวจข้อมูลต้นทุน"))
        else:
            result.rvc_build_up_bp = numerator * FULL_BP // fob
            candidates.append(result.rvc_build_up_bp)
    result.rvc_bp = max(candidates)
    passed = result.rvc_bp >= THRESHOLD_BP
    steps.append(
        _("RVC ที่ใช้ %(rvc)s เทียบเกณฑ์ขั้นต่ำ %(threshold)s: %(verdict)s")
        % {
            "rvc": _pct(result.rvc_bp),
            "threshold": _pct(THRESHOLD_BP),
            "verdict": _("ผ่าน") if passed else _("ไม่ผ่าน"),
        }
    )
    if not passed:
        reasons.append(
            _(
                "วัตถุดิบที่ไม่มีถิ่นกำเนิดใน%(region)sคิดเป็น %(share)s ของราคา FOB เกิน %(limit)s ที่ยอมได้"
                " (RVC %(rvc)s ต่ำกว่า %(threshold)s)"
            )
            % {
                "region": agreement.region,
                "share": _pct(result.non_originating_bp),
                "limit": _pct(FULL_BP - THRESHOLD_BP),
                "rvc": _pct(result.rvc_bp),
                "threshold": _pct(THRESHOLD_BP),
            }
        )
    return passed


def _tariff_change(result, level: str, product_hs: str, non_originating, reasons) -> bool:
    """True when every non-originating material has changed classification at `level`."""
    digits = CTC_DIGITS[level]
    target = tariff.normalise(product_hs)
    missing = [m for m in non_originating if not _material_hs(m)]
    same = [m for m in non_originating if _material_hs(m) and _material_hs(m)[:digits] == target[:digits]]
    for material in non_originating:
        if _material_hs(material):
            result.steps.append(
                _("%(level)s: %(name)s พิกัด %(from)s → สินค้า %(to)s: %(verdict)s")
                % {
                    "level": level,
                    "name": material.name_th,
                    "from": _hs(_material_hs(material)),
                    "to": _hs(target),
                    "verdict": _("เปลี่ยนพิกัด") if material not in same else _("ไม่เปลี่ยนพิกัด"),
                }
            )
    if not non_originating:
        result.steps.append(_("%(level)s: ไม่มีวัตถุดิบที่ไม่มีถิ่นกำเนิด") % {"level": level})
    if missing:
        reasons.append(
            _("พิสูจน์เกณฑ์การเปลี่ยนพิกัดไม่ได้ เพราะไม่ทราบพิกัดของวัตถุดิบ: %(names)s")
            % {"names": ", ".join(m.name_th for m in missing)}
        )
    if same:
        reasons.append(
            _("วัตถุดิบ %(names)s ไม่ได้เปลี่ยนพิกัดตามเกณฑ์ %(level)s")
            % {"names": ", ".join(m.name_th for m in same), "level": level}
        )
    return not missing and not same


# What each agreement's certificate prints in its origin-criterion box for each criterion.
def _printed_criterion(agreement: str, assessment: Assessment) -> str | None:
    criterion = assessment.criterion
    if criterion is None:
        return None
    if agreement == "rcep":
        return {"WO": "WO", "PE": "PE", "RVC40": "RVC"}.get(criterion, "CTC")
    if criterion == "RVC40":
        # Form E and Form D print the percentage, e.g. "45%"; rounded down, never overstated.
        return f"{assessment.rvc_bp // 100}%"
    return criterion


def _address(enterprise) -> dict:
    subdistrict = geothai.subdistrict(enterprise.subdistrict_code)
    district = geothai.district(enterprise.district_code)
    province = geothai.province(enterprise.province_code)
    areas = [area for area in (subdistrict, district, province) if area is not None]
    line = enterprise.address_line or ""
    return {
        "th": " ".join([line, *(a.name_th for a in areas), enterprise.postal_code]).strip(),
        "en": ", ".join([line, *(a.name_en for a in areas)]).strip(", ")
        + f" {enterprise.postal_code}, Thailand",
    }


def application_data(product, agreement: str) -> dict:
    """The data of a certificate-of-origin application for `product` under `agreement`
    ("form_e", "form_d", "rcep"): exporter, goods, HS code, the origin criterion as the form prints
    it, FOB value and the bill of materials, with the eligibility and the calculation. Plain JSON
    types only; money in satang."""
    assessment = assess(product, agreements=(agreement,))[0]
    info = AGREEMENTS[agreement]
    enterprise = product.enterprise
    costing = _costing(product)
    hs = tariff.normalise(product.hs_code)
    criterion_printed = _printed_criterion(agreement, assessment)
    return {
        "agreement": agreement,
        "form": info.form_name,
        "eligible": assessment.eligible,
        "reason": str(assessment.reason),
        "criterion": assessment.criterion,
        "origin_criterion": criterion_printed,
        "country_of_origin": EXPORTING_PARTY,
        "exporter": {
            "name_th": enterprise.name_th,
            "name_en": enterprise.name_en,
            "tax_id": str(enterprise.tax_id),
            "branch": enterprise.branch,
            "address_th": _address(enterprise)["th"],
            "address_en": _address(enterprise)["en"],
            "country": EXPORTING_PARTY,
        },
        "goods": {
            "name_th": product.name_th,
            "name_en": product.name_en or product.name_th,
            "description_th": product.description_th,
            "description_en": product.description_en,
            "hs_code": _hs(hs),
            "hs_code_6": _hs(hs[:6]),
        },
        "fob": {
            "per_unit_satang": costing.fob_satang if costing else None,
            "currency": "THB",
            # The forms ask for the FOB value only where the RVC criterion is used.
            "printed_on_certificate": assessment.criterion == "RVC40",
        },
        "rvc": {
            "percent": str(assessment.rvc_percent) if assessment.rvc_bp is not None else None,
            "build_down_bp": assessment.rvc_build_down_bp,
            "build_up_bp": assessment.rvc_build_up_bp,
            "threshold_bp": THRESHOLD_BP,
        },
        "rule": {"text": assessment.rule, "verified": assessment.rule_verified},
        "costing": None
        if costing is None
        else {
            "fob_satang": costing.fob_satang,
            "direct_labour_satang": costing.direct_labour_satang,
            "overhead_satang": costing.overhead_satang,
            "profit_satang": costing.profit_satang,
            "other_satang": costing.other_satang,
            "wholly_obtained": costing.wholly_obtained,
        },
        "materials": [
            {
                "name_th": m.name_th,
                "hs_code": _hs(_material_hs(m)) if _material_hs(m) else "",
                "origin_country": _country(m),
                "value_satang": m.value_satang,
                "wholly_obtained": m.wholly_obtained,
                "packaging": m.packaging,
                "originating": _originating(m, info),
            }
            for m in product.materials.all()
        ],
        "steps": [str(step) for step in assessment.steps],
    }
