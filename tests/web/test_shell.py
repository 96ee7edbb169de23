import json
import logging
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_need_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "a@example.th", "password": "x"})
    assert response.status_code == 403


def test_debug_is_off_unless_asked():
    from django.conf import settings as live

    assert live.DEBUG is False


def test_requests_are_logged_as_structured_json(client, caplog):
    with caplog.at_level(logging.INFO, logger="talat.request"):
        client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    record = next(r for r in caplog.records if r.name == "talat.request")
    assert (record.request_id, record.path, record.status) == ("abc123", "/healthz", 200)
    from talat.core.logging import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200 and "duration_ms" in line


@pytest.mark.parametrize(
    ("language", "expected"),
    [("th", "12 พ.ย. 2569"), ("en", "Nov. 12, 2026")],
)
def test_dates_follow_the_page_language(language, expected):
    moment = datetime(2026, 11, 12, 3, 0, tzinfo=UTC)
    with translation.override(language):
        rendered = Template('{{ moment|local_date:"short" }}').render(Context({"moment": moment}))
    assert rendered == expected


def test_language_switcher_sets_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page


def test_home_is_thai_by_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="th">' in page
    assert "htmx.min.js" in page and "//cdn" not in page and "https://" not in page
