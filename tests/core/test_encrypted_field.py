"""EncryptedTextField against the real test database (SQLite or PostgreSQL). The test model lives
in its own app registry, so migrate/makemigrations never see it; a module fixture creates its
table with the schema editor."""

import base64
import uuid

import pytest
from django.apps.registry import Apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy as _

from talat.core import crypto
from talat.core.fields import EncryptedTextField, StoredToken

test_apps = Apps(["tests.core"])


class Person(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True)
    phone = EncryptedTextField(_("โทรศัพท์"), row_key="uid", blank=True)
    citizen_id = EncryptedTextField(_("เลขประจำตัวประชาชน"), row_key="uid", blank=True, null=True)

    class Meta:
        app_label = "core"
        apps = test_apps
        db_table = "talat_test_encrypted_person"

    def __str__(self):
        return self.name


TABLE = Person._meta.db_table


def key(byte: int) -> str:
    return base64.urlsafe_b64encode(bytes([byte]) * 32).decode()


KEY_1, KEY_2, INDEX_KEY = key(1), key(2), key(9)


@pytest.fixture(scope="module")
def person_table(django_db_setup, django_db_blocker):
    # Outside any test transaction: SQLite's schema editor refuses to run inside one.
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            if TABLE in connection.introspection.table_names():  # left over from an aborted --reuse-db run
                editor.delete_model(Person)
            editor.create_model(Person)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(Person)


@pytest.fixture(autouse=True)
def keys(settings, person_table, db):
    settings.TALAT_FIELD_KEYS = f"1:{KEY_1}"
    settings.TALAT_INDEX_KEY = INDEX_KEY
    crypto.reset_key_ring()
    yield settings
    crypto.reset_key_ring()


