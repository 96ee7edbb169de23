"""`manage.py audit verify` checks the whole audit log; `manage.py audit sign` signs its head."""

import base64
import json
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from talat.core import audit
from talat.core.audit_verify import verify
from talat.core.models import AuditEntry, TreeHead


class Command(BaseCommand):
    help = "Verifies the tamper-evident audit log, or signs a new tree head."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "verify", help="recompute the tree from the entries and check every signed head"
        )
        check.add_argument(
            "--public-key",
            help="hex or base64 Ed25519 key the heads must be signed with (default: this Talat's own key)",
        )
        check.add_argument(
            "--heads",
            help="a JSON file of tree heads kept outside Talat (a list of what /api/v1/audit/tree-head "
            "returned): checked too, so deleting heads from the database cannot hide a rewrite",
        )
        sub.add_parser("sign", help="sign and publish a tree head for the log as it is now")

    def handle(self, *args, action, **options):
        if action == "sign":
            head = audit.sign_tree_head()
            self.stdout.write(f"signed tree head: size {head.size}, root {bytes(head.root_hash).hex()}")
            return
        key = options.get("public_key")
        expected = _parse_key(key) if key else audit.public_key_bytes()
        rows = AuditEntry.objects.order_by("index").values_list("index", "kind", "at", "leaf")
        heads = list(TreeHead.objects.all()) + (_kept_heads(options["heads"]) if options.get("heads") else [])
        report = verify(rows.iterator(chunk_size=5000), heads, public_key=expected, total=rows.count())
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"audit log intact: {report.entries} entries, {report.heads} signed tree heads checked"
                )
            )
            return
        first = report.first
        raise CommandError(
            f"audit log TAMPERED: first problem at entry {first.index} ({first.kind}): {first.message}"
        )


def _kept_heads(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            published = json.load(handle)
        return [
            SimpleNamespace(
                size=int(h["size"]),
                root_hash=bytes.fromhex(h["root_hash"]),
                timestamp_ms=int(h["timestamp"]),
                signature=bytes.fromhex(h["signature"]),
                public_key=bytes.fromhex(h["public_key"]),
            )
            for h in (published if isinstance(published, list) else [published])
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"cannot read tree heads from {path}: {error}") from error


def _parse_key(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = base64.b64decode(text)
    if len(raw) != 32:
        raise CommandError("the public key must be 32 bytes (hex or base64)")
    return raw
