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

# isort: split
from talat.governance.models.requests import (  # noqa: F401
    OIA_APPEAL_DAYS,
    OIA_OBJECTION_DAYS,
    OPEN_STATUSES,
    PDPA_RESPONSE_DAYS,
    DataSubjectRequest,
    EnterpriseNotice,
    InformationRequest,
    OiaGround,
    OiaStatus,
    RequestKind,
    RequestStatus,
)
