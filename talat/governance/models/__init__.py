"""Governance tables: data-sharing agreements, consent and disclosures (sharing.py), and the
requests people make under the PDPA and the Official Information Act (requests.py)."""

from talat.governance.models.sharing import (  # noqa: F401
    Agreement,
    AgreementStatus,
    Consent,
    Disclosure,
    LegalBasis,
    Purpose,
    TransferBasis,
)
