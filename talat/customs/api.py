"""/api/v1/customs/landed-cost: the duty and taxes a buyer abroad pays on an order, open to anyone
(the rules are public data and nothing about a person is stored)."""

from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from talat.accounts.models import Scope
from talat.core.api import ApiError, require_scope
from talat.customs import exports, landed_cost
from talat.governance import border
from talat.registry.models import Enterprise

router = Router(tags=["customs"])

# Which query parameter a service error belongs to.
_FIELD_OF_CODE = {
    "destination": "destination",
    "hs_format": "hs",
    "value": "value",
    "value_places": "value",
    "currency": "currency",
}


class LandedCostIn(Schema):
    destination: str = Field(pattern="^[A-Za-z]{2}$", description="ISO 3166 country code: CN, KH, LA, MM, VN")
    hs: str = Field(
        max_length=20,
        pattern=r"^[0-9][0-9 .\-]*$",
        description="HS code, 4 to 10 digits: 0813.40 or 33049930",
    )
    value: str = Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,3})?$",
        description="value of the goods in major units of `currency`, as a decimal string: 1250.00",
    )
    currency: str = Field(pattern="^[A-Za-z]{3}$", description="ISO 4217 code of `value`: THB, CNY, USD ...")
    buyer: str = Field(
        "",
        max_length=64,
        description="the buyer's id on the route; Talat does not yet know a buyer's purchases elsewhere, so "
        "the amount already bought this year is taken as 0 and only the order itself is checked against the "
        "annual limit",
    )
    certificate: str = Field(
        "",
        max_length=10,
        description="a certificate of origin the goods travel with: D (ATIGA Form D) gives the ATIGA rate in "
        "CLMV countries",
    )


class StepOut(Schema):
    code: str
    label: str
    base: str
    base_minor: int
    base_currency: str
    rate: str
    rate_bp: int | None
    amount: str
    amount_minor: int
    currency: str


class RuleOut(Schema):
    hs_prefix: str
    duty_bp: int | None
    vat_bp: int | None
    consumption_tax_bp: int | None
    tax_factor_bp: int
    atiga_applied: bool
    de_minimis_applied: bool
    confirmed: bool = Field(
        description="false when the figures are representative, not checked against a gazette"
    )
    note: str


class LandedCostOut(Schema):
    destination: str
    hs: str
    date: str
    route: str = Field(description="cbec_retail, general, or empty when no rule covers the destination")
    currency: str = Field(description="the destination's assessment currency, in which all amounts are given")
    value: str
    value_minor: int
    duty: str
    duty_minor: int
    vat: str
    vat_minor: int
    consumption_tax: str
    consumption_tax_minor: int
    total: str
    total_minor: int
    refused: bool
    reason: str
    input_value: str
    input_currency: str
    year_to_date_minor: int
    rule: RuleOut
    calculation: list[StepOut]


@router.get(
    "/customs/landed-cost", response=LandedCostOut, auth=None, summary="Estimate duty and import taxes"
)
def estimate_landed_cost(request, params: Query[LandedCostIn]):
    """The route, duty, VAT, consumption tax and total a buyer in `destination` pays for goods of
    tariff heading `hs` worth `value` `currency`, at today's rules and Bank of Thailand mid rate.
    China (CN) uses the cross-border e-commerce retail route: duty 0 %, VAT and consumption tax at
    70 %, within 5,000 CNY an order and 26,000 CNY a person a year, positive-list goods only.
    Anything the route does not allow comes back with `refused` true and a `reason`."""
    currency = params.currency.upper()
    try:
        value_minor = landed_cost.to_minor(Decimal(params.value), currency)
        result = landed_cost.estimate(
            destination=params.destination, hs_code=params.hs, value_minor=value_minor, currency=currency,
            buyer=params.buyer, certificate=params.certificate,
        )  # fmt: skip
    except ValidationError as error:
        field = _FIELD_OF_CODE.get(error.code or "", "__all__")
        raise ValidationError({field: error.messages}) from error

    def amount(minor: int) -> str:
        return str(landed_cost.to_major(minor, result.currency))

    return {
        "destination": result.destination,
        "hs": result.hs_code,
        "date": result.on.isoformat(),
        "route": result.route,
        "currency": result.currency,
        "value": amount(result.goods_minor),
        "value_minor": result.goods_minor,
        "duty": amount(result.duty_minor),
        "duty_minor": result.duty_minor,
        "vat": amount(result.vat_minor),
        "vat_minor": result.vat_minor,
        "consumption_tax": amount(result.consumption_tax_minor),
        "consumption_tax_minor": result.consumption_tax_minor,
        "total": amount(result.total_minor),
        "total_minor": result.total_minor,
        "refused": result.refused,
        "reason": result.reason,
        "input_value": str(landed_cost.to_major(result.input_minor, result.input_currency)),
        "input_currency": result.input_currency,
        "year_to_date_minor": result.year_to_date_minor,
        "rule": {
            "hs_prefix": result.hs_prefix,
            "duty_bp": result.duty_bp,
            "vat_bp": result.vat_bp,
            "consumption_tax_bp": result.consumption_tax_bp,
            "tax_factor_bp": result.tax_factor_bp,
            "atiga_applied": result.atiga_applied,
            "de_minimis_applied": result.de_minimis_applied,
            "confirmed": result.rule_confirmed,
            "note": result.rule_note,
        },
        "calculation": [
            {
                "code": step.code,
                "label": step.label,
                "base": str(landed_cost.to_major(step.base_minor, step.base_currency)),
                "base_minor": step.base_minor,
                "base_currency": step.base_currency,
                "rate": step.rate,
                "rate_bp": step.rate_bp,
                "amount": str(landed_cost.to_major(step.amount_minor, step.currency)),
                "amount_minor": step.amount_minor,
                "currency": step.currency,
            }
            for step in result.steps
        ],
    }


class ExportRecordOut(Schema):
    declaration_number: str | None = None
    exported_on: str | None = None
    destination: str | None = None
    hs_code: str | None = None
    description: str | None = None
    quantity: int | None = None
    fob_satang: int | None = None


@router.get("/customs/export-records", response=list[ExportRecordOut], url_name="export_records")
def export_records(request, enterprise: UUID):
    """A marketplace partner reads an exporter's own export records — only the fields its
    business-verification agreement releases, only with the exporter's consent (403 otherwise);
    each release shows in the exporter's data passbook. Authenticate with the partner's API key."""
    require_scope(request, Scope.EXPORT_RECORDS_READ)
    affiliation = getattr(request.user, "affiliation", None)
    partner = getattr(affiliation, "partner", None)
    if partner is None:
        raise ApiError(403, "forbidden", "only a partner's API key may read export records")
    shop = Enterprise.objects.filter(uid=enterprise).first()
    if shop is None:
        raise ApiError(404, "not_found", "no such enterprise")
    try:
        released = exports.release_to(partner, enterprise=shop)
    except border.Refused as refused:
        raise ApiError(403, refused.code, refused.reason) from None
    return [
        {key: str(value) if key == "exported_on" else value for key, value in item.items()}
        for item in released
    ]
