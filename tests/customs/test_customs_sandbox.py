"""The customs connector against the customs sandbox over real HTTP on loopback: a declaration
released through the border to the Customs agency is accepted with a declaration number, released by
the officer, and each change is notified with a signature Talat can check; Customs rejects what it
must (with its reasons in Thai) and refuses a request it cannot trust.

How the Released is made. The border releases only fields of a model that an agreement names, and
the declaration message lives in no model yet (the hub's manifest will hold it). The test declares
a stand-in model, `customs.DeclarationDocument` with one confidential JSON field `declaration`, in its
own app registry (like tests/core/test_encrypted_field.py), so migrations never see it and it needs no
table: the border reads only its field declarations. The agreement with Customs is drafted and
approved through the governance services, then names that field. When the manifest gains its own
declaration field, the agreement names "logistics.Manifest.declaration" instead and nothing else
changes."""

import json
import re
import threading
import time
from datetime import date

import httpx
import pytest
from django.apps.registry import Apps
from django.db import models

from talat.channels.sandboxes.server import Running
from talat.core.classification import confidential
from talat.customs.connector import (
    BadSignature,
    CustomsConnector,
    SignatureRejected,
    verify_event,
)
from talat.customs.declarations import AIR, from_manifest, to_message, validate
from talat.customs.sandboxes.customs import make_app
from talat.governance import border
from talat.governance.models import Agreement, Purpose
from talat.registry.models import Agency
from tests import factories
from tests.customs.test_declarations import BAD_TAX_ID, declaration, exporter, line

CLIENT_ID = "talat-test"
SECRET = b"test-customs-secret"
FAST_RETRIES = (0.05, 0.1, 0.2)
NUMBER_AT_UTAPAO = r"A2622\d{2}\d{7}"

test_apps = Apps(["tests.customs"])


class DeclarationDocument(models.Model):
    declaration = confidential(models.JSONField("ใบขนสินค้า"))

    class Meta:
        app_label = "customs"
        apps = test_apps

    def __str__(self):
        return f"declaration {self.pk}"


pytestmark = pytest.mark.django_db


@pytest.fixture
def customs_agency():
    agency, _created = Agency.objects.get_or_create(
        code="customs", defaults={"name_th": "กรมศุลกากร", "name_en": "The Customs Department"}
    )
    made = factories.agreement(
        recipient_partner=None, recipient_agency=agency, purpose=Purpose.CUSTOMS_CLEARANCE,
        fields=["registry.Enterprise.name_th"], consent_required=False, legal_basis="legal_obligation",
        countries=["TH"], transfer_basis="domestic", title_th="ยื่นใบขนสินค้าขาออกต่อกรมศุลกากร",
        summary_th="ส่งข้อมูลใบขนสินค้าขาออกเพื่อพิธีการศุลกากรตามพระราชบัญญัติศุลกากร",
    )  # fmt: skip
    Agreement.objects.filter(pk=made.pk).update(fields=["customs.DeclarationDocument.declaration"])
    return agency


@pytest.fixture
def shop():
    return factories.enterprise()


def released(made, *, agency, shop):
    return border.release(
        {"declaration": to_message(made)}, source=DeclarationDocument, recipient=agency,
        purpose=Purpose.CUSTOMS_CLEARANCE, subject=shop,
    )  # fmt: skip


def connector_to(customs, **options) -> CustomsConnector:
    return CustomsConnector(customs.url, CLIENT_ID, SECRET, **options)


class Receiver:
    """Talat's notification endpoint, standing in: records every POST and answers 200."""

    def __init__(self):
        self.received: list[tuple[bytes, str]] = []
        self.condition = threading.Condition()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.condition:
            self.received.append((body, environ.get("HTTP_X_CUSTOMS_SIGNATURE", "")))
            self.condition.notify_all()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def wait_for(self, count: int, timeout: float = 5) -> list[tuple[bytes, str]]:
        with self.condition:
            self.condition.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