def raw(pk, column="phone"):
    with connection.cursor() as cursor:
        q = connection.ops.quote_name
        cursor.execute(f"SELECT {q(column)} FROM {q(TABLE)} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def write_raw(pk, column, value):
    with connection.cursor() as cursor:
        q = connection.ops.quote_name
        cursor.execute(f"UPDATE {q(TABLE)} SET {q(column)} = %s WHERE id = %s", [value, pk])


def aad(person, column="phone"):
    return crypto.aad_for(TABLE, column, str(person.uid))


def test_create_and_read_back():
    person = Person.objects.create(name="สมชาย", phone="081-234-5678", citizen_id="1101700230705")
    assert person.phone == "081-234-5678"  # the instance keeps its plaintext after saving
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.phone == "081-234-5678"
    assert loaded.citizen_id == "1101700230705"


def test_column_holds_only_a_token():
    person = Person.objects.create(phone="0812345678", citizen_id="1101700230705")
    for column, plaintext in (("phone", "0812345678"), ("citizen_id", "1101700230705")):
        stored = raw(person.pk, column)
        assert stored.startswith("v1:")
        assert plaintext not in stored
        assert crypto.decrypt(stored, aad=aad(person, column)) == plaintext


def test_loaded_values_stay_tokens_until_read():
    person = Person.objects.create(phone="0812345678")
    loaded = Person.objects.get(pk=person.pk)
    assert isinstance(loaded.__dict__["phone"], StoredToken)
    assert loaded.phone == "0812345678"
    assert loaded.__dict__["phone"] == "0812345678"  # decrypted once, then cached


def test_blank_and_null_are_not_encrypted():
    person = Person.objects.create(phone="", citizen_id=None)
    assert raw(person.pk, "phone") == ""
    assert raw(person.pk, "citizen_id") is None
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.phone == ""
    assert loaded.citizen_id is None
    assert Person.objects.filter(phone="", citizen_id__isnull=True).count() == 1


def test_save_assign_and_update_fields():
    person = Person.objects.create(name="ก", phone="0811111111")
    person.phone = "0822222222"
    person.name = "ข"
    person.save(update_fields=["phone"])
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.phone == "0822222222"
    assert loaded.name == "ก"  # not in update_fields
    loaded.name = "ค"
    loaded.save(update_fields=["name"])
    assert Person.objects.get(pk=person.pk).phone == "0822222222"


def test_saving_unchanged_value_keeps_the_token():
    person = Person.objects.create(phone="0812345678")
    token = raw(person.pk)
    person.save()
    assert raw(person.pk) == token
    loaded = Person.objects.get(pk=person.pk)
    loaded.save()  # never read: the stored token goes back untouched
    assert raw(person.pk) == token
    loaded.phone  # noqa: B018 -- read, then save unchanged
    loaded.save()
    assert raw(person.pk) == token
    loaded.phone = "0899999999"
    loaded.save()
    assert raw(person.pk) != token
    assert Person.objects.get(pk=person.pk).phone == "0899999999"


def test_refresh_from_db():
    person = Person.objects.create(phone="0811111111")
    other = Person.objects.get(pk=person.pk)
    other.phone = "0822222222"
    other.save()
    person.refresh_from_db()
    assert person.phone == "0822222222"
    other.phone = "0833333333"
    other.save()
    person.refresh_from_db(fields=["phone"])
    assert person.phone == "0833333333"


def test_deferred_field_loads_with_its_row_key():
    person = Person.objects.create(phone="0812345678")
    loaded = Person.objects.only("name").get(pk=person.pk)
    with CaptureQueriesContext(connection) as queries:
        assert loaded.phone == "0812345678"
    assert len(queries) == 1


def test_values_return_tokens():
    person = Person.objects.create(phone="0812345678")
    row = Person.objects.values("uid", "phone").get(pk=person.pk)
    assert row["phone"].startswith("v1:")
    assert crypto.decrypt(row["phone"], aad=crypto.aad_for(TABLE, "phone", str(row["uid"]))) == "0812345678"
    assert Person.objects.values_list("phone", flat=True).get(pk=person.pk) == row["phone"]


def test_bulk_create_encrypts_each_object():
    people = Person.objects.bulk_create([Person(phone=f"08100000{n:02}") for n in range(5)])
    by_uid = {p.uid: p for p in Person.objects.all()}
    assert len(by_uid) == 5
    tokens = set()
    for person in people:
        pk = Person.objects.get(uid=person.uid).pk
        stored = raw(pk)
        assert stored.startswith("v1:") and "08100000" not in stored
        tokens.add(stored)
        assert by_uid[person.uid].phone == person.phone
    assert len(tokens) == 5


def test_token_swapped_between_rows_does_not_decrypt():
    alice = Person.objects.create(phone="0811111111")
    bob = Person.objects.create(phone="0822222222")
    write_raw(bob.pk, "phone", raw(alice.pk))
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=bob.pk).phone  # noqa: B018


def test_token_swapped_between_columns_does_not_decrypt():
    person = Person.objects.create(phone="0811111111", citizen_id="1101700230705")
    write_raw(person.pk, "citizen_id", raw(person.pk, "phone"))
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.phone == "0811111111"
    with pytest.raises(crypto.DecryptionError):
        loaded.citizen_id  # noqa: B018


def test_tampered_token_does_not_decrypt():
    person = Person.objects.create(phone="0811111111")
    token = raw(person.pk)
    blob = bytearray(base64.urlsafe_b64decode(token[3:]))
    blob[-1] ^= 1
    write_raw(person.pk, "phone", "v1:" + base64.urlsafe_b64encode(bytes(blob)).decode())
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk).phone  # noqa: B018


def test_copying_a_row_rebinds_its_tokens():
    person = Person.objects.create(phone="0811111111")
    copy = Person.objects.get(pk=person.pk)
    copy.pk = None
    copy._state.adding = True
    copy.uid = uuid.uuid4()
    copy.save()  # phone never read: decrypted for the old row, encrypted for the new
    assert crypto.decrypt(raw(copy.pk), aad=aad(copy)) == "0811111111"
    assert Person.objects.get(pk=copy.pk).phone == "0811111111"


