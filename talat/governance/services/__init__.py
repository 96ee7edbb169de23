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

# isort: split
from talat.governance.services.requests import (  # noqa: F401
    ERASURE,
    OWNERS,
    answer_information_request,
    build_export,
    complete_data_subject_request,
    disclosure_blockers,
    erasure_plan,
    export_bytes,
    file_data_subject_request,
    file_information_request,
    information_request_queue,
    may_handle_information_request,
    models_with_personal_data,
    notices_for_owner,
    notify_enterprises,
    object_to_notice,
    overdue_count,
    personal_fields,
    published_statistics,
    refuse_data_subject_request,
    refuse_information_request,
    start_data_subject_request,
    subject_request_queue,
)