def test_a_released_declaration_is_accepted_then_released_and_each_change_is_signed(customs_agency, shop):
    receiver = Receiver()
    with Running(receiver) as talat:
        sandbox = make_app(client_id=CLIENT_ID, secret=SECRET, callback_url=f"{talat.url}/customs/notify",
                           retry_delays=FAST_RETRIES)  # fmt: skip
        with Running(sandbox) as customs, connector_to(customs, recipient=customs_agency) as connector:
            made = declaration(
                line(), line(line_no=2, fta_privilege="FORM_E", certificate_number="E25340001")
            )
            assert validate(made) == []

            submission = connector.submit(released(made, agency=customs_agency, shop=shop),
                                          idempotency_key="manifest:TL-M-000123:1")  # fmt: skip

            assert submission.status == "accepted"
            assert submission.reference == "TL-M-000123"
            assert submission.reason == ""
            number = submission.declaration_number
            assert re.fullmatch(NUMBER_AT_UTAPAO, number), number
            assert connector.status(number).status == "accepted"

            answer = httpx.post(f"{customs.url}/v1/declarations/{number}/release")
            assert answer.status_code == 200

            again = httpx.post(f"{customs.url}/v1/declarations/{number}/release")
            assert (again.status_code, again.json()["responseCode"]) == (409, "S410")

            now = connector.status(number)
            assert (now.status, now.declaration_number, now.reference) == ("released", number, "TL-M-000123")
            events = receiver.wait_for(1)
        sandbox.close()
    body, header = events[0]
    event = verify_event(body, header, SECRET)
    assert (event["declarationNumber"], event["status"]) == (number, "released")
    assert event["referenceNumber"] == "TL-M-000123"
    with pytest.raises(BadSignature):
        verify_event(body, header, b"someone-else")
    with pytest.raises(BadSignature):
        verify_event(body.replace(b"released", b"accepted"), header, SECRET)


def test_a_wrong_tax_id_is_rejected_with_the_reason(customs_agency, shop):
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET)
    made = declaration(exporter=exporter(tax_id=BAD_TAX_ID))
    with Running(sandbox) as customs, connector_to(customs) as connector:
        submission = connector.submit(released(made, agency=customs_agency, shop=shop), idempotency_key="k-1")
    assert submission.status == "rejected"
    assert submission.declaration_number == ""
    assert submission.code == "E101"
    assert "เลขประจำตัวผู้เสียภาษีอากร" in submission.reason
    assert "tax identification number" in submission.reason_en
    assert submission.problems[0].field == "declarationControl.companyTaxNumber"
    assert sandbox.records == {}


def test_customs_names_every_faulty_line(customs_agency, shop):
    made = declaration(
        line(),
        line(line_no=2, hs_code="99999999"),
        line(line_no=3, gross_weight_g=1),
        line(line_no=4, fta_privilege="FORM_E"),
    )
    value = released(made, agency=customs_agency, shop=shop)
    with Running(make_app(client_id=CLIENT_ID, secret=SECRET)) as customs, connector_to(customs) as connector:
        submission = connector.submit(value, idempotency_key="k")
    assert submission.status == "rejected"
    assert [(p.code, p.field) for p in submission.problems] == [
        ("E201", "invoiceDetail[1].tariffCode"),
        ("E204", "invoiceDetail[2].grossWeightGram"),
        ("E207", "invoiceDetail[3].certificateNumber"),
    ]
    assert "หนังสือรับรองถิ่นกำเนิดสินค้า" in submission.reason


