"""The audit log: appends, signed heads, proofs checked by an independent RFC 9162
implementation, and the verifier catching every kind of tampering done in the database."""

import base64
import hashlib

import pymerkle
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from talat.core import audit, merkle
from talat.core.audit_verify import verify
from talat.core.models import AuditEntry, TreeHead

pytestmark = pytest.mark.django_db


def fill(n: int, start: int = 0):
    audit.append_many([audit.Event("test.event", {"n": start + i}, {}) for i in range(n)])


def rows():
    return list(AuditEntry.objects.order_by("index").values_list("index", "kind", "at", "leaf"))


def run_verify():
    return verify(rows(), list(TreeHead.objects.all()), public_key=audit.public_key_bytes())


def leaves():
    return [bytes(leaf) for leaf in AuditEntry.objects.order_by("index").values_list("leaf", flat=True)]


def reference_tree():
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for leaf in leaves():
        tree.append_entry(leaf)
    return tree


def test_entries_chain_and_root_match_an_independent_implementation():
    fill(37)
    assert audit.size() == 37
    head = audit.sign_tree_head()
    assert bytes(head.root_hash) == reference_tree().get_root(37)
    assert audit.verify_head_signature(head)
    first, second = leaves()[:2]
    assert f'"prev":"{merkle.leaf_hash(first).hex()}"'.encode() in second


def test_inclusion_and_consistency_proofs_verify_independently():
    fill(45)
    tree = reference_tree()
    for index in (0, 1, 17, 44):
        path = audit.inclusion_proof(index, 45)
        reference = tree.prove_inclusion(index + 1, 45)  # pymerkle counts leaves from 1
        assert [bytes(p) for p in reference.path[1:]] == path
    for first in (1, 8, 20, 44):
        proof = audit.consistency_proof(first, 45)
        assert merkle.verify_consistency(first, 45, tree.get_root(first), tree.get_root(45), proof)


