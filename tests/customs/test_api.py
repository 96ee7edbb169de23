"""GET /api/v1/customs/landed-cost: the estimate as JSON, open to anyone."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/customs/landed-cost"


def get(client, **params):
    return client.get(URL, params)


def test_cosmetics_to_china_answer_route_taxes_and_the_calculation(client):
    response = get(
        client, destination="cn", hs="3304.99.30", value="1000.00", currency="cny", buyer="buyer-7"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["route"], body["currency"], body["refused"], body["reason"]) == (
        "cbec_retail",
        "CNY",
        False,
        "",
    )
    assert (body["value"], body["duty"], body["consumption_tax"], body["vat"], body["total"]) == (
        "1000.00", "0.00", "123.53", "107.06", "1230.59",
    )  # fmt: skip
    assert (body["value_minor"], body["consumption_tax_minor"], body["vat_minor"], body["total_minor"]) == (
        100000, 12353, 10706, 123059,
    )  # fmt: skip
    assert body["hs"] == "33049930" and body["year_to_date_minor"] == 0
    assert body["rule"]["hs_prefix"] == "3304" and body["rule"]["tax_factor_bp"] == 7000
    steps = {step["code"]: step for step in body["calculation"]}
    assert list(steps) == ["duty", "consumption_tax", "vat", "consumption_tax_payable", "vat_payable"]
    assert steps["consumption_tax"] == {
        "code": "consumption_tax", "label": steps["consumption_tax"]["label"], "base": "1176.47",
        "base_minor": 117647, "base_currency": "CNY", "rate": "15%", "rate_bp": 1500, "amount": "176.47",
        "amount_minor": 17647, "currency": "CNY",
    }  # fmt: skip
    assert "ภาษีการบริโภค" in steps["consumption_tax"]["label"]
    assert steps["vat_payable"]["rate"] == "70%" and steps["vat_payable"]["amount"] == "107.06"


def test_a_baht_value_is_answered_in_yuan_with_the_conversion_step(client, exchange_rates):
    body = get(client, destination="CN", hs="0813.40.90", value="1000", currency="THB").json()
    assert body["input_value"] == "1000.00" and body["input_currency"] == "THB"
    assert body["currency"] == "CNY" and body["value"] == "213.40"  # latest sample rate, 4.6860
    assert (
        body["calculation"][0]["code"] == "conversion"
        and body["calculation"][0]["rate"] == "4.686000 THB/CNY"
    )
    assert body["vat"] == "13.45" and body["total"] == "226.85"


def test_refusals_are_answers_with_a_reason(client, exchange_rates):
    over = get(client, destination="CN", hs="3304", value="5000.01", currency="CNY").json()
    assert over["refused"] and "5,000.00 CNY" in over["reason"] and over["total"] == "0.00"
    herbs = get(client, destination="CN", hs="1211", value="100", currency="CNY").json()
    assert herbs["refused"] and "1211" in herbs["reason"] and herbs["rule"]["hs_prefix"] == "1211"
    kip = get(client, destination="LA", hs="0902", value="100", currency="THB").json()
    assert kip["refused"] and "LAK" in kip["reason"]


def test_cambodia_below_and_above_its_de_minimis(client, exchange_rates):
    small = get(client, destination="KH", hs="0813", value="1000.00", currency="THB").json()
    assert small["currency"] == "USD" and small["value"] == "29.35" and small["total"] == "29.35"
    assert small["rule"]["de_minimis_applied"] and small["calculation"][-1]["code"] == "de_minimis"
    large = get(client, destination="KH", hs="0813", value="2000.00", currency="THB").json()
    assert (large["duty"], large["vat"], large["total"]) == ("4.11", "6.28", "69.08")
    assert large["rule"]["confirmed"] is False  # Cambodia's duty rates are representative


@pytest.mark.parametrize(
    "params, field",
    [
        ({"destination": "CHN"}, "destination"),
        ({"hs": "abcd"}, "hs"),
        ({"value": "1e3"}, "value"),
        ({"value": "12,50"}, "value"),
        ({"value": "-5"}, "value"),
        ({"currency": "yuan"}, "currency"),
        ({"buyer": "x" * 65}, "buyer"),
    ],
)
def test_malformed_parameters_are_422_with_the_field(client, params, field):
    response = get(
        client, **{"destination": "CN", "hs": "0813", "value": "100.00", "currency": "CNY", **params}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request" and [item["field"] for item in body["detail"]] == [field]


def test_missing_parameters_are_422(client):
    response = get(client, destination="CN", hs="0813")
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"
    assert {item["field"] for item in response.json()["detail"]} == {"value", "currency"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"value": "0.00"}, "value"),
        ({"value": "100.5", "currency": "JPY"}, "value"),
        ({"hs": "08"}, "hs"),
    ],
)
def test_values_the_service_rejects_are_422_in_thai(client, params, field):
    response = get(
        client, **{"destination": "CN", "hs": "0813", "value": "100.00", "currency": "CNY", **params}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid" and list(body["detail"]) == [field]
    assert any("\u0e00" <= char <= "\u0e7f" for char in body["detail"][field][0])


def test_a_form_d_certificate_gives_the_atiga_rate_in_vietnam(client):
    query = {"destination": "VN", "hs": "1704.90", "value": "2000000", "currency": "VND", "buyer": "x"}
    without = client.get("/api/v1/customs/landed-cost", query).json()
    with_d = client.get("/api/v1/customs/landed-cost", {**query, "certificate": "D"}).json()
    assert int(without["duty_minor"]) > 0 and int(with_d["duty_minor"]) == 0
    assert int(with_d["total_minor"]) < int(without["total_minor"])