def test_a_bad_signature_or_a_stale_clock_is_refused_and_nothing_is_declared(customs_agency, shop):
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET)
    value = released(declaration(), agency=customs_agency, shop=shop)
    with Running(sandbox) as customs:
        forger = CustomsConnector(customs.url, CLIENT_ID, b"not-the-secret")
        with forger, pytest.raises(SignatureRejected) as refused:
            forger.submit(value, idempotency_key="k")
        assert refused.value.code == "S402"
        stranger = CustomsConnector(customs.url, "somebody", SECRET)
        with stranger, pytest.raises(SignatureRejected) as refused:
            stranger.submit(value, idempotency_key="k")
        assert refused.value.code == "S401"
        late = CustomsConnector(customs.url, CLIENT_ID, SECRET, clock=lambda: time.time() - 3600)
        with late, pytest.raises(SignatureRejected) as refused:
            late.submit(value, idempotency_key="k")
        assert refused.value.code == "S403"
        # Unsigned, by hand: refused too.
        answer = httpx.post(f"{customs.url}/v1/declarations", content=json.dumps(to_message(declaration())),
                            headers={"Idempotency-Key": "k"})  # fmt: skip
        assert answer.status_code == 401
        assert answer.json()["responseCode"] == "S401"
    assert sandbox.records == {}
    assert sandbox.answers == {}


def test_the_same_idempotency_key_never_declares_twice(customs_agency, shop):
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET)
    value = released(declaration(), agency=customs_agency, shop=shop)
    with Running(sandbox) as customs, connector_to(customs) as connector:
        first = connector.submit(value, idempotency_key="manifest:7:1")
        again = connector.submit(value, idempotency_key="manifest:7:1")
        other = connector.submit(value, idempotency_key="manifest:7:2")
    assert first.declaration_number == again.declaration_number
    assert other.declaration_number != first.declaration_number
    assert len(sandbox.records) == 2


def test_only_released_data_for_customs_clearance_is_sent(customs_agency, shop):
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET)
    with Running(sandbox) as customs, connector_to(customs) as connector:
        with pytest.raises(TypeError):
            connector.submit({"declaration": to_message(declaration())}, idempotency_key="k")
        other_agency = Agency.objects.create(code="dft", name_th="กรมการค้าต่างประเทศ",
                                             name_en="Department of Foreign Trade")  # fmt: skip
        value = released(declaration(), agency=customs_agency, shop=shop)
        with connector_to(customs, recipient=other_agency) as misdirected, pytest.raises(TypeError):
            misdirected.submit(value, idempotency_key="k")
    assert sandbox.answers == {}


def test_with_a_review_delay_a_declaration_is_submitted_first(customs_agency, shop):
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET, review_s=0.05, auto_release_s=0.05)
    made = from_manifest(
        [{"hs_code": "0810.60.00", "statistical_suffix": "000", "description_th": "ทุเรียนสด",
          "description_en": "Fresh durian", "quantity": 10, "unit": "KGM", "net_weight_g": 10_000,
          "gross_weight_g": 11_000, "fob_satang": 150_000_00, "fob_foreign_minor": 3_000_00,
          "currency": "CNY"}] * 50,
        reference="TL-M-000900", exporter=exporter(), destination_country="CN", port_of_loading="2622",
        transport_mode=AIR, vessel_or_flight="CZ8448", departure_date=date(2025, 6, 2), invoice_number="I-9",
    )  # fmt: skip
    with Running(sandbox) as customs, connector_to(customs) as connector:
        submission = connector.submit(released(made, agency=customs_agency, shop=shop), idempotency_key="k")
        assert submission.status == "submitted"
        seen = [submission.status]
        deadline = time.monotonic() + 5
        while seen[-1] != "released" and time.monotonic() < deadline:
            time.sleep(0.02)
            status = connector.status(submission.declaration_number).status
            if status != seen[-1]:
                seen.append(status)
        history = sandbox.get(submission.declaration_number)["history"]
    sandbox.close()
    assert seen == ["submitted", "accepted", "released"]
    assert [step["status"] for step in history] == ["submitted", "accepted", "released"]


def test_releasing_an_unknown_number_is_refused():
    sandbox = make_app(client_id=CLIENT_ID, secret=SECRET)
    with Running(sandbox) as customs:
        answer = httpx.post(f"{customs.url}/v1/declarations/A2622680000001/release")
    assert answer.status_code == 404
    assert answer.json()["messageThai"] == "ไม่พบใบขนสินค้า"
