"""The governance app's API routers: the audit log (public), sharing data, and requests."""

from talat.governance.api.audit import router as audit_router
from talat.governance.api.requests import public_router as oia_router
from talat.governance.api.requests import router as requests_router
from talat.governance.api.sharing import router as sharing_router

__all__ = ["audit_router", "oia_router", "requests_router", "sharing_router"]
