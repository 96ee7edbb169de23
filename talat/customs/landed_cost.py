"""Landed-cost estimates: what a buyer abroad pays on top of the goods at the border.

    estimate(destination="CN", hs_code="3304.99.30", value_minor=100_000, currency="CNY")

finds the destination's route and limits (`DestinationLimit`) and the most specific rule for the
HS code (`ImportRule`, longest prefix) in force on the day, converts the value into the
destination's assessment currency at the Bank of Thailand mid rate of the day (through baht),
and computes:

- duty = value × duty rate (the ATIGA rate instead when a Form D certificate is given and the
  rule has one);
- consumption tax on the composite base (value + duty) / (1 − consumption-tax rate), as Chinese
  customs computes it;
- VAT on value + duty + consumption tax;
- on China's cross-border e-commerce retail route (CBEC), duty 0 % and the consumption tax and VAT
  payable at 70 % of the statutory amounts (`cbec_tax_factor_bp`), within 5,000 CNY per
  transaction and 26,000 CNY per person per year;
- no duty or tax at all when a de minimis threshold applies and the value does not exceed it.

Every amount is an integer of the assessment currency's minor unit, computed in Decimal and
rounded half up once per tax. An estimate that cannot be made (a heading off China's positive
list, a limit exceeded, no rule, no exchange rate) comes back with `refused` and a Thai reason;
only malformed input raises ValidationError.

`year_to_date_minor` is what the buyer has already bought on the route this calendar year, in the
assessment currency; the caller supplies it (Talat does not yet see a buyer's purchases on other
platforms), and None counts as 0.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.core.thai import thai_date
from talat.customs.models import DestinationLimit, ImportRule, Route
from talat.ledger import rates

BP = Decimal(10_000)
ATIGA_CERTIFICATES = frozenset({"D", "FORM D", "FORMD", "ATIGA"})
_HS_SEPARATORS = str.maketrans("", "", " .-\u00a0")


@dataclass(frozen=True)
class Step:
    """One line of the calculation: `amount_minor` = `base_minor` × rate (or a conversion)."""

    code: str  # conversion, de_minimis, duty, consumption_tax, vat, consumption_tax_payable, vat_payable
    label: str
    base_minor: int
    base_currency: str
    rate: str  # as shown: "13%", "4.660000 THB/CNY"
    rate_bp: int | None
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class Estimate:
    destination: str
    hs_code: str
    route: str
    currency: str
    goods_minor: int
    duty_minor: int = 0
    vat_minor: int = 0
    consumption_tax_minor: int = 0
    total_minor: int = 0
    refused: bool = False
    reason: str = ""
    # False when no estimate could be made at all (no rules for the country on that day, or no
    # exchange rate): that says nothing about whether the route takes the goods.
    estimable: bool = True
    input_minor: int = 0
    input_currency: str = ""
    buyer: str = ""
    year_to_date_minor: int = 0
    on: date | None = None
    # The rule the figures come from.
    hs_prefix: str = ""
    duty_bp: int | None = None
    vat_bp: int | None = None
    consumption_tax_bp: int | None = None
    tax_factor_bp: int = 10_000
    atiga_applied: bool = False
    de_minimis_applied: bool = False
    rule_confirmed: bool = False
    rule_note: str = ""
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def taxes_minor(self) -> int:
        return self.duty_minor + self.vat_minor + self.consumption_tax_minor


def to_major(amount_minor: int, currency: str) -> Decimal:
    """1250_00 fen -> Decimal("1250.00"); 1_000_000 dong -> Decimal("1000000")."""
    digits = rates.minor_digits(currency)
    return Decimal(amount_minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal("1250.00") CNY -> 125000; ValidationError for more places than the currency has."""
    digits = rates.minor_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            _("%(currency)s มีทศนิยมได้ไม่เกิน %(digits)s ตำแหน่ง") % {"currency": currency, "digits": digits},
            code="value_places",
        )
    return int(scaled)


def money(amount_minor: int, currency: str) -> str:
    """'5,000.00 CNY'."""
    return f"{to_major(amount_minor, currency):,} {currency}"


