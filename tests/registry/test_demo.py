import pytest
from stdnum.th import moa, pin

from talat.accounts.models import Role, User
from talat.core.address import validate_thai_address
from talat.core.ids import community_enterprise_id
from talat.registry import demo
from talat.registry.models import Agency, Enterprise, Partner

pytestmark = pytest.mark.django_db


def test_demo_set_is_complete_valid_and_loads_once():
    first = demo.load()
    snapshot = sorted(Enterprise.objects.values_list("registration_number", "name_th", "status"))
    second = demo.load()
    assert first == second
    assert sorted(Enterprise.objects.values_list("registration_number", "name_th", "status")) == snapshot
    assert first["enterprises"] >= 30 and first["provinces"] >= 15
    for enterprise in Enterprise.objects.all():
        validate_thai_address(
            province_code=enterprise.province_code,
            district_code=enterprise.district_code,
            subdistrict_code=enterprise.subdistrict_code,
            postal_code=enterprise.postal_code,
        )
        number = enterprise.registration_number
        if enterprise.kind in ("company", "partnership"):
            assert moa.is_valid(number)
        elif enterprise.kind == "community":
            assert community_enterprise_id(number) == number
        else:
            assert pin.is_valid(number) or moa.is_valid(number)
    assert {"dip", "ditp", "customs", "tat", "eeco"} <= set(Agency.objects.values_list("code", flat=True))
    assert {"lazada", "tmall-global", "alibaba", "cainiao"} <= set(
        Partner.objects.values_list("code", flat=True)
    )
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    statuses = set(Enterprise.objects.values_list("status", flat=True))
    assert {"verified", "pending", "rejected"} <= statuses


def test_demo_logins_work(client):
    demo.load()
    for email, _name, role, _place in demo.LOGINS:
        assert client.login(username=email, password=demo.DEMO_PASSWORD), role
        client.logout()