def test_a_failed_audit_write_undoes_the_action(monkeypatch):
    from talat.registry.models import Agency

    def broken(*args, **kwargs):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(audit, "insert_rows", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        Agency.objects.create(code="x", name_th="x", name_en="x")
        audit.append("agency.created", refs={"code": "x"})
    assert not Agency.objects.filter(code="x").exists()


def test_an_intact_log_verifies():
    fill(20)
    audit.sign_tree_head()
    fill(5, 20)
    audit.sign_tree_head()
    report = run_verify()
    assert report.ok and report.entries == 25 and report.heads == 2
    call_command("audit", "verify")


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_altering_an_entry_in_the_database_is_caught_at_that_entry():
    fill(12)
    audit.sign_tree_head()
    entry = AuditEntry.objects.get(index=5)
    forged = bytes(entry.leaf).replace(b'"n":5', b'"n":6')
    _execute("UPDATE core_auditentry SET leaf = %s WHERE id = %s", [forged, entry.pk])
    report = run_verify()
    assert report.first.index == 5 and report.first.kind == "altered"
    with pytest.raises(CommandError, match="entry 5"):
        call_command("audit", "verify")


def test_altering_the_last_entry_is_caught_by_the_signed_head():
    fill(8)
    audit.sign_tree_head()
    entry = AuditEntry.objects.get(index=7)
    _execute(
        "UPDATE core_auditentry SET leaf = %s WHERE id = %s",
        [bytes(entry.leaf).replace(b'"n":7', b'"n":9'), entry.pk],
    )
    report = run_verify()
    assert not report.ok and report.first.kind == "altered" and report.first.index == 7


def test_deleting_an_entry_is_caught():
    fill(10)
    audit.sign_tree_head()
    _execute('DELETE FROM core_auditentry WHERE "index" = %s', [4])
    report = run_verify()
    assert (report.first.index, report.first.kind) == (4, "removed")


def test_deleting_the_newest_entries_is_caught_by_the_signed_head():
    fill(10)
    audit.sign_tree_head()
    _execute('DELETE FROM core_auditentry WHERE "index" >= %s', [8])
    report = run_verify()
    assert any(p.kind == "removed" for p in report.problems)


def test_reordering_entries_is_caught():
    fill(10)
    audit.sign_tree_head()
    third, fourth = AuditEntry.objects.get(index=3), AuditEntry.objects.get(index=4)
    _execute("UPDATE core_auditentry SET leaf = %s WHERE id = %s", [bytes(fourth.leaf), third.pk])
    _execute("UPDATE core_auditentry SET leaf = %s WHERE id = %s", [bytes(third.leaf), fourth.pk])
    report = run_verify()
    assert (report.first.index, report.first.kind) == (3, "reordered")


def test_a_query_column_changed_without_its_leaf_is_caught():
    fill(4)
    _execute('UPDATE core_auditentry SET kind = %s WHERE "index" = %s', ["login.succeeded", 2])
    report = run_verify()
    assert (report.first.index, report.first.kind) == (2, "altered")


def test_a_forged_tree_head_is_caught():
    fill(6)
    head = audit.sign_tree_head()
    TreeHead.objects.filter(pk=head.pk).update(root_hash=hashlib.sha256(b"forged").digest())
    report = run_verify()
    assert any(p.kind == "bad_head" for p in report.problems)


def test_public_api_serves_heads_entries_and_proofs(client):
    fill(30)
    head = client.get("/api/v1/audit/tree-head").json()
    assert head["size"] == 30
    assert head["root_hash"] == reference_tree().get_root(30).hex()
    body = client.get("/api/v1/audit/entries", {"start": 10, "end": 12}).json()
    assert [e["index"] for e in body["entries"]] == [10, 11, 12]
    leaf = base64.b64decode(body["entries"][0]["leaf"])
    assert leaf == leaves()[10]
    proof = client.get("/api/v1/audit/proof/inclusion", {"index": 10, "size": 30}).json()
    assert merkle.verify_inclusion(
        merkle.leaf_hash(leaf),
        10,
        30,
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(head["root_hash"]),
    )
    consistency = client.get("/api/v1/audit/proof/consistency", {"first": 7, "second": 30}).json()
    tree = reference_tree()
    assert merkle.verify_consistency(
        7, 30, tree.get_root(7), tree.get_root(30), [bytes.fromhex(h) for h in consistency["audit_path"]]
    )


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/audit/proof/inclusion", {"index": 5, "size": 3}),
        ("/api/v1/audit/proof/inclusion", {"index": 0, "size": 99}),
        ("/api/v1/audit/proof/consistency", {"first": 3, "second": 2}),
        ("/api/v1/audit/entries", {"start": 5, "end": 2}),
        ("/api/v1/audit/entries", {"start": -1, "end": 2}),
    ],
)
def test_bad_proof_requests_get_422(client, path, query):
    fill(4)
    response = client.get(path, query)
    assert response.status_code == 422
    assert "error" in response.json()


def test_logins_registrations_decisions_and_keys_are_audited(client):
    from talat.accounts.models import Role
    from talat.registry import services as registry
    from tests.factories import PASSWORD, enterprise, officer, user

    person = user(Role.SME_OWNER, email="audit@example.th")
    client.post("/accounts/login/", {"username": "audit@example.th", "password": "wrong"})
    client.post("/accounts/login/", {"username": "audit@example.th", "password": PASSWORD})
    shop = enterprise(owner=person)
    registry.decide_enterprise(enterprise=shop, officer=officer(), status="rejected", reason="เอกสารไม่ครบ")
    kinds = list(AuditEntry.objects.order_by("index").values_list("kind", flat=True))
    assert kinds[:4] == ["login.failed", "login.succeeded", "enterprise.registered", "enterprise.rejected"]
    text = b"".join(leaves())
    assert b"audit@example.th" not in text and "เอกสารไม่ครบ".encode() not in text


def test_heads_kept_outside_talat_catch_a_rewrite_after_the_database_heads_are_deleted(client, tmp_path):
    import json

    fill(6)
    kept = client.get("/api/v1/audit/tree-head").json()
    (tmp_path / "heads.json").write_text(json.dumps([kept]))
    TreeHead.objects.all().delete()
    _execute('DELETE FROM core_auditentry WHERE "index" >= %s', [5])
    call_command("audit", "verify")  # with no head left in the database the truncation goes unseen...
    with pytest.raises(CommandError, match="TAMPERED"):
        call_command("audit", "verify", "--heads", str(tmp_path / "heads.json"))  # ...but not by an auditor
