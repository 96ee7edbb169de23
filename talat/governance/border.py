"""The border: no byte leaves Talat for an outside party except through `release`.

    released = border.release(payload, source=Enterprise, recipient=partner,
                              purpose=Purpose.ORDER_FULFILMENT, subject=enterprise)

Deny by default. `release` finds the active agreement for (recipient, purpose), checks the data
owner's consent where the agreement needs it, keeps only the fields the agreement releases
(secret-class fields never leave), records one disclosure in the audit log and the data
passbook, and returns a `Released` value. Connectors accept nothing else. A refusal raises
`Refused` with a reason a person can read, and the refusal is audited too. (The refusal's
entry is written in the caller's transaction: a caller that rolls back on `Refused` rolls the
entry back with it, so call `release` before opening a transaction you would undo.)
"""

import copy
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from talat.accounts.models import User
from talat.core import audit
from talat.core.classification import DataClass, classification_of, field_path
from talat.core.sql import insert_rows
from talat.core.thai import display_date
from talat.governance.models import Agreement, AgreementStatus, Consent, Disclosure, Purpose
from talat.registry.models import Agency, Enterprise, Partner

_BORDER = object()  # only this module can make a Released


class Refused(Exception):
    """The border refused a release; `reason` says why, in the reader's language."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Released:
    """Data that passed the border. Its `data` is a read-only copy holding only released fields."""

    data: Mapping[str, Any]
    recipient: str
    purpose: str
    agreement_id: int
    disclosure_id: int
    payload_sha256: str
    _issuer: object = None

    def __post_init__(self):
        if self._issuer is not _BORDER:
            raise TypeError("Released values are made only by governance.border.release")


def require_released(value) -> Released:
    """What a connector calls on anything it is about to send: a Released whose data is still
    exactly what was released (a copy made with other data fails the payload hash)."""
    if not isinstance(value, Released):
        raise TypeError(f"connectors send only data released by the border, not {type(value).__name__}")
    if _digest(dict(value.data)) != value.payload_sha256:
        raise TypeError("this Released value holds data other than what the border released")
    return value


def _recipient_filter(recipient: Partner | Agency) -> dict:
    if isinstance(recipient, Partner):
        return {"recipient_partner": recipient}
    if isinstance(recipient, Agency):
        return {"recipient_agency": recipient}
    raise TypeError("the recipient is a Partner or an Agency")


def active_agreement(recipient: Partner | Agency, purpose: str, on: date | None = None) -> Agreement | None:
    """The agreement in force for (recipient, purpose) today. Plain SQL with only the columns the
    border needs: this runs on every release, and revocation must be seen by the next call."""
    on = on or timezone.localdate()
    column = "recipient_partner_id" if isinstance(recipient, Partner) else "recipient_agency_id"
    _recipient_filter(recipient)  # rejects anything but a Partner or an Agency
    table = connection.ops.quote_name(Agreement._meta.db_table)
    sql = (
        f"SELECT id, title_th, fields, consent_required, purpose FROM {table} "  # noqa: S608
        f"WHERE {column} = %s AND purpose = %s AND status = %s AND valid_from <= %s AND valid_until >= %s "
        "ORDER BY approved_at DESC, id DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [recipient.pk, purpose, AgreementStatus.ACTIVE, on, on])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, title, fields, consent_required, agreed_purpose = row
    return Agreement(
        pk=pk,
        title_th=title,
        fields=json.loads(fields) if isinstance(fields, str) else fields,
        consent_required=bool(consent_required),
        purpose=agreed_purpose,
    )


def _owner_of(subject) -> dict:
    if isinstance(subject, Enterprise):
        return {"enterprise": subject}
    if isinstance(subject, User):
        return {"person": subject}
    raise TypeError("the data owner is an Enterprise or a person (User)")


@dataclass(frozen=True)
class ConsentState:
    consent_id: int
    granted: bool

    @property
    def at(self):
        return Consent.objects.values_list("at", flat=True).get(pk=self.consent_id)


def latest_consents(agreement: Agreement, subjects: Sequence) -> dict[int, ConsentState]:
    """The consent in force for each subject (by primary key), if any: one plain SQL query."""
    if not subjects:
        return {}
    column = "enterprise_id" if isinstance(subjects[0], Enterprise) else "person_id"
    table = connection.ops.quote_name(Consent._meta.db_table)
    owners = list(dict.fromkeys(subject.pk for subject in subjects))
    sql = (
        f"SELECT {column}, granted, id FROM {table} "  # noqa: S608
        f"WHERE agreement_id = %s AND {column} IN ({', '.join(['%s'] * len(owners))}) "
        f"ORDER BY {column}, at DESC, id DESC"
    )
    latest: dict[int, ConsentState] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [agreement.pk, *owners])
        for owner, granted, consent_id in cursor.fetchall():
            latest.setdefault(owner, ConsentState(consent_id, bool(granted)))
    return latest


def _refuse(code: str, reason: str, *, recipient, purpose: str, subject, agreement=None):
    owner = _owner_of(subject)
    audit.append(
        "border.refused",
        refs={
            "recipient": f"{type(recipient).__name__.lower()}:{recipient.pk}",
            "purpose": purpose,
            "agreement": agreement.pk if agreement else None,
            "owner": audit.pseudonym(next(iter(owner)), subject.pk),
            "code": code,
        },
    )
    raise Refused(code, reason)


def _allowed_fields(agreement: Agreement, source: type[Model]) -> Mapping[str, str]:
    """payload key -> field path, for the source model's fields this agreement releases."""
    return _allowed_for(tuple(sorted(agreement.fields)), source)