def test_rotation(keys):
    person = Person.objects.create(phone="0812345678", citizen_id="1101700230705")
    untouched = Person.objects.create(phone="0899999999")
    assert crypto.token_version(raw(person.pk)) == 1
    with override_settings(TALAT_FIELD_KEYS=f"1:{KEY_1},2:{KEY_2}"):
        crypto.reset_key_ring()
        # What a rotation command does: tokens only, no plaintext leaves crypto.
        for pk, uid, token in Person.objects.values_list("pk", "uid", "phone"):
            new = crypto.reencrypt_token(token, aad=crypto.aad_for(TABLE, "phone", str(uid)))
            assert new is not None and crypto.token_version(new) == 2
            Person.objects.filter(pk=pk).update(phone=new)
            assert crypto.reencrypt_token(new, aad=crypto.aad_for(TABLE, "phone", str(uid))) is None
        assert crypto.token_version(raw(person.pk)) == 2
        assert Person.objects.get(pk=person.pk).phone == "0812345678"
        assert Person.objects.get(pk=untouched.pk).phone == "0899999999"
        # Saving also moves a row's remaining v1 tokens to the newest key.
        assert crypto.token_version(raw(person.pk, "citizen_id")) == 1
        Person.objects.get(pk=person.pk).save()
        assert crypto.token_version(raw(person.pk, "citizen_id")) == 2
    with override_settings(TALAT_FIELD_KEYS=f"2:{KEY_2}"):  # version 1 retired
        crypto.reset_key_ring()
        loaded = Person.objects.get(pk=person.pk)
        assert (loaded.phone, loaded.citizen_id) == ("0812345678", "1101700230705")


def test_plaintext_cannot_reach_the_column_or_a_lookup():
    person = Person.objects.create(phone="0811111111")
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(phone="0822222222")
    person.phone = "0822222222"
    with pytest.raises(ValueError, match="encrypted"), transaction.atomic():
        Person.objects.bulk_update([person], ["phone"])
    with pytest.raises(ValueError, match="blind-index"), transaction.atomic():
        list(Person.objects.filter(phone="0811111111"))
    assert crypto.token_version(raw(person.pk)) == 1


def test_blind_index_finds_a_row():
    """The pattern for exact-match lookups: a deterministic HMAC next to the token."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE talat_test_phone_index (person_id integer, phone_index varchar(64))"
        )
        for phone in ("0811111111", "0822222222"):
            person = Person.objects.create(phone=phone)
            cursor.execute(
                "INSERT INTO talat_test_phone_index VALUES (%s, %s)",
                [person.pk, crypto.blind_index(phone, purpose="person.phone")],
            )
        cursor.execute(
            "SELECT person_id FROM talat_test_phone_index WHERE phone_index = %s",
            [crypto.blind_index("0822222222", purpose="person.phone")],
        )
        (pk,) = cursor.fetchone()
        cursor.execute("DROP TABLE talat_test_phone_index")
    assert Person.objects.get(pk=pk).phone == "0822222222"


def test_missing_keys_raise_on_save(keys):
    keys.TALAT_FIELD_KEYS = ""
    with pytest.raises(ImproperlyConfigured, match="TALAT_FIELD_KEYS is not set"):
        Person.objects.create(phone="0811111111")


def test_deconstruct_carries_row_key():
    name, path, args, kwargs = Person._meta.get_field("phone").deconstruct()
    assert path == "talat.core.fields.EncryptedTextField"
    assert kwargs["row_key"] == "uid"
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.row_key == "uid"


def test_checks_reject_misuse():
    check_apps = Apps(["tests.core"])

    class Bad(models.Model):
        ref = models.UUIDField(default=uuid.uuid4)
        secret = EncryptedTextField(row_key="ref", unique=True)
        other = EncryptedTextField(row_key="missing")

        class Meta:
            app_label = "core"
            apps = check_apps

        def __str__(self):
            return str(self.ref)

    assert Person._meta.get_field("phone").check() == []
    assert {e.id for e in Bad._meta.get_field("secret").check()} == {"talat_core.E001", "talat_core.E003"}
    assert {e.id for e in Bad._meta.get_field("other").check()} == {"talat_core.E002"}
