"""Governance operations: agreements and consent (sharing.py); PDPA data-subject requests
(requests.py); Official Information Act requests (information.py)."""

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

# isort: split
from talat.governance.services.information import (  # noqa: F401
    answer_information_request,
    disclosure_blockers,
    file_information_request,
    information_request_queue,
    may_handle_information_request,
    notices_for_owner,
    notify_enterprises,
    object_to_notice,
    published_statistics,
    refuse_information_request,
)
from talat.governance.services.requests import (  # noqa: F401
    ERASURE,
    OWNERS,
    build_export,
    complete_data_subject_request,
    erasure_plan,
    export_bytes,
    file_data_subject_request,
    may_handle_subject_requests,
    models_with_personal_data,
    overdue_count,
    personal_fields,
    refuse_data_subject_request,
    start_data_subject_request,
    subject_request_queue,
)
