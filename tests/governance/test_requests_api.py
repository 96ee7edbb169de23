import pytest

from talat.governance.models import DataSubjectRequest, InformationRequest
from tests.factories import officer, user

pytestmark = pytest.mark.django_db


def test_a_person_files_and_lists_pdpa_requests_over_the_api(client):
    person = user()
    client.force_login(person)
    made = client.post("/api/v1/governance/requests", {"kind": "access"}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "received" and body["is_overdue"] is False
    assert client.get("/api/v1/governance/requests").json()["count"] == 1
    bad = client.post("/api/v1/governance/requests", {"kind": "everything"}, content_type="application/json")
    assert bad.status_code == 422
    assert DataSubjectRequest.objects.count() == 1
    client.force_login(user())
    assert client.get("/api/v1/governance/requests").json()["count"] == 0


def test_anyone_files_an_information_request_and_follows_it_by_code(client):
    agency = officer().affiliation.agency
    filed = client.post(
        "/api/v1/oia",
        {"requester_name": "นายสมชาย ขอรู้", "contact_email": "somchai@example.th",
         "information_wanted": "งบประมาณโครงการ", "agency": agency.code},
        content_type="application/json",
    )  # fmt: skip
    assert filed.status_code == 201
    code = filed.json()["code"]
    status = client.get(f"/api/v1/oia/{code}").json()
    assert status["status"] == "received" and status["agency"] == agency.code
    assert "somchai" not in str(status) and "สมชาย" not in str(status)
    assert client.get("/api/v1/oia/not-a-code").status_code == 404


def test_bad_information_requests_change_nothing(client):
    agency = officer().affiliation.agency
    response = client.post(
        "/api/v1/oia",
        {"requester_name": "", "contact_email": "x", "information_wanted": "", "agency": agency.code},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) >= {"requester_name", "contact_email"}
    assert not InformationRequest.objects.exists()


def test_the_data_protection_office_works_the_pdpa_queue_over_the_api(client):
    person = user()
    client.force_login(person)
    objection = {"kind": "objection", "objection_purpose": "marketing", "details": "ไม่ต้องการโฆษณา"}
    item = client.post("/api/v1/governance/requests", objection, content_type="application/json")
    pk = item.json()["id"]
    client.force_login(officer(agency_code="tat", verifies=False))
    assert client.get("/api/v1/governance/requests/queue").status_code == 403
    assert client.post(f"/api/v1/governance/requests/{pk}/start").status_code == 403
    client.force_login(officer(agency_code="talat-dpo", verifies=False, personal_data=True))
    assert client.get("/api/v1/governance/requests/queue").json()["count"] == 1
    assert client.post(f"/api/v1/governance/requests/{pk}/start").json()["status"] == "in_progress"
    outcome = {"resolution": "หยุดส่งข้อมูลเพื่อการตลาดแล้ว"}
    done = client.post(f"/api/v1/governance/requests/{pk}/complete", outcome, content_type="application/json")
    assert done.json()["status"] == "completed"


def test_agency_officers_refuse_information_requests_over_the_api(client):
    desk = officer()
    filed = client.post(
        "/api/v1/oia",
        {"requester_name": "ผู้ขอ", "contact_email": "asker@example.th", "information_wanted": "สัญญาจ้าง",
         "agency": desk.affiliation.agency.code},
        content_type="application/json",
    ).json()  # fmt: skip
    pk = InformationRequest.objects.get(code=filed["code"]).pk
    client.force_login(officer(agency_code="tat", verifies=False))
    refusal = {"ground": "s15_6", "reason": "ความลับทางการค้า"}
    assert (
        client.post(f"/api/v1/oia/requests/{pk}/refuse", refusal, content_type="application/json").status_code
        == 403
    )
    client.force_login(desk)
    assert client.get("/api/v1/oia/queue").json()["count"] == 1
    nonsense = {"ground": "nope", "reason": "x"}
    bad = client.post(f"/api/v1/oia/requests/{pk}/refuse", nonsense, content_type="application/json")
    assert bad.status_code == 422
    refused = client.post(
        f"/api/v1/oia/requests/{pk}/refuse", refusal, content_type="application/json"
    ).json()
    assert refused["status"] == "refused" and refused["appeal_until"]
    client.logout()
    assert client.get(f"/api/v1/oia/{filed['code']}").json()["refusal_ground"] == "s15_6"
