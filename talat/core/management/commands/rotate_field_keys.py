"""`manage.py rotate_field_keys`: re-encrypts every encrypted field under the newest key.

Add the new key to TALAT_FIELD_KEYS first (e.g. "1:<old>,2:<new>"), run this, then remove the
old key once it reports nothing left. Safe to stop and run again: rows already on the newest
key are skipped, and each batch commits on its own. Every run is written to the audit log."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from talat.core import audit, crypto
from talat.core.fields import EncryptedTextField


def encrypted_models():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypts personal identifiers under the newest key of TALAT_FIELD_KEYS (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        crypto.reset_key_ring()
        ring = crypto.KeyRing.from_settings()
        audit.append("keys.rotation_started", refs={"newest_version": ring.newest_version})
        total = 0
        for model, fields in encrypted_models():
            row_key = fields[0].row_key
            names = [f.attname for f in fields]
            last_pk, changed = None, 0
            while True:
                rows = model.objects.order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values_list("pk", row_key, *names)[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    for pk, row, *tokens in batch:
                        updates = {}
                        for model_field, token in zip(fields, tokens, strict=True):
                            if token:
                                new = crypto.reencrypt_token(token, aad=model_field.aad(str(row)), ring=ring)
                                if new is not None:
                                    updates[model_field.attname] = new
                        if updates:
                            model.objects.filter(pk=pk).update(**updates)
                            changed += 1
                last_pk = batch[-1][0]
            self.stdout.write(
                f"{model._meta.label}: {changed} rows re-encrypted to key {ring.newest_version}"
            )
            total += changed
        audit.append("keys.rotation_finished", refs={"newest_version": ring.newest_version, "rows": total})
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows now use key {ring.newest_version}"))
