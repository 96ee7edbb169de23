"""The bill-of-materials form: one row a material (a formset with blank rows to add and a
"remove" box on each), and the product's costing. Money is typed in baht with up to two
decimals and handed on as integer satang; the checks on codes and countries live in the
catalog's origin service, which says in Thai what is wrong."""

import functools
import gettext as gettext_module
from decimal import Decimal

import pycountry
from django import forms
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pythainlp.util import collate

EXTRA_ROWS = 3
MAX_ROWS = 100


@functools.cache
def _country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, name) of every ISO 3166 country in `language` ("th", "en", "zh"); a
    country pycountry has no name for in that language keeps its English name."""
    locale = {"th": "th", "zh": "zh_CN"}.get(language)
    translate = (
        gettext_module.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
        ).gettext
        if locale
        else str
    )
    names = {country.alpha_2: translate(country.name) for country in pycountry.countries}
    order = collate(names.values()) if language == "th" else sorted(names.values())
    rank = {name: position for position, name in enumerate(order)}
    return tuple(sorted(names.items(), key=lambda item: (rank[item[1]], item[0])))


def _language() -> str:
    active = (get_language() or "th").lower()
    return "zh" if active.startswith("zh") else "en" if active.startswith("en") else "th"


def country_choices() -> list[tuple[str, str]]:
    return [("", _("— ไม่ทราบ (ถือว่าไม่มีถิ่นกำเนิด) —"))] + [
        (code, f"{name} ({code})") for code, name in _country_names(_language())
    ]


def country_name(code: str) -> str:
    """The country's name in the active language, or the code when it is not an ISO country."""
    return dict(_country_names(_language())).get((code or "").upper(), code)


class BahtField(forms.DecimalField):
    """Baht with at most two decimals ("1,250.50"), cleaned to integer satang without a float."""

    default_error_messages = {
        "invalid": _("กรอกจำนวนเงินเป็นตัวเลข เช่น 120.50"),
        "max_decimal_places": _("จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        "max_digits": _("จำนวนเงินสูงเกินไป"),
        "max_whole_digits": _("จำนวนเงินสูงเกินไป"),
        "min_value": _("จำนวนเงินต้องไม่ติดลบ"),
        "required": _("กรุณากรอกจำนวนเงิน"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("฿", "").strip()
        return super().to_python(value)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)

    def prepare_value(self, value):
        """Initial data is satang (an int); shown as baht."""
        if isinstance(value, int) and not isinstance(value, bool):
            whole, part = divmod(value, 100)
            return f"{whole}.{part:02d}"
        return value


class MaterialForm(forms.Form):
    # Required-ness is the service's to judge (a row typed half way gets a Thai message there);
    # a row left entirely blank is not a row.
    name_th = forms.CharField(label=_("วัตถุดิบ"), max_length=200, required=False)
    hs_code = forms.CharField(
        label=_("พิกัดศุลกากรของวัตถุดิบ"),
        max_length=14,
        required=False,
        help_text=_("6 หรือ 8 หลัก เช่น 5004.00 เว้นว่างได้ถ้าไม่ทราบ"),
    )
    origin_country = forms.CharField(label=_("ประเทศถิ่นกำเนิด"), required=False, widget=forms.Select)
    value_satang = BahtField(
        label=_("มูลค่าต่อหน่วยสินค้า (บาท)"),
        required=False,
        help_text=_("ราคา CIF สำหรับวัตถุดิบนำเข้า"),
    )
    wholly_obtained = forms.BooleanField(label=_("ได้มาทั้งหมดในประเทศถิ่นกำเนิด"), required=False)
    packaging = forms.BooleanField(label=_("บรรจุภัณฑ์สำหรับขายปลีก"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_country"].widget.choices = country_choices()
        self.fields["origin_country"].error_messages["max_length"] = _("รหัสประเทศไม่ถูกต้อง")


MaterialFormSet = formset_factory(
    MaterialForm, extra=EXTRA_ROWS, can_delete=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS + EXTRA_ROWS
)


class CostingForm(forms.Form):
    fob_satang = BahtField(
        label=_("ราคา FOB ต่อหน่วย (บาท)"),
        required=False,
        help_text=_("ราคาขายส่งออก ณ ท่าเรือต้นทาง ต่อสินค้าหนึ่งหน่วย"),
    )
    direct_labour_satang = BahtField(label=_("ค่าแรงงานทางตรงต่อหน่วย (บาท)"), required=False)
    overhead_satang = BahtField(label=_("ค่าโสหุ้ยการผลิตทางตรงต่อหน่วย (บาท)"), required=False)
    profit_satang = BahtField(label=_("กำไรต่อหน่วย (บาท)"), required=False)
    other_satang = BahtField(
        label=_("ค่าใช้จ่ายอื่นต่อหน่วย (บาท)"),
        required=False,
        help_text=_("เช่น ค่าขนส่งในประเทศไปยังท่าเรือ"),
    )
    wholly_obtained = forms.BooleanField(
        label=_("สินค้าได้มาทั้งหมดในประเทศไทย (เช่น ผลไม้สดที่ปลูกในไทย)"), required=False
    )