@functools.lru_cache(maxsize=1024)
def _allowed_for(released_paths: tuple[str, ...], source: type[Model]) -> Mapping[str, str]:
    released = set(released_paths)
    allowed = {}
    for model_field in source._meta.get_fields():
        classification = classification_of(model_field)
        if classification is None or classification.data_class == DataClass.SECRET:
            continue
        path = field_path(model_field)
        if path in released:
            allowed[model_field.name] = path
    return MappingProxyType(allowed)


def _digest(data: Mapping) -> str:
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _recipient_label(recipient) -> str:
    return recipient.name_en or recipient.name_th


def _check(agreement, subjects, *, recipient, purpose):
    """Raises Refused for the first subject that may not be released."""
    if agreement is None:
        _refuse(
            "no_agreement",
            _("ไม่มีข้อตกลงที่มีผลบังคับใช้กับ %(recipient)s สำหรับ%(purpose)s")
            % {"recipient": _recipient_label(recipient), "purpose": Purpose(purpose).label},
            recipient=recipient, purpose=purpose, subject=subjects[0],
        )  # fmt: skip
    if agreement.consent_required:
        consents = latest_consents(agreement, subjects)
        for subject in subjects:
            consent = consents.get(subject.pk)
            if consent is None:
                reason = _("เจ้าของข้อมูลยังไม่ได้ให้ความยินยอมตามข้อตกลง “%(agreement)s”")
                _refuse(
                    "no_consent", reason % {"agreement": agreement.title_th},
                    recipient=recipient, purpose=purpose, subject=subject, agreement=agreement,
                )  # fmt: skip
            if not consent.granted:
                reason = _("เจ้าของข้อมูลถอนความยินยอมเมื่อ %(date)s")
                _refuse(
                    "consent_withdrawn", reason % {"date": display_date(consent.at, "short")},
                    recipient=recipient, purpose=purpose, subject=subject, agreement=agreement,
                )  # fmt: skip


class _Policy:
    """What this process last read of agreements and consent, valid for one policy version.

    Every agreement or consent change sets a new policy version (core.audit), and the audit
    append of every release checks, under the lock it takes anyway, that the version it was
    prepared under is still current. So a release served from this cache can never pass an
    agreement revoked or a consent withdrawn a moment earlier: the append refuses, the cache is
    dropped, and the release is prepared again from the database."""

    LIMIT = 100_000

    def __init__(self):
        self.reset(None)

    def reset(self, version):
        self.version = version
        self.agreements: dict = {}
        self.consents: dict = {}

    def agreement(self, recipient, purpose: str):
        key = (type(recipient).__name__, recipient.pk, purpose, timezone.localdate())
        if key not in self.agreements:
            self.agreements[key] = active_agreement(recipient, purpose)
        return self.agreements[key]

    def consents_for(self, agreement, subjects) -> dict:
        kind = "enterprise" if isinstance(subjects[0], Enterprise) else "person"
        missing = [s for s in subjects if (agreement.pk, kind, s.pk) not in self.consents]
        if missing:
            if len(self.consents) > self.LIMIT:
                self.consents.clear()
            found = latest_consents(agreement, missing)
            for subject in missing:
                self.consents[(agreement.pk, kind, subject.pk)] = found.get(subject.pk)
        return {s.pk: self.consents[(agreement.pk, kind, s.pk)] for s in subjects}


