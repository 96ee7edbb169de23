import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from talat.accounts import services
from talat.accounts.models import ApiKey, Role
from tests.factories import user

pytestmark = pytest.mark.django_db


def make_key(**overrides):
    admin = overrides.pop("created_by", None) or user(Role.PLATFORM_ADMIN)
    fields = {
        "user": user(Role.PARTNER_OPERATOR),
        "name": "Lazada sync",
        "scopes": ["enterprises:read"],
        "expires_at": timezone.now() + timedelta(days=30),
        "created_by": admin,
    }
    fields.update(overrides)
    return services.create_api_key(**fields)


def test_key_is_stored_only_as_a_hash_and_authenticates():
    key, plaintext = make_key()
    secret = plaintext.split("_", 2)[2]
    assert plaintext not in str(ApiKey.objects.values_list().get(pk=key.pk))
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert services.authenticate_api_key(plaintext) == key


@pytest.mark.parametrize(
    "mangle", [lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), lambda k: "tlt_x_y", lambda k: ""]
)
def test_wrong_keys_do_not_authenticate(mangle):
    _key, plaintext = make_key()
    assert services.authenticate_api_key(mangle(plaintext)) is None


def test_revoked_and_expired_keys_do_not_authenticate():
    key, plaintext = make_key()
    services.revoke_api_key(key=key, revoked_by=key.created_by)
    assert services.authenticate_api_key(plaintext) is None
    expired, expired_plaintext = make_key()
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.authenticate_api_key(expired_plaintext) is None


def test_only_administrators_create_keys_for_partner_operators():
    with pytest.raises(ValidationError):
        make_key(created_by=user(Role.SME_OWNER))
    with pytest.raises(ValidationError):
        make_key(user=user(Role.SME_OWNER))
    with pytest.raises(ValidationError):
        make_key(scopes=["everything"])
    assert not ApiKey.objects.exists()


def test_admin_page_shows_the_key_once_and_revokes_with_post(client):
    admin = user(Role.PLATFORM_ADMIN)
    partner = user(Role.PARTNER_OPERATOR)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:api_keys"),
        {"user": partner.pk, "name": "Tmall feed", "scopes": ["enterprises:read"], "valid_days": 90},
    )
    page = response.content.decode()
    shown = response.context["plaintext"]
    assert shown.startswith("tlt_") and shown in page
    assert shown not in client.get(reverse("accounts:api_keys")).content.decode()
    key = ApiKey.objects.get()
    assert client.get(reverse("accounts:revoke_api_key", args=[key.pk])).status_code == 405
    client.post(reverse("accounts:revoke_api_key", args=[key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_non_administrators_cannot_open_the_key_page(client):
    client.force_login(user(Role.SME_OWNER))
    assert client.get(reverse("accounts:api_keys")).status_code == 403
