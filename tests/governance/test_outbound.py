"""A connector cannot be given unreleased data: proven over real HTTP to a local sandbox."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from talat.governance import border
from talat.governance import services as governance
from talat.governance.outbound import Outbound, WrongRecipient
from talat.registry.models import Enterprise
from tests.factories import agreement, enterprise, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox():
    """A partner's endpoint on loopback that keeps every body it receives."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def test_only_released_fields_reach_the_partner(sandbox):
    url, received = sandbox
    deal = agreement()
    shop = enterprise()
    governance.decide_consent(agreement=deal, owner=shop, by=shop.owner, granted=True, text_version=1)
    full_record = {f.name: getattr(shop, f.name) for f in Enterprise._meta.concrete_fields}
    released = border.release(
        full_record, source=Enterprise, recipient=deal.recipient, purpose="logistics", subject=shop
    )
    channel = Outbound(recipient=deal.recipient, base_url=url)
    assert channel.post_json("/shipper", released).json() == {"ok": True}
    assert [json.loads(body) for body in received] == [{"name_th": shop.name_th, "province_code": "50"}]
    everything = b"".join(received).decode()
    for private in (shop.tax_id, shop.phone, shop.address_line, shop.email, shop.registration_number):
        assert private not in everything


@pytest.mark.parametrize("raw", [{"name_th": "x"}, "text", None])
def test_anything_but_a_released_value_is_refused_before_a_byte_is_sent(sandbox, raw):
    url, received = sandbox
    channel = Outbound(recipient=partner(), base_url=url)
    with pytest.raises(TypeError, match="released by the border"):
        channel.post_json("/shipper", raw)
    assert received == []


def test_data_released_to_one_partner_cannot_be_sent_to_another(sandbox):
    url, received = sandbox
    deal = agreement(consent_required=False)
    shop = enterprise()
    released = border.release({"name_th": shop.name_th}, source=Enterprise, recipient=deal.recipient,
                              purpose="logistics", subject=shop)  # fmt: skip
    other = Outbound(recipient=partner("lazada", "Lazada", "ลาซาด้า", "TH"), base_url=url)
    with pytest.raises(WrongRecipient):
        other.post_json("/shipper", released)
    assert received == []
