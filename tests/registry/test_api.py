from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from talat.accounts import services as accounts
from talat.accounts.models import Role
from talat.registry import services
from talat.registry.models import Enterprise
from tests.factories import enterprise, enterprise_fields, officer, user

pytestmark = pytest.mark.django_db
URL = "/api/v1/enterprises"


def key_for(scopes, **extra):
    admin = user(Role.PLATFORM_ADMIN)
    _key, plaintext = accounts.create_api_key(
        user=user(Role.PARTNER_OPERATOR),
        name="test",
        scopes=scopes,
        expires_at=extra.get("expires_at", timezone.now() + timedelta(days=1)),
        created_by=admin,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def verified(count: int):
    checker = officer()
    made = [enterprise(name_th=f"ร้านที่ {i}") for i in range(count)]
    for item in made:
        services.decide_enterprise(enterprise=item, officer=checker, status="verified")
    return made


def test_anonymous_requests_get_401_with_the_error_body(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert "detail" in response.json()


def test_bad_key_gets_401(client):
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer tlt_nope_nope")
    assert response.status_code == 401


def test_key_without_the_scope_gets_403(client):
    response = client.post(
        URL, enterprise_fields(), content_type="application/json", **key_for(["enterprises:read"])
    )
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert not Enterprise.objects.exists()


def test_partner_reads_only_verified_enterprises_and_no_private_fields(client):
    shown = verified(2)
    enterprise(name_th="ยังไม่ตรวจ")
    body = client.get(URL, **key_for(["enterprises:read"])).json()
    assert body["count"] == 2
    assert {item["id"] for item in body["items"]} == {e.pk for e in shown}
    assert "tax_id" not in body["items"][0] and "phone" not in body["items"][0]
    one = client.get(f"{URL}/{shown[0].pk}", **key_for(["enterprises:read"])).json()
    assert one["province_en"] == "Chiang Mai" and "email" not in one


def test_pagination_counts_pages(client):
    verified(5)
    headers = key_for(["enterprises:read"])
    first = client.get(URL, {"page_size": 2}, **headers).json()
    last = client.get(URL, {"page_size": 2, "page": 3}, **headers).json()
    assert (first["count"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert len(last["items"]) == 1
    seen = {
        i["id"]
        for p in (1, 2, 3)
        for i in client.get(URL, {"page_size": 2, "page": p}, **headers).json()["items"]
    }
    assert len(seen) == 5


@pytest.mark.parametrize("query", [{"page": 0}, {"page_size": 101}, {"page": "x"}, {"kind": "bank"}])
def test_bad_query_gets_422_with_the_error_body(client, query):
    response = client.get(URL, query, **key_for(["enterprises:read"]))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_filters(client):
    verified(2)
    headers = key_for(["enterprises:read"])
    assert client.get(URL, {"province": "50"}, **headers).json()["count"] == 2
    assert client.get(URL, {"province": "10"}, **headers).json()["count"] == 0
    assert client.get(URL, {"q": "ร้านที่ 1"}, **headers).json()["count"] == 1


def test_unknown_enterprise_is_404_with_the_error_body(client):
    response = client.get(f"{URL}/999999", **key_for(["enterprises:read"]))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_owner_registers_through_the_api_with_the_session_and_csrf():
    owner = user()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = browser.post(URL, enterprise_fields(), content_type="application/json")
    assert refused.status_code == 403
    browser.get("/registry/status/")  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(URL, enterprise_fields(), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["phone"] == "+66812345678"
    assert Enterprise.objects.get().owner == owner


def test_partner_registers_for_an_existing_owner(client):
    owner = user(email="owner@example.th")
    response = client.post(
        URL, {**enterprise_fields(), "owner_email": "owner@example.th"}, content_type="application/json",
        **key_for(["enterprises:write", "enterprises:read"]),
    )  # fmt: skip
    assert response.status_code == 201
    assert Enterprise.objects.get().owner == owner


def test_invalid_registration_gets_422_per_field_and_writes_nothing(client):
    owner = user()
    client.force_login(owner)
    response = client.post(
        URL,
        enterprise_fields(registration_number="123", postal_code="10110"),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert set(body["detail"]) == {"registration_number", "postal_code"}
    assert not Enterprise.objects.exists()


def test_missing_fields_get_422_with_the_field_named(client):
    client.force_login(user())
    response = client.post(URL, {"kind": "company"}, content_type="application/json")
    assert response.status_code == 422
    assert "registration_number" in {item["field"] for item in response.json()["detail"]}


def test_officer_sees_details_and_pending(client):
    pending = enterprise()
    client.force_login(officer())
    body = client.get(f"{URL}/{pending.pk}").json()
    assert body["tax_id"] == pending.tax_id and body["status"] == "pending"


def test_openapi_documents_the_endpoints(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/enterprises", "/api/v1/enterprises/{enterprise_id}"} <= set(spec["paths"])
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("get", "/api/v1/nothing-here", 404, "not_found"), ("delete", URL, 405, "method_not_allowed")],
)
def test_router_level_errors_use_the_error_body_too(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.json()["error"] == code


def test_partners_read_only_public_class_fields_of_the_registry():
    """What a partner key reads without the border must be public data, by declaration."""
    from talat.core.classification import DataClass, classification_of
    from talat.registry.api import EnterpriseOut

    source = {
        "kind": "kind", "name_th": "name_th", "name_en": "name_en", "province_code": "province_code",
        "province_th": "province_code", "province_en": "province_code", "category_codes": "categories",
        "status": "status",
    }  # fmt: skip
    assert set(EnterpriseOut.model_fields) - {"id"} == set(source), "map every new field here"
    for name, field_name in source.items():
        declared = classification_of(Enterprise._meta.get_field(field_name))
        assert declared.data_class == DataClass.PUBLIC, name