def percent(bp: int) -> str:
    return f"{(Decimal(bp) / 100).normalize():f}%"


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def normalise_hs(raw: str) -> str:
    """'0813.40.90' -> '08134090'; ValidationError unless 4 to 10 ASCII digits."""
    code = (raw or "").translate(_HS_SEPARATORS)
    if not (code.isascii() and code.isdigit() and 4 <= len(code) <= 10):
        raise ValidationError(
            _("พิกัดศุลกากรต้องเป็นตัวเลข 4 ถึง 10 หลัก เช่น 0813.40 หรือ 3304.99.30"), code="hs_format"
        )
    return code


def _in_force(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def limit_for(destination: str, on: date) -> DestinationLimit | None:
    """The destination's limits in force on `on`; China's CBEC route before any other."""
    limits = DestinationLimit.objects.filter(_in_force(on), destination=destination)
    order = {Route.CBEC_RETAIL: 0, Route.GENERAL: 1}
    return min(
        limits, key=lambda limit: (order.get(limit.route, 9), -limit.valid_from.toordinal()), default=None
    )


def rule_for(destination: str, route: str, hs_code: str, on: date) -> ImportRule | None:
    """The rule with the longest HS prefix of `hs_code` in force on `on`."""
    prefixes = [hs_code[:n] for n in (8, 6, 4, 2) if len(hs_code) >= n]
    rules = ImportRule.objects.filter(
        _in_force(on), destination=destination, route=route, hs_prefix__in=prefixes
    )
    return max(rules, key=lambda rule: (len(rule.hs_prefix), rule.valid_from), default=None)


def _convert(value_minor: int, currency: str, target: str, on: date) -> tuple[int, list[Step]]:
    """`value_minor` of `currency` in minor units of `target`, through baht at the BoT mid rate."""
    if currency == target:
        return value_minor, []
    steps = []
    satang = value_minor
    if currency != "THB":
        rate = rates.rate_on(currency, on)
        satang = rates.to_satang(value_minor, currency, on=on)
        steps.append(_conversion_step(value_minor, currency, satang, "THB", rate))
    amount = satang
    if target != "THB":
        rate = rates.rate_on(target, on)
        amount = rates.convert(satang, target, on=on)
        steps.append(_conversion_step(satang, "THB", amount, target, rate))
    return amount, steps


def _conversion_step(base_minor, base_currency, amount_minor, currency, rate) -> Step:
    foreign = currency if base_currency == "THB" else base_currency
    per = f"{rate.unit} {foreign}" if rate.unit != 1 else foreign
    return Step(
        code="conversion",
        label=_("แปลง %(from)s เป็น %(to)s ด้วยอัตรากลางของธนาคารแห่งประเทศไทย วันที่ %(date)s")
        % {"from": base_currency, "to": currency, "date": thai_date(rate.date)},
        base_minor=base_minor,
        base_currency=base_currency,
        rate=f"{rate.mid_rate} THB/{per}",
        rate_bp=None,
        amount_minor=amount_minor,
        currency=currency,
    )


def estimate(
    *,
    destination: str,
    hs_code: str,
    value_minor: int,
    currency: str,
    buyer: str = "",
    on: date | None = None,
    certificate: str = "",
    year_to_date_minor: int | None = None,
) -> Estimate:
    """The landed cost of goods worth `value_minor` (minor units of `currency`) with HS code
    `hs_code` sent to `destination` (ISO 3166 alpha-2) on `on` (today in Bangkok by default).
    `certificate` "D" (ATIGA Form D) claims the ATIGA rate. `buyer` is carried into the estimate;
    Talat does not look up what the buyer bought, so the annual limit is checked against
    `year_to_date_minor` (None counts as 0)."""
    destination = (destination or "").strip().upper()
    currency = (currency or "").strip().upper()
    if not (len(destination) == 2 and destination.isascii() and destination.isalpha()):
        raise ValidationError(_("ประเทศปลายทางต้องเป็นรหัส ISO 3166 สองตัวอักษร เช่น CN"), code="destination")
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValidationError(_("สกุลเงินต้องเป็นรหัส ISO 4217 สามตัวอักษร เช่น THB"), code="currency")
    code = normalise_hs(hs_code)
    if isinstance(value_minor, bool) or not isinstance(value_minor, int) or value_minor <= 0:
        raise ValidationError(_("มูลค่าสินค้าต้องมากกว่าศูนย์"), code="value")
    if year_to_date_minor is not None and year_to_date_minor < 0:
        raise ValidationError(_("ยอดซื้อสะสมในปีต้องไม่ติดลบ"), code="year_to_date")
    on = on or timezone.localdate()
    year_to_date = year_to_date_minor or 0
    base = {
        "destination": destination, "hs_code": code, "input_minor": value_minor, "input_currency": currency,
        "buyer": buyer, "year_to_date_minor": year_to_date, "on": on,
    }  # fmt: skip

    limit = limit_for(destination, on)
    if limit is None:
        return Estimate(
            **base, route="", currency=currency, goods_minor=value_minor, refused=True, estimable=False,
            reason=_("ตลาดยังไม่มีกฎการนำเข้าของประเทศ %(destination)s ที่มีผล ณ %(date)s")
            % {"destination": destination, "date": thai_date(on)},
        )  # fmt: skip
    route, target = limit.route, limit.currency

    try:
        goods, steps = _convert(value_minor, currency, target, on)
    except rates.NoRate as error:
        return Estimate(
            **base, route=route, currency=target, goods_minor=0, refused=True, estimable=False,
            reason=_("ประเมินไม่ได้เพราะแปลงสกุลเงินไม่ได้: %(error)s") % {"error": error},
        )  # fmt: skip

    def refuse(reason: str, rule: ImportRule | None = None) -> Estimate:
        return Estimate(
            **base, route=route, currency=target, goods_minor=goods, refused=True, reason=reason,
            tax_factor_bp=limit.cbec_tax_factor_bp, steps=tuple(steps), **_rule_details(rule),
        )  # fmt: skip

    display = ".".join([code[:4], *(code[i : i + 2] for i in range(4, len(code), 2))])  # 0813.40.90
    rule = rule_for(destination, route, code, on)
    if route == Route.CBEC_RETAIL and (rule is None or not rule.on_positive_list):
        return refuse(
            _(
                "พิกัด %(hs)s ไม่อยู่ในบัญชีสินค้าที่นำเข้าจีนแบบค้าปลีกข้ามพรมแดนได้ (跨境电子商务零售进口商品清单) "
                "จึงส่งทางช่องทาง CBEC ไม่ได้ ต้องนำเข้าแบบการค้าทั่วไป"
            )
            % {"hs": display},
            rule,
        )
    if rule is None:
        return refuse(
            _("ยังไม่มีอัตราอากรและภาษีของพิกัด %(hs)s สำหรับประเทศ %(destination)s ที่มีผล ณ %(date)s")
            % {"hs": display, "destination": destination, "date": thai_date(on)}
        )
    if limit.per_transaction_minor is not None and goods > limit.per_transaction_minor:
        return refuse(
            _(
                "มูลค่าคำสั่งซื้อ %(value)s เกินวงเงิน %(limit)s ต่อครั้งของการนำเข้าแบบค้าปลีกข้ามพรมแดน (CBEC): "
                "แบ่งเป็นหลายคำสั่งซื้อ หรือนำเข้าแบบการค้าทั่วไปซึ่งเสียอากรและภาษีเต็มอัตรา"
            )
            % {"value": money(goods, target), "limit": money(limit.per_transaction_minor, target)},
            rule,
        )
    if limit.per_year_minor is not None and year_to_date + goods > limit.per_year_minor:
        return refuse(
            _(
                "ยอดซื้อของผู้ซื้อในปีนี้ %(ytd)s รวมกับคำสั่งซื้อนี้ %(value)s เกินวงเงิน %(limit)s ต่อคนต่อปี"
                "ของการนำเข้าแบบค้าปลีกข้ามพรมแดน (CBEC)"
            )
            % {
                "ytd": money(year_to_date, target),
                "value": money(goods, target),
                "limit": money(limit.per_year_minor, target),
            },
            rule,
        )

    details = _rule_details(rule)
    if limit.de_minimis_minor and goods <= limit.de_minimis_minor:
        steps.append(
            Step(
                code="de_minimis",
                label=_("มูลค่าไม่เกินเกณฑ์ยกเว้น %(threshold)s จึงไม่ต้องเสียอากรและภาษี")
                % {"threshold": money(limit.de_minimis_minor, target)},
                base_minor=goods,
                base_currency=target,
                rate="0%",
                rate_bp=0,
                amount_minor=0,
                currency=target,
            )  # fmt: skip
        )
        return Estimate(
            **base, route=route, currency=target, goods_minor=goods, total_minor=goods,
            tax_factor_bp=limit.cbec_tax_factor_bp, de_minimis_applied=True, steps=tuple(steps), **details,
        )  # fmt: skip

    atiga = certificate.strip().upper() in ATIGA_CERTIFICATES and rule.atiga_duty_bp is not None
    duty_bp = rule.atiga_duty_bp if atiga else rule.duty_bp
    details["duty_bp"] = duty_bp
    factor = Decimal(limit.cbec_tax_factor_bp) / BP
    ct_rate = Decimal(rule.consumption_tax_bp) / BP
    vat_rate = Decimal(rule.vat_bp) / BP

    def step(code, label, base_minor, bp, amount):
        steps.append(Step(code, label, base_minor, target, percent(bp), bp, amount, target))
        return amount

    duty = step(
        "duty",
        _("อากรขาเข้าอัตรา ATIGA (หนังสือรับรอง Form D)") if atiga else _("อากรขาเข้า"),
        goods,
        duty_bp,
        _whole(goods * Decimal(duty_bp) / BP),
    )
    composite = Decimal(goods + duty) / (1 - ct_rate)
    consumption_tax = 0
    if rule.consumption_tax_bp:
        consumption_tax = step(
            "consumption_tax",
            _("ภาษีการบริโภค ฐานภาษี (มูลค่า + อากร) ÷ (1 − อัตราภาษีการบริโภค)"),
            _whole(composite),
            rule.consumption_tax_bp,
            _whole(composite * ct_rate),
        )
    vat_base = goods + duty + consumption_tax
    vat = step("vat", _("ภาษีมูลค่าเพิ่ม ฐานภาษี มูลค่า + อากร + ภาษีการบริโภค"), vat_base, rule.vat_bp,
               _whole(vat_base * vat_rate))  # fmt: skip
    if limit.cbec_tax_factor_bp != 10_000:
        if consumption_tax:
            consumption_tax = step(
                "consumption_tax_payable",
                _("ภาษีการบริโภคที่ต้องชำระ (ส่วนหนึ่งของอัตราตามกฎหมาย)"),
                consumption_tax,
                limit.cbec_tax_factor_bp,
                _whole(consumption_tax * factor),
            )
        vat = step(
            "vat_payable",
            _("ภาษีมูลค่าเพิ่มที่ต้องชำระ (ส่วนหนึ่งของอัตราตามกฎหมาย)"),
            vat,
            limit.cbec_tax_factor_bp,
            _whole(vat * factor),
        )
    return Estimate(
        **base, route=route, currency=target, goods_minor=goods, duty_minor=duty, vat_minor=vat,
        consumption_tax_minor=consumption_tax, total_minor=goods + duty + vat + consumption_tax,
        tax_factor_bp=limit.cbec_tax_factor_bp, atiga_applied=atiga, steps=tuple(steps), **details,
    )  # fmt: skip


def _rule_details(rule: ImportRule | None) -> dict:
    if rule is None:
        return {}
    return {
        "hs_prefix": rule.hs_prefix,
        "duty_bp": rule.duty_bp,
        "vat_bp": rule.vat_bp,
        "consumption_tax_bp": rule.consumption_tax_bp,
        "rule_confirmed": rule.confirmed,
        "rule_note": rule.note,
    }
