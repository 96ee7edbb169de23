import re

import pytest
from django.core import mail
from django.urls import reverse

from talat.accounts.models import LoginFailure, Role, User
from tests.factories import PASSWORD, user

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_with_email_and_password_then_logout(client):
    person = user(Role.PLATFORM_ADMIN, email="Admin@Example.th")
    response = login(client, "admin@example.th", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert person.password.startswith("argon2$")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_thai_error(client):
    user(email="owner@example.th")
    response = login(client, "owner@example.th", "wrong-password")
    assert response.status_code == 200
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_repeated_failures_are_throttled_even_with_the_right_password(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user(email="owner@example.th")
    for _attempt in range(3):
        login(client, "owner@example.th", "wrong-password")
    response = login(client, "owner@example.th", PASSWORD)
    assert response.status_code == 200
    assert "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_ends_after_the_window(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    user(email="owner@example.th")
    for _attempt in range(2):
        login(client, "owner@example.th", "wrong-password")
    LoginFailure.objects.update(at="2000-01-01T00:00:00Z")
    assert login(client, "owner@example.th", PASSWORD).status_code == 302


def test_signup_creates_an_sme_owner_and_starts_onboarding(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "สมศรี ใจดี",
            "email": "somsri@example.th",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:onboarding")
    assert User.objects.get(email="somsri@example.th").role == Role.SME_OWNER


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password_confirm": "something-else-2569"}, "password_confirm", "รหัสผ่านทั้งสองช่องไม่ตรงกัน"),
        ({"email": "not-an-email"}, "email", None),
        ({"password": "12345678901", "password_confirm": "12345678901"}, "password", None),
        ({"accept_terms": ""}, "accept_terms", None),
    ],
)
def test_signup_rejects_bad_input_and_creates_nothing(client, change, field, message):
    data = {
        "full_name": "สมศรี ใจดี",
        "email": "somsri@example.th",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": "on",
    }
    data.update(change)
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    if message:
        assert message in response.content.decode()
    assert not User.objects.exists()


def test_signup_refuses_an_existing_email(client):
    user(email="somsri@example.th")
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "x", "email": "SOMSRI@example.th", "password": PASSWORD, "password_confirm": PASSWORD,
         "accept_terms": "on"},
    )  # fmt: skip
    assert "อีเมลนี้มีบัญชีอยู่แล้ว" in response.content.decode()
    assert User.objects.count() == 1


def test_password_reset_by_emailed_link(client, django_capture_on_commit_callbacks):
    person = user(email="owner@example.th")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "owner@example.th"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-long-passphrase")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.th"})
    assert response.status_code == 302
    assert mail.outbox == []
