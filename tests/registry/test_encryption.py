"""Personal identifiers are encrypted at rest, bound to their row, and rotate to new keys."""

import pytest
from django.core.management import call_command
from django.db import connection

from talat.core import crypto
from talat.core.models import AuditEntry
from talat.registry.models import Enterprise
from tests.factories import citizen_id, enterprise

pytestmark = pytest.mark.django_db


def raw_database_text() -> str:
    """Every row of every table, as the database holds it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_raw_database_holds_no_plaintext_identifier():
    person_id = citizen_id(777)
    shop = enterprise(
        kind="individual", registration_number=person_id, tax_id=person_id, phone="089 765 4321",
        address_line="99/9 ซอยลับเฉพาะ",
    )  # fmt: skip
    assert Enterprise.objects.get(pk=shop.pk).registration_number == person_id
    text = raw_database_text()
    for secret in (person_id, "+66897654321", "0897654321", "ซอยลับเฉพาะ"):
        assert secret not in text
    row = Enterprise.objects.filter(pk=shop.pk).values("registration_number", "phone").get()
    assert row["registration_number"].startswith("v1:") and row["phone"].startswith("v1:")


def test_duplicate_identifiers_are_found_through_the_blind_index():
    person_id = citizen_id(778)
    enterprise(kind="individual", registration_number=person_id, tax_id=person_id)
    from talat.registry.models import registration_index

    assert (
        Enterprise.objects.filter(registration_index=registration_index("individual", person_id)).count() == 1
    )


def test_rotation_re_encrypts_every_row_and_is_audited(settings):
    shops = [enterprise() for _ in range(3)]
    old = settings.TALAT_FIELD_KEYS
    settings.TALAT_FIELD_KEYS = f"{old},2:{crypto.generate_key()}"
    crypto.reset_key_ring()
    try:
        call_command("rotate_field_keys", batch_size=2)
        tokens = Enterprise.objects.values_list("registration_number", "phone", "tax_id", "address_line")
        assert all(token.startswith("v2:") for row in tokens for token in row)
        for shop in shops:
            assert Enterprise.objects.get(pk=shop.pk).phone == "+66812345678"
        call_command("rotate_field_keys")  # a second run finds nothing left to do
        kinds = list(AuditEntry.objects.filter(kind__startswith="keys.").values_list("kind", flat=True))
        assert kinds == ["keys.rotation_started", "keys.rotation_finished"] * 2
        finished = bytes(AuditEntry.objects.filter(kind="keys.rotation_finished").last().leaf)
        assert b'"rows":0' in finished
    finally:
        settings.TALAT_FIELD_KEYS = old
        crypto.reset_key_ring()
