"""Governance operations: agreements and consent (sharing.py); PDPA and Official Information Act
requests (requests.py)."""

from talat.governance.services.sharing import (  # noqa: F401
    AGREEMENT_FIELDS,
    approve_agreement,
    change_agreement_status,
    consent_text,
    decide_consent,
    draft_agreement,
    may_decide_for,
    resolve_field,
)