_policy = _Policy()


def _would_refuse(agreement, consents: dict) -> bool:
    if agreement is None:
        return True
    return agreement.consent_required and any(c is None or not c.granted for c in consents.values())


def release_many(
    items: Sequence[tuple[Mapping[str, Any], Enterprise | User]],
    *,
    source: type[Model],
    recipient: Partner | Agency,
    purpose: str,
) -> list[Released]:
    """Releases several payloads (each with its data owner) under one agreement, in one batched
    audit append. All or none. Agreements and consent come from the process's policy cache when
    it is current (see _Policy), else from the database."""
    if not items:
        return []
    if purpose not in Purpose.values:
        raise Refused("bad_purpose", _("ไม่รู้จักวัตถุประสงค์ %(purpose)s") % {"purpose": purpose})
    subjects = [subject for _payload, subject in items]
    if len({next(iter(_owner_of(subject))) for subject in subjects}) > 1:
        raise TypeError("one batch releases the data of enterprises or of people, not both")
    for _attempt in range(3):
        if _policy.version is None:
            _policy.reset(audit.policy_version())
        agreement = _policy.agreement(recipient, purpose)
        consents = _policy.consents_for(agreement, subjects) if agreement else {}
        if _would_refuse(agreement, consents):
            # Refusals are decided and audited on fresh reads, never on what a cache remembers.
            _policy.reset(audit.policy_version())
            agreement = _policy.agreement(recipient, purpose)
            _check(agreement, subjects, recipient=recipient, purpose=purpose)
            _policy.consents_for(agreement, subjects)
        try:
            return _release(items, agreement, source=source, recipient=recipient, purpose=purpose,
                            version=_policy.version)  # fmt: skip
        except audit.PolicyChanged:
            _policy.reset(None)
    raise RuntimeError("agreements kept changing during the release; try again")


def _release(items, agreement, *, source, recipient, purpose, version) -> list[Released]:
    allowed = _allowed_fields(agreement, source)
    prepared = []
    events = []
    for payload, subject in items:
        data = {key: copy.deepcopy(payload[key]) for key in payload if key in allowed}
        digest = _digest(data)
        owner_kind = "enterprise" if isinstance(subject, Enterprise) else "person"
        prepared.append((data, subject, owner_kind, digest))
        events.append(
            audit.Event(
                "border.released",
                refs={
                    "recipient": f"{type(recipient).__name__.lower()}:{recipient.pk}",
                    "purpose": purpose,
                    "agreement": agreement.pk,
                    "owner": audit.pseudonym(owner_kind, subject.pk),
                    "fields": sorted(allowed[key] for key in data),
                },
                hashes={"payload_sha256": digest},
            )
        )
    with transaction.atomic():
        entries = audit.append_many(events, policy_version=version)
        now = entries[0].at
        ids = insert_rows(
            Disclosure,
            ("at", "agreement", "purpose", "recipient_label", "enterprise", "person", "field_names",
             "payload_sha256", "audit_index"),
            [
                (now, agreement.pk, purpose, _recipient_label(recipient),
                 subject.pk if kind == "enterprise" else None, subject.pk if kind == "person" else None,
                 sorted(allowed[key] for key in data), digest, entry.index)
                for (data, subject, kind, digest), entry in zip(prepared, entries, strict=True)
            ],
            returning=("audit_index", "id"),
        )  # fmt: skip
        by_index = dict(ids)
        ids = [by_index[entry.index] for entry in entries]
    return [
        Released(
            data=MappingProxyType(data),
            recipient=_recipient_label(recipient),
            purpose=purpose,
            agreement_id=agreement.pk,
            disclosure_id=disclosure_id,
            payload_sha256=digest,
            _issuer=_BORDER,
        )
        for (data, _subject, _kind, digest), disclosure_id in zip(prepared, ids, strict=True)
    ]


def release(
    payload: Mapping[str, Any],
    *,
    source: type[Model],
    recipient: Partner | Agency,
    purpose: str,
    subject: Enterprise | User,
) -> Released:
    """Releases one payload of `source` model fields owned by `subject`."""
    return release_many([(payload, subject)], source=source, recipient=recipient, purpose=purpose)[0]
