"""EncryptedTextField: a text column that holds only an AES-256-GCM token (talat.core.crypto),
while Python code reads and writes plaintext.

    class Person(models.Model):
        uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
        phone = EncryptedTextField(_("โทรศัพท์"), row_key="uid", blank=True)

- Each token is bound to (db_table, column, str(row key)) as associated data, so a token moved
  to another row or column does not decrypt. The row key must be unique and set before the first
  save (a UUID default does that); an auto-increment primary key is not known in time.
- Loading keeps the token; the first read of instance.phone decrypts it with the instance's row
  key and caches the plaintext on the instance. Assigning sets plaintext.
- save(), create(), bulk_create() and save(update_fields=...) encrypt in pre_save() with the
  newest key. An unchanged value whose token already uses the newest key is written back as is;
  anything else gets a new token (so saving a row also moves it to the newest key).
- "" and None are stored as they are, so blank fields hold no ciphertext.
- .values(), .values_list() and raw SQL return the stored tokens (StoredToken, a str), never
  plaintext.
- The column cannot be compared with plaintext: filter(phone="0812345678"), update(phone=...)
  and bulk_update() with plaintext raise ValueError instead of silently matching nothing or
  writing plaintext. Look rows up through a blind-index column (crypto.blind_index).
- Serialisation (dumpdata) writes plaintext, as forms and value_from_object() see it; loaddata
  saves raw and so bypasses encryption, which the guard above refuses.
"""

from typing import NamedTuple

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init

from talat.core import crypto


class StoredToken(str):
    """A token as read from the database, not yet decrypted."""

    __slots__ = ()


_UNKNOWN = object()


class _Binding(NamedTuple):
    """A token known to be valid for this instance: encrypted for `row`, holding `plaintext`
    (_UNKNOWN until decrypted)."""

    row: str | None
    token: str
    plaintext: object


class EncryptedAttribute(DeferredAttribute):
    """Reads return plaintext, decrypting a loaded token on first access; writes store the
    assigned value (plaintext, or a StoredToken coming from the database)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        field = self.field
        data = instance.__dict__
        if field.attname not in data:
            # Deferred: load the row key with it, so decrypting needs no further query.
            row_attname = field.row_field.attname
            instance.refresh_from_db(
                fields=[field.attname] if row_attname in data else [field.attname, row_attname]
            )
        value = data[field.attname]
        if isinstance(value, StoredToken):
            value = field.open_token(instance, value)
            data[field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    descriptor_class = EncryptedAttribute
    description = "Text encrypted with AES-256-GCM, bound to its table, column and row"

    def __init__(self, *args, row_key: str = "uid", **kwargs):
        self.row_key = row_key
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["row_key"] = self.row_key
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            post_init.connect(self._remember_loaded_row, sender=cls)

    # -- checks ---------------------------------------------------------------------------------

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_encryption_options()]

    def _check_encryption_options(self):
        errors = []
        if self.primary_key or self.unique:
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be a primary key or unique: every encryption gives a "
                    "different token.",
                    hint="Make a unique blind-index column (talat.core.crypto.blind_index) instead.",
                    obj=self,
                    id="talat_core.E001",
                )
            )
        try:
            row_field = self.model._meta.get_field(self.row_key)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"row_key {self.row_key!r} is not a field of {self.model._meta.label}.",
                    hint="Add uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False).",
                    obj=self,
                    id="talat_core.E002",
                )
            )
        else:
            if not row_field.concrete or not (row_field.unique or row_field.primary_key):
                errors.append(
                    checks.Error(
                        f"row_key {self.row_key!r} must name a unique concrete field, so each row's "
                        "tokens are bound to that row alone.",
                        obj=self,
                        id="talat_core.E003",
                    )
                )
        return errors

    # -- binding --------------------------------------------------------------------------------

    @property
    def row_field(self):
        return self.model._meta.get_field(self.row_key)

    @property
    def _binding_name(self) -> str:
        return f"_talat_encrypted_{self.attname}"

    def _row_text(self, value) -> str | None:
        if value is None or value == "":
            return None
        return str(self.row_field.to_python(value))

    def row_of(self, instance) -> str:
        row = self._row_text(getattr(instance, self.row_field.attname))
        if row is None:
            raise ValueError(
                f"{instance._meta.label}.{self.row_key} is empty: {self.name} is encrypted bound to it, "
                "so it must be set before the value is saved or read."
            )
        return row

    def aad(self, row: str) -> bytes:
        return crypto.aad_for(self.model._meta.db_table, self.column, row)

    def _remember_loaded_row(self, sender, instance, **kwargs):
        """Note which row a loaded token belongs to, so it still decrypts if the instance's row key
        is changed (e.g. when copying a row) before the field is read."""
        value = instance.__dict__.get(self.attname)
        if isinstance(value, StoredToken):
            row = self._row_text(instance.__dict__.get(self.row_field.attname))
            instance.__dict__[self._binding_name] = _Binding(row, str(value), _UNKNOWN)

    def _loaded_row(self, instance, token: str) -> str:
        binding = instance.__dict__.get(self._binding_name)
        if binding is not None and binding.token == token and binding.row is not None:
            return binding.row
        return self.row_of(instance)

    def open_token(self, instance, token: str) -> str:
        """Decrypt a token loaded into instance and remember it as valid for that plaintext."""
        row = self._loaded_row(instance, token)
        plaintext = crypto.decrypt(token, aad=self.aad(row))
        instance.__dict__[self._binding_name] = _Binding(row, str(token), plaintext)
        return plaintext

    # -- database round trip --------------------------------------------------------------------

    def pre_save(self, model_instance, add):
        data = model_instance.__dict__
        value = data[self.attname] if self.attname in data else getattr(model_instance, self.attname)
        if value is None or value == "":
            return value
        row = self.row_of(model_instance)
        ring = crypto.KeyRing.from_settings()
        binding = data.get(self._binding_name)
        if isinstance(value, StoredToken):
            loaded_row = self._loaded_row(model_instance, value)
            if loaded_row == row and crypto.token_version(value) == ring.newest_version:
                return value
            plaintext = crypto.decrypt(value, aad=self.aad(loaded_row), ring=ring)
            data[self.attname] = plaintext
        else:
            plaintext = self.to_python(value)
            if (
                binding is not None
                and binding.row == row
                and binding.plaintext == plaintext
                and crypto.token_version(binding.token) == ring.newest_version
            ):
                return binding.token
        token = crypto.encrypt(plaintext, aad=self.aad(row), ring=ring)
        data[self._binding_name] = _Binding(row, token, plaintext)
        return token

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return StoredToken(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_token(value):
            return value
        raise ValueError(
            f"{self.model._meta.label}.{self.name} is encrypted: a plaintext value can neither be "
            "written to nor compared with its column. Save through the model (save(), create(), "
            "bulk_create() encrypt), and look rows up through a blind-index column."
        )
