"""Landed-cost estimates from the shipped rule tables: China's cross-border e-commerce retail route
and the CLMV destinations, with the Bank of Thailand sample rates for values in baht."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from talat.customs.landed_cost import estimate
from talat.customs.models import DestinationLimit, ImportRule, Route

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 6)  # a day of the sample Bank of Thailand rates (CNY mid 4.6860, USD mid 34.0760)


def cn(hs: str, value_minor: int, **kwargs):
    return estimate(destination="CN", hs_code=hs, value_minor=value_minor, currency="CNY", on=DAY, **kwargs)


def test_high_end_cosmetics_pay_consumption_tax_on_the_composite_base_and_70_percent_of_both_taxes():
    result = cn("3304.99.30", 1000_00)
    assert not result.refused and result.reason == ""
    assert (result.route, result.currency, result.goods_minor, result.duty_minor) == (
        "cbec_retail",
        "CNY",
        1000_00,
        0,
    )
    # Statutory consumption tax: 1,000 / (1 - 15 %) = 1,176.47 base, 176.47 tax; VAT 13 % of that: 152.94.
    steps = {step.code: step for step in result.steps}
    assert (steps["consumption_tax"].base_minor, steps["consumption_tax"].amount_minor) == (1176_47, 176_47)
    assert (steps["vat"].base_minor, steps["vat"].rate, steps["vat"].amount_minor) == (1176_47, "13%", 152_94)
    # Payable at 70 %.
    assert result.consumption_tax_minor == 123_53 and result.vat_minor == 107_06
    assert steps["vat_payable"].rate_bp == 7000 and steps["consumption_tax_payable"].base_minor == 176_47
    assert result.total_minor == 1230_59
    # The published composite rate [(15 % + 13 %) / (1 - 15 %)] x 70 % gives the same taxes.
    composite = Decimal("1000.00") * (Decimal("0.28") / Decimal("0.85")) * Decimal("0.7")
    assert result.taxes_minor == int((composite * 100).to_integral_value())
    assert (result.hs_prefix, result.vat_bp, result.consumption_tax_bp, result.tax_factor_bp) == (
        "3304",
        1300,
        1500,
        7000,
    )


def test_dried_durian_pays_only_import_vat_at_70_percent_of_nine_percent():
    result = cn("0813.40.90", 250_00)
    assert not result.refused and result.hs_prefix == "0813" and result.vat_bp == 900
    assert result.duty_minor == 0 and result.consumption_tax_minor == 0
    assert [step.code for step in result.steps] == ["duty", "vat", "vat_payable"]
    assert result.vat_minor == 15_75  # 250 x 9 % = 22.50, x 70 %
    assert result.total_minor == 265_75


def test_a_baht_value_is_converted_to_yuan_at_the_bank_of_thailand_mid_rate_of_the_day(exchange_rates):
    result = estimate(destination="CN", hs_code="08134090", value_minor=1000_00, currency="THB", on=DAY)
    assert result.currency == "CNY" and result.input_minor == 1000_00 and result.input_currency == "THB"
    assert result.goods_minor == 213_40  # 1,000 / 4.6860
    assert result.vat_minor == 13_45  # 213.40 x 9 % = 19.21, x 70 % = 13.447
    conversion = result.steps[0]
    assert conversion.code == "conversion" and conversion.rate == "4.686000 THB/CNY"
    assert (conversion.base_currency, conversion.currency) == ("THB", "CNY")
    # Another day, another rate.
    earlier = estimate(
        destination="CN", hs_code="08134090", value_minor=1000_00, currency="THB", on=date(2025, 1, 2)
    )
    assert earlier.goods_minor == 214_59  # 1,000 / 4.6600


def test_an_order_over_5000_yuan_is_refused_for_the_cbec_route_and_5000_exactly_is_not():
    assert not cn("3304", 5000_00).refused
    over = cn("3304", 5000_01)
    assert over.refused and over.total_minor == 0 and over.vat_minor == 0
    assert "5,000.01 CNY" in over.reason and "5,000.00 CNY" in over.reason and "ต่อครั้ง" in over.reason


def test_the_annual_limit_counts_what_the_buyer_already_bought_this_year():
    assert not cn("0902", 1000_00, year_to_date_minor=25_000_00).refused  # 26,000 exactly
    over = cn("0902", 1000_01, year_to_date_minor=25_000_00)
    assert over.refused
    assert "25,000.00 CNY" in over.reason and "26,000.00 CNY" in over.reason and "ต่อคนต่อปี" in over.reason
    assert not cn("0902", 1000_01).refused  # nothing bought before


def test_a_heading_off_the_positive_list_is_refused_with_the_reason():
    herbs = cn("1211.90", 300_00)
    assert herbs.refused and herbs.estimable and herbs.route == "cbec_retail"
    assert (
        "1211.90" in herbs.reason
        and "CBEC" in herbs.reason
        and "跨境电子商务零售进口商品清单" in herbs.reason
    )
    unknown = cn("8471.30", 300_00)  # no rule at all: not on the list as far as Talat knows
    assert unknown.refused and "8471.30" in unknown.reason


def test_the_most_specific_prefix_wins():
    green = cn("0901.11.90", 100_00)
    roasted = cn("0901.21.10", 100_00)
    assert (green.hs_prefix, green.vat_bp) == ("090111", 900)
    assert (roasted.hs_prefix, roasted.vat_bp) == ("0901", 1300)


def test_a_rule_not_yet_in_force_is_ignored_and_an_expired_one_too():
    ImportRule.objects.create(
        destination="CN", route=Route.CBEC_RETAIL, hs_prefix="081340", duty_bp=0, vat_bp=1300,
        valid_from=date(2027, 1, 1), note="future rule",
    )  # fmt: skip
    ImportRule.objects.create(
        destination="CN", route=Route.CBEC_RETAIL, hs_prefix="08134090", duty_bp=0, vat_bp=1700,
        valid_from=date(2016, 4, 8), valid_until=date(2019, 3, 31), note="before the 2019 VAT cut",
    )  # fmt: skip
    today = cn("0813.40.90", 100_00)
    assert (today.hs_prefix, today.vat_bp, today.vat_minor) == ("0813", 900, 6_30)
    later = estimate(
        destination="CN", hs_code="08134090", value_minor=100_00, currency="CNY", on=date(2027, 1, 1)
    )
    assert (later.hs_prefix, later.vat_bp, later.vat_minor) == ("081340", 1300, 9_10)


def test_laos_vat_follows_the_dates_of_the_rate_change():
    before = estimate(
        destination="LA", hs_code="0902", value_minor=1_000_000, currency="LAK", on=date(2024, 4, 9)
    )
    after = estimate(
        destination="LA", hs_code="0902", value_minor=1_000_000, currency="LAK", on=date(2024, 4, 10)
    )
    assert (before.vat_bp, after.vat_bp) == (700, 1000)
    assert before.duty_minor == after.duty_minor == 100_000  # 10 % representative MFN
    assert before.vat_minor == 77_000 and after.vat_minor == 110_000


def test_vietnam_below_its_de_minimis_paid_nothing_until_the_exemption_was_repealed():
    below = estimate(destination="VN", hs_code="0813", value_minor=900_000, currency="VND", on=DAY)
    assert not below.refused and below.de_minimis_applied
    assert below.taxes_minor == 0 and below.total_minor == 900_000
    assert below.steps[-1].code == "de_minimis" and "1,000,000 VND" in below.steps[-1].label
    repealed = estimate(
        destination="VN", hs_code="0813", value_minor=900_000, currency="VND", on=date(2025, 2, 18)
    )
    assert not repealed.de_minimis_applied
    assert repealed.duty_minor == 270_000 and repealed.vat_minor == 93_600  # 30 %, then 8 % of 1,170,000
    above = estimate(destination="VN", hs_code="0813", value_minor=1_000_001, currency="VND", on=DAY)
    assert not above.de_minimis_applied and above.duty_minor == 300_000


def test_cambodia_de_minimis_in_dollars_with_a_baht_value(exchange_rates):
    small = estimate(destination="KH", hs_code="0813", value_minor=1000_00, currency="THB", on=DAY)
    assert small.currency == "USD" and small.goods_minor == 29_35  # 1,000 / 34.0760
    assert small.de_minimis_applied and small.total_minor == 29_35
    large = estimate(destination="KH", hs_code="0813", value_minor=2000_00, currency="THB", on=DAY)
    assert large.goods_minor == 58_69 and not large.de_minimis_applied
    assert large.duty_minor == 4_11  # 7 % of 58.69 = 4.1083
    assert large.vat_minor == 6_28  # 10 % of 62.80
    assert large.total_minor == 69_08


def test_atiga_rate_applies_with_a_form_d_certificate_only():
    def vn(certificate=""):
        return estimate(
            destination="VN", hs_code="1704.90", value_minor=2_000_000, currency="VND", on=date(2025, 6, 1),
            certificate=certificate,
        )  # fmt: skip

    without = vn()
    assert not without.atiga_applied and without.duty_bp == 2500 and without.duty_minor == 500_000
    assert without.vat_minor == 200_000 and without.total_minor == 2_700_000
    with_d = vn("D")
    assert with_d.atiga_applied and with_d.duty_bp == 0 and with_d.duty_minor == 0
    assert with_d.vat_minor == 160_000 and with_d.total_minor == 2_160_000
    assert "Form D" in with_d.steps[0].label
    assert not vn("E").atiga_applied
    assert not cn("3304", 100_00, certificate="D").atiga_applied  # China's CBEC rules have no ATIGA rate


def test_a_missing_exchange_rate_is_a_refusal_not_a_crash(exchange_rates):
    kip = estimate(destination="LA", hs_code="0902", value_minor=1000_00, currency="THB", on=DAY)
    assert kip.refused and "LAK" in kip.reason and kip.route == "general"
    no_rates_yet = estimate(
        destination="CN", hs_code="0902", value_minor=1000_00, currency="THB", on=date(2024, 1, 1)
    )
    assert no_rates_yet.refused and "CNY" in no_rates_yet.reason
    assert not kip.estimable and not no_rates_yet.estimable  # no estimate, not a refusal of the goods


def test_a_destination_without_rules_is_refused():
    result = estimate(destination="jp", hs_code="0813", value_minor=100, currency="JPY", on=DAY)
    assert result.refused and result.destination == "JP" and "JP" in result.reason and not result.estimable


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"destination": "CHN"}, "destination"),
        ({"hs_code": "08"}, "hs_format"),
        ({"hs_code": "08a3"}, "hs_format"),
        ({"hs_code": "๐๘๑๓"}, "hs_format"),
        ({"value_minor": 0}, "value"),
        ({"currency": "yuan"}, "currency"),
        ({"year_to_date_minor": -1}, "year_to_date"),
    ],
)
def test_malformed_input_raises(changes, code):
    arguments = {"destination": "CN", "hs_code": "0813", "value_minor": 100_00, "currency": "CNY", **changes}
    with pytest.raises(ValidationError) as raised:
        estimate(**arguments)
    assert raised.value.code == code


def test_the_shipped_tables_are_loaded():
    assert DestinationLimit.objects.get(destination="CN", route=Route.CBEC_RETAIL).cbec_tax_factor_bp == 7000
    assert {limit.destination for limit in DestinationLimit.objects.all()} == {"CN", "KH", "LA", "MM", "VN"}
    for heading in ("0813", "1006", "0901", "0902", "0904", "0910", "2103", "1704", "1806", "3304", "3401",
                    "5007", "6214", "4602", "3301"):  # fmt: skip
        assert ImportRule.objects.get(destination="CN", hs_prefix=heading).on_positive_list, heading
        for country in ("KH", "LA", "MM", "VN"):
            assert ImportRule.objects.filter(destination=country, hs_prefix=heading, atiga_duty_bp=0).exists()
    assert not ImportRule.objects.get(destination="CN", hs_prefix="1211").on_positive_list
